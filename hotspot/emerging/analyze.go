package emerging

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot/stats"
)

// Options tune Analyze. The zero value is the default analysis: ring 1, no
// time lag, α = 0.05, no FDR, moments per bin.
type Options struct {
	// Ring is the H3 grid distance of spatial neighbours; 0 means 1.
	Ring int
	// TimeStep τ adds the same cells (the cell and its spatial neighbours)
	// at bins t−1..t−τ to the neighbourhood of (cell, t). 0: space only.
	TimeStep int
	// Alpha is the significance level of hot/cold bins and of the trend;
	// 0 means 0.05.
	Alpha float64
	// FDR replaces each bin's p-values by their Benjamini–Hochberg
	// adjustment over the cells of that bin (one family of tests per map)
	// before they are compared with Alpha.
	FDR bool
	// WholeCubeStats computes the mean and standard deviation of Gi* over
	// the whole cube instead of per bin.
	WholeCubeStats bool
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
}

// DefaultAlpha is the significance level used when Options.Alpha is 0.
const DefaultAlpha = 0.05

// MaxAlpha is the largest significance level accepted: above it "hot" would
// mean likelier than not to be chance.
const MaxAlpha = 0.5

// AlphaValid reports whether a is a significance level the analysis takes,
// in (0, MaxAlpha]: the one limit of the CLI, the API and Analyze.
func AlphaValid(a float64) bool { return a > 0 && a <= MaxAlpha }

func (o Options) withDefaults() (Options, error) {
	if o.Ring == 0 {
		o.Ring = 1
	}
	if o.Alpha == 0 {
		o.Alpha = DefaultAlpha
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	switch {
	case o.Ring < 0:
		return o, fmt.Errorf("emerging: ring %d is negative", o.Ring)
	case o.TimeStep < 0:
		return o, fmt.Errorf("emerging: time step %d is negative", o.TimeStep)
	case !AlphaValid(o.Alpha):
		return o, fmt.Errorf("emerging: alpha %g is outside (0, %g]", o.Alpha, MaxAlpha)
	}
	return o, nil
}

// Result is the analysis of a cube. Per-bin arrays are cell-major: the
// entry of cell i, bin t is at i*Bins+t.
type Result struct {
	Cells    []geo.Cell       // the cube's universe, in cube order
	Bins     int              // number of time bins
	Category []Category       // per cell
	Trend    []stats.MKResult // per cell: Mann–Kendall of its Gi* z series (SenSlope 0)
	Z        []float64        // per cell and bin: Gi* z-score (0 when undefined)
	P        []float64        // per cell and bin: the p-value compared with Alpha (BH-adjusted when Options.FDR; 1 when undefined)
	Defined  []bool           // per cell and bin: whether Gi* exists
}

// Analyze runs the emerging-hot-spot analysis of cube.
//
// For bin t the neighbourhood of cell i is i itself and its spatial
// neighbours (Cube.Neighbors(Ring)), at bins t, t−1, ..., t−τ' where
// τ' = min(t, TimeStep), all with weight 1. Gi* compares the
// neighbourhood's sum with the moments of a reference population: by
// default the counts of every cell in those same bins t−τ'..t (with τ = 0,
// simply bin t), with WholeCubeStats every count of the cube. A bin whose
// population is constant (no events anywhere, say) has no Gi*: its z is 0
// and p is 1 for every cell, so it is neither hot nor cold, and the z of 0
// enters the trend test as "no clustering".
//
// Categories follow the rules documented on Category.
func Analyze(ctx context.Context, cube *Cube, opt Options) (*Result, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	nb, err := cube.Neighbors(opt.Ring)
	if err != nil {
		return nil, err
	}
	nc, bins := len(cube.cells), cube.bins
	r := &Result{
		Cells:    cube.cells,
		Bins:     bins,
		Category: make([]Category, nc),
		Trend:    make([]stats.MKResult, nc),
		Z:        make([]float64, nc*bins),
		P:        make([]float64, nc*bins),
		Defined:  make([]bool, nc*bins),
	}
	moments := cubeMoments(cube, opt)

	err = parallel(ctx, nc, 512, opt.Workers, func() func(lo, hi int) {
		acc := make([]float64, bins)
		lag := make([]float64, bins)
		mk := make([]float64, bins)
		return func(lo, hi int) {
			for i := lo; i < hi; i++ {
				cube.giStarRow(r, i, nb.Of(i), moments, opt.TimeStep, acc, lag)
				if !opt.FDR {
					r.classifyCell(i, opt.Alpha, mk)
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	if !opt.FDR {
		return r, nil
	}
	if err := r.adjustFDR(ctx, opt.Workers); err != nil {
		return nil, err
	}
	err = parallel(ctx, nc, 512, opt.Workers, func() func(lo, hi int) {
		mk := make([]float64, bins)
		return func(lo, hi int) {
			for i := lo; i < hi; i++ {
				r.classifyCell(i, opt.Alpha, mk)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// giStarRow fills cell i's z, p and defined for every bin. acc and lag are
// scratch of length bins.
func (c *Cube) giStarRow(r *Result, i int, nbrs []int32, mom []binMoments, tau int, acc, lag []float64) {
	bins := c.bins
	copy(acc, c.counts[i*bins:(i+1)*bins])
	for _, j := range nbrs {
		row := c.counts[int(j)*bins : int(j+1)*bins]
		for t, v := range row {
			acc[t] += v
		}
	}
	w0 := float64(1 + len(nbrs))
	if tau > 0 {
		// lag[t] = Σ_{s=0..min(t,τ)} acc[t−s], summed directly (τ is
		// small) rather than as a running sum, to keep rounding out.
		for t := range acc {
			var sum float64
			for s := max(0, t-tau); s <= t; s++ {
				sum += acc[s]
			}
			lag[t] = sum
		}
	} else {
		copy(lag, acc)
	}
	z, p, def := r.Z[i*bins:(i+1)*bins], r.P[i*bins:(i+1)*bins], r.Defined[i*bins:(i+1)*bins]
	for t := range lag {
		m := &mom[t]
		zt, ok := m.GiStarZ(lag[t], w0*m.window)
		if ok {
			z[t], p[t], def[t] = zt, stats.NormalP(zt), true
		} else {
			z[t], p[t], def[t] = 0, 1, false
		}
	}
}

// classifyCell runs the trend test on cell i's z series and classifies it.
func (r *Result) classifyCell(i int, alpha float64, scratch []float64) {
	z, p := r.Z[i*r.Bins:(i+1)*r.Bins], r.P[i*r.Bins:(i+1)*r.Bins]
	r.Trend[i] = stats.MannKendallTrend(z, scratch)
	r.Category[i] = classify(z, p, alpha, r.Trend[i])
}

// adjustFDR replaces each bin's defined p-values by their BH adjustment.
func (r *Result) adjustFDR(ctx context.Context, workers int) error {
	nc := len(r.Cells)
	return parallel(ctx, r.Bins, 1, workers, func() func(lo, hi int) {
		p := make([]float64, 0, nc)
		idx := make([]int, 0, nc)
		scratch := make([]float64, 2*nc)
		return func(lo, hi int) {
			for t := lo; t < hi; t++ {
				p, idx = p[:0], idx[:0]
				for i := 0; i < nc; i++ {
					if k := i*r.Bins + t; r.Defined[k] {
						p = append(p, r.P[k])
						idx = append(idx, k)
					}
				}
				stats.BenjaminiHochbergInto(p, p, scratch)
				for n, k := range idx {
					r.P[k] = p[n]
				}
			}
		}
	})
}

// binMoments are the Gi* moments of one bin's reference population, with
// the number of bins in its time window.
type binMoments struct {
	stats.Moments
	window float64 // bins in the neighbourhood's time window: min(t, τ)+1
	ok     bool
}

// GiStarZ is Moments.GiStarZ, undefined when the population is constant.
func (m *binMoments) GiStarZ(lag, w float64) (float64, bool) {
	if !m.ok {
		return 0, false
	}
	return m.Moments.GiStarZ(lag, w)
}

// cubeMoments returns the moments each bin's Gi* uses (see Analyze).
func cubeMoments(c *Cube, opt Options) []binMoments {
	bins, nc := c.bins, len(c.cells)
	sum := make([]float64, bins)
	lo := make([]float64, bins)
	hi := make([]float64, bins)
	copy(lo, c.counts[:bins])
	copy(hi, c.counts[:bins])
	for i := 0; i < nc; i++ {
		for t, v := range c.counts[i*bins : (i+1)*bins] {
			sum[t] += v
			lo[t] = min(lo[t], v)
			hi[t] = max(hi[t], v)
		}
	}
	mean := make([]float64, bins)
	for t := range sum {
		mean[t] = sum[t] / float64(nc)
	}
	ss := make([]float64, bins) // Σ (x − mean_t)² per bin
	for i := 0; i < nc; i++ {
		for t, v := range c.counts[i*bins : (i+1)*bins] {
			d := v - mean[t]
			ss[t] += d * d
		}
	}
	// pooled returns the moments of bins a..b together: the pooled mean and
	// Σ (x − m)² = Σ_t [ss_t + nc (mean_t − m)²].
	pooled := func(a, b int) (stats.Moments, bool) {
		k := b - a + 1
		var s float64
		l, h := lo[a], hi[a]
		for t := a; t <= b; t++ {
			s += sum[t]
			l, h = min(l, lo[t]), max(h, hi[t])
		}
		m := stats.Moments{N: nc * k, Mean: s / float64(nc*k)}
		if l == h || m.N < 2 {
			return m, false
		}
		var q float64
		for t := a; t <= b; t++ {
			d := mean[t] - m.Mean
			q += ss[t] + float64(nc)*d*d
		}
		m.SD = math.Sqrt(q / float64(m.N))
		return m, m.SD > 0
	}
	out := make([]binMoments, bins)
	var whole stats.Moments
	var wholeOK bool
	if opt.WholeCubeStats {
		whole, wholeOK = pooled(0, bins-1)
	}
	for t := range out {
		a := max(0, t-opt.TimeStep)
		out[t].window = float64(t - a + 1)
		if opt.WholeCubeStats {
			out[t].Moments, out[t].ok = whole, wholeOK
		} else {
			out[t].Moments, out[t].ok = pooled(a, t)
		}
	}
	return out
}

// parallel runs work over [0, n) in chunks of chunk on workers goroutines; each
// goroutine calls newWorker once for its scratch. It stops early, with
// ctx's error, when ctx is done.
func parallel(ctx context.Context, n, chunk, workers int, newWorker func() func(lo, hi int)) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	workers = max(1, min(workers, (n+chunk-1)/chunk))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work := newWorker()
			for ctx.Err() == nil {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return
				}
				work(lo, min(lo+chunk, n))
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

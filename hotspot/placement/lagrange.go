package placement

import (
	"math"
)

// dual is the Lagrangian relaxation of a problem: with a multiplier
// u_e in [0, w_e] on each element's "counts only if a chosen option covers
// it" constraint,
//
//	L(u) = base + Σ_e (w_e − u_e) + max over plans S of Σ_{o∈S} v_o,  v_o = Σ_{e∈o} u_e
//
// is at least the best plan's weight for every u, and the plans S are the
// bases of a truncated partition matroid (K options, slots per site), so
// the inner maximum is greedy and min_u L(u) equals the linear
// programming relaxation's optimum. Projected subgradient steps lower L.
type dual struct {
	p     *problem
	u     []float64 // per element
	v     []float64 // per option
	cnt   []int32   // per element: selected options covering it
	isSel []bool    // per option
	sel   []int32   // the selected plan
	xbar  []float64 // per option: how often selected, a fractional solution's estimate
	steps int       // subgradient steps taken (into xbar)
	dir   []float64 // deflected direction
	bestL float64
	bestU []float64
	cand  []int32
	vals  []float64
	alt   []float64 // after fixings: per option, the bound with its choice flipped
	altL  float64   // and the bound unflipped
}

func newDual(p *problem) *dual {
	return &dual{
		p:     p,
		u:     make([]float64, p.elements()),
		v:     make([]float64, p.options()),
		cnt:   make([]int32, p.elements()),
		isSel: make([]bool, p.options()),
		xbar:  make([]float64, p.options()),
		dir:   make([]float64, p.elements()),
		bestL: math.Inf(1),
	}
}

// startFrom sets the multipliers: w_e on the elements plan leaves
// uncovered, 0 on the others (the classic "covered plus the K best
// marginal gains" bound).
func (d *dual) startFrom(plan []int32) {
	cov := make([]bool, d.p.elements())
	for _, o := range plan {
		for _, e := range d.p.items(o) {
			cov[e] = true
		}
	}
	for e := range d.u {
		d.u[e] = 0
		if !cov[e] {
			d.u[e] = d.p.w[e]
		}
	}
}

// eval computes L(d.u), the selection and, per element, how many selected
// options cover it. It returns L and the weight the selection covers.
func (d *dual) eval() (float64, float64) {
	p := d.p
	l := p.base
	for e, w := range p.w {
		l += w - d.u[e]
	}
	// element by element: multipliers at zero (often most) cost nothing
	clear(d.v)
	for e, u := range d.u {
		if u > 0 {
			for _, o := range p.covering(int32(e)) {
				d.v[o] += u
			}
		}
	}
	l += d.pick()
	clear(d.cnt)
	cov := p.base
	for _, o := range d.sel {
		for _, e := range p.items(o) {
			if d.cnt[e] == 0 {
				cov += p.w[e]
			}
			d.cnt[e]++
		}
	}
	return l, cov
}

// pick selects the plan of largest Σ v (at most k options, slot[s] per
// site, only positive values, ties to the lower option) into d.sel and
// returns its value.
func (d *dual) pick() float64 {
	p := d.p
	for _, o := range d.sel {
		d.isSel[o] = false
	}
	d.sel, d.cand = d.sel[:0], d.cand[:0]
	for s := range p.slot {
		lo, hi := p.siteStart[s], p.siteStart[s+1]
		slot := p.slot[s]
		if int32(hi-lo) <= slot {
			for o := lo; o < hi; o++ {
				if d.v[o] > 0 {
					d.cand = append(d.cand, o)
				}
			}
			continue
		}
		// the slot best of the site, by repeated maximum (slots are few)
		start := len(d.cand)
		for range slot {
			b := int32(-1)
			for o := lo; o < hi; o++ {
				if d.v[o] <= 0 || (b >= 0 && d.v[o] <= d.v[b]) {
					continue
				}
				taken := false
				for _, c := range d.cand[start:] {
					if c == o {
						taken = true
						break
					}
				}
				if !taken {
					b = o
				}
			}
			if b < 0 {
				break
			}
			d.cand = append(d.cand, b)
		}
	}
	sum := 0.0
	if len(d.cand) <= p.k {
		for _, o := range d.cand {
			sum += d.v[o]
			d.sel = append(d.sel, o)
		}
	} else if p.k > 0 {
		d.vals = d.vals[:0]
		for _, o := range d.cand {
			d.vals = append(d.vals, d.v[o])
		}
		thr := kthLargest(d.vals, p.k)
		for _, o := range d.cand {
			if d.v[o] > thr {
				sum += d.v[o]
				d.sel = append(d.sel, o)
			}
		}
		for _, o := range d.cand {
			if len(d.sel) == p.k {
				break
			}
			if d.v[o] == thr {
				sum += thr
				d.sel = append(d.sel, o)
			}
		}
	}
	for _, o := range d.sel {
		d.isSel[o] = true
	}
	return sum
}

// optimise takes at most iters projected subgradient steps towards the
// target lb() (the best plan's weight: the bound cannot go below the best
// plan), or until deadline; it stops as soon as L ≤ lb() + tol (the
// relaxation proves nothing beats the best plan) and returns whether it
// did. Each step's selection is a plan: seen, when not nil, is called with
// it and its weight (and may raise lb).
func (d *dual) optimise(lb func() float64, tol float64, iters, patience int, theta float64, deadline limit, seen func(plan []int32, value float64)) bool {
	p := d.p
	stale := 0
	clear(d.dir)
	for it := 0; it < iters; it++ {
		l, cov := d.eval()
		if seen != nil {
			seen(d.sel, cov)
		}
		lb := lb()
		for _, o := range d.sel {
			d.xbar[o]++
		}
		d.steps++
		if l < d.bestL {
			if l < d.bestL-1e-6*(d.bestL-lb) {
				stale = 0
			}
			d.bestL = l
			d.bestU = append(d.bestU[:0], d.u...)
		} else if stale++; stale >= patience {
			theta, stale = theta/2, 0
		}
		if d.bestL <= lb+tol {
			return true
		}
		if theta < 1e-4 || it%16 == 15 && deadline.passed() {
			break
		}
		norm := 0.0
		for e := range d.u {
			g := float64(d.cnt[e] - 1)
			dd := g + 0.3*d.dir[e]
			// project: a multiplier at its limit does not move that way
			if d.u[e] <= 0 && dd > 0 || d.u[e] >= p.w[e] && dd < 0 {
				dd = 0
			}
			d.dir[e] = dd
			norm += dd * dd
		}
		if norm == 0 {
			break
		}
		t := theta * (l - lb) / norm
		for e := range d.u {
			d.u[e] = min(max(d.u[e]-t*d.dir[e], 0), p.w[e])
		}
	}
	return false
}

// fixings returns, from the best multipliers, what every plan beating lb
// by more than tol must do: fix[o] = -1 for options it cannot use, +1 for
// options it must use (reduced-cost fixing: forcing o in or out changes
// the inner maximum by one exchange, because the plans form a matroid).
// It returns the number fixed, and leaves in d.alt the bounds with each
// option's choice flipped, for the branching.
func (d *dual) fixings(lb, tol float64, fix []int8) int {
	if d.bestU == nil {
		return 0
	}
	p := d.p
	copy(d.u, d.bestU)
	l, _ := d.eval()
	inf := math.Inf(1)
	nSel := make([]int32, len(p.slot))
	minAt := make([]float64, len(p.slot))   // least selected value per site
	bestOut := make([]float64, len(p.slot)) // best unselected value per site
	for s := range minAt {
		minAt[s], bestOut[s] = inf, 0
	}
	minSel := inf
	for _, o := range d.sel {
		s := p.site[o]
		nSel[s]++
		minAt[s] = min(minAt[s], d.v[o])
		minSel = min(minSel, d.v[o])
	}
	roomy := 0.0 // best unselected value at a site with room
	for o, v := range d.v {
		if d.isSel[o] || v <= 0 {
			continue
		}
		s := p.site[o]
		bestOut[s] = max(bestOut[s], v)
		if nSel[s] < p.slot[s] {
			roomy = max(roomy, v)
		}
	}
	n := 0
	if cap(d.alt) < len(d.v) {
		d.alt = make([]float64, len(d.v))
	}
	d.alt = d.alt[:len(d.v)]
	d.altL = l
	for o, v := range d.v {
		s := p.site[o]
		var with float64
		if d.isSel[o] {
			// forced out: the best exchange replaces it
			without := l - v + max(bestOut[s], roomy, 0)
			d.alt[o] = without
			if fix[o] == 0 && without <= lb+tol {
				fix[o] = 1
				n++
			}
			continue
		}
		switch {
		case nSel[s] >= p.slot[s]:
			with = l - minAt[s] + v
		case len(d.sel) >= p.k:
			with = l - minSel + v
		default:
			with = l + v
		}
		d.alt[o] = with
		if fix[o] != 0 {
			continue
		}
		if with <= lb+tol {
			fix[o] = -1
			n++
		}
	}
	return n
}

// kthLargest returns the k-th largest of a (1-based), reordering a.
func kthLargest(a []float64, k int) float64 {
	lo, hi, target := 0, len(a)-1, k-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		// median of three as pivot, descending order
		if a[mid] > a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] > a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] > a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		p := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] > p {
				i++
			}
			for a[j] < p {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case target <= j:
			hi = j
		case target >= i:
			lo = i
		default:
			return a[target]
		}
	}
	return a[target]
}

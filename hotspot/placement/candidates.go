package placement

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"

	"github.com/diaban/diaban/geo"
)

// DefaultBearings are the bearings tried at every site when a Model gives
// none: every 45 degrees from north.
var DefaultBearings = []float64{0, 45, 90, 135, 180, 225, 270, 315}

// Model is the kind of camera to place: its range, its angle of view, and
// the bearings to try at each site (DefaultBearings when empty). A dome
// (FOV 360) is tried once per site, whatever the bearings.
type Model struct {
	RangeM   float64
	FOV      float64
	Bearings []float64
}

func (m Model) normalised() (Model, error) {
	if math.IsNaN(m.RangeM) || math.IsInf(m.RangeM, 0) || m.RangeM <= 0 {
		return m, invalid("model.range_m", "%g is not a positive finite number", m.RangeM)
	}
	if math.IsNaN(m.FOV) || m.FOV <= 0 || m.FOV > 360 {
		return m, invalid("model.fov", "%g is outside (0, 360]", m.FOV)
	}
	bs := m.Bearings
	if len(bs) == 0 {
		bs = DefaultBearings
	}
	seen := map[float64]bool{}
	for i, b := range bs {
		if math.IsNaN(b) || b < 0 || b >= 360 {
			return m, invalid(fmt.Sprintf("model.bearings[%d]", i), "%g is outside [0, 360)", b)
		}
		if seen[b] {
			return m, invalid(fmt.Sprintf("model.bearings[%d]", i), "%g repeats", b)
		}
		seen[b] = true
	}
	if m.FOV >= 360 {
		bs = bs[:1]
	}
	m.Bearings = append([]float64(nil), bs...)
	return m, nil
}

// Candidates holds the coverage sets of every candidate camera (site ×
// bearing) over the demand that existing cameras leave uncovered: the
// expensive, solver-independent half of planning. Build it once and Solve
// it for several budgets. It is read-only after NewCandidates, so Solve may
// run concurrently on one Candidates.
type Candidates struct {
	demand []DemandPoint
	sites  []Site // sorted by ID: option o is site o/nb, bearing o%nb
	model  Model
	nb     int

	weight          []float64 // per demand point; 0 when an existing camera covers it
	totalWeight     float64
	existingWeight  float64 // covered by existing cameras, active or planned
	installedWeight float64 // covered by active existing cameras

	optStart []int32 // coverage set of option o: optItems[optStart[o]:optStart[o+1]]
	optItems []int32
}

// NewCandidates validates the inputs and builds the coverage sets, using a
// grid over the demand and every core. Existing cameras that are active or
// planned count as already covering what they see; offline ones cover
// nothing.
func NewCandidates(demand []DemandPoint, sites []Site, model Model, existing []Camera) (*Candidates, error) {
	return NewCandidatesContext(context.Background(), demand, sites, model, existing)
}

// NewCandidatesContext is NewCandidates that stops with ctx's error when
// ctx ends (asked before each chunk of sites).
func NewCandidatesContext(ctx context.Context, demand []DemandPoint, sites []Site, model Model, existing []Camera) (*Candidates, error) {
	if err := validateDemand(demand); err != nil {
		return nil, err
	}
	if err := validateSites(sites); err != nil {
		return nil, err
	}
	model, err := model.normalised()
	if err != nil {
		return nil, err
	}
	for i, c := range existing {
		if err := validateCamera(fmt.Sprintf("existing[%d]", i), c); err != nil {
			return nil, err
		}
	}
	c := &Candidates{demand: demand, model: model, nb: len(model.Bearings)}
	c.sites = append([]Site(nil), sites...)
	sort.Slice(c.sites, func(a, b int) bool { return c.sites[a].ID < c.sites[b].ID })

	pts := make([]geo.Point, len(demand))
	c.weight = make([]float64, len(demand))
	for i, d := range demand {
		pts[i] = d.Point
		c.weight[i] = d.Weight
		c.totalWeight += d.Weight
	}
	g := newGrid(pts, model.RangeM)
	// active cameras first, then planned ones: what planned cameras add is
	// kept apart from what installed ones cover; offline ones see nothing
	for _, status := range []Status{StatusActive, StatusPlanned} {
		for _, cam := range existing {
			if cam.Status != status {
				continue
			}
			g.covered(cam.View, func(i int32) {
				if c.weight[i] > 0 {
					c.existingWeight += c.weight[i]
					c.weight[i] = 0
				}
			})
		}
		if status == StatusActive {
			c.installedWeight = c.existingWeight
		}
	}
	c.buildSets(ctx, g)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// buildSets fills optStart/optItems, sites split in contiguous chunks over
// the cores; each chunk's sets are concatenated in site order.
func (c *Candidates) buildSets(ctx context.Context, g *grid) {
	workers := runtime.GOMAXPROCS(0)
	chunk := (len(c.sites) + workers*4 - 1) / (workers * 4)
	if chunk < 64 {
		chunk = 64
	}
	type part struct {
		starts []int32 // per option, relative
		items  []int32
	}
	const mPerDeg = geo.EarthRadiusM * math.Pi / 180
	prefilter := c.model.RangeM < 10_000
	reject2 := math.Pow(c.model.RangeM*1.01+1, 2)
	nParts := (len(c.sites) + chunk - 1) / chunk
	parts := make([]part, nParts)
	var wg sync.WaitGroup
	next := make(chan int, nParts)
	for p := 0; p < nParts; p++ {
		next <- p
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buckets := make([][]int32, c.nb)
			views := make([]geo.FieldOfView, c.nb)
			for p := range next {
				if ctx.Err() != nil {
					continue // abandoned: drain the chunks
				}
				lo, hi := p*chunk, min((p+1)*chunk, len(c.sites))
				var pt part
				for _, s := range c.sites[lo:hi] {
					for b := range buckets {
						buckets[b] = buckets[b][:0]
						views[b] = geo.FieldOfView{Site: s.Point, Bearing: c.model.Bearings[b], FOV: c.model.FOV, RangeM: c.model.RangeM}
					}
					cosLat := math.Cos(s.Point.Lat * math.Pi / 180)
					g.near(s.Point, c.model.RangeM, func(i int32) {
						if c.weight[i] <= 0 {
							return
						}
						if prefilter {
							// equirectangular distance, 1 % + 1 m generous:
							// a cheap reject before the exact test
							q := g.pts[i]
							dLon := q.Lon - s.Point.Lon
							if dLon > 180 {
								dLon -= 360
							} else if dLon < -180 {
								dLon += 360
							}
							dx, dy := dLon*cosLat*mPerDeg, (q.Lat-s.Point.Lat)*mPerDeg
							if dx*dx+dy*dy > reject2 {
								return
							}
						}
						d := geo.Haversine(s.Point, g.pts[i])
						if d > c.model.RangeM+1e-6 {
							return
						}
						az := 0.0
						if d > 0 {
							az = geo.InitialBearing(s.Point, g.pts[i])
						}
						for b := range views {
							if views[b].CoversPolar(d, az) {
								buckets[b] = append(buckets[b], i)
							}
						}
					})
					for b := range buckets {
						pt.starts = append(pt.starts, int32(len(pt.items)))
						pt.items = append(pt.items, buckets[b]...)
					}
				}
				parts[p] = pt
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, pt := range parts {
		total += len(pt.items)
	}
	nOpt := len(c.sites) * c.nb
	c.optStart = make([]int32, 0, nOpt+1)
	c.optItems = make([]int32, 0, total)
	for _, pt := range parts {
		base := int32(len(c.optItems))
		for _, s := range pt.starts {
			c.optStart = append(c.optStart, base+s)
		}
		c.optItems = append(c.optItems, pt.items...)
	}
	c.optStart = append(c.optStart, int32(len(c.optItems)))
}

// Options returns the number of candidate cameras (sites × bearings).
func (c *Candidates) Options() int { return len(c.optStart) - 1 }

// Pairs returns the total size of the coverage sets.
func (c *Candidates) Pairs() int { return len(c.optItems) }

// TotalWeight returns the weight of all demand.
func (c *Candidates) TotalWeight() float64 { return c.totalWeight }

// ExistingWeight returns the weight the existing cameras (active or
// planned) already cover.
func (c *Candidates) ExistingWeight() float64 { return c.existingWeight }

// InstalledWeight returns the weight the active existing cameras cover.
func (c *Candidates) InstalledWeight() float64 { return c.installedWeight }

// Option returns candidate o's site and bearing.
func (c *Candidates) Option(o int) (Site, float64) {
	return c.sites[o/c.nb], c.model.Bearings[o%c.nb]
}

// Covers returns the demand indices candidate o newly covers (those left
// uncovered by existing cameras and of positive weight). The slice is shared:
// do not modify it.
func (c *Candidates) Covers(o int) []int32 { return c.optItems[c.optStart[o]:c.optStart[o+1]] }

// Weight returns the weight demand point i still needs covered: its weight,
// or 0 when an existing camera covers it.
func (c *Candidates) Weight(i int) float64 { return c.weight[i] }

func (c *Candidates) items(o int32) []int32 { return c.optItems[c.optStart[o]:c.optStart[o+1]] }

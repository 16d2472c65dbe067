package placement

import (
	"fmt"

	"github.com/diaban/diaban/geo"
)

// Scope selects the cameras a share is computed over.
type Scope struct {
	Owner      Owner `json:"owner,omitempty"` // "" means every owner
	ActiveOnly bool  `json:"active_only"`     // only cameras with StatusActive
}

// Scopes lists the scopes of every Report, in its order: all owners, police,
// community; each first over every camera listed (whatever its status, so a
// plan's planned cameras count), then over active cameras only.
var Scopes = [...]Scope{
	{}, {Owner: OwnerPolice}, {Owner: OwnerCommunity},
	{ActiveOnly: true}, {Owner: OwnerPolice, ActiveOnly: true}, {Owner: OwnerCommunity, ActiveOnly: true},
}

func (s Scope) includes(c Camera) bool {
	return (s.Owner == "" || s.Owner == c.Owner) && (!s.ActiveOnly || c.Status == StatusActive)
}

// Uncovered is a demand point that no camera of a scope covers.
type Uncovered struct {
	ID      string    `json:"id"`
	Point   geo.Point `json:"point"`
	Weight  float64   `json:"weight"`
	Hotspot bool      `json:"hotspot"`
}

// Shares is the coverage of the demand by the cameras of one scope.
type Shares struct {
	Scope           Scope       `json:"scope"`
	Cameras         int         `json:"cameras"`
	Hotspots        int         `json:"hotspots"`
	HotspotsCovered int         `json:"hotspots_covered"`
	HotspotShare    float64     `json:"hotspot_share"` // HotspotsCovered / Hotspots, 0 when none
	Weight          float64     `json:"weight"`
	WeightCovered   float64     `json:"weight_covered"`
	WeightShare     float64     `json:"weight_share"` // WeightCovered / Weight, 0 when none
	Uncovered       []Uncovered `json:"uncovered"`    // heaviest first, ties by id
}

// Report holds the Shares of every scope, in the order of Scopes.
type Report struct {
	Scopes []Shares `json:"scopes"`
}

// Get returns the shares of scope s.
func (r Report) Get(s Scope) Shares {
	for _, sh := range r.Scopes {
		if sh.Scope == s {
			return sh
		}
	}
	return Shares{Scope: s}
}

// Coverage reports how much of the demand the cameras cover, per scope,
// listing at most uncoveredLimit uncovered points per scope (heaviest first).
func Coverage(demand []DemandPoint, cameras []Camera, uncoveredLimit int) (Report, error) {
	e, err := NewEvaluator(demand, cameras)
	if err != nil {
		return Report{}, err
	}
	return e.Report(uncoveredLimit), nil
}

// Evaluator keeps, for a fixed demand and a changing list of cameras, how
// many cameras of each scope cover each demand point, so that moving,
// rotating or adding one camera costs only that camera's neighbourhood.
// It is what the map's planner panel calls on every drag. Not safe for
// concurrent use.
type Evaluator struct {
	demand []DemandPoint
	idx    *grid
	cams   []Camera
	sets   [][]int32 // demand indices each camera covers
	counts [len(Scopes)][]int32
}

// NewEvaluator validates the demand and the cameras and counts the cover.
func NewEvaluator(demand []DemandPoint, cameras []Camera) (*Evaluator, error) {
	if err := validateDemand(demand); err != nil {
		return nil, err
	}
	pts := make([]geo.Point, len(demand))
	for i, d := range demand {
		pts[i] = d.Point
	}
	cell := 100.0
	for _, c := range cameras {
		if c.View.RangeM > cell && c.View.RangeM < 1e5 {
			cell = c.View.RangeM
		}
	}
	e := &Evaluator{demand: demand, idx: newGrid(pts, cell)}
	for s := range e.counts {
		e.counts[s] = make([]int32, len(demand))
	}
	for _, c := range cameras {
		if _, err := e.Add(c); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Len returns the number of cameras.
func (e *Evaluator) Len() int { return len(e.cams) }

// Camera returns camera i.
func (e *Evaluator) Camera(i int) Camera { return e.cams[i] }

// Add appends a camera and returns its index.
func (e *Evaluator) Add(c Camera) (int, error) {
	i := len(e.cams)
	if err := validateCamera(fmt.Sprintf("cameras[%d]", i), c); err != nil {
		return 0, err
	}
	e.cams = append(e.cams, c)
	e.sets = append(e.sets, nil)
	e.apply(i, +1)
	return i, nil
}

// Set replaces camera i (moved, rotated, re-owned or re-statused).
func (e *Evaluator) Set(i int, c Camera) error {
	if i < 0 || i >= len(e.cams) {
		return invalid("camera", "index %d is outside [0, %d)", i, len(e.cams))
	}
	if err := validateCamera(fmt.Sprintf("cameras[%d]", i), c); err != nil {
		return err
	}
	e.apply(i, -1)
	e.cams[i] = c
	e.sets[i] = e.sets[i][:0]
	e.apply(i, +1)
	return nil
}

// apply adds (+1) or removes (-1) camera i's cover; adding computes its set.
func (e *Evaluator) apply(i int, delta int32) {
	c := e.cams[i]
	if delta > 0 {
		set := e.sets[i][:0]
		e.idx.covered(c.View, func(d int32) { set = append(set, d) })
		e.sets[i] = set
	}
	for s, sc := range Scopes {
		if !sc.includes(c) {
			continue
		}
		cnt := e.counts[s]
		for _, d := range e.sets[i] {
			cnt[d] += delta
		}
	}
}

// Report computes the shares of every scope from the cover counts.
func (e *Evaluator) Report(uncoveredLimit int) Report {
	r := Report{Scopes: make([]Shares, len(Scopes))}
	for s, sc := range Scopes {
		sh := Shares{Scope: sc}
		for _, c := range e.cams {
			if sc.includes(c) {
				sh.Cameras++
			}
		}
		top := topUncovered{limit: uncoveredLimit}
		cnt := e.counts[s]
		for i, d := range e.demand {
			sh.Weight += d.Weight
			if d.Hotspot {
				sh.Hotspots++
			}
			if cnt[i] > 0 {
				sh.WeightCovered += d.Weight
				if d.Hotspot {
					sh.HotspotsCovered++
				}
			} else {
				top.offer(e.demand, int32(i))
			}
		}
		if sh.Hotspots > 0 {
			sh.HotspotShare = float64(sh.HotspotsCovered) / float64(sh.Hotspots)
		}
		if sh.Weight > 0 {
			sh.WeightShare = sh.WeightCovered / sh.Weight
		}
		sh.Uncovered = make([]Uncovered, len(top.idx))
		for k, i := range top.idx {
			d := e.demand[i]
			sh.Uncovered[k] = Uncovered{ID: d.ID, Point: d.Point, Weight: d.Weight, Hotspot: d.Hotspot}
		}
		r.Scopes[s] = sh
	}
	return r
}

// topUncovered keeps the limit heaviest points offered, sorted, by
// insertion: cheap because limit is small and most offers lose at once.
type topUncovered struct {
	limit int
	idx   []int32
}

func heavier(demand []DemandPoint, a, b int32) bool {
	da, db := demand[a], demand[b]
	return da.Weight > db.Weight || da.Weight == db.Weight && da.ID < db.ID
}

func (t *topUncovered) offer(demand []DemandPoint, i int32) {
	if t.limit <= 0 {
		return
	}
	n := len(t.idx)
	if n == t.limit && !heavier(demand, i, t.idx[n-1]) {
		return
	}
	if n < t.limit {
		t.idx = append(t.idx, i)
	} else {
		t.idx[n-1] = i
	}
	for k := len(t.idx) - 1; k > 0 && heavier(demand, t.idx[k], t.idx[k-1]); k-- {
		t.idx[k], t.idx[k-1] = t.idx[k-1], t.idx[k]
	}
}

package inputs

import (
	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot/placement"
)

// ScopeCoverage is the coverage of an area by the cameras of one scope:
// hotspots counted one by one, risk as the weight of the risk cells.
type ScopeCoverage struct {
	Scope             placement.Scope    `json:"scope"`
	Cameras           int                `json:"cameras"`
	Hotspots          int                `json:"hotspots"`
	HotspotsCovered   int                `json:"hotspots_covered"`
	HotspotShare      float64            `json:"hotspot_share"` // 0..1
	Risk              float64            `json:"risk"`
	RiskCovered       float64            `json:"risk_covered"`
	RiskShare         float64            `json:"risk_share"` // 0..1
	UncoveredHotspots []UncoveredHotspot `json:"uncovered_hotspots"`
}

// UncoveredHotspot is an active hotspot no camera of a scope sees.
type UncoveredHotspot struct {
	ID   int64     `json:"id"`
	Ref  string    `json:"ref"`
	Name string    `json:"name"`
	Kind string    `json:"kind"`
	Risk float64   `json:"risk"`
	At   geo.Point `json:"-"`
	Lon  float64   `json:"lon"`
	Lat  float64   `json:"lat"`
}

// Report is an area's coverage in every scope of placement.Scopes, in order.
type Report struct {
	Area    string          `json:"area"`
	RiskRes int             `json:"risk_res"`
	Scopes  []ScopeCoverage `json:"scopes"`
}

// Get returns the coverage of scope s.
func (r Report) Get(s placement.Scope) ScopeCoverage {
	for _, sc := range r.Scopes {
		if sc.Scope == s {
			return sc
		}
	}
	return ScopeCoverage{Scope: s}
}

// Measure computes the coverage of in's demand by cameras, listing at most
// uncoveredLimit uncovered hotspots per scope, highest risk first.
func Measure(in *CoverageInputs, cameras []placement.Camera, uncoveredLimit int) (Report, error) {
	hot, err := placement.Coverage(in.Hotspots, cameras, uncoveredLimit)
	if err != nil {
		return Report{}, err
	}
	cells, err := placement.Coverage(in.Cells, cameras, 0)
	if err != nil {
		return Report{}, err
	}
	return merge(in, hot, cells), nil
}

// merge combines a report over the hotspots with one over the risk cells.
func merge(in *CoverageInputs, hot, cells placement.Report) Report {
	byRef := make(map[string]int, len(in.Info))
	for i, h := range in.Info {
		byRef[h.Ref] = i
	}
	r := Report{Area: in.Area.Code, RiskRes: in.RiskRes, Scopes: make([]ScopeCoverage, len(hot.Scopes))}
	for i, h := range hot.Scopes {
		c := cells.Get(h.Scope)
		sc := ScopeCoverage{
			Scope: h.Scope, Cameras: h.Cameras,
			Hotspots: h.Hotspots, HotspotsCovered: h.HotspotsCovered, HotspotShare: h.HotspotShare,
			Risk: c.Weight, RiskCovered: c.WeightCovered, RiskShare: c.WeightShare,
			UncoveredHotspots: make([]UncoveredHotspot, 0, len(h.Uncovered)),
		}
		for _, u := range h.Uncovered {
			uh := UncoveredHotspot{Ref: u.ID, Risk: u.Weight, At: u.Point, Lon: u.Point.Lon, Lat: u.Point.Lat}
			if k, ok := byRef[u.ID]; ok {
				info := in.Info[k]
				uh.ID, uh.Name, uh.Kind = info.ID, info.Name, string(info.Kind)
			}
			sc.UncoveredHotspots = append(sc.UncoveredHotspots, uh)
		}
		r.Scopes[i] = sc
	}
	return r
}

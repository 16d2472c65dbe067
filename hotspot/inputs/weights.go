package inputs

import (
	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot/emerging"
	"github.com/diaban/diaban/hotspot/placement"
)

// RiskWeighting names how a plan weighs its demand.
type RiskWeighting string

// The risk weightings a plan may ask for.
const (
	// WeightIncidents is the default: a hotspot's risk is 1 plus the
	// incidents around it, a risk cell's its incidents (HotspotRisk).
	WeightIncidents RiskWeighting = "incidents"
	// WeightEmerging multiplies that risk by how strongly incidents cluster
	// there now: EmergingFactor of the emerging analysis's cell holding the
	// point.
	WeightEmerging RiskWeighting = "emerging"
)

// EmergingWeights are the factors by which WeightEmerging multiplies the
// risk of a point, by the cell of the emerging analysis (resolution Res)
// that holds it. A point in no listed cell keeps its risk (factor 1).
type EmergingWeights struct {
	Res    int
	Factor map[geo.Cell]float64
}

// EmergingFactor is the weight of a cell whose latest bin has Gi* z-score z
// (defined says whether it exists): 1 + z where incidents cluster more than
// across the area (z > 0), 1 elsewhere — a cold spot or an undefined z
// never lowers a point's risk below what its incidents give it. A cell two
// standard deviations hot counts three times its incidents.
func EmergingFactor(z float64, defined bool) float64 {
	if !defined || !(z > 0) {
		return 1
	}
	return 1 + z
}

// EmergingWeightsOf reads the factors from an analysis at resolution res:
// each cell's Gi* z-score of the last bin (the most recent month).
func EmergingWeightsOf(r *emerging.Result, res int) EmergingWeights {
	w := EmergingWeights{Res: res, Factor: map[geo.Cell]float64{}}
	if r == nil || r.Bins == 0 {
		return w
	}
	for i, c := range r.Cells {
		k := i*r.Bins + r.Bins - 1
		if f := EmergingFactor(r.Z[k], r.Defined[k]); f != 1 {
			w.Factor[c] = f
		}
	}
	return w
}

// Weighted returns a copy of in whose hotspots' and risk cells' weights are
// multiplied by w's factor at their point; in is not changed (it may be
// cached and shared).
func (in *CoverageInputs) Weighted(w EmergingWeights) *CoverageInputs {
	out := *in
	out.Hotspots = reweigh(in.Hotspots, w)
	out.Cells = reweigh(in.Cells, w)
	return &out
}

func reweigh(ds []placement.DemandPoint, w EmergingWeights) []placement.DemandPoint {
	out := make([]placement.DemandPoint, len(ds))
	for i, d := range ds {
		if f, ok := w.Factor[geo.CellOf(d.Point, w.Res)]; ok {
			d.Weight *= f
		}
		out[i] = d
	}
	return out
}

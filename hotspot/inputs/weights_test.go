package inputs

import (
	"testing"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot/emerging"
	"github.com/diaban/diaban/hotspot/placement"
)

func TestEmergingFactor(t *testing.T) {
	for _, tc := range []struct {
		z       float64
		defined bool
		want    float64
	}{
		{2, true, 3}, {0.5, true, 1.5}, {0, true, 1}, {-3, true, 1}, {4, false, 1},
	} {
		if got := EmergingFactor(tc.z, tc.defined); got != tc.want {
			t.Errorf("EmergingFactor(%g, %v) = %g, want %g", tc.z, tc.defined, got, tc.want)
		}
	}
}

func TestWeightedByTheLastBin(t *testing.T) {
	hot := geo.Point{Lon: 108.35, Lat: 15.9}
	cold := geo.Point{Lon: 108.30, Lat: 15.85}
	elsewhere := geo.Point{Lon: 108.20, Lat: 15.80}
	r := &emerging.Result{
		Cells: []geo.Cell{geo.CellOf(hot, 9), geo.CellOf(cold, 9)},
		Bins:  2,
		// cell-major: the hot cell was cold before and is hot in the last
		// bin; the cold one the other way round.
		Z:       []float64{-1, 2.5, 3, -2},
		Defined: []bool{true, true, true, true},
	}
	w := EmergingWeightsOf(r, 9)
	if len(w.Factor) != 1 || w.Factor[geo.CellOf(hot, 9)] != 3.5 {
		t.Fatalf("factors %v, want only the hot cell's 3.5", w.Factor)
	}
	in := &CoverageInputs{
		Hotspots: []placement.DemandPoint{{ID: "H", Point: hot, Weight: 2, Hotspot: true}, {ID: "C", Point: cold, Weight: 4, Hotspot: true}},
		// A risk cell at resolution 10 inside the hot cell, and one far away.
		Cells: []placement.DemandPoint{{ID: "a", Point: geo.CellOf(hot, 10).Center(), Weight: 5}, {ID: "b", Point: elsewhere, Weight: 7}},
	}
	out := in.Weighted(w)
	if out.Hotspots[0].Weight != 7 || out.Hotspots[1].Weight != 4 {
		t.Errorf("hotspots weighted %v, want 7 and 4", out.Hotspots)
	}
	wantA := 5.0
	if geo.CellOf(geo.CellOf(hot, 10).Center(), 9) == geo.CellOf(hot, 9) {
		wantA = 17.5
	}
	if out.Cells[0].Weight != wantA || out.Cells[1].Weight != 7 {
		t.Errorf("cells weighted %v, want %g and 7", out.Cells, wantA)
	}
	if in.Hotspots[0].Weight != 2 || in.Cells[0].Weight != 5 {
		t.Errorf("the inputs were changed: %v %v", in.Hotspots, in.Cells)
	}
	if none := EmergingWeightsOf(nil, 9); len(none.Factor) != 0 {
		t.Errorf("no analysis gave factors %v", none.Factor)
	}
}

package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

// The index's exhaustive comparison with planar.MultiPolygonContains runs
// through hotspot.AreaIndex (hotspot/areas_locate_test.go); this checks the
// rank rule on its own.
func TestPolygonIndexRanks(t *testing.T) {
	square := func(w, s, e, n float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}}}
	}
	ix := NewPolygonIndex([]RankedPolygon{
		{Geometry: square(0, 0, 10, 10), Rank: 0}, // a province
		{Geometry: square(0, 0, 5, 5), Rank: 2},   // a commune
		{Geometry: square(5, 0, 10, 5), Rank: 2},  // its neighbour, sharing x = 5
		{Geometry: square(0, 5, 5, 10), Rank: 1},  // a district
	})
	for _, c := range []struct {
		p    orb.Point
		want int
		ok   bool
	}{
		{orb.Point{1, 1}, 1, true},    // deepest wins over the province
		{orb.Point{5, 2}, 1, true},    // on a shared edge: the first of equal rank
		{orb.Point{7, 7}, 0, true},    // only the province
		{orb.Point{2, 7}, 3, true},    // the district over the province
		{orb.Point{11, 1}, -1, false}, // outside
	} {
		got, ok := ix.Locate(c.p)
		if got != c.want || ok != c.ok {
			t.Errorf("Locate(%v) = %d, %v; want %d, %v", c.p, got, ok, c.want, c.ok)
		}
	}
}

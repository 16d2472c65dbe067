package demo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// coordScale is the precision of written coordinates (1e-6° ≈ 0.1 m).
// Points are rounded to it before they are checked, so what is written is
// what was checked.
const coordScale = 1e6

// locate returns the index of the commune whose interior holds p at least
// marginM metres from its boundary, or -1.
func (l *layout) locate(p orb.Point, marginM float64) int {
	for i := range l.communes {
		c := &l.communes[i]
		if !c.bound.Contains(p) || !planar.PolygonContains(c.poly, p) {
			continue
		}
		if c.distanceToBoundaryKm(p)*1000 < marginM {
			return -1
		}
		return i
	}
	return -1
}

// distanceToBoundaryKm is the distance from p to c's boundary in km.
func (c *commune) distanceToBoundaryKm(p orb.Point) float64 {
	q := toKm(p)
	best := math.Inf(1)
	for _, e := range c.edges {
		best = math.Min(best, segmentDistance(q, e[0], e[1]))
	}
	return best
}

func segmentDistance(p, a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l2))
	}
	return math.Hypot(p[0]-a[0]-t*dx, p[1]-a[1]-t*dy)
}

// offset moves p by east and north metres.
func offset(p orb.Point, eastM, northM float64) orb.Point {
	return orb.Point{p[0] + eastM/1000/kmPerDegLonAt(p[1]), p[1] + northM/1000/kmPerDegLat}
}

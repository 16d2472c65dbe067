package demo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// partition splits the mainland ring into one cell per mainland commune: a
// power diagram (Voronoi with weights) of communeSeeds in the local km
// plane, each cell clipped to the mainland. Cells tile the mainland: they
// share edges and vertices exactly (see snapShared) and never overlap.
func partition(mainland orb.Ring) (map[string]orb.Ring, error) {
	var seeds []communeSeed
	for _, s := range communeSeeds {
		if s.code != islandCode {
			seeds = append(seeds, s)
		}
	}
	base := make([]orb.Point, len(mainland)-1)
	for i := range base {
		base[i] = toKm(mainland[i])
	}
	rings := make([][]orb.Point, len(seeds))
	for i, si := range seeds {
		cell := base
		pi := toKm(si.centre)
		for j, sj := range seeds {
			if i == j {
				continue
			}
			pj := toKm(sj.centre)
			// Keep x with |x-pi|²-wi <= |x-pj|²-wj, i.e. a·x <= b.
			a := orb.Point{2 * (pj[0] - pi[0]), 2 * (pj[1] - pi[1])}
			b := pj[0]*pj[0] + pj[1]*pj[1] - pi[0]*pi[0] - pi[1]*pi[1] - sj.weight + si.weight
			cell = clipHalfPlane(cell, a, b)
		}
		if len(cell) < 3 {
			return nil, fmt.Errorf("commune %s has an empty cell", si.code)
		}
		rings[i] = cell
	}
	out := snapShared(rings)
	cells := make(map[string]orb.Ring, len(seeds))
	for i, s := range seeds {
		cells[s.code] = out[i]
	}
	return cells, nil
}

// clipHalfPlane is Sutherland–Hodgman clipping of a closed polygon (without
// the repeated last vertex) to the half-plane a·x <= b.
func clipHalfPlane(poly []orb.Point, a orb.Point, b float64) []orb.Point {
	side := func(p orb.Point) float64 { return a[0]*p[0] + a[1]*p[1] - b }
	var out []orb.Point
	for k := range poly {
		cur, next := poly[k], poly[(k+1)%len(poly)]
		sc, sn := side(cur), side(next)
		if sc <= 0 {
			out = append(out, cur)
		}
		if (sc < 0 && sn > 0) || (sc > 0 && sn < 0) {
			t := sc / (sc - sn)
			out = append(out, orb.Point{cur[0] + t*(next[0]-cur[0]), cur[1] + t*(next[1]-cur[1])})
		}
	}
	return dedupe(out)
}

// dedupe drops consecutive vertices closer than a millimetre.
func dedupe(poly []orb.Point) []orb.Point {
	var out []orb.Point
	for _, p := range poly {
		if len(out) > 0 && dist(out[len(out)-1], p) < 1e-6 {
			continue
		}
		out = append(out, p)
	}
	for len(out) > 1 && dist(out[0], out[len(out)-1]) < 1e-6 {
		out = out[:len(out)-1]
	}
	return out
}

func dist(p, q orb.Point) float64 { return math.Hypot(p[0]-q[0], p[1]-q[1]) }

// snapShared converts the km rings back to lon/lat, rounds to 1e-7 degrees
// and makes vertices that neighbouring cells computed separately (and so may
// differ in the last bits) identical, so shared edges match exactly.
func snapShared(rings [][]orb.Point) []orb.Ring {
	var canon []orb.Point
	snap := func(p orb.Point) orb.Point {
		for _, c := range canon {
			if math.Abs(c[0]-p[0]) < 5e-7 && math.Abs(c[1]-p[1]) < 5e-7 {
				return c
			}
		}
		canon = append(canon, p)
		return p
	}
	out := make([]orb.Ring, len(rings))
	for i, r := range rings {
		ring := make(orb.Ring, 0, len(r)+1)
		for _, q := range r {
			p := fromKm(planeOrigin, q[0], q[1])
			ring = append(ring, snap(roundPoint(p, 1e7)))
		}
		ring = append(ring, ring[0])
		if ring.Orientation() != orb.CCW {
			ring.Reverse()
		}
		out[i] = ring
	}
	return out
}

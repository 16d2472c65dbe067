package geo

// PolygonIndex answers "which of these multipolygons contains this point" in
// memory, deciding exactly as planar.MultiPolygonContains would over every
// polygon in order (points on a boundary are in). Two indexes built once
// spare it the work: a grid over the polygons' bounding boxes gives, for the
// cell of a point, the few polygons whose box meets the cell, deepest rank
// first; each ring's edges are bucketed into longitude slabs (ringIndex), so
// testing a ring of thousands of vertices costs the few edges of one slab.

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// PolygonIndex finds the polygon a point lies in; see the file's comment.
// It is safe for concurrent use.
type PolygonIndex struct {
	polys []polyEntry
	grid  areaGrid
}

// RankedPolygon is a polygon to index with its rank: where several contain
// a point, the highest rank wins, and between equal ranks the first.
type RankedPolygon struct {
	Geometry orb.MultiPolygon
	Rank     int
}

// polyEntry is a polygon as Locate tests it.
type polyEntry struct {
	geom  orb.MultiPolygon
	bound orb.Bound
	rank  int
	rings [][]ringIndex // per polygon, its outer ring then its holes
}

// NewPolygonIndex builds an index over polys. Their geometries must not
// change afterwards.
func NewPolygonIndex(polys []RankedPolygon) *PolygonIndex {
	ix := &PolygonIndex{polys: make([]polyEntry, len(polys))}
	for i, p := range polys {
		e := polyEntry{geom: p.Geometry, bound: p.Geometry.Bound(), rank: p.Rank, rings: make([][]ringIndex, len(p.Geometry))}
		for j, poly := range p.Geometry {
			e.rings[j] = make([]ringIndex, len(poly))
			for k, ring := range poly {
				e.rings[j][k] = newRingIndex(ring)
			}
		}
		ix.polys[i] = e
	}
	ix.grid = newAreaGrid(ix.polys)
	return ix
}

// Locate returns the position in the index's polygons of the one that
// contains p (highest rank, then first), or false when none does.
func (ix *PolygonIndex) Locate(p orb.Point) (int, bool) {
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) {
		return ix.locateEvery(p)
	}
	// The cell's polygons are highest rank first, then in index order: the
	// first that contains p is the one the loop over every polygon would keep.
	for _, i := range ix.grid.candidates(p) {
		e := &ix.polys[i]
		if e.bound.Contains(p) && e.contains(p) {
			return int(i), true
		}
	}
	return -1, false
}

// locateEvery is Locate without the indexes: every polygon in order,
// planar.MultiPolygonContains over every vertex. Kept for points with a NaN
// coordinate, which orb's ray cast can place inside a polygon (a NaN
// longitude fails every comparison, so it meets the edges of every slab).
func (ix *PolygonIndex) locateEvery(p orb.Point) (int, bool) {
	best := -1
	for i := range ix.polys {
		e := &ix.polys[i]
		if !e.bound.Contains(p) || (best >= 0 && e.rank <= ix.polys[best].rank) {
			continue
		}
		if planar.MultiPolygonContains(e.geom, p) {
			best = i
		}
	}
	return best, best >= 0
}

// contains is planar.MultiPolygonContains(e.geom, p), except that a polygon
// without rings contains nothing (orb would panic).
func (e *polyEntry) contains(p orb.Point) bool {
	for _, rings := range e.rings {
		if len(rings) == 0 || !rings[0].contains(p) {
			continue
		}
		in := true
		for _, hole := range rings[1:] {
			if hole.contains(p) {
				in = false
				break
			}
		}
		if in {
			return true
		}
	}
	return false
}

// areaGrid is a grid over the union of the polygons' bounding boxes; each
// cell lists the polygons whose bounding box meets it, highest rank first,
// then by their order in the index.
type areaGrid struct {
	bound  orb.Bound // union of the areas' bounds; nothing outside is in any area
	all    bool      // some area's bound is not finite: every point goes to the one cell
	nx, ny int
	sx, sy float64 // cells per degree
	start  []int32 // cell c's areas are cand[start[c]:start[c+1]]
	cand   []int32 // indexes into PolygonIndex.polys
}

// gridCellsPerArea sets the grid's size: about this many cells per area, so
// that a cell meets the boxes of a few neighbouring communes.
const gridCellsPerArea = 4

func newAreaGrid(areas []polyEntry) areaGrid {
	g := areaGrid{nx: 1, ny: 1}
	if len(areas) == 0 {
		g.start = []int32{0, 0}
		return g
	}
	g.bound = orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for i := range areas {
		b := areas[i].bound
		if !allFinite(b.Min[0], b.Min[1], b.Max[0], b.Max[1]) {
			g.all = true
		}
		if b.Min[0] <= b.Max[0] && b.Min[1] <= b.Max[1] { // else it contains no point
			g.bound.Min = orb.Point{min(g.bound.Min[0], b.Min[0]), min(g.bound.Min[1], b.Min[1])}
			g.bound.Max = orb.Point{max(g.bound.Max[0], b.Max[0]), max(g.bound.Max[1], b.Max[1])}
		}
	}
	w, h := g.bound.Max[0]-g.bound.Min[0], g.bound.Max[1]-g.bound.Min[1]
	if !g.all && w > 0 && h > 0 {
		cells := float64(gridCellsPerArea * len(areas))
		g.nx = max(1, min(1<<12, int(math.Ceil(math.Sqrt(cells*w/h)))))
		g.ny = max(1, min(1<<12, int(math.Ceil(cells/float64(g.nx)))))
		g.sx, g.sy = float64(g.nx)/w, float64(g.ny)/h
	}
	// Areas in the order they are to be tried: deepest level first, then
	// the order of shapes (the first of equal depth wins, as in the loop).
	order := make([]int32, len(areas))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return areas[b].rank - areas[a].rank })
	span := func(a *polyEntry) (x0, x1, y0, y1 int) {
		if g.all {
			return 0, 0, 0, 0
		}
		b := a.bound
		return g.col(b.Min[0]), g.col(b.Max[0]), g.row(b.Min[1]), g.row(b.Max[1])
	}
	g.start = make([]int32, g.nx*g.ny+1)
	for _, i := range order {
		x0, x1, y0, y1 := span(&areas[i])
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				g.start[y*g.nx+x+1]++
			}
		}
	}
	for c := 1; c < len(g.start); c++ {
		g.start[c] += g.start[c-1]
	}
	g.cand = make([]int32, g.start[len(g.start)-1])
	next := slices.Clone(g.start[:len(g.start)-1])
	for _, i := range order {
		x0, x1, y0, y1 := span(&areas[i])
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				c := y*g.nx + x
				g.cand[next[c]] = i
				next[c]++
			}
		}
	}
	return g
}

// col and row give the cell of a longitude and a latitude, clamped to the
// grid. Both are monotonic, so a point inside a bound falls in a cell
// between those of the bound's corners.
func (g *areaGrid) col(x float64) int { return slot((x-g.bound.Min[0])*g.sx, g.nx) }
func (g *areaGrid) row(y float64) int { return slot((y-g.bound.Min[1])*g.sy, g.ny) }

// candidates returns the areas to try for p, in order.
func (g *areaGrid) candidates(p orb.Point) []int32 {
	c := 0
	if !g.all {
		if !(p[0] >= g.bound.Min[0] && p[0] <= g.bound.Max[0] && p[1] >= g.bound.Min[1] && p[1] <= g.bound.Max[1]) {
			return nil
		}
		c = g.row(p[1])*g.nx + g.col(p[0])
	}
	return g.cand[g.start[c]:g.start[c+1]]
}

// slot is floor(f) clamped to [0, n), 0 for NaN; monotonic in f.
func slot(f float64, n int) int {
	if !(f > 0) {
		return 0
	}
	if f >= float64(n-1) {
		return n - 1
	}
	return int(f)
}

func allFinite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// ringIndex answers planar.RingContains for one ring, with the same result
// for every point, on the edges of one slab only.
//
// orb casts its ray from the point towards +y (north), and an edge can
// count, as crossed or as having the point on it, only when the point's x is
// within the edge's x range, ends included (see rayIntersect). So the ring's
// x range is cut into slabs, each edge is listed in every slab its x range
// meets, and a point needs only the edges of its slab: the others would
// each have answered (false, false). Crossings are counted by parity and
// "on" wins whenever it is met, so the order of the edges does not matter.
// Which slab holds an x is monotonic in x, so an edge whose range holds a
// point's x is always listed in that point's slab, whatever the rounding.
type ringIndex struct {
	ring   orb.Ring
	bound  orb.Bound
	x0, sx float64 // slab of x: slot((x-x0)*sx, nslab)
	nslab  int
	start  []int32 // slab k's edges are edges[start[k]:start[k+1]]
	// edges[i] == e: the edge from ring[e] to ring[e+1], or for
	// e == len(ring)-1 the closing edge, ring[0] to ring[len(ring)-1], that
	// orb always tests too.
	edges []int32
}

// Rings with fewer vertices are tested as orb does, edge by edge.
const ringIndexMin = 32

// ringSlabEntries bounds an index's size: when the edges would be listed
// more than this many times per vertex (long edges across many slabs), the
// ring is cut into fewer slabs.
const ringSlabEntries = 8

func newRingIndex(r orb.Ring) ringIndex {
	ri := ringIndex{ring: r, bound: r.Bound()}
	n := len(r)
	if n < ringIndexMin || n > math.MaxInt32 {
		return ri
	}
	for _, p := range r {
		if !allFinite(p[0], p[1]) {
			return ri
		}
	}
	w := ri.bound.Max[0] - ri.bound.Min[0]
	if !(w > 0) {
		return ri
	}
	edge := func(e int) (float64, float64) {
		a, b := r[e], r[0]
		if e < n-1 {
			b = r[e+1]
		} else {
			a = r[n-1]
		}
		return min(a[0], b[0]), max(a[0], b[0])
	}
	for nslab := n / 2; nslab >= 2; nslab /= 4 {
		ri.x0, ri.sx, ri.nslab = ri.bound.Min[0], float64(nslab)/w, nslab
		ri.start = make([]int32, nslab+1)
		total := 0
		for e := range n {
			lo, hi := edge(e)
			k0, k1 := ri.slab(lo), ri.slab(hi)
			total += k1 - k0 + 1
			for k := k0; k <= k1; k++ {
				ri.start[k+1]++
			}
		}
		if total > ringSlabEntries*n {
			continue
		}
		for k := 1; k <= nslab; k++ {
			ri.start[k] += ri.start[k-1]
		}
		ri.edges = make([]int32, total)
		next := slices.Clone(ri.start[:nslab])
		for e := range n {
			lo, hi := edge(e)
			for k := ri.slab(lo); k <= ri.slab(hi); k++ {
				ri.edges[next[k]] = int32(e)
				next[k]++
			}
		}
		return ri
	}
	ri.start, ri.nslab = nil, 0
	return ri
}

func (ri *ringIndex) slab(x float64) int { return slot((x-ri.x0)*ri.sx, ri.nslab) }

// contains is planar.RingContains(ri.ring, p).
func (ri *ringIndex) contains(p orb.Point) bool {
	if !ri.bound.Contains(p) {
		return false
	}
	if ri.edges == nil {
		return planar.RingContains(ri.ring, p)
	}
	r, last := ri.ring, int32(len(ri.ring)-1)
	k := ri.slab(p[0])
	in := false
	for _, e := range ri.edges[ri.start[k]:ri.start[k+1]] {
		var cross, on bool
		if e == last {
			cross, on = rayIntersect(p, r[0], r[last])
		} else {
			cross, on = rayIntersect(p, r[e], r[e+1])
		}
		if on {
			return true
		}
		if cross {
			in = !in
		}
	}
	return in
}

// rayIntersect is paulmach/orb's planar.rayIntersect (v0.14.0, MIT
// licence), copied unchanged so that ringIndex decides exactly as
// planar.RingContains: whether the ray from p towards +y crosses the edge
// s–e, and whether p is on it.
func rayIntersect(p, s, e orb.Point) (intersects, on bool) {
	if s[0] > e[0] {
		s, e = e, s
	}

	switch p[0] {
	case s[0]:
		if p[1] == s[1] {
			// p == start
			return false, true
		} else if s[0] == e[0] {
			// vertical segment (s -> e)
			// return true if within the line, check to see if start or end is greater.
			if s[1] > e[1] && s[1] >= p[1] && p[1] >= e[1] {
				return false, true
			}

			if e[1] > s[1] && e[1] >= p[1] && p[1] >= s[1] {
				return false, true
			}
		}

		// Move the y coordinate to deal with degenerate case
		p[0] = math.Nextafter(p[0], math.Inf(1))
	case e[0]:
		if p[1] == e[1] {
			// matching the end point
			return false, true
		}

		p[0] = math.Nextafter(p[0], math.Inf(1))
	}

	if p[0] < s[0] || p[0] > e[0] {
		return false, false
	}

	if s[1] > e[1] {
		if p[1] > s[1] {
			return false, false
		} else if p[1] < e[1] {
			return true, false
		}
	} else {
		if p[1] > e[1] {
			return false, false
		} else if p[1] < s[1] {
			return true, false
		}
	}

	rs := (p[1] - s[1]) / (p[0] - s[0])
	ds := (e[1] - s[1]) / (e[0] - s[0])

	if rs == ds {
		return false, true
	}

	return rs <= ds, false
}

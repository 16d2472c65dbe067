package tiles

import (
	"math"

	"github.com/paulmach/orb"

	"github.com/diaban/diaban/geo"
)

// A cells tile draws whole hexagons with their whole counts, so it asks
// for every cell at its resolution that may touch the tile. Naming them one
// by one costs too much on a large tile, so the tile is covered by cells of
// the finest resolution that needs at most maxCoverCells of them, and each
// of those stands for the range of ids of its descendants at the tile's
// resolution (H3 ids of one resolution below one parent are contiguous:
// the parent's digits lead, the rest follow). The ranges are integer
// comparisons, which PostgreSQL may apply through an index beneath the
// row-level security policies (migrations/00008).

const maxCoverCells = 256

// maxPointCoverCells is the same bound for the point layers, whose box
// trims what a coarser cover lets in: fewer, wider ranges, fewer index
// probes per tile.
const maxPointCoverCells = 24

// Average H3 hexagon edge lengths (km) and areas (km²) by resolution.
var (
	h3EdgeKm = [...]float64{1107.71, 418.68, 158.24, 59.81, 22.61, 8.54, 3.23, 1.22, 0.461, 0.174, 0.0659}
	h3AreaKm = [...]float64{4.36e6, 6.1e5, 8.7e4, 1.24e4, 1770, 253, 36.1, 5.16, 0.737, 0.105, 0.0150}
)

// H3 index layout: the resolution in bits 52–55, then 3 bits per
// resolution digit from bit 42 (resolution 1) down.
const (
	h3ResOffset = 52
	h3ResMask   = uint64(0xF) << h3ResOffset
	h3Res1Digit = 42
)

// descendantRange returns the smallest and largest possible ids of the
// descendants of p (at resolution pr) at resolution res ≥ pr.
func descendantRange(p geo.Cell, pr, res int) (lo, hi int64) {
	x := uint64(p)&^h3ResMask | uint64(res)<<h3ResOffset
	l, h := x, x
	for r := pr + 1; r <= res; r++ {
		shift := h3Res1Digit - (r-1)*3
		l &^= uint64(7) << shift // digit 0
		h = h&^(uint64(7)<<shift) | uint64(6)<<shift
	}
	return int64(l), int64(h)
}

// cover returns id ranges [lo[i], hi[i]] holding every cell at res that may
// touch the box b (lon/lat), from at most about maxCells cover cells.
func cover(b orb.Bound, res, maxCells int) (lo, hi []int64) {
	latMid := (b.Min[1] + b.Max[1]) / 2
	cosLat := math.Max(math.Cos(latMid*math.Pi/180), 0.05)
	wKm := (b.Max[0] - b.Min[0]) * 111.32 * cosLat
	hKm := (b.Max[1] - b.Min[1]) * 110.57
	p := res
	for ; p > 0; p-- {
		m := 2 * h3EdgeKm[p]
		if (wKm+2*m)*(hKm+2*m)/h3AreaKm[p] <= float64(maxCells) {
			break
		}
	}
	if p <= 1 || b.Max[0]-b.Min[0] > 60 { // the whole world, or near it: every cell
		return []int64{0}, []int64{math.MaxInt64}
	}
	// Cells whose centres lie within two edges of the box include every
	// cell touching it, and every parent of a cell touching it.
	m := 2 * h3EdgeKm[p]
	dLon, dLat := m/(111.32*cosLat), m/110.57
	box := orb.Bound{Min: orb.Point{b.Min[0] - dLon, math.Max(b.Min[1]-dLat, -89)}, Max: orb.Point{b.Max[0] + dLon, math.Min(b.Max[1]+dLat, 89)}}
	for _, c := range geo.PolygonCells(orb.Polygon{box.ToRing()}, p) {
		l, h := descendantRange(c, p, res)
		lo, hi = append(lo, l), append(hi, h)
	}
	return lo, hi
}

package hotspot

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/diaban/diaban/geo"
)

// levelRank orders levels from the top (0) down.
func LevelRank(l Level) int {
	for i, x := range Levels {
		if x == l {
			return i
		}
	}
	return -1
}

// AreaShape is an area with its current boundary.
type AreaShape struct {
	Area
	Geometry orb.MultiPolygon
	bound    orb.Bound
}

// AreaIndex finds the area a point belongs to, in memory. It is the one
// place that decides a point's area: the deepest current area above hamlet
// level (a commune where one covers the point) whose boundary contains it.
// Where areas of the same level overlap (a point on the boundary two
// communes share), the first in Shapes wins.
//
// Locate decides exactly as planar.MultiPolygonContains over every area, in
// order, would (points on a boundary are in); two indexes built once spare
// it the work. A grid over the areas' bounding boxes gives, for the cell of a
// point, the few areas whose box meets the cell, deepest first, so a point
// in a commune is tested against the communes around it and nothing above.
// Each ring's edges are bucketed into longitude slabs (see ringIndex), so
// testing a ring of thousands of vertices costs the few edges of one slab.
type AreaIndex struct {
	shapes []*AreaShape
	byCode map[string]*AreaShape
	// Version is the change sequence of the areas the index was loaded at.
	Version int64
	areas   []areaEntry // non-hamlet areas, in the order of shapes
	grid    areaGrid
}

// areaEntry is an area as Locate tests it.
type areaEntry struct {
	shape *AreaShape
	rank  int
	polys [][]ringIndex // per polygon, its outer ring then its holes
}

// NewAreaIndex builds an index over shapes. The shapes' geometries must not
// change afterwards.
func NewAreaIndex(shapes []*AreaShape) *AreaIndex {
	idx := &AreaIndex{shapes: shapes, byCode: make(map[string]*AreaShape, len(shapes))}
	for _, s := range shapes {
		s.bound = s.Geometry.Bound()
		idx.byCode[s.Code] = s
		if s.Level == LevelHamlet {
			continue
		}
		e := areaEntry{shape: s, rank: LevelRank(s.Level), polys: make([][]ringIndex, len(s.Geometry))}
		for i, poly := range s.Geometry {
			e.polys[i] = make([]ringIndex, len(poly))
			for j, ring := range poly {
				e.polys[i][j] = newRingIndex(ring)
			}
		}
		idx.areas = append(idx.areas, e)
	}
	idx.grid = newAreaGrid(idx.areas)
	return idx
}

// Locate returns the area p belongs to, or false when p is outside every area.
func (idx *AreaIndex) Locate(p geo.Point) (*AreaShape, bool) {
	pt := p.Orb()
	if math.IsNaN(pt[0]) || math.IsNaN(pt[1]) {
		return idx.locateEveryArea(pt)
	}
	// The cell's areas are deepest first, then in the order of shapes: the
	// first that contains pt is the one the loop over every area would keep.
	for _, i := range idx.grid.candidates(pt) {
		e := &idx.areas[i]
		if e.shape.bound.Contains(pt) && e.contains(pt) {
			return e.shape, true
		}
	}
	return nil, false
}

// locateEveryArea is Locate as it was before the indexes: every area in
// order, planar.MultiPolygonContains over every vertex. Kept for points with
// a NaN coordinate, which orb's ray cast can place inside an area (a NaN
// longitude fails every comparison, so it meets the edges of every slab).
func (idx *AreaIndex) locateEveryArea(pt orb.Point) (*AreaShape, bool) {
	var best *AreaShape
	for _, s := range idx.shapes {
		if s.Level == LevelHamlet || !s.bound.Contains(pt) {
			continue
		}
		if best != nil && LevelRank(s.Level) <= LevelRank(best.Level) {
			continue
		}
		if planar.MultiPolygonContains(s.Geometry, pt) {
			best = s
		}
	}
	return best, best != nil
}

// ByCode returns the current area with the given code.
func (idx *AreaIndex) ByCode(code string) (*AreaShape, bool) {
	s, ok := idx.byCode[code]
	return s, ok
}

// Ancestors returns code and the codes of every area above it, nearest first.
func (idx *AreaIndex) Ancestors(code string) []string {
	var out []string
	for i := 0; code != "" && i < len(Levels)+2; i++ {
		out = append(out, code)
		s, ok := idx.byCode[code]
		if !ok {
			break
		}
		code = s.ParentCode
	}
	return out
}

// Shapes returns the indexed areas (parents before children).
func (idx *AreaIndex) Shapes() []*AreaShape { return idx.shapes }

// Descendants returns the ids of the area with code and of every current
// area below it; false when the code is unknown.
func (idx *AreaIndex) Descendants(code string) ([]int64, bool) {
	root, ok := idx.byCode[code]
	if !ok {
		return nil, false
	}
	children := map[string][]*AreaShape{}
	for _, s := range idx.shapes {
		children[s.ParentCode] = append(children[s.ParentCode], s)
	}
	var out []int64
	stack := []*AreaShape{root}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, s.ID)
		stack = append(stack, children[s.Code]...)
	}
	return out, true
}

// CodeOf returns the code of the area with id ("" when unknown).
func (idx *AreaIndex) CodeOf(id int64) string {
	for _, s := range idx.shapes {
		if s.ID == id {
			return s.Code
		}
	}
	return ""
}

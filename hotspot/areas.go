package hotspot

import (
	"github.com/paulmach/orb"

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
}

// AreaIndex holds the current areas in memory: their tree (ByCode,
// Ancestors, Descendants) and the one place that decides a point's area
// (Locate): the deepest current area above hamlet level (a commune where one
// covers the point) whose boundary contains it. Where areas of the same
// level overlap (a point on the boundary two communes share), the first in
// Shapes wins. Point in polygon is geo.PolygonIndex's job.
type AreaIndex struct {
	shapes []*AreaShape
	byCode map[string]*AreaShape
	// Version is the change sequence of the areas the index was loaded at.
	Version int64
	located []*AreaShape // the non-hamlet areas, in the order of shapes
	polys   *geo.PolygonIndex
}

// NewAreaIndex builds an index over shapes. The shapes' geometries must not
// change afterwards.
func NewAreaIndex(shapes []*AreaShape) *AreaIndex {
	idx := &AreaIndex{shapes: shapes, byCode: make(map[string]*AreaShape, len(shapes))}
	var polys []geo.RankedPolygon
	for _, s := range shapes {
		idx.byCode[s.Code] = s
		if s.Level == LevelHamlet {
			continue
		}
		idx.located = append(idx.located, s)
		polys = append(polys, geo.RankedPolygon{Geometry: s.Geometry, Rank: LevelRank(s.Level)})
	}
	idx.polys = geo.NewPolygonIndex(polys)
	return idx
}

// Locate returns the area p belongs to, or false when p is outside every area.
func (idx *AreaIndex) Locate(p geo.Point) (*AreaShape, bool) {
	i, ok := idx.polys.Locate(p.Orb())
	if !ok {
		return nil, false
	}
	return idx.located[i], true
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

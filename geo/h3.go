package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

// Cell is an H3 cell index. It is stored as BIGINT in PostgreSQL and
// spelled as a hex string only at the API edge (see Cell.String, ParseCell).
type Cell int64

// Resolutions at which every stored point is indexed (the spine's contract:
// points carry their cells at resolutions 7 to 10).
const (
	MinPointResolution = 7
	MaxPointResolution = 10
)

// Point is a WGS 84 position in degrees, longitude first.
type Point struct {
	Lon, Lat float64
}

// Validate reports whether p is a finite position on the globe.
func (p Point) Validate() error {
	switch {
	case math.IsNaN(p.Lon) || math.IsInf(p.Lon, 0):
		return fmt.Errorf("longitude is not a finite number")
	case math.IsNaN(p.Lat) || math.IsInf(p.Lat, 0):
		return fmt.Errorf("latitude is not a finite number")
	case p.Lon < -180 || p.Lon > 180:
		return fmt.Errorf("longitude %g is outside [-180, 180]", p.Lon)
	case p.Lat < -90 || p.Lat > 90:
		return fmt.Errorf("latitude %g is outside [-90, 90]", p.Lat)
	}
	return nil
}

// Orb returns p as an orb.Point ([lon, lat]).
func (p Point) Orb() orb.Point { return orb.Point{p.Lon, p.Lat} }

// PointFromOrb converts an orb.Point ([lon, lat]) to a Point.
func PointFromOrb(o orb.Point) Point { return Point{Lon: o[0], Lat: o[1]} }

func (p Point) latLng() h3.LatLng { return h3.NewLatLng(p.Lat, p.Lon) }

func pointOf(ll h3.LatLng) Point { return Point{Lon: ll.Lng, Lat: ll.Lat} }

// CellOf returns the H3 cell containing p at resolution res (0..15).
func CellOf(p Point, res int) Cell {
	return Cell(h3.LatLngToCell(p.latLng(), res))
}

// PointCells returns p's cells at MinPointResolution..MaxPointResolution,
// index 0 being resolution 7. One call into H3 finds the finest cell; the
// coarser ones are its parents (H3 nests a point's cells exactly).
func PointCells(p Point) [MaxPointResolution - MinPointResolution + 1]Cell {
	var out [MaxPointResolution - MinPointResolution + 1]Cell
	finest := CellOf(p, MaxPointResolution)
	for r := MinPointResolution; r <= MaxPointResolution; r++ {
		out[r-MinPointResolution] = finest.Parent(r)
	}
	return out
}

// String returns the cell's canonical lower-case hex spelling.
func (c Cell) String() string { return h3.IndexToString(uint64(c)) }

// Valid reports whether c is a valid H3 cell index.
func (c Cell) Valid() bool { return h3.Cell(c).IsValid() }

// Resolution returns the cell's H3 resolution.
func (c Cell) Resolution() int { return h3.Cell(c).Resolution() }

// Center returns the cell's centre point.
func (c Cell) Center() Point { return pointOf(h3.CellToLatLng(h3.Cell(c))) }

// Boundary returns the cell's boundary as a closed orb.Ring (lon/lat).
func (c Cell) Boundary() orb.Ring {
	b := h3.CellToBoundary(h3.Cell(c))
	ring := make(orb.Ring, 0, len(b)+1)
	for _, ll := range b {
		ring = append(ring, orb.Point{ll.Lng, ll.Lat})
	}
	if len(ring) > 0 {
		ring = append(ring, ring[0])
	}
	return ring
}

// Disk returns c and every cell within k grid steps of it.
func (c Cell) Disk(k int) []Cell {
	d := h3.GridDisk(h3.Cell(c), k)
	out := make([]Cell, 0, len(d))
	for _, x := range d {
		if x != 0 {
			out = append(out, Cell(x))
		}
	}
	return out
}

// ParseCell parses an H3 hex string and checks that it is a valid cell.
func ParseCell(s string) (Cell, error) {
	c := Cell(h3.IndexFromString(s))
	if c == 0 || !c.Valid() {
		return 0, fmt.Errorf("%q is not a valid H3 cell", s)
	}
	return c, nil
}

// PolygonCells returns the cells at resolution res whose centres lie inside
// the polygon (H3's containment rule). The polygon is orb's: lon/lat rings,
// the first the exterior, the rest holes.
func PolygonCells(poly orb.Polygon, res int) []Cell {
	if len(poly) == 0 {
		return nil
	}
	gp := h3.GeoPolygon{GeoLoop: loopOf(poly[0])}
	for _, hole := range poly[1:] {
		gp.Holes = append(gp.Holes, loopOf(hole))
	}
	cells := h3.PolygonToCells(gp, res)
	out := make([]Cell, 0, len(cells))
	for _, x := range cells {
		if x != 0 {
			out = append(out, Cell(x))
		}
	}
	return out
}

// MultiPolygonCells returns the union of PolygonCells over every polygon,
// without duplicates, in the order first met.
func MultiPolygonCells(mp orb.MultiPolygon, res int) []Cell {
	seen := make(map[Cell]struct{})
	var out []Cell
	for _, p := range mp {
		for _, c := range PolygonCells(p, res) {
			if _, dup := seen[c]; !dup {
				seen[c] = struct{}{}
				out = append(out, c)
			}
		}
	}
	return out
}

func loopOf(r orb.Ring) h3.GeoLoop {
	n := len(r)
	if n > 1 && r[0] == r[n-1] {
		n-- // h3 loops are implicitly closed
	}
	loop := make(h3.GeoLoop, n)
	for i := 0; i < n; i++ {
		loop[i] = h3.NewLatLng(r[i][1], r[i][0])
	}
	return loop
}

// H3 index layout (see the H3 specification): bits 52–55 hold the
// resolution and, from bit 42 down, 3 bits per resolution hold the digits
// for resolutions 1..15; unused digits are 7.
const (
	h3ResOffset   = 52
	h3ResMask     = uint64(0xF) << h3ResOffset
	h3DigitBits   = 3
	h3DigitMask   = uint64(7)
	h3MaxRes      = 15
	h3Res1DigitAt = 42 // offset of the resolution-1 digit
)

// Parent returns c's ancestor at resolution res (res ≤ c's resolution), by
// bit manipulation, without a call into the C library. It is exact: the
// same as H3's cellToParent.
func (c Cell) Parent(res int) Cell {
	x := uint64(c)
	cur := int((x & h3ResMask) >> h3ResOffset)
	if res >= cur {
		return c
	}
	x = x&^h3ResMask | uint64(res)<<h3ResOffset
	for r := res + 1; r <= cur; r++ {
		x |= h3DigitMask << (h3Res1DigitAt - (r-1)*h3DigitBits)
	}
	return Cell(x)
}

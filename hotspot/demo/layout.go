package demo

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// This file holds the synthetic geometry: Hội An's district outline and the
// commune partition. The coastal edge is a stretch of the Natural Earth
// outline of Quảng Nam; everything else is hand-placed from approximate
// real positions and is not a surveyed boundary.

// coastStart and coastEnd are the Natural Earth outline vertices where the
// district's coast begins (the inner end of the Cửa Đại estuary) and ends
// (north of An Bàng beach).
var (
	coastStart = orb.Point{108.37517, 15.86945}
	coastEnd   = orb.Point{108.35865, 15.91543}
)

// inlandEdge closes the mainland district from coastEnd back to coastStart,
// counter-clockwise: west along the border with Điện Bàn, south round Cẩm
// Hà and Thanh Hà, then east along the Thu Bồn river (Duy Xuyên beyond).
var inlandEdge = []orb.Point{
	{108.3450, 15.9190}, {108.3300, 15.9165}, {108.3150, 15.9150},
	{108.3010, 15.9115}, {108.2905, 15.9030}, {108.2860, 15.8880},
	{108.2890, 15.8730}, {108.2985, 15.8610}, {108.3150, 15.8565},
	{108.3350, 15.8590}, {108.3520, 15.8615}, {108.3650, 15.8645},
}

// communeSeed places a commune for the partition: its approximate real
// centre and a weight (km²) that enlarges the rural communes' cells.
type communeSeed struct {
	code   string
	centre orb.Point
	weight float64
	// density weights background activity (people per area, roughly).
	density float64
}

// communeSeeds are best approximations of each unit's centre, not surveyed.
// Minh An is the old town; Cẩm Nam the river island south of it; Cẩm Kim
// across the Thu Bồn to the south-west; Cửa Đại and Cẩm An on the coast;
// Tân Hiệp is the Cù Lao Chàm islands (its own polygon, see islandRing).
var communeSeeds = []communeSeed{
	{"20398", orb.Point{108.3285, 15.8775}, 0.0, 3.0}, // Minh An
	{"20401", orb.Point{108.3335, 15.8855}, 0.0, 2.4}, // Tân An
	{"20404", orb.Point{108.3170, 15.8790}, 0.1, 2.4}, // Cẩm Phô
	{"20407", orb.Point{108.3010, 15.8830}, 0.6, 1.0}, // Thanh Hà
	{"20410", orb.Point{108.3225, 15.8850}, 0.0, 1.8}, // Sơn Phong
	{"20413", orb.Point{108.3470, 15.8850}, 0.4, 1.6}, // Cẩm Châu
	{"20416", orb.Point{108.3740, 15.8900}, 0.6, 1.5}, // Cửa Đại
	{"20419", orb.Point{108.3500, 15.9070}, 0.5, 1.1}, // Cẩm An
	{"20422", orb.Point{108.3050, 15.9030}, 0.8, 0.5}, // Cẩm Hà
	{"20425", orb.Point{108.3060, 15.8660}, 0.8, 0.4}, // Cẩm Kim
	{"20428", orb.Point{108.3310, 15.8690}, 0.2, 0.8}, // Cẩm Nam
	{"20431", orb.Point{108.3580, 15.8700}, 0.8, 0.5}, // Cẩm Thanh
	{"20434", orb.Point{108.5120, 15.9570}, 0.0, 0.2}, // Tân Hiệp (island)
}

// islandCode is Tân Hiệp, which gets islandRing instead of a partition cell.
const islandCode = "20434"

// islandRing is a synthetic outline of Hòn Lao, the main island of Cù Lao
// Chàm (about 15.96°N, 108.51°E): a wobbly ellipse, counter-clockwise.
func islandRing() orb.Ring {
	const n = 24
	c := orb.Point{108.5120, 15.9570}
	r := make(orb.Ring, 0, n+1)
	for i := 0; i < n; i++ {
		t := 2 * math.Pi * float64(i) / n
		m := 1 + 0.12*math.Sin(3*t) + 0.07*math.Cos(5*t)
		x, y := 2.4*m*math.Cos(t), 1.1*m*math.Sin(t) // km
		rot := -20 * math.Pi / 180
		xr, yr := x*math.Cos(rot)-y*math.Sin(rot), x*math.Sin(rot)+y*math.Cos(rot)
		r = append(r, roundPoint(fromKm(c, xr, yr), 1e5))
	}
	return append(r, r[0])
}

// Local plane: kilometres east and north of an origin. Good to well under a
// metre across the district, which is all the partition needs.
const (
	kmPerDegLat = 110.574
	kmPerDegLon = 111.320
)

var planeOrigin = orb.Point{108.33, 15.88}

func kmPerDegLonAt(lat float64) float64 { return kmPerDegLon * math.Cos(lat*math.Pi/180) }

func toKm(p orb.Point) orb.Point {
	return orb.Point{(p[0] - planeOrigin[0]) * kmPerDegLonAt(planeOrigin[1]), (p[1] - planeOrigin[1]) * kmPerDegLat}
}

func fromKm(origin orb.Point, x, y float64) orb.Point {
	o := toKm(origin)
	return orb.Point{planeOrigin[0] + (o[0]+x)/kmPerDegLonAt(planeOrigin[1]), planeOrigin[1] + (o[1]+y)/kmPerDegLat}
}

// roundPoint rounds both coordinates to 1/scale degrees.
func roundPoint(p orb.Point, scale float64) orb.Point {
	return orb.Point{math.Round(p[0]*scale) / scale, math.Round(p[1]*scale) / scale}
}

// layout is the built geography: areas, their polygons, and a point locator.
type layout struct {
	units    *unitsFile
	province orb.MultiPolygon
	district orb.MultiPolygon
	communes []commune // in code order
	// The units of today (reform.go): the new units with their polygons,
	// and the hamlets drawn inside one of them.
	reform      []newUnit
	newPolys    []orb.Polygon // in reform order
	hamletPolys []orb.Polygon // in hamlets order
}

// commune is one commune's polygon plus what generation needs to know.
type commune struct {
	code    string
	name    string
	poly    orb.Polygon
	bound   orb.Bound
	seed    communeSeed
	edges   [][2]orb.Point // boundary segments in km, for distance checks
	areaKm2 float64
}

func buildLayout() (*layout, error) {
	units, err := loadUnits()
	if err != nil {
		return nil, err
	}
	outline, err := loadProvinceOutline()
	if err != nil {
		return nil, err
	}
	mainland, err := mainlandRing(outline[0])
	if err != nil {
		return nil, err
	}
	island := islandRing()
	cells, err := partition(mainland)
	if err != nil {
		return nil, err
	}
	// Where commune borders meet the district's edge they add vertices;
	// the district and the province get the same vertices, so the three
	// levels share their boundaries exactly.
	var border []orb.Point
	for _, s := range communeSeeds {
		if s.code != islandCode {
			border = append(border, cells[s.code]...)
		}
	}
	lay := &layout{units: units}
	lay.province = orb.MultiPolygon{{insertOnEdges(ccwPolygon(outline)[0], border)}, {island}}
	lay.district = orb.MultiPolygon{{insertOnEdges(mainland, border)}, {island}}
	names := map[string]string{}
	for _, c := range units.Communes {
		names[c.ID] = c.Name
	}
	for _, s := range communeSeeds {
		name, ok := names[s.code]
		if !ok {
			return nil, fmt.Errorf("commune %s not in hoian_units.json", s.code)
		}
		ring := island
		if s.code != islandCode {
			ring = cells[s.code]
		}
		lay.communes = append(lay.communes, newCommune(s, name, orb.Polygon{ring}))
	}
	if len(lay.communes) != len(units.Communes) {
		return nil, fmt.Errorf("have %d seeds for %d communes", len(lay.communes), len(units.Communes))
	}
	if err := lay.buildReform(); err != nil {
		return nil, err
	}
	return lay, nil
}

func newCommune(s communeSeed, name string, poly orb.Polygon) commune {
	c := commune{code: s.code, name: name, poly: poly, bound: poly.Bound(), seed: s}
	r := poly[0]
	for i := 0; i+1 < len(r); i++ {
		c.edges = append(c.edges, [2]orb.Point{toKm(r[i]), toKm(r[i+1])})
	}
	c.areaKm2 = math.Abs(ringAreaKm2(r))
	return c
}

// mainlandRing cuts the coast from the province outline between coastStart
// and coastEnd and closes it with inlandEdge.
func mainlandRing(outline orb.Ring) (orb.Ring, error) {
	i, j := indexOf(outline, coastStart), indexOf(outline, coastEnd)
	if i < 0 || j < 0 || j <= i {
		return nil, fmt.Errorf("coast vertices not found in the province outline (%d, %d)", i, j)
	}
	r := append(orb.Ring{}, outline[i:j+1]...)
	r = append(r, inlandEdge...)
	r = append(r, r[0])
	if r.Orientation() != orb.CCW {
		r.Reverse()
	}
	return r, nil
}

func indexOf(r orb.Ring, p orb.Point) int {
	for i, q := range r {
		if q == p {
			return i
		}
	}
	return -1
}

func ccwPolygon(p orb.Polygon) orb.Polygon {
	p = p.Clone()
	for i, r := range p {
		want := orb.CCW
		if i > 0 {
			want = orb.CW
		}
		if r.Orientation() != want {
			r.Reverse()
		}
	}
	return p
}

func ringAreaKm2(r orb.Ring) float64 {
	var a float64
	for i := 0; i+1 < len(r); i++ {
		p, q := toKm(r[i]), toKm(r[i+1])
		a += p[0]*q[1] - q[0]*p[1]
	}
	return a / 2
}

// insertOnEdges returns r with each point of pts that lies on one of its
// edges (within rounding, 2e-7°) inserted there as a vertex, in order
// along the edge.
func insertOnEdges(r orb.Ring, pts []orb.Point) orb.Ring {
	out := orb.Ring{r[0]}
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		type onEdge struct {
			t float64
			p orb.Point
		}
		var on []onEdge
		for _, p := range pts {
			if p == a || p == b || segmentDistance(p, a, b) > 2e-7 {
				continue
			}
			dx, dy := b[0]-a[0], b[1]-a[1]
			on = append(on, onEdge{((p[0]-a[0])*dx + (p[1]-a[1])*dy) / (dx*dx + dy*dy), p})
		}
		slices.SortStableFunc(on, func(x, y onEdge) int { return cmp.Compare(x.t, y.t) })
		for _, e := range on {
			if out[len(out)-1] != e.p {
				out = append(out, e.p)
			}
		}
		out = append(out, b)
	}
	return out
}

package hotspot

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/diaban/diaban/geo"
)

// referenceIndex is AreaIndex as it was before the edge and area indexes.
type referenceIndex struct {
	shapes []*AreaShape
	bounds []orb.Bound
}

func newReferenceIndex(shapes []*AreaShape) *referenceIndex {
	ref := &referenceIndex{shapes: shapes}
	for _, s := range shapes {
		ref.bounds = append(ref.bounds, s.Geometry.Bound())
	}
	return ref
}

// Locate is Locate as it was before the edge and area indexes: every area's
// bounding box, then planar.MultiPolygonContains over every vertex. It is the
// reference the indexed Locate must agree with, point for point.
func (ref *referenceIndex) Locate(p geo.Point) (*AreaShape, bool) {
	var best *AreaShape
	pt := p.Orb()
	for i, s := range ref.shapes {
		if s.Level == LevelHamlet || !ref.bounds[i].Contains(pt) {
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

// Synthetic province over about 100 km × 100 km near 16°N 108°E: a grid of
// communes with jittered corners and jagged shared sides, so neighbours share
// their boundary exactly and the communes tile the province without gaps.
// The west and south sides of the province are straight (long runs of
// collinear vertical and horizontal edges); one commune has a jagged hole
// that is another commune (an enclave). Districts are square blocks of
// communes, walked around the same sides; the province is the whole
// perimeter.
const synW, synS, synE, synN = 107.5, 15.55, 108.435, 16.45

// synSpec sizes a synthetic province: nx × ny communes, side vertices on
// each side of a commune (both ends included), districts of block × block
// communes.
type synSpec struct{ nx, ny, side, block int }

// synBench is the benchmark's province: 150 communes of ~2,000 vertices
// (plus the enclave), 6 districts.
var synBench = synSpec{nx: 15, ny: 10, side: 500, block: 5}

// synProvince returns the province, its districts and its communes, parents
// before children as the store loads them, and a few hamlets.
func synProvince(spec synSpec) []*AreaShape {
	synNX, synNY, synSide := spec.nx, spec.ny, spec.side
	synHoleI, synHoleJ := synNX/2, synNY/2
	r := rand.New(rand.NewPCG(16, 108))
	cw, ch := (synE-synW)/float64(synNX), (synN-synS)/float64(synNY)
	// Grid corners, jittered; those on the province's edge stay on it.
	node := make([][]orb.Point, synNX+1)
	for i := range node {
		node[i] = make([]orb.Point, synNY+1)
		for j := range node[i] {
			x, y := synW+float64(i)*cw, synS+float64(j)*ch
			if i > 0 && i < synNX {
				x += (r.Float64() - 0.5) * 0.4 * cw
			}
			if j > 0 && j < synNY {
				y += (r.Float64() - 0.5) * 0.4 * ch
			}
			node[i][j] = orb.Point{x, y}
		}
	}
	amp := 0.1 * math.Min(cw, ch)
	side := func(a, b orb.Point, straight bool) []orb.Point {
		pts := make([]orb.Point, synSide)
		dx, dy := b[0]-a[0], b[1]-a[1]
		l := math.Hypot(dx, dy)
		nx, ny := -dy/l, dx/l
		ph1, ph2 := r.Float64()*2*math.Pi, r.Float64()*2*math.Pi
		f1, f2 := 1+r.Float64()*2, 4+r.Float64()*6
		// Meanders (two waves) plus a wandering line: a random walk with
		// steps up to 0.6 of the vertex spacing, pinned at both ends.
		walk := make([]float64, synSide)
		step := 0.6 * l / float64(synSide-1)
		for k := 1; k < synSide; k++ {
			walk[k] = walk[k-1] + step*(2*r.Float64()-1)
		}
		for k := range pts {
			t := float64(k) / float64(synSide-1)
			off := 0.0
			if !straight {
				off = amp*math.Sin(math.Pi*t)*(0.7*math.Sin(2*math.Pi*f1*t+ph1)+0.3*math.Sin(2*math.Pi*f2*t+ph2)) +
					walk[k] - t*walk[synSide-1]
			}
			pts[k] = orb.Point{a[0] + t*dx + off*nx, a[1] + t*dy + off*ny}
		}
		pts[0], pts[synSide-1] = a, b
		if straight { // exactly on the province's straight edge
			for k := range pts {
				if a[0] == b[0] {
					pts[k][0] = a[0]
				} else {
					pts[k][1] = a[1]
				}
			}
		}
		return pts
	}
	// h[i][j] runs from node[i][j] east to node[i+1][j]; v[i][j] from
	// node[i][j] north to node[i][j+1].
	h := make([][][]orb.Point, synNX)
	for i := range h {
		h[i] = make([][]orb.Point, synNY+1)
		for j := range h[i] {
			h[i][j] = side(node[i][j], node[i+1][j], j == 0)
		}
	}
	v := make([][][]orb.Point, synNX+1)
	for i := range v {
		v[i] = make([][]orb.Point, synNY)
		for j := range v[i] {
			v[i][j] = side(node[i][j], node[i][j+1], i == 0)
		}
	}
	// block walks counter-clockwise around communes [i0,i1) × [j0,j1).
	block := func(i0, i1, j0, j1 int) orb.Ring {
		ring := orb.Ring{node[i0][j0]}
		add := func(pts []orb.Point, rev bool) {
			for k := 1; k < len(pts); k++ {
				if rev {
					ring = append(ring, pts[len(pts)-1-k])
				} else {
					ring = append(ring, pts[k])
				}
			}
		}
		for i := i0; i < i1; i++ {
			add(h[i][j0], false)
		}
		for j := j0; j < j1; j++ {
			add(v[i1][j], false)
		}
		for i := i1 - 1; i >= i0; i-- {
			add(h[i][j1], true)
		}
		for j := j1 - 1; j >= j0; j-- {
			add(v[i0][j], true)
		}
		return ring
	}
	// The enclave: a jagged ring around the middle of its commune, clockwise
	// as a hole and counter-clockwise as the enclave's own boundary.
	c := orb.Point{(node[synHoleI][synHoleJ][0] + node[synHoleI+1][synHoleJ+1][0]) / 2,
		(node[synHoleI][synHoleJ][1] + node[synHoleI+1][synHoleJ+1][1]) / 2}
	var enclave orb.Ring
	for k := 0; k < 400; k++ {
		a := 2 * math.Pi * float64(k) / 400
		rad := 0.22 * (1 + 0.2*math.Sin(5*a) + 0.1*(2*r.Float64()-1))
		enclave = append(enclave, orb.Point{c[0] + rad*cw*math.Cos(a), c[1] + rad*ch*math.Sin(a)})
	}
	enclave = append(enclave, enclave[0])
	hole := make(orb.Ring, len(enclave))
	for k := range enclave {
		hole[k] = enclave[len(enclave)-1-k]
	}

	shapes := []*AreaShape{{Area: Area{ID: 1, Code: "49", Level: LevelProvince},
		Geometry: orb.MultiPolygon{{block(0, synNX, 0, synNY)}}}}
	id := int64(2)
	for j0 := 0; j0 < synNY; j0 += spec.block {
		for i0 := 0; i0 < synNX; i0 += spec.block {
			shapes = append(shapes, &AreaShape{
				Area:     Area{ID: id, Code: fmt.Sprintf("5%02d", id), Level: LevelDistrict, ParentCode: "49"},
				Geometry: orb.MultiPolygon{{block(i0, min(i0+spec.block, synNX), j0, min(j0+spec.block, synNY))}}})
			id++
		}
	}
	var hamlets []*AreaShape
	var holeParent string
	for j := 0; j < synNY; j++ {
		for i := 0; i < synNX; i++ {
			poly := orb.Polygon{block(i, i+1, j, j+1)}
			code := fmt.Sprintf("2%04d", i*100+j)
			district := fmt.Sprintf("5%02d", 2+(j/spec.block)*((synNX+spec.block-1)/spec.block)+i/spec.block)
			if i == synHoleI && j == synHoleJ {
				poly = append(poly, hole)
				holeParent = district
			}
			shapes = append(shapes, &AreaShape{
				Area:     Area{ID: id, Code: code, Level: LevelCommune, ParentCode: district},
				Geometry: orb.MultiPolygon{poly}})
			id++
			if i%4 == 0 && j%3 == 0 { // a hamlet in the commune's middle, which Locate skips
				q := orb.Point{(node[i][j][0] + node[i+1][j+1][0]) / 2, (node[i][j][1] + node[i+1][j+1][1]) / 2}
				d := 0.1 * cw
				hamlets = append(hamlets, &AreaShape{
					Area: Area{ID: 10000 + id, Code: code + "01", Level: LevelHamlet, ParentCode: code},
					Geometry: orb.MultiPolygon{{{{q[0] - d, q[1] - d}, {q[0] + d, q[1] - d},
						{q[0] + d, q[1] + d}, {q[0] - d, q[1] + d}, {q[0] - d, q[1] - d}}}}})
			}
		}
	}
	shapes = append(shapes, &AreaShape{
		Area:     Area{ID: id, Code: "29999", Level: LevelCommune, ParentCode: holeParent},
		Geometry: orb.MultiPolygon{{enclave}}})
	return append(shapes, hamlets...)
}

// randomPoints returns n points uniform over the province's bounding box
// grown by frac on each side.
func randomPoints(r *rand.Rand, n int, frac float64) []geo.Point {
	dx, dy := (synE-synW)*frac, (synN-synS)*frac
	pts := make([]geo.Point, n)
	for i := range pts {
		pts[i] = geo.Point{Lon: synW - dx + r.Float64()*(synE-synW+2*dx), Lat: synS - dy + r.Float64()*(synN-synS+2*dy)}
	}
	return pts
}

// trickyPoints returns points that exercise the edge cases of the ray cast
// along with random ones: exactly on vertices, on edges (midpoints and
// interpolated), sharing a vertex's longitude (the ray is vertical) or
// latitude, a float step from a vertex, far outside, and not finite.
func trickyPoints(r *rand.Rand, shapes []*AreaShape) []geo.Point {
	var rings []orb.Ring
	for _, s := range shapes {
		for _, poly := range s.Geometry {
			rings = append(rings, poly...)
		}
	}
	vertex := func() (orb.Ring, int) {
		ring := rings[r.IntN(len(rings))]
		return ring, r.IntN(len(ring) - 1)
	}
	pt := func(o orb.Point) geo.Point { return geo.PointFromOrb(o) }
	pts := randomPoints(r, 100_000, 0.1)
	for range 20_000 { // vertices
		ring, k := vertex()
		pts = append(pts, pt(ring[k]))
	}
	for range 20_000 { // on edges
		ring, k := vertex()
		a, b := ring[k], ring[k+1]
		t := 0.5
		if r.IntN(2) == 0 {
			t = r.Float64()
		}
		pts = append(pts, pt(orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}))
	}
	for range 20_000 { // a vertex's longitude or latitude, elsewhere in the ring
		ring, k := vertex()
		_, o := vertex()
		b := ring.Bound()
		if r.IntN(2) == 0 {
			pts = append(pts, geo.Point{Lon: ring[k][0], Lat: b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])})
			pts = append(pts, geo.Point{Lon: ring[k][0], Lat: ring[(k+o)%(len(ring)-1)][1]})
		} else {
			pts = append(pts, geo.Point{Lon: b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), Lat: ring[k][1]})
			pts = append(pts, geo.Point{Lon: ring[(k+o)%(len(ring)-1)][0], Lat: ring[k][1]})
		}
	}
	for range 20_000 { // a float step from a vertex
		ring, k := vertex()
		x, y := ring[k][0], ring[k][1]
		switch r.IntN(4) {
		case 0:
			x = math.Nextafter(x, math.Inf(1))
		case 1:
			x = math.Nextafter(x, math.Inf(-1))
		case 2:
			y = math.Nextafter(y, math.Inf(1))
		default:
			y = math.Nextafter(y, math.Inf(-1))
		}
		pts = append(pts, geo.Point{Lon: x, Lat: y})
	}
	pts = append(pts, randomPoints(r, 10_000, 3)...) // mostly far outside
	nan, inf := math.NaN(), math.Inf(1)
	pts = append(pts, geo.Point{Lon: nan, Lat: 16}, geo.Point{Lon: 108, Lat: nan}, geo.Point{Lon: nan, Lat: nan},
		geo.Point{Lon: inf, Lat: 16}, geo.Point{Lon: -inf, Lat: 16}, geo.Point{Lon: 108, Lat: inf},
		geo.Point{Lon: synW, Lat: synS}, geo.Point{Lon: synE, Lat: synN}, geo.Point{Lon: synW, Lat: 16},
		geo.Point{Lon: 0, Lat: 0})
	return pts
}

// compareLocate checks idx.Locate against referenceLocate at every point.
func compareLocate(t *testing.T, shapes []*AreaShape, pts []geo.Point) {
	t.Helper()
	idx, ref := NewAreaIndex(shapes), newReferenceIndex(shapes)
	bad := 0
	for _, p := range pts {
		want, wok := ref.Locate(p)
		got, gok := idx.Locate(p)
		if got != want || gok != wok {
			if bad++; bad <= 10 {
				t.Errorf("Locate(%v, %v) = %v, want %v", p.Lon, p.Lat, areaCode(got), areaCode(want))
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d points located differently from planar.MultiPolygonContains", bad, len(pts))
	}
}

func areaCode(s *AreaShape) string {
	if s == nil {
		return "none"
	}
	return s.Code
}

// TestLocateMatchesReference locates ~200,000 points in the synthetic
// province, edge cases included, with the index and with the reference loop.
func TestLocateMatchesReference(t *testing.T) {
	// Fewer vertices than the benchmark's province: the reference loop
	// costs about 1 ms a point there.
	shapes := synProvince(synSpec{nx: 6, ny: 4, side: 40, block: 3})
	r := rand.New(rand.NewPCG(7, 11))
	pts := trickyPoints(r, shapes)
	compareLocate(t, shapes, pts)
	// Most points must land in a commune, some outside everything.
	idx := NewAreaIndex(shapes)
	levels := map[Level]int{}
	for _, p := range pts[:100_000] {
		if a, ok := idx.Locate(p); ok {
			levels[a.Level]++
		} else {
			levels[""]++
		}
	}
	if levels[LevelCommune] < 50_000 || levels[""] < 5_000 || levels[LevelHamlet] != 0 {
		t.Errorf("located levels %v", levels)
	}
}

// TestLocateRules checks the choice between areas that both contain a point
// against the reference: overlapping communes (the first one wins), a
// level the index does not know, hamlets (never), multipolygons with holes,
// unclosed rings, degenerate edges, small and large rings.
func TestLocateRules(t *testing.T) {
	sq := func(w, s, e, n float64) orb.Ring {
		return orb.Ring{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}
	}
	// jagged is a closed ring of n vertices around (x, y) with radius rad,
	// every vertex snapped to a 1/64 grid so that many share a coordinate.
	jagged := func(r *rand.Rand, x, y, rad float64, n int) orb.Ring {
		var ring orb.Ring
		for k := 0; k < n; k++ {
			a := 2 * math.Pi * float64(k) / float64(n)
			d := rad * (0.7 + 0.3*r.Float64())
			ring = append(ring, orb.Point{math.Round((x+d*math.Cos(a))*64) / 64, math.Round((y+d*math.Sin(a))*64) / 64})
		}
		return append(ring, ring[0])
	}
	r := rand.New(rand.NewPCG(3, 5))
	shapes := []*AreaShape{
		{Area: Area{Code: "P", Level: LevelProvince}, Geometry: orb.MultiPolygon{{sq(0, 0, 10, 10)}}},
		{Area: Area{Code: "X", Level: "zone"}, Geometry: orb.MultiPolygon{{sq(-1, -1, 3, 3)}}},
		{Area: Area{Code: "X2", Level: "zone"}, Geometry: orb.MultiPolygon{{sq(-2, -2, 2, 2)}}},
		{Area: Area{Code: "D", Level: LevelDistrict}, Geometry: orb.MultiPolygon{{sq(0, 0, 5, 10)}, {jagged(r, 8, 8, 1.5, 300)}}},
		{Area: Area{Code: "C1", Level: LevelCommune}, Geometry: orb.MultiPolygon{{jagged(r, 2.5, 5, 2.4, 600), jagged(r, 2.5, 5, 0.8, 200)}}},
		{Area: Area{Code: "C2", Level: LevelCommune}, Geometry: orb.MultiPolygon{{jagged(r, 3.5, 5, 2.4, 400)}}},
		{Area: Area{Code: "C3", Level: LevelCommune}, Geometry: orb.MultiPolygon{{jagged(r, 2.5, 5, 0.9, 500)}, {sq(7, 7, 7.5, 7.5)}}},
		{Area: Area{Code: "C4", Level: LevelCommune}, Geometry: orb.MultiPolygon{{{{6, 1}, {9, 1}, {9, 1}, {9, 4}, {6, 4}}}}}, // unclosed, a repeated vertex
		{Area: Area{Code: "H", Level: LevelHamlet}, Geometry: orb.MultiPolygon{{sq(0, 0, 10, 10)}}},
		{Area: Area{Code: "C5", Level: LevelCommune}, Geometry: orb.MultiPolygon{{{{5, 5}, {5, 5}, {5, 5}, {5, 5}}}}},
	}
	var pts []geo.Point
	for range 50_000 {
		pts = append(pts, geo.Point{Lon: -3 + r.Float64()*16, Lat: -3 + r.Float64()*16})
		// on the 1/64 grid that the jagged vertices were snapped to
		pts = append(pts, geo.Point{Lon: float64(r.IntN(16*64)-3*64) / 64, Lat: float64(r.IntN(16*64)-3*64) / 64})
	}
	pts = append(pts, trickyPoints(r, shapes)[100_000:]...)
	compareLocate(t, shapes, pts)
	compareLocate(t, nil, pts[:1000])
}

// BenchmarkLocate locates 100,000 random points (a few percent outside the
// province) in the synthetic province: 151 communes of ~2,000 vertices, 6
// districts, the province and 40 hamlets. One op is the 100,000 points;
// ns/point is the cost of one Locate.
func BenchmarkLocate(b *testing.B) {
	shapes := synProvince(synBench)
	pts := randomPoints(rand.New(rand.NewPCG(1, 2)), 100_000, 0.02)
	idx := NewAreaIndex(shapes)
	found := 0
	for b.Loop() {
		for _, p := range pts {
			if _, ok := idx.Locate(p); ok {
				found++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pts)), "ns/point")
	if found == 0 {
		b.Fatal("no point located")
	}
}

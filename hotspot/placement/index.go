package placement

import (
	"math"
	"sort"

	"github.com/diaban/diaban/geo"
)

// grid is a fixed lon/lat bucket index over points, for "which points may
// lie within r metres of p" queries. Buckets are cellM metres high and about
// cellM wide at the points' median latitude; a query returns a superset that
// the caller filters with the exact test.
type grid struct {
	pts              []geo.Point
	cellLat, cellLon float64 // degrees
	nx, ny           int64
	buckets          map[int64][2]int32 // key -> [lo, hi) in order
	order            []int32
}

func newGrid(pts []geo.Point, cellM float64) *grid {
	g := &grid{pts: pts}
	if cellM <= 0 || math.IsNaN(cellM) {
		cellM = 100
	}
	g.cellLat = math.Min(cellM/geo.EarthRadiusM*180/math.Pi, 180)
	lats := make([]float64, len(pts))
	for i, p := range pts {
		lats[i] = math.Abs(p.Lat)
	}
	sort.Float64s(lats)
	cosLat := 1.0
	if len(lats) > 0 {
		cosLat = math.Max(math.Cos(lats[len(lats)/2]*math.Pi/180), 0.05)
	}
	g.cellLon = math.Min(g.cellLat/cosLat, 360)
	g.nx = int64(math.Ceil(360 / g.cellLon))
	g.ny = int64(math.Ceil(180/g.cellLat)) + 1
	keys := make([]int64, len(pts))
	g.order = make([]int32, len(pts))
	for i, p := range pts {
		keys[i] = g.key(g.ix(p.Lon), g.iy(p.Lat))
		g.order[i] = int32(i)
	}
	sort.Slice(g.order, func(a, b int) bool {
		ka, kb := keys[g.order[a]], keys[g.order[b]]
		return ka < kb || ka == kb && g.order[a] < g.order[b]
	})
	g.buckets = make(map[int64][2]int32)
	for lo := 0; lo < len(g.order); {
		k := keys[g.order[lo]]
		hi := lo + 1
		for hi < len(g.order) && keys[g.order[hi]] == k {
			hi++
		}
		g.buckets[k] = [2]int32{int32(lo), int32(hi)}
		lo = hi
	}
	return g
}

func (g *grid) ix(lon float64) int64 {
	i := int64(math.Floor((lon + 180) / g.cellLon))
	return ((i % g.nx) + g.nx) % g.nx
}

func (g *grid) iy(lat float64) int64 {
	return min(max(int64(math.Floor((lat+90)/g.cellLat)), 0), g.ny-1)
}

func (g *grid) key(ix, iy int64) int64 { return iy*g.nx + ix }

// near calls fn with every point that may lie within r metres of p (and
// some that do not), in a deterministic order.
func (g *grid) near(p geo.Point, r float64, fn func(i int32)) {
	r += 1e-3 // the exact tests allow a micrometre
	dLat := r / geo.EarthRadiusM * 180 / math.Pi
	y0, y1 := g.iy(p.Lat-dLat), g.iy(p.Lat+dLat)
	var x0, nxs int64
	s := math.Sin(math.Min(r/geo.EarthRadiusM, math.Pi/2)) / math.Cos(p.Lat*math.Pi/180)
	if math.Abs(p.Lat)+dLat >= 90 || s >= 1 || math.IsNaN(s) {
		x0, nxs = 0, g.nx // the cap holds a pole: every longitude
	} else {
		dLon := math.Asin(s)*180/math.Pi + 1e-9
		x0 = int64(math.Floor((p.Lon - dLon + 180) / g.cellLon))
		x1 := int64(math.Floor((p.Lon + dLon + 180) / g.cellLon))
		nxs = min(x1-x0+1, g.nx)
	}
	for iy := y0; iy <= y1; iy++ {
		for k := int64(0); k < nxs; k++ {
			ix := (((x0 + k) % g.nx) + g.nx) % g.nx
			b, ok := g.buckets[g.key(ix, iy)]
			if !ok {
				continue
			}
			for _, i := range g.order[b[0]:b[1]] {
				fn(i)
			}
		}
	}
}

// covered calls fn with every point the view covers.
func (g *grid) covered(f geo.FieldOfView, fn func(i int32)) {
	g.near(f.Site, f.RangeM, func(i int32) {
		if f.Covers(g.pts[i]) {
			fn(i)
		}
	})
}

// Package synth generates reproducible synthetic planning instances (demand
// clustered around hotspots, candidate sites spread over a square) for the
// placement package's tests, benchmarks and exact-optimum test data.
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot/placement"
)

// Config describes an instance: Demand points, Sites and Clusters over a
// square of SizeM metres centred on Center, from Seed.
type Config struct {
	Seed     uint64
	Demand   int
	Sites    int
	Clusters int
	SizeM    float64
	Center   geo.Point
}

// Hanoi is the default centre (Hoàn Kiếm).
var Hanoi = geo.Point{Lon: 105.8522, Lat: 21.0287}

// Generate returns the demand and the sites of cfg. 70 % of the demand lies
// in Gaussian clusters (σ 80 to 250 m) whose points weigh more; one point in
// fifty is a hotspot weighing ten times as much.
func Generate(cfg Config) ([]placement.DemandPoint, []placement.Site) {
	r := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	if cfg.Center == (geo.Point{}) {
		cfg.Center = Hanoi
	}
	if cfg.Clusters <= 0 {
		cfg.Clusters = 1
	}
	half := cfg.SizeM / 2
	at := func(x, y float64) geo.Point {
		x = math.Max(-half, math.Min(half, x))
		y = math.Max(-half, math.Min(half, y))
		lat := cfg.Center.Lat + y/geo.EarthRadiusM*180/math.Pi
		lon := cfg.Center.Lon + x/(geo.EarthRadiusM*math.Cos(cfg.Center.Lat*math.Pi/180))*180/math.Pi
		return geo.Point{Lon: round7(lon), Lat: round7(lat)}
	}
	type cluster struct{ x, y, sigma, w float64 }
	cs := make([]cluster, cfg.Clusters)
	for i := range cs {
		cs[i] = cluster{(r.Float64()*2 - 1) * half, (r.Float64()*2 - 1) * half, 80 + 170*r.Float64(), 1 + 4*r.Float64()}
	}
	demand := make([]placement.DemandPoint, cfg.Demand)
	for i := range demand {
		var p geo.Point
		w := 1.0
		if r.Float64() < 0.7 {
			c := cs[r.IntN(len(cs))]
			p = at(c.x+r.NormFloat64()*c.sigma, c.y+r.NormFloat64()*c.sigma)
			w = c.w * (0.5 + r.Float64())
		} else {
			p = at((r.Float64()*2-1)*half, (r.Float64()*2-1)*half)
			w = 0.2 + r.Float64()
		}
		hot := r.IntN(50) == 0
		if hot {
			w *= 10
		}
		demand[i] = placement.DemandPoint{ID: fmt.Sprintf("d%06d", i), Point: p, Weight: math.Round(w*1000) / 1000, Hotspot: hot}
	}
	sites := make([]placement.Site, cfg.Sites)
	for i := range sites {
		sites[i] = placement.Site{ID: fmt.Sprintf("s%05d", i), Point: at((r.Float64()*2-1)*half, (r.Float64()*2-1)*half)}
	}
	return demand, sites
}

func round7(x float64) float64 { return math.Round(x*1e7) / 1e7 }

// Streets returns cfg.Demand demand points along a street network given by
// its junctions: each point lies on the segment from a junction to one of
// its four nearest (a stand-in for the street between them), 3 m off it at
// most. 60 % of the points gather around cfg.Clusters hot junctions
// (Gaussian, σ 80 to 250 m, snapped to the nearest junction's segments) and
// weigh more; one point in fifty is a hotspot weighing ten times as much.
// cfg.Sites, cfg.SizeM and cfg.Center are not used.
func Streets(junctions []placement.Site, cfg Config) []placement.DemandPoint {
	r := rand.New(rand.NewPCG(cfg.Seed, 0x51ee75))
	if len(junctions) < 2 {
		return nil
	}
	// a local metric projection around the first junction
	o := junctions[0].Point
	kx := geo.EarthRadiusM * math.Cos(o.Lat*math.Pi/180) * math.Pi / 180
	ky := geo.EarthRadiusM * math.Pi / 180
	xy := make([][2]float64, len(junctions))
	for i, j := range junctions {
		xy[i] = [2]float64{(j.Point.Lon - o.Lon) * kx, (j.Point.Lat - o.Lat) * ky}
	}
	at := func(x, y float64) geo.Point {
		return geo.Point{Lon: round7(o.Lon + x/kx), Lat: round7(o.Lat + y/ky)}
	}
	d2 := func(a, b [2]float64) float64 { return (a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) }
	const nNear = 4
	near := make([][]int, len(xy))
	for i := range xy {
		var best []int
		for j := range xy {
			if j == i {
				continue
			}
			best = append(best, j)
			for k := len(best) - 1; k > 0 && d2(xy[i], xy[best[k]]) < d2(xy[i], xy[best[k-1]]); k-- {
				best[k], best[k-1] = best[k-1], best[k]
			}
			if len(best) > nNear {
				best = best[:nNear]
			}
		}
		near[i] = best
	}
	nearest := func(p [2]float64) int {
		b := 0
		for i := range xy {
			if d2(p, xy[i]) < d2(p, xy[b]) {
				b = i
			}
		}
		return b
	}
	onStreet := func(j int) geo.Point {
		k := near[j][r.IntN(len(near[j]))]
		t := r.Float64()
		x := xy[j][0] + t*(xy[k][0]-xy[j][0]) + (r.Float64()*2-1)*3
		y := xy[j][1] + t*(xy[k][1]-xy[j][1]) + (r.Float64()*2-1)*3
		return at(x, y)
	}
	if cfg.Clusters <= 0 {
		cfg.Clusters = 1
	}
	type cluster struct {
		c        int
		sigma, w float64
	}
	cs := make([]cluster, cfg.Clusters)
	for i := range cs {
		cs[i] = cluster{r.IntN(len(xy)), 80 + 170*r.Float64(), 1 + 4*r.Float64()}
	}
	demand := make([]placement.DemandPoint, cfg.Demand)
	for i := range demand {
		var p geo.Point
		var w float64
		if r.Float64() < 0.6 {
			c := cs[r.IntN(len(cs))]
			q := [2]float64{xy[c.c][0] + r.NormFloat64()*c.sigma, xy[c.c][1] + r.NormFloat64()*c.sigma}
			p = onStreet(nearest(q))
			w = c.w * (0.5 + r.Float64())
		} else {
			p = onStreet(r.IntN(len(xy)))
			w = 0.2 + r.Float64()
		}
		hot := r.IntN(50) == 0
		if hot {
			w *= 10
		}
		demand[i] = placement.DemandPoint{ID: fmt.Sprintf("d%06d", i), Point: p, Weight: math.Round(w*1000) / 1000, Hotspot: hot}
	}
	return demand
}

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

package demo

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/diaban/diaban/hotspot"
	"github.com/paulmach/orb"
)

// Camera owners and statuses, as written to cameras.csv.
const (
	OwnerPolice     = string(hotspot.CameraPolice)
	OwnerCommunity  = string(hotspot.CameraCommunity)
	StatusPlanned   = string(hotspot.CameraPlanned)
	StatusActive    = string(hotspot.CameraActive)
	StatusOffline   = string(hotspot.CameraOffline)
	domeFOV         = 360
	policeCameras   = 25
	communityCams   = 15
	plannedCameras  = 4
	roadsideCameras = 8
)

// mainRoads are rough synthetic corridors along Hội An's main roads: from
// the old town east to Cửa Đại beach, north to An Bàng, west towards Thanh
// Hà, and the coast road. Approximate, for placing roadside cameras only.
var mainRoads = [][]orb.Point{
	{{108.3330, 15.8790}, {108.3500, 15.8830}, {108.3700, 15.8900}, {108.3830, 15.8930}},
	{{108.3290, 15.8800}, {108.3330, 15.8900}, {108.3400, 15.9000}, {108.3470, 15.9100}},
	{{108.3270, 15.8790}, {108.3150, 15.8810}, {108.3000, 15.8840}, {108.2920, 15.8860}},
	{{108.3800, 15.8960}, {108.3680, 15.9040}, {108.3560, 15.9110}},
}

// genCameras places police cameras watching hotspots and main roads (a few
// still planned, around the emerging cluster) and community cameras near
// hotspots in residential streets.
func (g *generator) genCameras() error {
	r := g.rng(4)
	var cams []Camera
	add := func(c Camera, ok bool) error {
		if !ok {
			return fmt.Errorf("cannot place camera %d", len(cams)+1)
		}
		cams = append(cams, c)
		return nil
	}
	var emerging, others []int
	for i, p := range g.plans {
		if p.emerging {
			emerging = append(emerging, i)
		} else if p.kind != KindCultivation && p.kind != KindProduction {
			others = append(others, i)
		}
	}
	r.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
	for k := 0; k < plannedCameras; k++ {
		c, ok := g.cameraAt(r, g.plans[emerging[k%len(emerging)]].point, false)
		c.Owner, c.Status = OwnerPolice, StatusPlanned
		if err := add(c, ok); err != nil {
			return err
		}
	}
	for k := 0; k < policeCameras-plannedCameras-roadsideCameras; k++ {
		c, ok := g.cameraAt(r, g.plans[others[k]].point, false)
		c.Owner, c.Status = OwnerPolice, status(r, 0.12)
		if err := add(c, ok); err != nil {
			return err
		}
	}
	for k := 0; k < roadsideCameras; k++ {
		c, ok := g.roadCamera(r, mainRoads[k%len(mainRoads)])
		c.Owner, c.Status = OwnerPolice, status(r, 0.12)
		if err := add(c, ok); err != nil {
			return err
		}
	}
	for k := 0; k < communityCams; k++ {
		c, ok := g.cameraAt(r, g.plans[others[len(others)-1-k]].point, r.Float64() < 0.3)
		c.Owner, c.Status = OwnerCommunity, status(r, 0.2)
		if err := add(c, ok); err != nil {
			return err
		}
	}
	for i := range cams {
		cams[i].Ref = fmt.Sprintf("HA-CAM-%03d", i+1)
	}
	g.ds.Cameras = cams
	return nil
}

func status(r *rand.Rand, pOffline float64) string {
	if r.Float64() < pOffline {
		return StatusOffline
	}
	return StatusActive
}

// cameraAt places a camera 30–110 m from target, facing it (or a dome).
func (g *generator) cameraAt(r *rand.Rand, target orb.Point, dome bool) (Camera, bool) {
	for try := 0; try < 300; try++ {
		d := 30 + 80*r.Float64()
		th := 2 * math.Pi * r.Float64()
		p := roundPoint(offset(target, d*math.Cos(th), d*math.Sin(th)), coordScale)
		if g.layout.locate(p, 3) < 0 {
			continue
		}
		c := Camera{Point: p}
		if dome {
			c.FOV, c.Bearing, c.RangeM = domeFOV, 0, 30+r.IntN(31)
		} else {
			c.FOV = 60 + 5*r.IntN(11)
			c.Bearing = normBearing(azimuth(p, target) + 10*r.NormFloat64())
			c.RangeM = min(150, int(d)+20+r.IntN(40))
		}
		return c, true
	}
	return Camera{}, false
}

// roadCamera places a camera on a road corridor, looking along it.
func (g *generator) roadCamera(r *rand.Rand, road []orb.Point) (Camera, bool) {
	for try := 0; try < 300; try++ {
		k := r.IntN(len(road) - 1)
		t := r.Float64()
		a, b := road[k], road[k+1]
		p := roundPoint(orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}, coordScale)
		if g.layout.locate(p, 3) < 0 {
			continue
		}
		az := azimuth(a, b)
		if r.IntN(2) == 0 {
			az += 180
		}
		return Camera{Point: p, Bearing: normBearing(az), FOV: 60 + 5*r.IntN(7), RangeM: 80 + 10*r.IntN(8)}, true
	}
	return Camera{}, false
}

// azimuth is the planar bearing from p to q, degrees clockwise from north.
func azimuth(p, q orb.Point) float64 {
	a, b := toKm(p), toKm(q)
	return math.Atan2(b[0]-a[0], b[1]-a[1]) * 180 / math.Pi
}

func normBearing(deg float64) int {
	return (int(math.Round(deg))%360 + 360) % 360
}

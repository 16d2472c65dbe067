package geo

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

// DefaultCameraResolution is the H3 resolution at which camera coverage is
// stored (res 11: cells of about 2,150 m², edges of about 25 m).
const DefaultCameraResolution = 11

// Tolerances applied by FieldOfView.CoversPolar so that a point placed exactly
// on the range circle or on a sector edge (for instance with Destination)
// counts as covered despite floating-point rounding.
const (
	rangeToleranceM   = 1e-6
	angleToleranceDeg = 1e-6
)

// FieldOfView is what a fixed camera sees, modelled as a circular sector on
// the sphere: from Site, every point within RangeM metres whose initial
// bearing from Site lies within FOV/2 degrees of Bearing. A FOV of 360 is a
// dome camera, whose view is a full disc. Distances and bearings are the
// spherical approximations of Haversine and InitialBearing.
type FieldOfView struct {
	Site    Point   // camera position
	Bearing float64 // centre of the view, degrees clockwise from north, [0, 360)
	FOV     float64 // horizontal angle of view in degrees, (0, 360]
	RangeM  float64 // useful range in metres, > 0
}

// Validate reports whether f is a usable field of view; the error names the
// offending field.
func (f FieldOfView) Validate() error {
	if err := f.Site.Validate(); err != nil {
		return fmt.Errorf("site: %w", err)
	}
	switch {
	case !finite(f.Bearing) || f.Bearing < 0 || f.Bearing >= 360:
		return fmt.Errorf("bearing %g is outside [0, 360)", f.Bearing)
	case !finite(f.FOV) || f.FOV <= 0 || f.FOV > 360:
		return fmt.Errorf("fov %g is outside (0, 360]", f.FOV)
	case !finite(f.RangeM) || f.RangeM <= 0:
		return fmt.Errorf("range %g m is not a positive finite number", f.RangeM)
	}
	return nil
}

// Dome reports whether f sees all around (FOV of 360 degrees).
func (f FieldOfView) Dome() bool { return f.FOV >= 360 }

// Covers reports whether p lies in the field of view: within RangeM of Site
// and, unless f is a dome, within FOV/2 of Bearing. The site itself is
// covered. Both tests allow a tiny tolerance (a micrometre, a microdegree).
func (f FieldOfView) Covers(p Point) bool {
	d := Haversine(f.Site, p)
	if d > f.RangeM+rangeToleranceM {
		return false
	}
	if d == 0 || f.Dome() {
		return true
	}
	return f.CoversPolar(d, InitialBearing(f.Site, p))
}

// CoversPolar is Covers for a point given by its distance in metres and its
// initial bearing in degrees from Site. Callers that test one point against
// several views from the same site compute both once and use this.
func (f FieldOfView) CoversPolar(distM, bearingDeg float64) bool {
	if distM > f.RangeM+rangeToleranceM {
		return false
	}
	if distM == 0 || f.Dome() {
		return true
	}
	return AngleDiff(f.Bearing, bearingDeg) <= f.FOV/2+angleToleranceDeg
}

// Polygon returns the view as a closed lon/lat ring, counter-clockwise as
// RFC 7946 asks: the site, segments+1 points along the arc (computed with
// Destination), and the site again. A dome is a circle of segments points.
// segments < 1 picks one segment per 5 degrees of arc (at least 4). The arc
// points are spherical, the edges between them straight in lon/lat: an
// approximation good to centimetres at camera ranges. Near the antimeridian
// the longitudes are continued past ±180 so that the ring stays contiguous.
func (f FieldOfView) Polygon(segments int) orb.Polygon {
	fov := math.Min(f.FOV, 360)
	if segments < 1 {
		segments = max(4, int(math.Ceil(fov/5)))
	}
	unwrap := func(p Point) orb.Point {
		lon := p.Lon
		for lon-f.Site.Lon > 180 {
			lon -= 360
		}
		for lon-f.Site.Lon < -180 {
			lon += 360
		}
		return orb.Point{lon, p.Lat}
	}
	// Bearings grow clockwise; walking them downwards draws the ring
	// counter-clockwise.
	start := f.Bearing + fov/2
	step := fov / float64(segments)
	var ring orb.Ring
	if f.Dome() {
		ring = make(orb.Ring, 0, segments+1)
		for i := 0; i < segments; i++ {
			ring = append(ring, unwrap(Destination(f.Site, start-float64(i)*step, f.RangeM)))
		}
		ring = append(ring, ring[0])
		return orb.Polygon{ring}
	}
	ring = make(orb.Ring, 0, segments+3)
	ring = append(ring, f.Site.Orb())
	for i := 0; i <= segments; i++ {
		ring = append(ring, unwrap(Destination(f.Site, start-float64(i)*step, f.RangeM)))
	}
	ring = append(ring, f.Site.Orb())
	return orb.Polygon{ring}
}

// Cells returns the H3 cells at resolution res (0..15; other values mean
// DefaultCameraResolution) whose centres the view covers, sorted by index.
// It walks a grid disk around the site's cell of radius
// ceil(RangeM / average edge length) + 1, which holds every cell whose centre
// lies within range, and keeps the cells whose centre Covers accepts. The
// cost grows with (RangeM / edge)²: use a coarser res for long ranges. An
// invalid view has no cells.
func (f FieldOfView) Cells(res int) []Cell {
	if res < 0 || res > 15 {
		res = DefaultCameraResolution
	}
	if f.Validate() != nil {
		return nil
	}
	k := int(math.Ceil(f.RangeM/h3.HexagonEdgeLengthAvgM(res))) + 1
	origin := CellOf(f.Site, res)
	var out []Cell
	for _, c := range origin.Disk(k) {
		if f.Covers(c.Center()) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

package geo

import (
	"fmt"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

var hanoi = Point{Lon: 105.8522, Lat: 21.0287}

func TestFieldOfViewValidate(t *testing.T) {
	ok := FieldOfView{Site: hanoi, Bearing: 0, FOV: 90, RangeM: 120}
	tests := []struct {
		name    string
		mutate  func(*FieldOfView)
		wantErr bool
	}{
		{"valid", func(*FieldOfView) {}, false},
		{"dome", func(f *FieldOfView) { f.FOV = 360 }, false},
		{"bearing 359.99", func(f *FieldOfView) { f.Bearing = 359.99 }, false},
		{"bearing 360", func(f *FieldOfView) { f.Bearing = 360 }, true},
		{"negative bearing", func(f *FieldOfView) { f.Bearing = -1 }, true},
		{"NaN bearing", func(f *FieldOfView) { f.Bearing = math.NaN() }, true},
		{"zero fov", func(f *FieldOfView) { f.FOV = 0 }, true},
		{"fov over 360", func(f *FieldOfView) { f.FOV = 361 }, true},
		{"zero range", func(f *FieldOfView) { f.RangeM = 0 }, true},
		{"infinite range", func(f *FieldOfView) { f.RangeM = math.Inf(1) }, true},
		{"bad site", func(f *FieldOfView) { f.Site.Lat = 91 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ok
			tt.mutate(&f)
			if err := f.Validate(); (err != nil) != tt.wantErr {
				t.Errorf("Validate() = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}

func TestFieldOfViewCovers(t *testing.T) {
	cam := FieldOfView{Site: hanoi, Bearing: 90, FOV: 90, RangeM: 120}
	wrap := FieldOfView{Site: hanoi, Bearing: 350, FOV: 40, RangeM: 120}
	dome := FieldOfView{Site: hanoi, Bearing: 0, FOV: 360, RangeM: 120}
	tests := []struct {
		name string
		f    FieldOfView
		p    Point
		want bool
	}{
		{"site itself", cam, hanoi, true},
		{"on the axis inside", cam, Destination(hanoi, 90, 60), true},
		{"exactly on the range", cam, Destination(hanoi, 90, 120), true},
		{"just past the range", cam, Destination(hanoi, 90, 120.01), false},
		{"exactly on the left edge", cam, Destination(hanoi, 45, 100), true},
		{"exactly on the right edge", cam, Destination(hanoi, 135, 100), true},
		{"just outside the left edge", cam, Destination(hanoi, 44.99, 100), false},
		{"just outside the right edge", cam, Destination(hanoi, 135.01, 100), false},
		{"behind", cam, Destination(hanoi, 270, 10), false},
		{"edge and range corner", cam, Destination(hanoi, 135, 120), true},
		{"wrap: azimuth 5 seen from bearing 350 fov 40", wrap, Destination(hanoi, 5, 50), true},
		{"wrap: azimuth 10 is the edge", wrap, Destination(hanoi, 10, 50), true},
		{"wrap: azimuth 330 is the other edge", wrap, Destination(hanoi, 330, 50), true},
		{"wrap: azimuth 11 is outside", wrap, Destination(hanoi, 11, 50), false},
		{"wrap: azimuth 329 is outside", wrap, Destination(hanoi, 329, 50), false},
		{"dome behind", dome, Destination(hanoi, 200, 119), true},
		{"dome out of range", dome, Destination(hanoi, 200, 121), false},
		{"dome on the range", dome, Destination(hanoi, 17, 120), true},
		{"across the antimeridian", FieldOfView{Site: Point{179.9995, 0}, Bearing: 90, FOV: 60, RangeM: 120}, Point{-179.9995, 0}, true},
		{"near the north pole", FieldOfView{Site: Point{0, 89.9995}, Bearing: 0, FOV: 90, RangeM: 120}, Point{180, 89.9995}, true},
		{"at the south pole", FieldOfView{Site: Point{0, -90}, Bearing: 0, FOV: 90, RangeM: 120}, Point{0, -90}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.Covers(tt.p); got != tt.want {
				t.Errorf("Covers(%v) = %v, want %v (distance %.6f m, azimuth %.6f)",
					tt.p, got, tt.want, Haversine(tt.f.Site, tt.p), InitialBearing(tt.f.Site, tt.p))
			}
		})
	}
}

func TestFieldOfViewPolygon(t *testing.T) {
	tests := []struct {
		name     string
		f        FieldOfView
		segments int
		wantLen  int
	}{
		{"sector", FieldOfView{Site: hanoi, Bearing: 90, FOV: 90, RangeM: 120}, 9, 9 + 3},
		{"sector default segments", FieldOfView{Site: hanoi, Bearing: 350, FOV: 40, RangeM: 120}, 0, 8 + 3},
		{"dome", FieldOfView{Site: hanoi, Bearing: 0, FOV: 360, RangeM: 120}, 36, 36 + 1},
		{"antimeridian", FieldOfView{Site: Point{179.9999, 0}, Bearing: 90, FOV: 90, RangeM: 120}, 8, 8 + 3},
		{"north pole", FieldOfView{Site: Point{0, 90}, Bearing: 0, FOV: 360, RangeM: 120}, 16, 16 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			poly := tt.f.Polygon(tt.segments)
			if len(poly) != 1 {
				t.Fatalf("got %d rings, want 1", len(poly))
			}
			ring := poly[0]
			if len(ring) != tt.wantLen {
				t.Errorf("ring has %d points, want %d", len(ring), tt.wantLen)
			}
			if !ring.Closed() {
				t.Errorf("ring is not closed")
			}
			if tt.f.Site.Lat < 89 && ring.Orientation() != orb.CCW {
				t.Errorf("ring orientation %v, want CCW", ring.Orientation())
			}
			for i, p := range ring {
				if d := Haversine(tt.f.Site, PointFromOrb(p)); d > tt.f.RangeM+1e-6 {
					t.Errorf("point %d is %.6f m from the site, beyond the range", i, d)
				}
			}
		})
	}
}

func TestFieldOfViewPolygonArea(t *testing.T) {
	// A 90° sector is a quarter of the dome, in any projection that is
	// locally affine (lon/lat over 120 m is).
	sector := FieldOfView{Site: hanoi, Bearing: 30, FOV: 90, RangeM: 120}.Polygon(90)
	dome := FieldOfView{Site: hanoi, Bearing: 0, FOV: 360, RangeM: 120}.Polygon(360)
	ratio := planar.Area(sector) / planar.Area(dome)
	if math.Abs(ratio-0.25) > 1e-3 {
		t.Errorf("sector/dome area = %v, want 0.25", ratio)
	}
}

func TestFieldOfViewCells(t *testing.T) {
	tests := []struct {
		name     string
		f        FieldOfView
		res      int
		min, max int
	}{
		// a 90° sector of 120 m covers about 11,300 m², some 5 res-11 cells
		{"sector res 11", FieldOfView{Site: hanoi, Bearing: 90, FOV: 90, RangeM: 120}, 11, 2, 10},
		{"dome res 11", FieldOfView{Site: hanoi, Bearing: 0, FOV: 360, RangeM: 120}, 11, 15, 30},
		{"dome res 12", FieldOfView{Site: hanoi, Bearing: 0, FOV: 360, RangeM: 120}, 12, 110, 190},
		{"default resolution", FieldOfView{Site: hanoi, Bearing: 0, FOV: 360, RangeM: 120}, -1, 15, 30},
		{"antimeridian", FieldOfView{Site: Point{179.9999, 0}, Bearing: 90, FOV: 360, RangeM: 120}, 11, 15, 30},
		{"north pole", FieldOfView{Site: Point{0, 90}, Bearing: 0, FOV: 360, RangeM: 120}, 11, 10, 40},
		{"south pole sector", FieldOfView{Site: Point{0, -89.9999}, Bearing: 0, FOV: 90, RangeM: 120}, 11, 1, 15},
		{"invalid view", FieldOfView{Site: hanoi, Bearing: 0, FOV: 0, RangeM: 120}, 11, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cells := tt.f.Cells(tt.res)
			if len(cells) < tt.min || len(cells) > tt.max {
				t.Errorf("got %d cells, want %d..%d", len(cells), tt.min, tt.max)
			}
			for _, c := range cells {
				if !tt.f.Covers(c.Center()) {
					t.Errorf("cell %v centre is not covered", c)
				}
			}
		})
	}
}

// TestFieldOfViewCellsComplete checks against brute force that the disk
// Cells walks misses no cell whose centre is covered.
func TestFieldOfViewCellsComplete(t *testing.T) {
	f := FieldOfView{Site: hanoi, Bearing: 200, FOV: 120, RangeM: 150}
	got := map[Cell]bool{}
	for _, c := range f.Cells(11) {
		got[c] = true
	}
	for _, c := range CellOf(hanoi, 11).Disk(20) {
		if f.Covers(c.Center()) && !got[c] {
			t.Errorf("cell %v is covered but missing", c)
		}
	}
}

func ExampleFieldOfView_Covers() {
	cam := FieldOfView{Site: hanoi, Bearing: 350, FOV: 40, RangeM: 120}
	fmt.Println(cam.Covers(Destination(hanoi, 5, 100)))
	fmt.Println(cam.Covers(Destination(hanoi, 90, 100)))
	// Output:
	// true
	// false
}

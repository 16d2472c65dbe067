package geo

import (
	"fmt"
	"math"
	"testing"
)

func TestHaversine(t *testing.T) {
	tests := []struct {
		name string
		a, b Point
		want float64 // metres
		tol  float64
	}{
		{"same point", Point{105.85, 21.03}, Point{105.85, 21.03}, 0, 1e-9},
		{"one degree of latitude", Point{0, 0}, Point{0, 1}, EarthRadiusM * math.Pi / 180, 1e-6},
		{"one degree of longitude on the equator", Point{0, 0}, Point{1, 0}, EarthRadiusM * math.Pi / 180, 1e-6},
		{"across the antimeridian", Point{179.5, 0}, Point{-179.5, 0}, EarthRadiusM * math.Pi / 180, 1e-6},
		{"pole to pole", Point{0, 90}, Point{0, -90}, EarthRadiusM * math.Pi, 1e-6},
		{"Hanoi to Ho Chi Minh City", Point{105.8542, 21.0285}, Point{106.6297, 10.8231}, 1_138_000, 3_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Haversine(tt.a, tt.b); math.Abs(got-tt.want) > tt.tol {
				t.Errorf("Haversine = %.3f, want %.3f ± %g", got, tt.want, tt.tol)
			}
		})
	}
}

func TestInitialBearing(t *testing.T) {
	o := Point{105.85, 21.03}
	tests := []struct {
		name string
		a, b Point
		want float64
	}{
		{"north", o, Point{105.85, 21.04}, 0},
		{"east on the equator", Point{0, 0}, Point{1, 0}, 90},
		{"south", o, Point{105.85, 21.02}, 180},
		{"west on the equator", Point{0, 0}, Point{-1, 0}, 270},
		{"east across the antimeridian", Point{179.9, 0}, Point{-179.9, 0}, 90},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := InitialBearing(tt.a, tt.b)
			if got < 0 || got >= 360 || AngleDiff(got, tt.want) > 1e-6 {
				t.Errorf("InitialBearing = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDestinationRoundTrip(t *testing.T) {
	starts := []Point{{105.85, 21.03}, {0, 0}, {179.9999, 10}, {-179.9999, -10}, {10, 89.9999}, {10, -89.9999}}
	for _, p := range starts {
		for _, brg := range []float64{0, 1, 45, 90, 179, 180, 270, 359.9} {
			for _, d := range []float64{0, 1, 120, 5000} {
				t.Run(fmt.Sprintf("%v/%v/%v", p, brg, d), func(t *testing.T) {
					q := Destination(p, brg, d)
					if err := q.Validate(); err != nil {
						t.Fatalf("Destination gave an invalid point %v: %v", q, err)
					}
					if got := Haversine(p, q); math.Abs(got-d) > 1e-6 {
						t.Errorf("distance back = %v, want %v", got, d)
					}
					if d > 0 && math.Abs(p.Lat) < 89 {
						if got := InitialBearing(p, q); AngleDiff(got, brg) > 1e-6 {
							t.Errorf("bearing back = %v, want %v", got, brg)
						}
					}
				})
			}
		}
	}
}

func TestAngleDiff(t *testing.T) {
	tests := []struct{ a, b, want float64 }{
		{0, 0, 0}, {350, 5, 15}, {5, 350, 15}, {0, 180, 180}, {90, 270, 180},
		{359.5, 0.5, 1}, {720, 0, 0}, {-10, 10, 20}, {10, 200, 170},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v-%v", tt.a, tt.b), func(t *testing.T) {
			if got := AngleDiff(tt.a, tt.b); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("AngleDiff(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func ExampleHaversine() {
	hoanKiem := Point{Lon: 105.8522, Lat: 21.0287}
	northBy120m := Destination(hoanKiem, 0, 120)
	fmt.Printf("%.1f m\n", Haversine(hoanKiem, northBy120m))
	// Output: 120.0 m
}

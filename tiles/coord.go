package tiles

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxZoom is the deepest zoom served.
const MaxZoom = 22

// Zoom is a web-map zoom level.
type Zoom uint32

// Coord is a tile address.
type Coord struct {
	Z    Zoom
	X, Y uint32
}

// CoordError says which part of a tile address is wrong.
type CoordError struct {
	Field  string
	Reason string
}

func (e *CoordError) Error() string { return e.Reason }

// ParseCoord reads z, x and y (y may end in .mvt or .pbf) and checks that the
// tile exists at that zoom.
func ParseCoord(zs, xs, ys string) (Coord, error) {
	ys = strings.TrimSuffix(strings.TrimSuffix(ys, ".mvt"), ".pbf")
	z, err := strconv.ParseInt(zs, 10, 32)
	if err != nil || z < 0 || z > MaxZoom {
		return Coord{}, &CoordError{"z", fmt.Sprintf("invalid Z value (%s): want 0..%d", zs, MaxZoom)}
	}
	n := int64(1) << z
	x, err := strconv.ParseInt(xs, 10, 64)
	if err != nil || x < 0 || x >= n {
		return Coord{}, &CoordError{"x", fmt.Sprintf("invalid X value (%s): want 0..%d at zoom %d", xs, n-1, z)}
	}
	y, err := strconv.ParseInt(ys, 10, 64)
	if err != nil || y < 0 || y >= n {
		return Coord{}, &CoordError{"y", fmt.Sprintf("invalid Y value (%s): want 0..%d at zoom %d", ys, n-1, z)}
	}
	return Coord{Z: Zoom(z), X: uint32(x), Y: uint32(y)}, nil
}

func (c Coord) String() string { return fmt.Sprintf("%d/%d/%d", c.Z, c.X, c.Y) }

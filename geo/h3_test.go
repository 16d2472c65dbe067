package geo

import (
	"math/rand/v2"
	"testing"

	h3 "github.com/uber/h3-go/v4"
)

func TestParentMatchesH3(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	for i := 0; i < 2000; i++ {
		p := Point{Lon: r.Float64()*360 - 180, Lat: r.Float64()*170 - 85}
		c := CellOf(p, 1+r.IntN(15))
		for res := 0; res <= c.Resolution(); res++ {
			want := Cell(h3.Cell(c).Parent(res))
			if got := c.Parent(res); got != want {
				t.Fatalf("%s.Parent(%d) = %s, want %s", c, res, got, want)
			}
		}
	}
}

func TestPointCellsNestAndContainThePoint(t *testing.T) {
	p := Point{Lon: 108.3380, Lat: 15.8801} // Hội An old town
	cells := PointCells(p)
	for i, c := range cells {
		res := MinPointResolution + i
		if c.Resolution() != res || c != CellOf(p, res) {
			t.Errorf("res %d: got %s (res %d), want %s", res, c, c.Resolution(), CellOf(p, res))
		}
	}
}

func TestParseCell(t *testing.T) {
	c := CellOf(Point{Lon: 108.338, Lat: 15.88}, 9)
	got, err := ParseCell(c.String())
	if err != nil || got != c {
		t.Fatalf("round trip: %v %v", got, err)
	}
	for _, bad := range []string{"", "zz", "8928308280fffff0", "0"} {
		if _, err := ParseCell(bad); err == nil {
			t.Errorf("ParseCell(%q) accepted", bad)
		}
	}
}

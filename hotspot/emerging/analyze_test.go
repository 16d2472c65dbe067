package emerging

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot/stats"
)

// hanoi is the centre of the test universes (Hoàn Kiếm lake).
var hanoi = geo.Point{Lon: 105.8524, Lat: 21.0287}

// diskCube returns a cube over the cells within k steps of a res-9 cell.
func diskCube(t testing.TB, k, bins int) *Cube {
	t.Helper()
	c, err := NewCube(geo.CellOf(hanoi, 9).Disk(k), bins)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func randomFill(t testing.TB, c *Cube, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	for _, cell := range c.Cells() {
		for b := 0; b < c.Bins(); b++ {
			if err := c.Add(cell, b, float64(rng.IntN(6))); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestAnalyzeEndToEnd(t *testing.T) {
	// 127 cells (k = 6), 12 bins with a background of 1 per cell; the
	// centre and its ring burst in the last three bins (a consecutive hot
	// spot); a cluster at the edge is busy in every bin but the last (a
	// historical hot spot).
	c := diskCube(t, 6, 12)
	for _, cell := range c.Cells() {
		for b := 0; b < 12; b++ {
			c.Add(cell, b, 1)
		}
	}
	edge := c.Cells()[len(c.Cells())-1]
	for _, cell := range edge.Disk(1) {
		for b := 0; b < 11; b++ {
			c.Add(cell, b, 6) // cells outside the universe are ignored by Add's error
		}
	}
	centre := geo.CellOf(hanoi, 9)
	for _, cell := range centre.Disk(1) {
		for b := 9; b < 12; b++ {
			c.Add(cell, b, 12)
		}
	}
	r, err := Analyze(context.Background(), c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	i, _ := c.Index(centre)
	if r.Category[i] != ConsecutiveHot {
		t.Errorf("centre: %s, want %s (z %v)", r.Category[i], ConsecutiveHot, r.Z[i*12:(i+1)*12])
	}
	if j, _ := c.Index(edge); r.Category[j] != HistoricalHot {
		t.Errorf("edge: %s, want %s (z %v)", r.Category[j], HistoricalHot, r.Z[j*12:(j+1)*12])
	}
	counts := make(map[Category]int)
	for _, cat := range r.Category {
		counts[cat]++
	}
	if counts[NoPattern] < 100 {
		t.Errorf("categories %v: most background cells should show no pattern", counts)
	}
	for k := range r.Z {
		if math.IsNaN(r.Z[k]) || math.IsNaN(r.P[k]) || (!r.Defined[k] && (r.Z[k] != 0 || r.P[k] != 1)) {
			t.Fatalf("bad bin value at %d: z %v p %v defined %v", k, r.Z[k], r.P[k], r.Defined[k])
		}
	}
}

func TestAnalyzeEmptyBinIsUndefined(t *testing.T) {
	c := diskCube(t, 4, 4)
	centre := geo.CellOf(hanoi, 9)
	c.Add(centre, 3, 5) // bins 0..2 are all zero
	r, err := Analyze(context.Background(), c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	i, _ := c.Index(centre)
	for b := 0; b < 3; b++ {
		if r.Defined[i*4+b] || r.P[i*4+b] != 1 {
			t.Errorf("bin %d of an empty cube is defined", b)
		}
	}
	if !r.Defined[i*4+3] || r.Category[i] != NewHot {
		t.Errorf("centre: defined %v, %s; want a new hot spot", r.Defined[i*4+3], r.Category[i])
	}
}

// bruteGiStar computes Gi* of (cell, bin) by building the space-time
// neighbourhood explicitly over the reference population and calling
// stats.GiStar: an independent check of Analyze's windows and moments.
func bruteGiStar(t *testing.T, c *Cube, nb *stats.Neighbors, tau int, whole bool) (z []float64, def []bool) {
	nc, bins := len(c.Cells()), c.Bins()
	z, def = make([]float64, nc*bins), make([]bool, nc*bins)
	for b := 0; b < bins; b++ {
		lo, hi := max(0, b-tau), b // population bins
		if whole {
			lo, hi = 0, bins-1
		}
		obs := func(i, s int) int { return (s-lo)*nc + i }
		x := make([]float64, nc*(hi-lo+1))
		var pairs []stats.Pair
		for s := lo; s <= hi; s++ {
			for i := 0; i < nc; i++ {
				x[obs(i, s)] = c.Series(i)[s]
				closed := append([]int32{int32(i)}, nb.Of(i)...)
				for _, j := range closed {
					for s2 := max(lo, s-tau); s2 <= s; s2++ {
						if int(j) != i || s2 != s {
							pairs = append(pairs, stats.Pair{From: obs(i, s), To: obs(int(j), s2)})
						}
					}
				}
			}
		}
		stnb, err := stats.NewNeighbors(len(x), pairs)
		if err != nil {
			t.Fatal(err)
		}
		g, err := stats.GiStar(x, stnb)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < nc; i++ {
			z[i*bins+b], def[i*bins+b] = g[obs(i, b)].Z, g[obs(i, b)].Defined
		}
	}
	return z, def
}

func TestAnalyzeMatchesExplicitNeighbourhoods(t *testing.T) {
	tests := []struct {
		name string
		opt  Options
	}{
		{"ring 1, per bin", Options{}},
		{"ring 2, per bin", Options{Ring: 2}},
		{"ring 1, whole cube", Options{WholeCubeStats: true}},
		{"ring 1, time step 2, per bin", Options{TimeStep: 2}},
		{"ring 2, time step 1, whole cube", Options{Ring: 2, TimeStep: 1, WholeCubeStats: true}},
	}
	c := diskCube(t, 3, 6)
	randomFill(t, c, 42)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Analyze(context.Background(), c, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			ring := max(tc.opt.Ring, 1)
			nb, _ := c.Neighbors(ring)
			z, def := bruteGiStar(t, c, nb, tc.opt.TimeStep, tc.opt.WholeCubeStats)
			for k := range z {
				if def[k] != r.Defined[k] || math.Abs(z[k]-r.Z[k]) > 1e-9 {
					t.Fatalf("cell %d bin %d: z %v (defined %v), want %v (%v)", k/c.Bins(), k%c.Bins(), r.Z[k], r.Defined[k], z[k], def[k])
				}
			}
		})
	}
}

func TestAnalyzeFDR(t *testing.T) {
	c := diskCube(t, 4, 5)
	randomFill(t, c, 3)
	plain, _ := Analyze(context.Background(), c, Options{})
	adj, err := Analyze(context.Background(), c, Options{FDR: true})
	if err != nil {
		t.Fatal(err)
	}
	nc := len(c.Cells())
	for b := 0; b < 5; b++ {
		p := make([]float64, nc)
		for i := range p {
			p[i] = plain.P[i*5+b]
		}
		want := stats.BenjaminiHochberg(p)
		for i := range p {
			if math.Abs(adj.P[i*5+b]-want[i]) > 1e-15 || adj.Z[i*5+b] != plain.Z[i*5+b] {
				t.Fatalf("cell %d bin %d: adjusted p %v, want %v", i, b, adj.P[i*5+b], want[i])
			}
		}
	}
}

func TestAnalyzeOptionsAndCancel(t *testing.T) {
	c := diskCube(t, 1, 3)
	for _, o := range []Options{{Ring: -1}, {TimeStep: -1}, {Alpha: 1}, {Alpha: -0.1}} {
		if _, err := Analyze(context.Background(), c, o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Analyze(ctx, c, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled analysis: %v", err)
	}
}

func TestCubeErrors(t *testing.T) {
	cell := geo.CellOf(hanoi, 9)
	other := geo.CellOf(hanoi, 8)
	tests := []struct {
		name  string
		cells []geo.Cell
		bins  int
		want  error
	}{
		{"no cells", nil, 3, ErrBadUniverse},
		{"zero bins", []geo.Cell{cell}, 0, ErrBadBin},
		{"too many bins", []geo.Cell{cell}, MaxBins + 1, ErrBadBin},
		{"invalid cell", []geo.Cell{cell, 12345}, 3, ErrBadUniverse},
		{"repeated cell", []geo.Cell{cell, cell}, 3, ErrBadUniverse},
		{"mixed resolutions", []geo.Cell{cell, other}, 3, ErrBadUniverse},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewCube(tc.cells, tc.bins); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	c, _ := NewCube([]geo.Cell{cell}, 2)
	for _, a := range []struct {
		cell  geo.Cell
		bin   int
		count float64
		want  error
	}{
		{other, 0, 1, ErrUnknownCell}, {cell, 2, 1, ErrBadBin}, {cell, -1, 1, ErrBadBin},
		{cell, 0, -1, ErrBadCount}, {cell, 0, math.NaN(), ErrBadCount}, {cell, 0, math.Inf(1), ErrBadCount},
	} {
		if err := c.Add(a.cell, a.bin, a.count); !errors.Is(err, a.want) {
			t.Errorf("Add(%v, %d, %v) = %v, want %v", a.cell, a.bin, a.count, err, a.want)
		}
	}
}

func TestReadCube(t *testing.T) {
	a, b := geo.CellOf(hanoi, 9), geo.CellOf(geo.Point{Lon: 105.86, Lat: 21.03}, 9)
	in := "cell,bin,count\n" + a.String() + ",2,3\n" + b.String() + ",0,0\n" + a.String() + ",0,1.5\n"
	c, err := ReadCube(strings.NewReader(in), 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Bins() != 3 || len(c.Cells()) != 2 || c.Cells()[0] != a {
		t.Fatalf("cube %d bins, cells %v", c.Bins(), c.Cells())
	}
	if s := c.Series(0); s[0] != 1.5 || s[1] != 0 || s[2] != 3 {
		t.Errorf("series of a = %v", s)
	}
	if c, err := ReadCube(strings.NewReader(in), 5); err != nil || c.Bins() != 5 {
		t.Errorf("with bins 5: %v", err)
	}

	res8 := geo.CellOf(hanoi, 8).String()
	tests := []struct {
		name, input string
		bins        int
		line        int
		field       string
	}{
		{"no header", "", 0, 1, ""},
		{"wrong header", "cell,t,count\n", 0, 1, "bin"},
		{"bad cell", "cell,bin,count\nzzz,0,1\n", 0, 2, "cell"},
		{"negative bin", "cell,bin,count\n" + a.String() + ",-1,1\n", 0, 2, "bin"},
		{"bin beyond the given bins", "cell,bin,count\n" + a.String() + ",3,1\n", 3, 2, "bin"},
		{"negative count", "cell,bin,count\n" + a.String() + ",0,-2\n", 0, 2, "count"},
		{"count not a number", "cell,bin,count\n" + a.String() + ",0,many\n", 0, 2, "count"},
		{"duplicate row", "cell,bin,count\n" + a.String() + ",0,1\n" + b.String() + ",0,1\n" + a.String() + ",0,2\n", 0, 4, "bin"},
		{"mixed resolutions", "cell,bin,count\n" + a.String() + ",0,1\n" + res8 + ",0,1\n", 0, 3, "cell"},
		{"missing field", "cell,bin,count\n" + a.String() + ",0\n", 0, 2, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCube(strings.NewReader(tc.input), tc.bins)
			var ce *stats.CSVError
			if !errors.As(err, &ce) || ce.Line != tc.line || ce.Field != tc.field {
				t.Errorf("err = %v, want line %d field %q", err, tc.line, tc.field)
			}
		})
	}
	if _, err := ReadCube(strings.NewReader("cell,bin,count\n"), 0); !errors.Is(err, ErrBadUniverse) {
		t.Errorf("empty cube: %v", err)
	}
}

func FuzzReadCube(f *testing.F) {
	a := geo.CellOf(hanoi, 9).String()
	for _, s := range []string{
		"cell,bin,count\n" + a + ",0,1\n" + a + ",3,2\n",
		"cell,bin,count\n" + a + ",0,1\n" + a + ",0,1\n",
		"cell,bin,count\n" + a + ",-1,1\n", "cell,bin,count\n8928308280fffff,0,1\n",
		"cell,bin,count\n", "", "cell,bin,count\nffffffffffffffff,0,1\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ReadCube(strings.NewReader(s), 0)
		if err != nil {
			return
		}
		if len(c.Cells()) > 200 || c.Bins() > 50 {
			return // keep each run cheap
		}
		r, err := Analyze(context.Background(), c, Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		for k := range r.Z {
			if math.IsNaN(r.Z[k]) || math.IsNaN(r.P[k]) {
				t.Fatal("NaN in result")
			}
		}
	})
}

func TestCubeNeighbors(t *testing.T) {
	c := diskCube(t, 2, 1) // 19 cells: the centre, ring 1 (6), ring 2 (12)
	centre := geo.CellOf(hanoi, 9)
	tests := []struct {
		name string
		ring int
		cell geo.Cell
		want int
	}{
		{"centre, ring 1", 1, centre, 6},
		{"centre, ring 2", 2, centre, 18},
		{"outer cell, ring 1, cut by the universe", 1, c.Cells()[18], 3},
		{"outer cell, ring 4 holds everyone else", 4, c.Cells()[18], 18},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nb, err := c.Neighbors(tc.ring)
			if err != nil {
				t.Fatal(err)
			}
			i, _ := c.Index(tc.cell)
			got := nb.Of(i)
			if len(got) != tc.want {
				t.Errorf("%d neighbours, want %d", len(got), tc.want)
			}
			for _, j := range got {
				if int(j) == i {
					t.Error("a cell is its own neighbour")
				}
				back := false
				for _, k := range nb.Of(int(j)) {
					back = back || int(k) == i
				}
				if !back {
					t.Errorf("neighbour %d does not list %d back", j, i)
				}
			}
		})
	}
	if a, _ := c.Neighbors(1); a != mustNeighbors(t, c, 1) {
		t.Error("neighbour lists are rebuilt, not shared")
	}
	if _, err := c.Neighbors(-1); err == nil {
		t.Error("negative ring accepted")
	}
}

func mustNeighbors(t *testing.T, c *Cube, ring int) *stats.Neighbors {
	t.Helper()
	nb, err := c.Neighbors(ring)
	if err != nil {
		t.Fatal(err)
	}
	return nb
}

package emerging

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot/stats"
)

// benchCube is 100,000 res-9 cells around Hanoi (a grid disk of radius 183,
// cut to size) by 60 monthly bins of Poisson-like counts.
func benchCube(b *testing.B, cells, bins int) *Cube {
	b.Helper()
	disk := geo.CellOf(hanoi, 9).Disk(183)[:cells]
	c, err := NewCube(disk, bins)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range c.counts {
		// mostly zeros, a few events: a realistic sparse count cube
		if rng.IntN(10) == 0 {
			c.counts[i] = float64(1 + rng.IntN(5))
		}
	}
	return c
}

// BenchmarkAnalyze is the whole analysis of 100,000 cells × 60 bins with
// ring 1: Gi* for every bin, Mann–Kendall and the category of every cell.
// The neighbour lists are built before the timer (once per cube).
func BenchmarkAnalyze(b *testing.B) {
	for _, bc := range []struct {
		name string
		opt  Options
	}{
		{"ring1", Options{}},
		{"ring1_fdr", Options{FDR: true}},
		{"ring1_timestep1", Options{TimeStep: 1}},
		{"ring1_1worker", Options{Workers: 1}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := benchCube(b, 100_000, 60)
			if _, err := c.Neighbors(1); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := Analyze(context.Background(), c, bc.opt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNeighbors builds the ring-1 neighbour lists of 100,000 cells
// (the one-off cost Analyze pays on a fresh cube).
func BenchmarkNeighbors(b *testing.B) {
	c := benchCube(b, 100_000, 1)
	b.ResetTimer()
	for b.Loop() {
		c.neighbors = make(map[int]*stats.Neighbors)
		if _, err := c.Neighbors(1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGiStarOneBin is stats.GiStar on one bin of the benchmark cube
// (100,000 cells, ring 1): the computation bench/emerging/compare.sh times
// against R spdep's localG.
func BenchmarkGiStarOneBin(b *testing.B) {
	c := benchCube(b, 100_000, 1)
	nb, err := c.Neighbors(1)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := stats.GiStar(c.counts, nb); err != nil {
			b.Fatal(err)
		}
	}
}

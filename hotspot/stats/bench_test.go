package stats

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkMannKendallTrend is one cell's trend test in the emerging
// analysis: 60 bins.
func BenchmarkMannKendallTrend(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 60)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	x[3], x[9], x[20] = 0, 0, 0 // a few ties, as undefined bins give
	scratch := make([]float64, len(x))
	for b.Loop() {
		MannKendallTrend(x, scratch)
	}
}

// BenchmarkBenjaminiHochberg100k adjusts one bin of the emerging benchmark.
func BenchmarkBenjaminiHochberg100k(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	p := make([]float64, 100_000)
	for i := range p {
		p[i] = rng.Float64()
	}
	dst := make([]float64, len(p))
	scratch := make([]float64, 2*len(p))
	for b.Loop() {
		BenjaminiHochbergInto(dst, p, scratch)
	}
}

package stats_test

import (
	"fmt"

	"github.com/diaban/diaban/hotspot/stats"
)

func ExampleMannKendall() {
	monthly := []float64{3, 4, 4, 6, 5, 8, 9, 9, 12, 11}
	r := stats.MannKendall(monthly)
	fmt.Printf("S=%.0f z=%.2f p=%.4f slope=%.2f/month\n", r.S, r.Z, r.P, r.SenSlope)
	// Output: S=39 z=3.43 p=0.0006 slope=1.00/month
}

func ExampleGiStar() {
	// Five places on a line, each the neighbour of the next; the high
	// counts cluster at the end.
	nb, _ := stats.NeighborsFromLists([][]int{{1}, {0, 2}, {1, 3}, {2, 4}, {3}})
	g, _ := stats.GiStar([]float64{0, 1, 0, 7, 9}, nb)
	for i, l := range g {
		fmt.Printf("%d: z=%+.2f p=%.3f\n", i, l.Z, l.P)
	}
	// Output:
	// 0: z=-1.24 p=0.216
	// 1: z=-1.96 p=0.050
	// 2: z=-0.47 p=0.639
	// 3: z=+1.24 p=0.216
	// 4: z=+1.96 p=0.050
}

func ExampleBenjaminiHochberg() {
	p := []float64{0.001, 0.02, 0.03, 0.2}
	for _, q := range stats.BenjaminiHochberg(p) {
		fmt.Printf("%.3g ", q)
	}
	// Output: 0.004 0.04 0.04 0.2
}

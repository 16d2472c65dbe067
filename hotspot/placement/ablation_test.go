package placement_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/diaban/diaban/hotspot/placement"
	"github.com/diaban/diaban/hotspot/placement/internal/synth"
)

// TestILSAblation measures the iterated local search's parts: for each
// variant (see ilsVariant), the weight after greedy, swaps and 20·K rounds,
// as a share of the proven optimum (CBC), averaged over three seeds, on the
// instances where greedy and swaps fall furthest short.
func TestILSAblation(t *testing.T) {
	if os.Getenv("PLACEMENT_ABLATION") == "" {
		t.Skip("a measurement: PLACEMENT_ABLATION=1 go test -run TestILSAblation -v")
	}
	type inst struct {
		city string
		seed uint64
		n    int
		fov  float64
		k    int
		opt  float64
	}
	set := []inst{
		{"monaco", 31, 3000, 360, 5, 2421.072}, {"monaco", 31, 3000, 360, 10, 3821.394}, {"monaco", 31, 3000, 360, 20, 5624.179},
		{"monaco", 31, 3000, 360, 35, 6779.020}, {"monaco", 31, 3000, 360, 50, 7078.588}, {"monaco", 31, 3000, 60, 50, 5414.768},
		{"monaco", 31, 3000, 90, 50, 6000.067}, {"aguascalientes", 32, 4000, 360, 20, 7684.949}, {"aguascalientes", 32, 4000, 360, 35, 9270.371},
		{"aguascalientes", 32, 4000, 360, 50, 9999.489}, {"aguascalientes", 32, 4000, 90, 50, 7745.196}, {"aguascalientes", 32, 4000, 60, 50, 6956.869},
		{"campogrande", 33, 4000, 360, 35, 6033.283}, {"campogrande", 33, 4000, 360, 50, 7170.798}, {"campogrande", 33, 4000, 60, 10, 1502.348},
		{"campogrande", 33, 4000, 60, 20, 2403.614},
	}
	variants := []int{0, 1, 2, 4, 8, 15}
	const rounds = 20
	sum := make([]float64, len(variants))
	worst := make([]float64, len(variants))
	for i := range worst {
		worst[i] = 2
	}
	for _, in := range set {
		sites := readJunctions(t, in.city)
		demand := synth.Streets(sites, synth.Config{Seed: in.seed, Demand: in.n, Clusters: 12})
		c, _ := placement.NewCandidates(demand, sites, placement.Model{RangeM: 120, FOV: in.fov}, nil)
		var line []string
		for i, v := range variants {
			r := 0.0
			for seed := uint64(1); seed <= 3; seed++ {
				r += placement.ILSOnly(c, in.k, rounds*in.k, v, seed) / in.opt / 3
			}
			sum[i] += r
			worst[i] = min(worst[i], r)
			line = append(line, fmt.Sprintf("%.5f", r))
		}
		greedy := placement.ILSOnly(c, in.k, 0, 0, 1) / in.opt
		t.Logf("%s fov%g k%d: swap %.5f | %s", in.city, in.fov, in.k, greedy, strings.Join(line, " "))
	}
	for i, v := range variants {
		t.Logf("variant %2d: mean %.5f worst %.5f", v, sum[i]/float64(len(set)), worst[i])
	}
}

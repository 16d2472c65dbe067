package placement_test

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot/placement"
	"github.com/diaban/diaban/hotspot/placement/internal/synth"
)

// cbcOptima reads the optima CBC proved for the planbench instances
// (bench/placement/cbc_optima.tsv): instance name -> covered weight.
func cbcOptima(t *testing.T) map[string]float64 {
	t.Helper()
	f, err := os.Open("../../bench/placement/cbc_optima.tsv")
	if err != nil {
		t.Skipf("no CBC optima: %v", err)
	}
	defer f.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "\t")
		if len(fs) != 4 || fs[2] != "optimal" {
			continue
		}
		v, err := strconv.ParseFloat(fs[1], 64)
		if err != nil {
			t.Fatalf("%q: %v", sc.Text(), err)
		}
		out[fs[0]] = v
	}
	return out
}

// TestAgainstCBC solves planbench's street instances (the same junctions,
// demand seeds and sizes) where greedy and swaps fall furthest short and
// compares with the optima CBC proved: the plan within 0.5 %, a plan said
// optimal equal to CBC's, the stated gap never below the true one.
func TestAgainstCBC(t *testing.T) {
	if testing.Short() {
		t.Skip("solves for seconds")
	}
	optima := cbcOptima(t)
	demandOf := map[string]struct {
		seed uint64
		n    int
	}{"monaco": {31, 3000}, "aguascalientes": {32, 4000}, "campogrande": {33, 4000}, "gothenburg": {34, 6000}}
	for _, name := range []string{
		"streets/gothenburg/fov90/k20",      // the failing case: 98.67 % before
		"streets/monaco/fov90/k35",          // greedy and swaps at 99.24 %
		"streets/aguascalientes/fov360/k35", // not proven within the limit
		"streets/monaco/fov360/k5",          // greedy and swaps at 95.66 %
		"streets/campogrande/fov60/k50",
	} {
		t.Run(name, func(t *testing.T) {
			opt, ok := optima[name]
			if !ok {
				t.Skip("no CBC optimum recorded")
			}
			var city string
			var fov float64
			var k int
			if _, err := fmt.Sscanf(strings.ReplaceAll(name, "/", " "), "streets %s fov%g k%d", &city, &fov, &k); err != nil {
				t.Fatal(err)
			}
			sites := readJunctions(t, city)
			d := demandOf[city]
			demand := synth.Streets(sites, synth.Config{Seed: d.seed, Demand: d.n, Clusters: 12})
			res, err := placement.Plan(demand, sites, placement.Model{RangeM: 120, FOV: fov}, nil,
				placement.Options{K: k, TimeLimit: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			trueGap := (opt - res.CoveredWeight) / opt
			t.Logf("CBC %.3f, plan %.3f (%.5f), greedy+swap %.5f, optimal %v, stated gap %.4f %%, true %.4f %%, %d nodes, %.1f s",
				opt, res.CoveredWeight, res.CoveredWeight/opt, res.HeuristicWeight/opt, res.Optimal, 100*res.Gap, 100*trueGap, res.Nodes, res.Seconds)
			tol := 1e-6 * res.TotalWeight // the file keeps 6 decimals
			if res.CoveredWeight > opt+tol {
				t.Errorf("plan %.6f beats CBC's optimum %.6f", res.CoveredWeight, opt)
			}
			if res.CoveredWeight < 0.995*opt {
				t.Errorf("plan %.6f below 99.5 %% of CBC's optimum %.6f", res.CoveredWeight, opt)
			}
			if res.Optimal && res.CoveredWeight < opt-tol {
				t.Errorf("said optimal at %.6f, CBC's optimum %.6f", res.CoveredWeight, opt)
			}
			if res.Gap < trueGap-1e-6 {
				t.Errorf("stated gap %v below the true gap %v", res.Gap, trueGap)
			}
		})
	}
}

package placement_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot/placement"
	"github.com/diaban/diaban/hotspot/placement/internal/synth"
)

// tinyInstances are instances small enough to enumerate every plan:
// random and street-like demand, fields of view of 60°, 90° and 360°.
func tinyInstances(t *testing.T) []struct {
	name string
	c    *placement.Candidates
	nb   int
} {
	t.Helper()
	var out []struct {
		name string
		c    *placement.Candidates
		nb   int
	}
	for seed := uint64(1); seed <= 6; seed++ {
		demand, sites := synth.Generate(synth.Config{Seed: seed, Demand: 150, Sites: 9, Clusters: 3, SizeM: 350})
		if seed%2 == 0 {
			demand = synth.Streets(sites, synth.Config{Seed: seed, Demand: 150, Clusters: 2})
		}
		for _, fov := range []float64{60, 90, 360} {
			model := placement.Model{RangeM: 110, FOV: fov, Bearings: []float64{0, 90, 180, 270}}
			c, err := placement.NewCandidates(demand, sites, model, nil)
			if err != nil {
				t.Fatal(err)
			}
			nb := 4
			if fov == 360 {
				nb = 1
			}
			out = append(out, struct {
				name string
				c    *placement.Candidates
				nb   int
			}{fmt.Sprintf("seed%d/fov%g", seed, fov), c, nb})
		}
	}
	return out
}

// TestBranchAndBoundBruteForce checks the proven optimum against every
// plan, with a weak root bound (few subgradient steps) so that the branch
// and bound has to branch, and the stated gap of a search cut short.
func TestBranchAndBoundBruteForce(t *testing.T) {
	branched := 0
	for _, in := range tinyInstances(t) {
		for _, k := range []int{2, 4} {
			for _, cap := range []int{1, 2} {
				if in.nb == 1 && cap > 1 {
					continue
				}
				opt := bruteForce(in.c, k, cap, in.nb)
				tol := 1e-9 * in.c.TotalWeight()
				for _, iters := range []int{-1, 3, 0} {
					res, err := in.c.Solve(placement.Options{K: k, MaxPerSite: cap, BoundIterations: iters, TimeLimit: 20 * time.Second})
					if err != nil {
						t.Fatal(err)
					}
					if res.Nodes > 0 {
						branched++
					}
					if !res.Optimal || res.Gap != 0 {
						t.Errorf("%s k %d cap %d iters %d: not proven (gap %g) in 20 s", in.name, k, cap, iters, res.Gap)
					}
					if math.Abs(res.CoveredWeight-opt) > tol {
						t.Errorf("%s k %d cap %d iters %d: proven optimum %v, brute force %v", in.name, k, cap, iters, res.CoveredWeight, opt)
					}
				}
				// a search cut short states a gap no smaller than the true one
				res, err := in.c.Solve(placement.Options{K: k, MaxPerSite: cap, BoundIterations: 2, TimeLimit: time.Nanosecond})
				if err != nil {
					t.Fatal(err)
				}
				if res.UpperBound < opt-tol {
					t.Errorf("%s k %d cap %d: bound %v below the optimum %v", in.name, k, cap, res.UpperBound, opt)
				}
				if trueGap := (opt - res.CoveredWeight) / opt; res.Gap < trueGap-1e-9 {
					t.Errorf("%s k %d cap %d: stated gap %v below the true gap %v", in.name, k, cap, res.Gap, trueGap)
				}
				if res.Optimal && math.Abs(res.CoveredWeight-opt) > tol {
					t.Errorf("%s k %d cap %d: claims optimal at %v, optimum %v", in.name, k, cap, res.CoveredWeight, opt)
				}
			}
		}
	}
	if branched == 0 {
		t.Error("no instance needed branching: the test does not exercise the branch and bound")
	}
	t.Logf("%d solves branched", branched)
}

// TestStatedGapHonest cuts the search short on instances too large to prove
// quickly and checks the stated gap against the optimum proven with time.
func TestStatedGapHonest(t *testing.T) {
	if testing.Short() {
		t.Skip("proves optima")
	}
	sites := readJunctions(t, "monaco")
	demand := synth.Streets(sites, synth.Config{Seed: 31, Demand: 3000, Clusters: 12})
	c, err := placement.NewCandidates(demand, sites, placement.Model{RangeM: 120, FOV: 90}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const k = 35
	full, err := c.Solve(placement.Options{K: k, TimeLimit: 60 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !full.Optimal {
		t.Skipf("not proven within 60 s (gap %g): no reference", full.Gap)
	}
	for _, limit := range []time.Duration{time.Nanosecond, 50 * time.Millisecond, 300 * time.Millisecond, -1} {
		res, err := c.Solve(placement.Options{K: k, TimeLimit: limit})
		if err != nil {
			t.Fatal(err)
		}
		trueGap := (full.CoveredWeight - res.CoveredWeight) / full.CoveredWeight
		t.Logf("limit %v: plan %.3f, optimum %.3f, stated gap %.5f %%, true gap %.5f %%, optimal %v",
			limit, res.CoveredWeight, full.CoveredWeight, 100*res.Gap, 100*trueGap, res.Optimal)
		if res.Gap < trueGap-1e-9 || res.UpperBound < full.CoveredWeight-1e-9*res.TotalWeight {
			t.Errorf("limit %v: stated gap %v (bound %v) below the true gap %v (optimum %v)", limit, res.Gap, res.UpperBound, trueGap, full.CoveredWeight)
		}
		if res.CoveredWeight > full.CoveredWeight+1e-9*res.TotalWeight {
			t.Errorf("limit %v: plan %v beats the proven optimum %v", limit, res.CoveredWeight, full.CoveredWeight)
		}
	}
}

// TestUnseenStreets plans on the junctions of three cities the planner was
// not tuned on (OpenStreetMap; see testdata/README.md) with street demand:
// the plan must be proven optimal or within 0.5 % of its proven bound, and
// the weight it claims must be what its cameras really cover.
func TestUnseenStreets(t *testing.T) {
	if testing.Short() {
		t.Skip("solves to optimality")
	}
	for _, tc := range []struct {
		city string
		fov  float64
		k    int
	}{
		{"monaco", 90, 20}, {"monaco", 60, 35}, {"monaco", 360, 10},
		{"aguascalientes", 90, 20}, {"aguascalientes", 60, 10}, {"aguascalientes", 360, 5},
		{"campogrande", 90, 20}, {"campogrande", 60, 50}, {"campogrande", 360, 20},
	} {
		t.Run(fmt.Sprintf("%s/fov%g/k%d", tc.city, tc.fov, tc.k), func(t *testing.T) {
			sites := readJunctions(t, tc.city)
			demand := synth.Streets(sites, synth.Config{Seed: 7, Demand: 3000, Clusters: 12})
			model := placement.Model{RangeM: 120, FOV: tc.fov}
			res, err := placement.Plan(demand, sites, model, nil, placement.Options{K: tc.k, TimeLimit: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("plan %.3f (greedy+swap %.3f), bound %.3f, optimal %v, gap %.4f %%, %d nodes, %.2f s",
				res.CoveredWeight, res.HeuristicWeight, res.UpperBound, res.Optimal, 100*res.Gap, res.Nodes, res.Seconds)
			if len(res.Chosen) > tc.k {
				t.Errorf("%d cameras for a budget of %d", len(res.Chosen), tc.k)
			}
			if res.CoveredWeight < 0.995*res.UpperBound {
				t.Errorf("plan %.3f is below 99.5 %% of the proven bound %.3f", res.CoveredWeight, res.UpperBound)
			}
			if got := recount(t, demand, sites, model, res.Chosen); math.Abs(got-res.CoveredWeight) > 1e-6*res.TotalWeight {
				t.Errorf("claims %.6f covered, its cameras cover %.6f", res.CoveredWeight, got)
			}
		})
	}
}

// recount measures a plan's cover with Coverage, apart from the solver.
func recount(t *testing.T, demand []placement.DemandPoint, sites []placement.Site, m placement.Model, plan []placement.Choice) float64 {
	t.Helper()
	at := map[string]geo.Point{}
	for _, s := range sites {
		at[s.ID] = s.Point
	}
	var cams []placement.Camera
	for _, ch := range plan {
		cams = append(cams, placement.Camera{Ref: ch.Site, Owner: placement.OwnerPolice, Status: placement.StatusPlanned,
			View: geo.FieldOfView{Site: at[ch.Site], Bearing: ch.Bearing, FOV: m.FOV, RangeM: m.RangeM}})
	}
	r, err := placement.Coverage(demand, cams, 0)
	if err != nil {
		t.Fatal(err)
	}
	return r.Get(placement.Scope{}).WeightCovered
}

func readJunctions(t *testing.T, city string) []placement.Site {
	t.Helper()
	f, err := openTestdata("junctions_" + city + ".csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sites, err := placement.ReadSitesCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	return sites
}

func openTestdata(name string) (*os.File, error) { return os.Open(filepath.Join("testdata", name)) }

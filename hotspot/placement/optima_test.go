package placement_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/diaban/diaban/hotspot/placement"
)

type instanceParams struct {
	K          int       `json:"k"`
	MaxPerSite int       `json:"max_per_site"`
	RangeM     float64   `json:"range_m"`
	FOV        float64   `json:"fov"`
	Bearings   []float64 `json:"bearings"`
}

func readInstance(t *testing.T, dir string) ([]placement.DemandPoint, []placement.Site, []placement.Camera, instanceParams) {
	t.Helper()
	open := func(name string) *os.File {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	demand, err := placement.ReadDemandCSV(open("demand.csv"))
	if err != nil {
		t.Fatal(err)
	}
	sites, err := placement.ReadSitesCSV(open("sites.csv"))
	if err != nil {
		t.Fatal(err)
	}
	existing, err := placement.ReadCamerasCSV(open("existing.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var p instanceParams
	raw, err := os.ReadFile(filepath.Join(dir, "params.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	return demand, sites, existing, p
}

// TestExactOptima compares the planner with the optima CBC proved for the
// instances under testdata/optima (regenerate with testdata/make_optima.sh):
// the plan must reach 99.5 % of the optimum, a plan said optimal must be
// the optimum, and the bound never fall below it.
func TestExactOptima(t *testing.T) {
	dirs, err := filepath.Glob("testdata/optima/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no instances: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			demand, sites, existing, p := readInstance(t, dir)
			raw, err := os.ReadFile(filepath.Join(dir, "optimum.txt"))
			if err != nil {
				t.Fatal(err)
			}
			opt, err := strconv.ParseFloat(strings.TrimSpace(string(raw)), 64)
			if err != nil {
				t.Fatal(err)
			}
			model := placement.Model{RangeM: p.RangeM, FOV: p.FOV, Bearings: p.Bearings}
			res, err := placement.Plan(demand, sites, model, existing, placement.Options{K: p.K, MaxPerSite: p.MaxPerSite})
			if err != nil {
				t.Fatal(err)
			}
			tol := 1e-6 * res.TotalWeight // the optimum file keeps 6 decimals
			t.Logf("optimum %.3f, plan %.3f (%.4f), greedy %.3f, bound %.3f (%.4f), optimal %v, gap %g, %d nodes",
				opt, res.CoveredWeight, res.CoveredWeight/opt, res.GreedyWeight, res.UpperBound, res.UpperBound/opt, res.Optimal, res.Gap, res.Nodes)
			if res.CoveredWeight > opt+tol {
				t.Errorf("plan %.6f beats the proven optimum %.6f: the instance and the solver disagree", res.CoveredWeight, opt)
			}
			if res.CoveredWeight < 0.995*opt {
				t.Errorf("plan %.6f is below 99.5%% of the optimum %.6f", res.CoveredWeight, opt)
			}
			if res.Optimal && res.CoveredWeight < opt-tol {
				t.Errorf("plan %.6f said optimal, CBC's optimum %.6f", res.CoveredWeight, opt)
			}
			if trueGap := (opt - res.CoveredWeight) / opt; res.Gap < trueGap-1e-6 {
				t.Errorf("stated gap %v below the true gap %v", res.Gap, trueGap)
			}
			if res.UpperBound < opt-tol {
				t.Errorf("upper bound %.6f is below the optimum %.6f", res.UpperBound, opt)
			}
			if len(res.Chosen) > p.K {
				t.Errorf("chose %d cameras, budget %d", len(res.Chosen), p.K)
			}
		})
	}
}

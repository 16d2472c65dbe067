package placement_test

import (
	"sync"
	"testing"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot/placement"
	"github.com/diaban/diaban/hotspot/placement/internal/synth"
)

// The benchmark size of issue 5: 100,000 demand points and 10,000 sites
// (8 bearings each) over 10 km × 10 km of Hanoi, 90° cameras of 120 m, K = 50.
var benchCfg = synth.Config{Seed: 5, Demand: 100_000, Sites: 10_000, Clusters: 200, SizeM: 10_000}

var benchData = sync.OnceValues(func() ([]placement.DemandPoint, []placement.Site) {
	return synth.Generate(benchCfg)
})

var benchModel = placement.Model{RangeM: 120, FOV: 90}

// BenchmarkPlan is the heuristic answer at the size: coverage sets,
// greedy, swaps, a 50-step bound and its restarts (TimeLimit < 0: no branch
// and bound). The issue asks for under 2 s.
func BenchmarkPlan(b *testing.B) {
	demand, sites := benchData()
	var res placement.Result
	for b.Loop() {
		var err error
		res, err = placement.Plan(demand, sites, benchModel, nil, placement.Options{K: 50, TimeLimit: -1})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.CoveredWeight/res.UpperBound, "ratio_to_bound")
	b.ReportMetric(float64(res.Swaps), "swaps")
}

// BenchmarkPlanProof is the whole default planning at the size:
// the heuristic answer, then the search for a better plan and a proof
// within the default 10 s limit; it reports the proven gap.
func BenchmarkPlanProof(b *testing.B) {
	demand, sites := benchData()
	var res placement.Result
	for b.Loop() {
		var err error
		res, err = placement.Plan(demand, sites, benchModel, nil, placement.Options{K: 50})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(100*res.Gap, "gap_%")
	b.ReportMetric(res.HeuristicWeight/res.CoveredWeight, "heuristic/final")
	b.ReportMetric(float64(res.Nodes), "nodes")
}

// BenchmarkCandidates is the coverage-set half of BenchmarkPlan.
func BenchmarkCandidates(b *testing.B) {
	demand, sites := benchData()
	for b.Loop() {
		if _, err := placement.NewCandidates(demand, sites, benchModel, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSolve is the solving half of BenchmarkPlan.
func BenchmarkSolve(b *testing.B) {
	demand, sites := benchData()
	c, err := placement.NewCandidates(demand, sites, benchModel, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(c.Pairs()), "pairs")
	for _, tc := range []struct {
		name string
		opts placement.Options
	}{
		{"greedy", placement.Options{K: 50, NoLocalSearch: true, BoundIterations: -1, TimeLimit: -1}},
		{"greedy+swap", placement.Options{K: 50, BoundIterations: -1, TimeLimit: -1}},
		{"greedy+swap+bound", placement.Options{K: 50, TimeLimit: -1}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var res placement.Result
			for b.Loop() {
				res, err = c.Solve(tc.opts)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(res.CoveredWeight/res.TotalWeight, "share")
			b.ReportMetric(res.CoveredWeight/res.UpperBound, "ratio_to_bound")
		})
	}
}

// BenchmarkMoveCamera moves one camera of a 50-camera plan and reports the
// new shares: the planner panel's drag.
func BenchmarkMoveCamera(b *testing.B) {
	demand, sites := benchData()
	res, err := placement.Plan(demand, sites, benchModel, nil, placement.Options{K: 50, TimeLimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	byID := map[string]geo.Point{}
	for _, s := range sites {
		byID[s.ID] = s.Point
	}
	var cams []placement.Camera
	for i, ch := range res.Chosen {
		owner := placement.OwnerPolice
		if i%3 == 0 {
			owner = placement.OwnerCommunity
		}
		cams = append(cams, placement.Camera{Ref: ch.Site, Owner: owner, Status: placement.StatusActive,
			View: geo.FieldOfView{Site: byID[ch.Site], Bearing: ch.Bearing, FOV: 90, RangeM: 120}})
	}
	e, err := placement.NewEvaluator(demand, cams)
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		c := e.Camera(i % e.Len())
		c.View.Bearing = float64((int(c.View.Bearing) + 45) % 360)
		c.View.Site = geo.Destination(c.View.Site, 90, 10)
		if err := e.Set(i%e.Len(), c); err != nil {
			b.Fatal(err)
		}
		_ = e.Report(20)
		i++
	}
}

package placement_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot/placement"
	"github.com/diaban/diaban/hotspot/placement/internal/synth"
)

var origin = synth.Hanoi

func TestCoverage(t *testing.T) {
	demand := []placement.DemandPoint{
		{ID: "n", Point: geo.Destination(origin, 0, 50), Weight: 4, Hotspot: true},
		{ID: "e", Point: geo.Destination(origin, 90, 50), Weight: 3, Hotspot: true},
		{ID: "s", Point: geo.Destination(origin, 180, 50), Weight: 2},
		{ID: "w", Point: geo.Destination(origin, 270, 50), Weight: 1, Hotspot: true},
	}
	cam := func(ref string, brg float64, o placement.Owner, st placement.Status) placement.Camera {
		return placement.Camera{Ref: ref, Owner: o, Status: st, View: geo.FieldOfView{Site: origin, Bearing: brg, FOV: 60, RangeM: 100}}
	}
	cams := []placement.Camera{
		cam("pn", 0, placement.OwnerPolice, placement.StatusActive),
		cam("ce", 90, placement.OwnerCommunity, placement.StatusPlanned),
		cam("ps", 180, placement.OwnerPolice, placement.StatusOffline),
	}
	r, err := placement.Coverage(demand, cams, 10)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		scope       placement.Scope
		weight      float64
		hotspots    int
		uncoveredID []string
	}{
		{placement.Scope{}, 9, 2, []string{"w"}},
		{placement.Scope{Owner: placement.OwnerPolice}, 6, 1, []string{"e", "w"}},
		{placement.Scope{Owner: placement.OwnerCommunity}, 3, 1, []string{"n", "s", "w"}},
		{placement.Scope{ActiveOnly: true}, 4, 1, []string{"e", "s", "w"}},
		{placement.Scope{Owner: placement.OwnerCommunity, ActiveOnly: true}, 0, 0, []string{"n", "e", "s", "w"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.scope.Owner)+map[bool]string{true: "/active"}[tt.scope.ActiveOnly], func(t *testing.T) {
			sh := r.Get(tt.scope)
			if sh.WeightCovered != tt.weight || sh.HotspotsCovered != tt.hotspots || sh.Weight != 10 || sh.Hotspots != 3 {
				t.Errorf("got weight %v/%v hotspots %v/%v, want %v/10 %v/3", sh.WeightCovered, sh.Weight, sh.HotspotsCovered, sh.Hotspots, tt.weight, tt.hotspots)
			}
			if math.Abs(sh.WeightShare-tt.weight/10) > 1e-12 || math.Abs(sh.HotspotShare-float64(tt.hotspots)/3) > 1e-12 {
				t.Errorf("shares %v %v", sh.WeightShare, sh.HotspotShare)
			}
			var ids []string
			for _, u := range sh.Uncovered {
				ids = append(ids, u.ID)
			}
			if !reflect.DeepEqual(ids, tt.uncoveredID) {
				t.Errorf("uncovered %v, want %v (heaviest first)", ids, tt.uncoveredID)
			}
		})
	}
}

// TestEvaluatorMatchesRecount moves cameras at random and checks the
// incremental counts against a fresh Coverage each time.
func TestEvaluatorMatchesRecount(t *testing.T) {
	demand, sites := synth.Generate(synth.Config{Seed: 3, Demand: 2000, Sites: 100, Clusters: 5, SizeM: 1500})
	r := rand.New(rand.NewPCG(1, 2))
	owners := []placement.Owner{placement.OwnerPolice, placement.OwnerCommunity}
	statuses := []placement.Status{placement.StatusPlanned, placement.StatusActive, placement.StatusOffline}
	randomCam := func() placement.Camera {
		return placement.Camera{Ref: "c", Owner: owners[r.IntN(2)], Status: statuses[r.IntN(3)],
			View: geo.FieldOfView{Site: sites[r.IntN(len(sites))].Point, Bearing: float64(r.IntN(360)), FOV: 30 + float64(r.IntN(331)), RangeM: 50 + float64(r.IntN(150))}}
	}
	var cams []placement.Camera
	for i := 0; i < 20; i++ {
		cams = append(cams, randomCam())
	}
	e, err := placement.NewEvaluator(demand, cams)
	if err != nil {
		t.Fatal(err)
	}
	for step := 0; step < 30; step++ {
		i := r.IntN(len(cams))
		cams[i] = randomCam()
		if err := e.Set(i, cams[i]); err != nil {
			t.Fatal(err)
		}
		want, err := placement.Coverage(demand, cams, 5)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Report(5); !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d: incremental report differs from a recount", step)
		}
	}
	if err := e.Set(99, cams[0]); err == nil {
		t.Error("Set out of range: no error")
	}
}

// TestSolveBruteForce checks the plan and the bound against every plan of
// tiny instances.
func TestSolveBruteForce(t *testing.T) {
	for seed := uint64(1); seed <= 12; seed++ {
		demand, sites := synth.Generate(synth.Config{Seed: seed, Demand: 120, Sites: 7, Clusters: 3, SizeM: 300})
		model := placement.Model{RangeM: 100, FOV: 90, Bearings: []float64{0, 90, 180, 270}}
		c, err := placement.NewCandidates(demand, sites, model, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []int{1, 2, 3} {
			for _, cap := range []int{1, 2} {
				opt := bruteForce(c, k, cap, 4)
				res, err := c.Solve(placement.Options{K: k, MaxPerSite: cap})
				if err != nil {
					t.Fatal(err)
				}
				tol := 1e-9 * res.TotalWeight
				if res.CoveredWeight > opt+tol || res.CoveredWeight < 0.99*opt {
					t.Errorf("seed %d k %d cap %d: plan %v, optimum %v", seed, k, cap, res.CoveredWeight, opt)
				}
				if res.UpperBound < opt-tol {
					t.Errorf("seed %d k %d cap %d: bound %v below the optimum %v", seed, k, cap, res.UpperBound, opt)
				}
			}
		}
	}
}

func bruteForce(c *placement.Candidates, k, cap, nb int) float64 {
	best := 0.0
	var rec func(start int, chosen []int)
	rec = func(start int, chosen []int) {
		covered := map[int32]bool{}
		perSite := map[int]int{}
		for _, o := range chosen {
			perSite[o/nb]++
			if perSite[o/nb] > cap {
				return
			}
			for _, i := range c.Covers(o) {
				covered[i] = true
			}
		}
		v := 0.0
		for i := range covered {
			v += c.Weight(int(i))
		}
		best = math.Max(best, v)
		if len(chosen) == k {
			return
		}
		for o := start; o < c.Options(); o++ {
			rec(o+1, append(chosen, o))
		}
	}
	rec(0, nil)
	return best
}

func TestSolveDeterministic(t *testing.T) {
	demand, sites := synth.Generate(synth.Config{Seed: 9, Demand: 5000, Sites: 800, Clusters: 20, SizeM: 3000})
	model := placement.Model{RangeM: 120, FOV: 90}
	for _, limit := range []time.Duration{-1, 20 * time.Second} {
		opts := placement.Options{K: 25, TimeLimit: limit}
		first, err := placement.Plan(demand, sites, model, nil, opts)
		if err != nil {
			t.Fatal(err)
		}
		// the same input in another order gives the same plan
		shuffled := slices.Clone(sites)
		r := rand.New(rand.NewPCG(4, 4))
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		again, err := placement.Plan(demand, shuffled, model, nil, opts)
		if err != nil {
			t.Fatal(err)
		}
		if limit > 0 {
			// the searches run side by side: proven optima weigh the same,
			// though ties may pick other cameras
			if !first.Optimal || !again.Optimal || first.CoveredWeight != again.CoveredWeight {
				t.Errorf("limit %v: optimal %v %v, weights %v %v", limit, first.Optimal, again.Optimal, first.CoveredWeight, again.CoveredWeight)
			}
		} else if !reflect.DeepEqual(first.Chosen, again.Chosen) || first.CoveredWeight != again.CoveredWeight {
			t.Errorf("limit %v: plans differ:\n%v\n%v", limit, first.Chosen, again.Chosen)
		}
		if first.UpperBound < first.CoveredWeight || first.CoveredWeight < first.GreedyWeight {
			t.Errorf("covered %v, greedy %v, bound %v", first.CoveredWeight, first.GreedyWeight, first.UpperBound)
		}
	}
}

func TestSolveExistingAndLimits(t *testing.T) {
	demand := []placement.DemandPoint{
		{ID: "a", Point: geo.Destination(origin, 0, 50), Weight: 5},
		{ID: "b", Point: geo.Destination(origin, 180, 50), Weight: 3},
	}
	sites := []placement.Site{{ID: "j", Point: origin}}
	model := placement.Model{RangeM: 100, FOV: 90}
	existing := []placement.Camera{{Ref: "x", Owner: placement.OwnerPolice, Status: placement.StatusActive,
		View: geo.FieldOfView{Site: origin, Bearing: 0, FOV: 90, RangeM: 100}}}
	res, err := placement.Plan(demand, sites, model, existing, placement.Options{K: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := []placement.Choice{{Site: "j", Bearing: 135}} // b lies on its edge; 135 sorts before 180
	if !reflect.DeepEqual(res.Chosen, want) || res.CoveredWeight != 8 || res.ExistingWeight != 5 || res.Gain != 3 {
		t.Errorf("got %+v", res)
	}
	existing[0].Status = placement.StatusOffline
	res, _ = placement.Plan(demand, sites, model, existing, placement.Options{K: 1})
	if res.ExistingWeight != 0 || res.CoveredWeight != 5 {
		t.Errorf("an offline camera counted: %+v", res)
	}
	_, err = placement.Plan(demand, sites, model, nil, placement.Options{K: 0})
	var ve *placement.ValidationError
	if !errors.As(err, &ve) || ve.Field != "k" {
		t.Errorf("K 0: %v", err)
	}
	_, err = placement.Plan(append(demand, demand[0]), sites, model, nil, placement.Options{K: 1})
	if !errors.As(err, &ve) || ve.Field != "demand[2].id" {
		t.Errorf("duplicate demand: %v", err)
	}
}

// TestRealJunctions plans on the junctions of central Gothenburg
// (OpenStreetMap, see testdata/README.md) with synthetic demand.
func TestRealJunctions(t *testing.T) {
	f, err := os.Open("testdata/junctions_gothenburg.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sites, err := placement.ReadSitesCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	center := geo.Point{Lon: 11.9675, Lat: 57.704}
	demand, _ := synth.Generate(synth.Config{Seed: 21, Demand: 20000, Clusters: 30, SizeM: 1400, Center: center})
	res, err := placement.Plan(demand, sites, placement.Model{RangeM: 80, FOV: 90}, nil, placement.Options{K: 30})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d junctions: %d cameras cover %.1f of %.1f (%.1f %%), bound %.1f (ratio %.4f), greedy %.1f",
		len(sites), len(res.Chosen), res.CoveredWeight, res.TotalWeight, 100*res.CoveredWeight/res.TotalWeight,
		res.UpperBound, res.CoveredWeight/res.UpperBound, res.GreedyWeight)
	if len(sites) < 1000 || len(res.Chosen) != 30 {
		t.Errorf("%d sites, %d chosen", len(sites), len(res.Chosen))
	}
	if res.CoveredWeight < 0.9*res.UpperBound {
		t.Errorf("plan %v is below 90 %% of its bound %v", res.CoveredWeight, res.UpperBound)
	}
}

// TestExistingStatuses keeps what planned cameras cover apart from what
// installed ones cover, and lets offline cameras cover nothing.
func TestExistingStatuses(t *testing.T) {
	demand := []placement.DemandPoint{
		{ID: "n", Point: geo.Destination(origin, 0, 50), Weight: 5},
		{ID: "e", Point: geo.Destination(origin, 90, 50), Weight: 3},
		{ID: "s", Point: geo.Destination(origin, 180, 50), Weight: 2},
		{ID: "w", Point: geo.Destination(origin, 270, 50), Weight: 1},
	}
	cam := func(ref string, brg float64, st placement.Status) placement.Camera {
		return placement.Camera{Ref: ref, Owner: placement.OwnerPolice, Status: st,
			View: geo.FieldOfView{Site: origin, Bearing: brg, FOV: 60, RangeM: 100}}
	}
	existing := []placement.Camera{
		cam("planned-n", 0, placement.StatusPlanned), // also seen by the active one: counts as installed
		cam("active-n", 0, placement.StatusActive),
		cam("planned-e", 90, placement.StatusPlanned),
		cam("offline-s", 180, placement.StatusOffline),
	}
	sites := []placement.Site{{ID: "j", Point: geo.Destination(origin, 180, 1)}}
	model := placement.Model{RangeM: 100, FOV: 60, Bearings: []float64{0, 90, 180, 270}}
	res, err := placement.Plan(demand, sites, model, existing, placement.Options{K: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.InstalledWeight != 5 || res.PlannedWeight != 3 || res.ExistingWeight != 8 {
		t.Errorf("installed %v, planned %v, existing %v: want 5, 3, 8", res.InstalledWeight, res.PlannedWeight, res.ExistingWeight)
	}
	// the offline camera's point is still to cover, and the best buy
	if want := []placement.Choice{{Site: "j", Bearing: 180}}; !reflect.DeepEqual(res.Chosen, want) || res.CoveredWeight != 10 || !res.Optimal {
		t.Errorf("chose %v covering %v (optimal %v), want %v covering 10", res.Chosen, res.CoveredWeight, res.Optimal, want)
	}
}

// TestSolveDegenerate covers plans with nothing to gain: no sites, no
// weight, a budget above what can help.
func TestSolveDegenerate(t *testing.T) {
	demand := []placement.DemandPoint{
		{ID: "a", Point: geo.Destination(origin, 0, 50), Weight: 5},
		{ID: "z", Point: geo.Destination(origin, 90, 50), Weight: 0},
	}
	sites := []placement.Site{{ID: "j", Point: origin}, {ID: "far", Point: geo.Destination(origin, 0, 5000)}}
	model := placement.Model{RangeM: 100, FOV: 90}
	for _, tc := range []struct {
		name    string
		demand  []placement.DemandPoint
		sites   []placement.Site
		k       int
		covered float64
		chosen  int
	}{
		{"no sites", demand, nil, 3, 0, 0},
		{"no demand", nil, sites, 3, 0, 0},
		{"budget above need", demand, sites, 5, 5, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := placement.Plan(tc.demand, tc.sites, model, nil, placement.Options{K: tc.k})
			if err != nil {
				t.Fatal(err)
			}
			if res.CoveredWeight != tc.covered || len(res.Chosen) != tc.chosen || !res.Optimal || res.Gap != 0 || res.UpperBound != tc.covered {
				t.Errorf("got %+v", res)
			}
		})
	}
}

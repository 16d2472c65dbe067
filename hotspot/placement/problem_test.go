package placement

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"time"

	"github.com/diaban/diaban/geo"
)

// smallCandidates builds a small random instance inside the package (the
// synth package imports this one, so tests here cannot use it).
func smallCandidates(t *testing.T, seed uint64, nSites, nDemand int, fov float64) *Candidates {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	o := geo.Point{Lon: 105.85, Lat: 21.03}
	pt := func(spread float64) geo.Point {
		return geo.Destination(o, r.Float64()*360, spread*math.Sqrt(r.Float64()))
	}
	var demand []DemandPoint
	for i := range nDemand {
		demand = append(demand, DemandPoint{ID: string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676)), Point: pt(250), Weight: 0.5 + r.Float64()})
	}
	var sites []Site
	for i := range nSites {
		sites = append(sites, Site{ID: string(rune('A'+i%26)) + string(rune('A'+i/26)), Point: pt(220)})
	}
	c, err := NewCandidates(demand, sites, Model{RangeM: 110, FOV: fov, Bearings: []float64{0, 90, 180, 270}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// plans calls fn with every feasible plan of p (at most p.k options).
func plans(p *problem, fn func(plan []int32)) {
	used := make([]int32, len(p.slot))
	var rec func(start int32, plan []int32)
	rec = func(start int32, plan []int32) {
		fn(plan)
		if len(plan) == p.k {
			return
		}
		for o := start; o < int32(p.options()); o++ {
			if s := p.site[o]; used[s] < p.slot[s] {
				used[s]++
				rec(o+1, append(plan, o))
				used[s]--
			}
		}
	}
	rec(0, nil)
}

// TestProblemMatchesCandidates checks that merging demand keeps every
// plan's weight.
func TestProblemMatchesCandidates(t *testing.T) {
	c := smallCandidates(t, 1, 6, 200, 90)
	p, keep := newProblem(c, 3, 1)
	if p.elements() >= 200 {
		t.Logf("no demand merged (%d elements)", p.elements())
	}
	mark := make([]bool, p.elements())
	plans(p, func(plan []int32) {
		want := 0.0
		seen := map[int32]bool{}
		for _, o := range plan {
			for _, i := range c.Covers(int(keep[o])) {
				if !seen[i] {
					seen[i] = true
					want += c.Weight(int(i))
				}
			}
		}
		if got := p.value(plan, mark); math.Abs(got-want) > 1e-9 {
			t.Fatalf("plan %v: problem says %v, candidates %v", plan, got, want)
		}
	})
}

// TestRestrictKeepsValues fixes options at random and checks that every
// plan of the restriction weighs what it weighs in the whole problem with
// the forced options added.
func TestRestrictKeepsValues(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for seed := uint64(1); seed <= 20; seed++ {
		c := smallCandidates(t, seed, 7, 120, []float64{60, 90, 360}[seed%3])
		p, _ := newProblem(c, 4, 1+int(seed%2))
		fix := make([]int8, p.options())
		for o := range fix {
			switch r.IntN(6) {
			case 0:
				fix[o] = -1
			case 1:
				if p.feasible(append(forced(fix), int32(o))) {
					fix[o] = 1
				}
			}
		}
		q := p.restrict(fix)
		mark := make([]bool, p.elements())
		qmark := make([]bool, q.elements())
		plans(q, func(plan []int32) {
			full := append([]int32(nil), q.in...)
			for _, o := range plan {
				full = append(full, q.orig[o])
				if fix[q.orig[o]] != 0 {
					t.Fatalf("seed %d: option %d is fixed but free in the restriction", seed, q.orig[o])
				}
			}
			if !p.feasible(full) {
				t.Fatalf("seed %d: plan %v of the restriction is infeasible in the problem", seed, full)
			}
			if got, want := q.value(plan, qmark), p.value(full, mark); math.Abs(got-want) > 1e-9 {
				t.Fatalf("seed %d: plan %v weighs %v restricted, %v whole", seed, full, got, want)
			}
		})
	}
}

func forced(fix []int8) []int32 {
	var in []int32
	for o, f := range fix {
		if f > 0 {
			in = append(in, int32(o))
		}
	}
	return in
}

// TestFixingsSound checks reduced-cost fixing against every plan: a plan
// weighing more than the target must agree with every fixing, for
// multipliers at any stage of the subgradient steps.
func TestFixingsSound(t *testing.T) {
	fixedAny := 0
	for seed := uint64(1); seed <= 20; seed++ {
		c := smallCandidates(t, seed, 7, 150, []float64{60, 90, 360}[seed%3])
		p, _ := newProblem(c, 3, 1+int(seed%2))
		best := 0.0
		mark := make([]bool, p.elements())
		plans(p, func(plan []int32) { best = max(best, p.value(plan, mark)) })
		for _, frac := range []float64{0.9, 0.97, 0.995} {
			for _, iters := range []int{1, 5, 50} {
				lb := frac * best
				d := newDual(p)
				d.startFrom(nil)
				d.optimise(func() float64 { return lb }, 0, iters, 5, 2, farFuture, nil)
				if d.bestL < best-1e-9 {
					t.Fatalf("seed %d: bound %v below the optimum %v", seed, d.bestL, best)
				}
				fix := make([]int8, p.options())
				fixedAny += d.fixings(lb, 0, fix)
				plans(p, func(plan []int32) {
					if p.value(plan, mark) <= lb {
						return
					}
					in := map[int32]bool{}
					for _, o := range plan {
						in[o] = true
						if fix[o] < 0 {
							t.Fatalf("seed %d lb %v: plan %v beats lb but uses ruled-out option %d", seed, lb, plan, o)
						}
					}
					for o, f := range fix {
						if f > 0 && !in[int32(o)] {
							t.Fatalf("seed %d lb %v: plan %v beats lb without forced option %d", seed, lb, plan, o)
						}
					}
				})
			}
		}
	}
	if fixedAny == 0 {
		t.Error("nothing was ever fixed: the test does not exercise fixing")
	}
}

var farFuture = newLimit(context.Background(), time.Now().Add(time.Hour))

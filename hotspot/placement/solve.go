package placement

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultTimeLimit is how long Solve searches for a better plan and a proof
// of optimality when Options.TimeLimit is zero.
const DefaultTimeLimit = 10 * time.Second

// Options tune Solve.
type Options struct {
	K             int  // cameras to add; required, > 0
	MaxPerSite    int  // new cameras per site; 0 means 1
	NoLocalSearch bool // stop after the greedy (for comparisons): no search, no proof

	// BoundIterations caps the subgradient steps tightening the root bound:
	// 0 means 1000 (50 without a proof), < 0 none (the bound of the
	// heuristic's plan only).
	BoundIterations int

	// TimeLimit bounds the search for a better plan and for the proof
	// (root relaxation, iterated local search, branch and bound); 0 means
	// DefaultTimeLimit. A negative limit asks for the heuristic answer only:
	// greedy, swaps and a short bound, no branch and bound.
	TimeLimit time.Duration
}

// Choice is one chosen camera: a site and a bearing.
type Choice struct {
	Site    string  `json:"site"`
	Bearing float64 `json:"bearing"`
}

// Result is a plan and what it achieves. CoveredWeight counts both what the
// existing cameras cover and what the chosen ones add (Gain). UpperBound is
// at least the CoveredWeight of the best possible plan for the same K and
// MaxPerSite, so Gap = (UpperBound − CoveredWeight) / UpperBound is a proven
// bound on how far the plan may be from the optimum.
//
// Optimal says the search proved that no plan covers more than
// CoveredWeight (up to a rounding allowance of 1e-9 of TotalWeight); Gap
// is then 0 and UpperBound equals CoveredWeight.
//
// ExistingWeight is what the existing cameras cover before any new one:
// InstalledWeight by the active ones, PlannedWeight by planned ones
// (accepted earlier but not installed) beyond that. Offline cameras cover
// nothing.
type Result struct {
	Chosen          []Choice `json:"chosen"`
	CoveredWeight   float64  `json:"covered_weight"`
	TotalWeight     float64  `json:"total_weight"`
	UpperBound      float64  `json:"upper_bound"`
	Optimal         bool     `json:"optimal"`
	Gap             float64  `json:"gap"`
	ExistingWeight  float64  `json:"existing_weight"`
	InstalledWeight float64  `json:"installed_weight"`
	PlannedWeight   float64  `json:"planned_weight"`
	Gain            float64  `json:"gain"`
	GreedyWeight    float64  `json:"greedy_weight"`    // CoveredWeight after the greedy alone
	HeuristicWeight float64  `json:"heuristic_weight"` // CoveredWeight after greedy and swaps
	SearchWeight    float64  `json:"search_weight"`    // the best CoveredWeight the iterated local search found by itself (at least HeuristicWeight)
	Swaps           int      `json:"swaps"`            // improving swaps of the first local search
	Nodes           int      `json:"nodes"`            // branch-and-bound nodes explored
	Seconds         float64  `json:"seconds"`          // time Solve took
}

// Solve chooses up to opts.K cameras maximising the covered weight.
//
// First a heuristic answer: a lazy greedy (ties to the lower site id, then
// bearing order) and 1-swap local search. Then, within opts.TimeLimit, the
// proof: the root's Lagrangian relaxation tightened by subgradient steps
// (its plans restart the local search), an iterated local search, options
// ruled out or forced in by reduced costs, and a best-first branch and
// bound that either proves the best plan optimal or leaves a proven gap.
// The plan is deterministic for the same input when the search ends before
// its limit (the usual case below a few thousand candidate cameras). Fewer
// than K cameras are chosen when no further camera covers anything new.
func (c *Candidates) Solve(opts Options) (Result, error) {
	return c.SolveContext(context.Background(), opts)
}

// SolveContext is Solve that stops when ctx ends: every search loop asks
// (the subgradient steps every 16 steps, the branch and bound every node,
// the local searches every swap tried and every round), so a cancelled
// solve returns ctx's error within milliseconds of the end, whatever its
// time limit.
func (c *Candidates) SolveContext(ctx context.Context, opts Options) (Result, error) {
	if opts.K <= 0 {
		return Result{}, invalid("k", "%d is not a positive number of cameras", opts.K)
	}
	if opts.MaxPerSite < 0 {
		return Result{}, invalid("max_per_site", "%d is negative", opts.MaxPerSite)
	}
	start := time.Now()
	limit := opts.TimeLimit
	if limit == 0 {
		limit = DefaultTimeLimit
	}
	prove := limit > 0 && !opts.NoLocalSearch
	deadline := newLimit(ctx, start.Add(limit))

	p, keep := newProblem(c, opts.K, max(opts.MaxPerSite, 1))
	s := newState(p)
	s.cancelled = deadline.cancelled
	s.greedy(nil)
	res := Result{
		TotalWeight: c.totalWeight, ExistingWeight: c.existingWeight,
		InstalledWeight: c.installedWeight, PlannedWeight: c.existingWeight - c.installedWeight,
		GreedyWeight: c.existingWeight + s.value(),
	}
	if !opts.NoLocalSearch && len(s.chosen) > 0 {
		res.Swaps = s.localSearch()
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	res.HeuristicWeight = c.existingWeight + s.value()
	tol := 1e-9 * c.totalWeight
	heuristic := slices.Clone(s.chosen)
	inc := &incumbent{plan: heuristic, value: s.value(), tol: tol}
	res.SearchWeight = res.HeuristicWeight

	// with a proof to seek, an iterated local search runs beside it, on a
	// core of its own, until the proof is done or time is up
	var stop atomic.Bool
	var wg sync.WaitGroup
	var ilsBest float64
	if prove && len(s.chosen) > 0 && !noILS {
		ils := newState(p)
		ils.cancelled = deadline.cancelled
		ils.reset(heuristic)
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(p.options()), uint64(p.elements())))
			ils.iterate(rng, func() bool { return stop.Load() || deadline.passed() }, func(plan []int32, v float64) {
				ilsBest = v
				inc.offer(plan, v)
			})
		})
	}

	// the root relaxation; its plans are restarts for the local search
	iters := opts.BoundIterations
	switch {
	case iters < 0:
		iters = 1
	case iters == 0 && prove:
		iters = 1000
	case iters == 0:
		iters = 50
	}
	d := newDual(p)
	d.startFrom(heuristic)
	var plans []lagPlan
	rootEnd := deadline
	if prove {
		rootEnd = newLimit(ctx, start.Add(limit*3/10))
	}
	target := inc.val
	if opts.NoLocalSearch {
		// the greedy's plan stays the answer: the bound aims at it alone
		greedy := inc.val()
		target = func() float64 { return greedy }
	}
	proven := d.optimise(target, tol, iters, 20, 2, rootEnd, func(plan []int32, v float64) {
		if opts.NoLocalSearch {
			return
		}
		plans = keepPlan(plans, lagPlan{v, slices.Clone(plan)}, 3)
		if prove {
			inc.offer(plan, v)
		}
	})
	upper := d.bestL
	for _, pl := range plans {
		s.reset(pl.opts)
		s.localSearch()
		inc.offer(s.chosen, s.value())
	}
	proven = proven || upper <= inc.val()+tol
	if prove && !proven {
		proven, upper, res.Nodes = branchAndBound(p, d, s, inc, upper, deadline)
	}
	stop.Store(true)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	res.SearchWeight = max(res.SearchWeight, c.existingWeight+ilsBest)

	best, _ := inc.get()
	best = slices.Clone(best)
	slices.Sort(best)
	// the weight afresh, summed in one order whichever search found the plan
	bestVal := p.value(best, make([]bool, p.elements()))
	res.Gain = bestVal
	res.CoveredWeight = c.existingWeight + bestVal
	if proven {
		res.Optimal, res.UpperBound = true, res.CoveredWeight
	} else {
		res.UpperBound = max(c.existingWeight+upper+tol, res.CoveredWeight)
		res.Gap = (res.UpperBound - res.CoveredWeight) / res.UpperBound
	}
	res.Chosen = make([]Choice, len(best))
	for i, o := range best {
		site, b := c.Option(int(keep[o]))
		res.Chosen[i] = Choice{Site: site.ID, Bearing: b}
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// branchAndBound fixes options at the root by reduced costs (repeating
// the relaxation on what is left), then runs the prover until deadline,
// offering better plans to inc. It returns whether inc's plan is proven
// optimal, an upper bound on the optimum (top's weights) and the nodes
// explored.
func branchAndBound(p *problem, d *dual, s *state, inc *incumbent, upper float64, deadline limit) (bool, float64, int) {
	tol := inc.tol
	offer := func(plan []int32, v float64) {
		if v > inc.val()+tol {
			// polish the relaxation's plan with swaps
			s.reset(plan)
			s.localSearch()
			if s.value() > v {
				plan, v = s.chosen, s.value()
			}
			inc.offer(plan, v)
		}
	}
	root, rd := p, d
	for round := 0; round < 10; round++ {
		fix := make([]int8, root.options())
		if rd.fixings(inc.val(), tol, fix) == 0 {
			break
		}
		next := root.restrict(fix)
		nd := newDual(next)
		// carry the multipliers over
		at := make(map[int32]int32, len(root.eOrig))
		for e, t := range root.eOrig {
			at[t] = int32(e)
		}
		for e := range nd.u {
			nd.u[e] = min(rd.bestU[at[next.eOrig[e]]], next.w[e])
		}
		root, rd = next, nd
		if root.infeasible {
			// every plan beating the incumbent would need more than fits
			return true, inc.val(), 0
		}
		if root.options() == 0 || root.k == 0 {
			offer(root.in, root.base)
			return true, inc.val(), 0
		}
		if rd.optimise(inc.val, tol, 300, 15, 0.5, deadline, func(plan []int32, v float64) {
			if v > inc.val()+tol {
				offer(root.full(plan), v)
			}
		}) {
			return true, inc.val(), 0
		}
		upper = min(upper, max(rd.bestL, inc.val()+tol))
	}
	rIndex := make([]int32, p.options())
	for o := range rIndex {
		rIndex[o] = -1
	}
	for o, t := range root.orig {
		rIndex[t] = int32(o)
	}
	rElem := make([]int32, p.elements())
	for e := range rElem {
		rElem[e] = -1
	}
	for e, t := range root.eOrig {
		rElem[t] = int32(e)
	}
	b := &prover{top: p, root: root, rIndex: rIndex, rElem: rElem, shared: inc, inc: inc.val(),
		tol: tol, deadline: deadline, improve: offer}
	rootU := rd.bestU
	if rootU == nil {
		rootU = rd.u
	}
	if debugf != nil {
		debugf("root: top %d opts %d elems; restricted %d opts %d elems k %d; inc %.3f bound %.3f upper %.3f", p.options(), p.elements(), root.options(), root.elements(), root.k, inc.val(), rd.bestL, upper)
	}
	optimal, bound := b.run(rd.bestL, rootU)
	if debugf != nil {
		debugf("bnb: nodes %d optimal %v bound %.3f inc %.3f open %d", b.nodes, optimal, bound, inc.val(), len(b.open))
	}
	if optimal {
		return true, inc.val(), b.nodes
	}
	return false, min(upper, max(bound, inc.val()+tol)), b.nodes
}

// incumbent is the best plan found so far, shared by the searches that
// run at once.
type incumbent struct {
	mu    sync.Mutex
	plan  []int32
	value float64
	tol   float64
}

// offer keeps plan when it beats the best by more than tol.
func (in *incumbent) offer(plan []int32, value float64) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if value <= in.value+in.tol {
		return false
	}
	// a new slice: plans handed out by get stay as they were
	in.plan, in.value = slices.Clone(plan), value
	return true
}

func (in *incumbent) val() float64 {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.value
}

// get returns the best plan (shared: do not modify) and its weight.
func (in *incumbent) get() ([]int32, float64) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.plan, in.value
}

// debugf, when set (by tests), receives progress notes.
var debugf func(format string, args ...any)

// noILS turns the iterated local search off (for measurements).
var noILS bool

// lagPlan is a plan the relaxation selected, with its weight.
type lagPlan struct {
	value float64
	opts  []int32
}

// keepPlan keeps the n best distinct plans, best first.
func keepPlan(plans []lagPlan, p lagPlan, n int) []lagPlan {
	if len(plans) == n && p.value <= plans[n-1].value {
		return plans
	}
	slices.Sort(p.opts)
	for _, q := range plans {
		if slices.Equal(q.opts, p.opts) {
			return plans
		}
	}
	plans = append(plans, p)
	slices.SortStableFunc(plans, func(a, b lagPlan) int { return cmp.Compare(b.value, a.value) })
	if len(plans) > n {
		plans = plans[:n]
	}
	return plans
}

// Plan builds the candidates and solves them: the one-call form.
func Plan(demand []DemandPoint, sites []Site, model Model, existing []Camera, opts Options) (Result, error) {
	return PlanContext(context.Background(), demand, sites, model, existing, opts)
}

// PlanContext is Plan that stops when ctx ends (SolveContext).
func PlanContext(ctx context.Context, demand []DemandPoint, sites []Site, model Model, existing []Camera, opts Options) (Result, error) {
	c, err := NewCandidatesContext(ctx, demand, sites, model, existing)
	if err != nil {
		return Result{}, err
	}
	return c.SolveContext(ctx, opts)
}

// limit is when a search stops: its time limit passed or its context
// ended.
type limit struct {
	at  time.Time
	ctx context.Context
}

func newLimit(ctx context.Context, at time.Time) limit { return limit{at: at, ctx: ctx} }

// passed reports whether the search must stop.
func (l limit) passed() bool { return time.Now().After(l.at) || l.cancelled() }

// cancelled reports whether the context ended (cheap: a mutex and a load).
func (l limit) cancelled() bool { return l.ctx.Err() != nil }

package placement

import (
	"cmp"
	"math/rand/v2"
	"slices"
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
	SearchWeight    float64  `json:"search_weight"`    // CoveredWeight after the relaxation's restarts and the iterated local search, before branching
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
	deadline := start.Add(limit)

	p, keep := newProblem(c, opts.K, max(opts.MaxPerSite, 1))
	s := newState(p)
	s.greedy(nil)
	res := Result{
		TotalWeight: c.totalWeight, ExistingWeight: c.existingWeight,
		InstalledWeight: c.installedWeight, PlannedWeight: c.existingWeight - c.installedWeight,
		GreedyWeight: c.existingWeight + s.value(),
	}
	if !opts.NoLocalSearch && len(s.chosen) > 0 {
		res.Swaps = s.localSearch()
	}
	res.HeuristicWeight = c.existingWeight + s.value()
	best, bestVal := slices.Clone(s.chosen), s.value()
	tol := 1e-9 * c.totalWeight

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
	d.startFrom(best)
	var plans []lagPlan
	rootEnd := deadline
	if prove {
		rootEnd = start.Add(limit * 3 / 10)
	}
	proven := d.optimise(bestVal, tol, iters, 20, 2, rootEnd, func(plan []int32, v float64) {
		if !opts.NoLocalSearch {
			plans = keepPlan(plans, lagPlan{v, slices.Clone(plan)}, 3)
		}
	})
	upper := d.bestL
	for _, pl := range plans {
		s.reset(pl.opts)
		s.localSearch()
		if s.value() > bestVal+tol {
			best, bestVal = slices.Clone(s.chosen), s.value()
		}
	}
	proven = proven || upper <= bestVal+tol
	if prove && !proven {
		// iterated local search, then the branch and bound
		s.reset(best)
		rng := rand.New(rand.NewPCG(uint64(p.options()), uint64(p.elements())))
		s.iterate(rng, start.Add(limit/2), 40*opts.K)
		if s.value() > bestVal+tol {
			best, bestVal = slices.Clone(s.chosen), s.value()
		}
		res.SearchWeight = c.existingWeight + bestVal
		var nodes int
		proven, upper, nodes = branchAndBound(p, d, s, &best, &bestVal, upper, tol, deadline)
		res.Nodes = nodes
	}

	if res.SearchWeight == 0 {
		res.SearchWeight = c.existingWeight + bestVal
	}
	res.Gain = bestVal
	res.CoveredWeight = c.existingWeight + bestVal
	if proven {
		res.Optimal, res.UpperBound = true, res.CoveredWeight
	} else {
		res.UpperBound = max(c.existingWeight+upper+tol, res.CoveredWeight)
		res.Gap = (res.UpperBound - res.CoveredWeight) / res.UpperBound
	}
	slices.Sort(best)
	res.Chosen = make([]Choice, len(best))
	for i, o := range best {
		site, b := c.Option(int(keep[o]))
		res.Chosen[i] = Choice{Site: site.ID, Bearing: b}
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// branchAndBound fixes options at the root by reduced costs (repeating
// the relaxation on what is left), then runs the prover until deadline. It
// updates the best plan in place and returns whether it is proven optimal,
// an upper bound on the optimum (top's weights) and the nodes explored.
func branchAndBound(p *problem, d *dual, s *state, best *[]int32, bestVal *float64, upper, tol float64, deadline time.Time) (bool, float64, int) {
	offer := func(plan []int32, v float64) ([]int32, float64) {
		if v > *bestVal+tol {
			// polish the relaxation's plan with swaps
			s.reset(plan)
			s.localSearch()
			if s.value() > v {
				plan, v = s.chosen, s.value()
			}
			*best, *bestVal = slices.Clone(plan), v
		}
		return *best, *bestVal
	}
	root, rd := p, d
	rIndex := make([]int32, p.options())
	for o := range rIndex {
		rIndex[o] = int32(o)
	}
	for round := 0; round < 10; round++ {
		fix := make([]int8, root.options())
		if rd.fixings(*bestVal, tol, fix) == 0 {
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
		root = next
		rd = nd
		if root.options() == 0 || root.k == 0 {
			offer(root.in, root.base)
			return true, *bestVal, 0
		}
		if rd.optimise(*bestVal, tol, 300, 15, 0.5, deadline, func(plan []int32, v float64) {
			if v > *bestVal+tol {
				full := append(slices.Clone(root.in), plan...)
				for i := len(root.in); i < len(full); i++ {
					full[i] = root.orig[full[i]]
				}
				offer(full, v)
			}
		}) {
			return true, *bestVal, 0
		}
		upper = min(upper, max(rd.bestL, *bestVal+tol))
	}
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
	b := &prover{top: p, root: root, rIndex: rIndex, rElem: rElem, inc: *bestVal, incPlan: slices.Clone(*best),
		tol: tol, deadline: deadline, improve: offer}
	rootU := rd.bestU
	if rootU == nil {
		rootU = rd.u
	}
	optimal, bound := b.run(rd.bestL, rootU)
	if optimal {
		return true, *bestVal, b.nodes
	}
	return false, min(upper, max(bound, *bestVal+tol)), b.nodes
}

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
	c, err := NewCandidates(demand, sites, model, existing)
	if err != nil {
		return Result{}, err
	}
	return c.Solve(opts)
}

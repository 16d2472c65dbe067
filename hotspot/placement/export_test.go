package placement

import "math/rand/v2"

// SetDebug routes the solver's progress notes to f (nil: off).
func SetDebug(f func(format string, args ...any)) { debugf = f }

// SetNoILS turns the iterated local search off.
func SetNoILS(off bool) { noILS = off }

// SetNode sets the subgradient steps at a node.
func SetNode(iters, patience int, theta float64) {
	nodeIters, nodePatience, nodeTheta = iters, patience, theta
}

// ILSOnly runs the greedy, the swaps and rounds of the iterated local
// search (variant as ilsVariant) and returns the weight covered.
func ILSOnly(c *Candidates, k, rounds, variant int, seed uint64) float64 {
	ilsVariant = variant
	defer func() { ilsVariant = 0 }()
	p, _ := newProblem(c, k, 1)
	s := newState(p)
	s.greedy(nil)
	s.localSearch()
	rng := rand.New(rand.NewPCG(uint64(p.options()), seed))
	r := 0
	best := s.value()
	s.iterate(rng, func() bool { r++; return r > rounds }, func(_ []int32, v float64) { best = v })
	return c.existingWeight + best
}

package placement

// SetDebug routes the solver's progress notes to f (nil: off).
func SetDebug(f func(format string, args ...any)) { debugf = f }

// SetNoILS turns the iterated local search off.
func SetNoILS(off bool) { noILS = off }

// SetNode sets the subgradient steps at a node.
func SetNode(iters, patience int, theta float64) { nodeIters, nodePatience, nodeTheta = iters, patience, theta }

// Package placement measures how well cameras cover demand (hotspots,
// incidents, anything with a position and a weight) and chooses where to put
// new cameras: a maximal covering problem.
//
// Everything here is pure Go on slices: no database, no HTTP. Reading inputs
// (CSV files here, the database elsewhere) is kept apart from the solving, so
// any source can feed Coverage, NewCandidates and Solve.
//
// Geometry is the spherical approximation of package geo: a demand point is
// covered by a camera when geo.FieldOfView.Covers says so.
//
// The solver gives a heuristic answer first (a lazy greedy, then 1-swap
// local search) and then, within a time limit (10 s by default), searches
// for a better plan and a proof: an iterated local search on one core, and
// on another the Lagrangian relaxation of the maximal covering problem
// (subgradient steps; its minimum is the linear programming bound), options
// ruled out or forced in by reduced costs, and a best-first branch and
// bound. The result says whether the plan is proven optimal, and otherwise
// a proven gap: (upper bound − covered) / upper bound, never below the true
// one.
package placement

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
// The solver is a lazy greedy followed by a 1-swap local search; each answer
// carries an upper bound on the optimum from a Lagrangian relaxation, so a
// caller can see how far from optimal a plan can at most be.
package placement

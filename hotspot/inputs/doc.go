// Package inputs reads what the pure analyses need through the store and
// owns the caches of their results, keyed by data version and scope (Cache):
// the emerging-hot-spot cubes and results, and the inputs of the camera
// coverage and placement solver of package placement: the demand of an area (its active
// hotspots, weighted by the incidents around them, and its H3 risk cells,
// weighted by incident counts), the candidate sites (every cell centre of the
// area at a chosen resolution, or points the caller supplies), and the cameras
// already stored. It measures coverage per owner and status scope, plans new
// cameras, and stores an accepted plan in one transaction.
//
// Risk is incident density for now: a risk cell's weight is the number of
// incidents recorded in it, and a hotspot's risk is 1 plus the number of
// incidents in its risk cell and the six around it (about 0.1 km² at
// resolution 10), so that every active hotspot weighs something even where no
// incident was recorded. A later issue may swap in the emerging-hot-spot
// z-score; only Load's weighting would change.
package inputs

// Package emerging finds emerging hot spots on the H3 grid: how clusters of
// high (hot) and low (cold) counts appear, persist, grow and fade over time.
//
// A Cube holds counts for a universe of cells (cells with no events
// included, as zeros) over n equal time bins. Analyze computes Getis-Ord
// Gi* for every cell and bin with binary H3 neighbourhoods, tests each
// cell's series of Gi* z-scores for a trend with Mann–Kendall, and sorts
// every cell into one of the categories of ArcGIS's Emerging Hot Spot
// Analysis (new, consecutive, intensifying, persistent, diminishing,
// sporadic, oscillating, historical — hot or cold — or no pattern).
//
// The package is pure: it reads no database. The server fills a Cube from
// PostGIS; the offline CLI fills one from a CSV file (ReadCube).
package emerging

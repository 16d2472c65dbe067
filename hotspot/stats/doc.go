// Package stats holds the pure statistics behind diaban's hotspot analysis:
// the Mann–Kendall trend test with Sen's slope, the Getis-Ord Gi* local
// statistic over a compact neighbour structure, and the Benjamini–Hochberg
// false-discovery-rate adjustment.
//
// Everything here works on plain slices: no H3, no database, no I/O beyond
// the CSV readers in csv.go. Results never hold NaN; where a statistic is
// undefined (too few observations, constant values) the result says so
// explicitly.
package stats

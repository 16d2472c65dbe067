package stats

import "slices"

// BenjaminiHochberg returns the Benjamini–Hochberg adjusted p-values of p,
// in p's order, as R's p.adjust(p, method = "BH") does: the adjusted value
// of the k-th smallest of m p-values is min over j ≥ k of m·p_(j)/j, capped
// at 1. Rejecting every hypothesis whose adjusted p is below α controls the
// false discovery rate at α. p must hold no NaN; it is not modified.
func BenjaminiHochberg(p []float64) []float64 {
	out := make([]float64, len(p))
	BenjaminiHochbergInto(out, p, nil)
	return out
}

// BenjaminiHochbergInto writes the adjusted p-values of p into dst (len(dst)
// ≥ len(p); dst may be p itself). scratch, if it has room for 2·len(p)
// values, saves the allocations.
func BenjaminiHochbergInto(dst, p, scratch []float64) {
	m := len(p)
	if m == 0 {
		return
	}
	if cap(scratch) < 2*m {
		scratch = make([]float64, 2*m)
	}
	sorted, adj := scratch[:m], scratch[m:2*m]
	copy(sorted, p)
	slices.Sort(sorted) // plain float sort: far faster than sorting indexes
	run := 1.0
	for k := m - 1; k >= 0; k-- {
		run = min(run, float64(m)/float64(k+1)*sorted[k])
		adj[k] = run
	}
	// Tied p-values share the adjusted value of the last of them (the
	// running minimum already reached it), so each p finds its own by
	// searching for the last equal entry.
	for i, v := range p {
		lo, hi := 0, m // first k with sorted[k] > v
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if sorted[mid] > v {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		dst[i] = adj[max(lo-1, 0)]
	}
}

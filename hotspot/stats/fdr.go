package stats

import (
	"cmp"
	"slices"
)

// BenjaminiHochberg returns the Benjamini–Hochberg adjusted p-values of p,
// in p's order, as R's p.adjust(p, method = "BH") does: the adjusted value
// of the k-th smallest of m p-values is min over j ≥ k of m·p_(j)/j, capped
// at 1. Rejecting every hypothesis whose adjusted p is below α controls the
// false discovery rate at α. p is not modified.
func BenjaminiHochberg(p []float64) []float64 {
	out := make([]float64, len(p))
	BenjaminiHochbergInto(out, p, nil)
	return out
}

// BenjaminiHochbergInto writes the adjusted p-values of p into dst (len(dst)
// ≥ len(p); dst may be p itself). order is scratch of len(p) indexes and may
// be nil.
func BenjaminiHochbergInto(dst, p []float64, order []int32) {
	m := len(p)
	if m == 0 {
		return
	}
	if cap(order) < m {
		order = make([]int32, m)
	}
	order = order[:m]
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(p[a], p[b]) })
	// Walk from the largest p down, keeping the running minimum. Reading
	// p[order[k]] before writing dst at the same index keeps dst == p safe.
	run := 1.0
	for k := m - 1; k >= 0; k-- {
		i := order[k]
		adj := float64(m) / float64(k+1) * p[i]
		run = min(run, adj)
		dst[i] = run
	}
}

package placement

import (
	"cmp"
	"math"
	"slices"
)

// bound returns an upper bound on the gain of the best plan (K cameras, at
// most cap per site) over the existing cover, by Lagrangian relaxation of
// the "a point counts only if a chosen camera covers it" constraints. For
// multipliers u_i in [0, w_i] on the coverable points U,
//
//	L(u) = Σ_{i∈U} (w_i − u_i) + best K options by Σ_{i∈o} u_i (cap per site)
//
// is at least the optimum (it bounds even the linear relaxation). With
// u_i = w_i for the points the current plan leaves uncovered and 0 for the
// others, L(u) is the classic submodular bound "covered + sum of the K largest
// marginal gains"; iters projected subgradient steps (Polyak step towards
// the plan's value) then lower it. The smallest L seen is returned, plus a
// rounding allowance of 1e-9 of the total weight, never above the coverable
// weight.
//
// Each step's K options are also a feasible plan (the Lagrangian
// heuristic): the best few by covered weight are returned as restarts for
// the local search.
func (s *solver) bound(iters int) (float64, [][]int32) {
	c := s.c
	n, nOpt := len(c.demand), c.Options()
	coverable := make([]bool, n)
	for _, i := range c.optItems {
		coverable[i] = true
	}
	var U []int32
	total := 0.0
	for i := 0; i < n; i++ {
		if coverable[i] {
			U = append(U, int32(i))
			total += c.weight[i]
		}
	}
	u := make([]float64, n)
	for _, i := range U {
		if s.cnt[i] == 0 {
			u[i] = c.weight[i]
		}
	}
	val := make([]float64, nOpt)
	count := make([]int32, n)
	sel := newTopK(c.nb, s.cap, s.k, nOpt)
	best := total
	theta, stale := 2.0, 0
	var plans []lagPlan
	for it := 0; it <= iters; it++ {
		l := 0.0
		for _, i := range U {
			l += c.weight[i] - u[i]
		}
		for o := 0; o < nOpt; o++ {
			v := 0.0
			for _, i := range c.items(int32(o)) {
				v += u[i]
			}
			val[o] = v
		}
		chosen, sum := sel.pick(val)
		l += sum
		if l < best {
			best, stale = l, 0
		} else if stale++; stale >= 5 {
			theta, stale = theta/2, 0
		}
		if it == iters || best-s.covered <= 1e-9*c.totalWeight {
			break
		}
		for _, o := range chosen {
			for _, i := range c.items(o) {
				count[i]++
			}
		}
		cov := 0.0
		for _, i := range U {
			if count[i] > 0 {
				cov += c.weight[i]
			}
		}
		plans = keepPlan(plans, lagPlan{cov, append([]int32(nil), chosen...)}, 3)
		norm := 0.0
		for _, i := range U {
			g := float64(count[i] - 1)
			norm += g * g
		}
		if norm == 0 {
			break
		}
		t := theta * (l - s.covered) / norm
		for _, i := range U {
			g := float64(count[i] - 1)
			u[i] = math.Min(math.Max(u[i]-t*g, 0), c.weight[i])
			count[i] = 0
		}
	}
	out := make([][]int32, len(plans))
	for i, p := range plans {
		out[i] = p.opts
	}
	return math.Min(best+1e-9*c.totalWeight, total), out
}

type lagPlan struct {
	value float64
	opts  []int32
}

// keepPlan keeps the n best distinct plans, best first.
func keepPlan(plans []lagPlan, p lagPlan, n int) []lagPlan {
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

// topK picks the K largest values over options, at most cap per site
// (options of a site are consecutive, nb of them), ties to the lower index.
type topK struct {
	nb, cap, k int
	cand       []int32   // options surviving the per-site cap
	vals       []float64 // scratch for the selection
	out        []int32
}

func newTopK(nb, cap, k, nOpt int) *topK {
	return &topK{nb: nb, cap: cap, k: k, cand: make([]int32, 0, nOpt), vals: make([]float64, 0, nOpt)}
}

func (t *topK) pick(val []float64) ([]int32, float64) {
	t.cand = t.cand[:0]
	if t.cap >= t.nb {
		for o := range val {
			t.cand = append(t.cand, int32(o))
		}
	} else {
		site := make([]int32, t.nb)
		for lo := 0; lo < len(val); lo += t.nb {
			m := 0
			for o := lo; o < lo+t.nb; o++ {
				site[m] = int32(o)
				m++
			}
			// partial selection sort: the cap best of the site first
			for a := 0; a < t.cap; a++ {
				b := a
				for x := a + 1; x < m; x++ {
					if val[site[x]] > val[site[b]] || val[site[x]] == val[site[b]] && site[x] < site[b] {
						b = x
					}
				}
				site[a], site[b] = site[b], site[a]
				t.cand = append(t.cand, site[a])
			}
		}
	}
	t.out = t.out[:0]
	if len(t.cand) <= t.k {
		sum := 0.0
		for _, o := range t.cand {
			sum += val[o]
			t.out = append(t.out, o)
		}
		return t.out, sum
	}
	t.vals = t.vals[:0]
	for _, o := range t.cand {
		t.vals = append(t.vals, val[o])
	}
	thr := kthLargest(t.vals, t.k)
	sum, above := 0.0, 0
	for _, o := range t.cand {
		if val[o] > thr {
			sum += val[o]
			above++
			t.out = append(t.out, o)
		}
	}
	for _, o := range t.cand {
		if above == t.k {
			break
		}
		if val[o] == thr {
			sum += thr
			above++
			t.out = append(t.out, o)
		}
	}
	return t.out, sum
}

// kthLargest returns the k-th largest of a (1-based), reordering a.
func kthLargest(a []float64, k int) float64 {
	lo, hi, target := 0, len(a)-1, k-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		// median of three as pivot, descending order
		if a[mid] > a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] > a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] > a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		p := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] > p {
				i++
			}
			for a[j] < p {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case target <= j:
			hi = j
		case target >= i:
			lo = i
		default:
			return a[target]
		}
	}
	return a[target]
}

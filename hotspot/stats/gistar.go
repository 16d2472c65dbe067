package stats

import (
	"fmt"
	"math"
)

// Local is one observation's local statistic. Defined is false when the
// statistic does not exist (constant values, or a neighbourhood that holds
// every observation); then Z is 0 and P is 1.
type Local struct {
	Z       float64
	P       float64 // two-sided normal p-value of Z
	Defined bool
}

// GiStar returns the Getis-Ord Gi* z-score of every observation of x with
// binary weights that include the observation itself:
//
//	G*_i = (Σ_j w_ij x_j − x̄ W_i) / (S √((n Σ_j w_ij² − W_i²)/(n−1)))
//
// with x̄ the mean of x, S = √(Σx²/n − x̄²), W_i = Σ_j w_ij = 1 + |Of(i)|.
// An observation without neighbours gets (x_i − x̄)/S. The values equal
// R's spdep::localG(x, nb2listw(include.self(nb), style = "B")).
//
// When every value of x is equal there is no Gi*: every result is
// undefined. len(x) must equal nb.Len().
func GiStar(x []float64, nb *Neighbors) ([]Local, error) {
	n := len(x)
	if n != nb.Len() {
		return nil, fmt.Errorf("stats: %d values for %d observations", n, nb.Len())
	}
	out := make([]Local, n)
	mom, ok := MomentsOf(x)
	if !ok {
		for i := range out {
			out[i].P = 1
		}
		return out, nil
	}
	for i := range x {
		lag := x[i]
		for _, j := range nb.Of(i) {
			lag += x[j]
		}
		z, ok := mom.GiStarZ(lag, float64(1+len(nb.Of(i))))
		out[i] = Local{Z: z, P: 1, Defined: ok}
		if ok {
			out[i].P = NormalP(z)
		}
	}
	return out, nil
}

// Moments are the global quantities Gi* compares each neighbourhood with.
type Moments struct {
	N    int     // number of observations
	Mean float64 // x̄
	SD   float64 // S = √(Σ(x − x̄)²/n), the population standard deviation
}

// MomentsOf returns the moments of x. ok is false when x has fewer than two
// values or all its values are equal: then Gi* is undefined.
func MomentsOf(x []float64) (m Moments, ok bool) {
	m.N = len(x)
	if m.N < 2 {
		return m, false
	}
	lo, hi, sum := x[0], x[0], 0.0
	for _, v := range x {
		lo, hi = min(lo, v), max(hi, v)
		sum += v
	}
	m.Mean = sum / float64(m.N)
	if lo == hi {
		return m, false // constant: S is 0 in exact arithmetic
	}
	var ss float64
	for _, v := range x {
		d := v - m.Mean
		ss += d * d
	}
	m.SD = math.Sqrt(ss / float64(m.N))
	return m, m.SD > 0
}

// GiStarZ returns Gi* for a neighbourhood of binary weight w (the number of
// observations in it, self included) whose values sum to lag. ok is false
// when the statistic is undefined: a zero SD, or w ≥ N (the neighbourhood
// holds every observation, so its variance is 0).
func (m Moments) GiStarZ(lag, w float64) (z float64, ok bool) {
	n := float64(m.N)
	v := (n*w - w*w) / (n - 1)
	if m.SD <= 0 || !(v > 0) {
		return 0, false
	}
	return (lag - m.Mean*w) / (m.SD * math.Sqrt(v)), true
}

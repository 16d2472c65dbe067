package stats

import (
	"math"
	"slices"
)

// MKResult is the outcome of a Mann–Kendall trend test on one series.
//
// For a series of fewer than two values (or one whose values are all equal)
// there is no trend to test: S, VarS, Z and SenSlope are 0 and P is 1.
type MKResult struct {
	N        int     // number of observations
	S        float64 // Σ_{i<j} sign(x_j − x_i)
	VarS     float64 // variance of S under no trend, corrected for ties
	Z        float64 // (S − sign(S)) / √VarS, 0 when S or VarS is 0
	P        float64 // two-sided normal p-value of Z, 1 when Z is 0
	SenSlope float64 // median of (x_j − x_i)/(j − i) over i < j
}

// MannKendall tests x (ordered in time, equally spaced) for a monotonic
// trend and estimates its slope per step with Sen's estimator.
//
// S = Σ_{i<j} sign(x_j − x_i); VarS = [n(n−1)(2n+5) − Σ_k t_k(t_k−1)(2t_k+5)]/18
// over groups of t_k tied values; Z carries the continuity correction, as
// R's cor.test(x, seq_along(x), method = "kendall", exact = FALSE,
// continuity = TRUE) does. Values must be finite; NaN compares as a tie with
// everything in S and is not a tie in VarS.
func MannKendall(x []float64) MKResult {
	r := MannKendallTrend(x, nil)
	r.SenSlope = SenSlope(x)
	return r
}

// MannKendallTrend is MannKendall without Sen's slope (SenSlope is 0): it
// costs O(n²) comparisons and no allocation when scratch has room for len(x)
// values. scratch may be nil. The emerging-hot-spot analysis calls it once
// per cell.
func MannKendallTrend(x, scratch []float64) MKResult {
	n := len(x)
	r := MKResult{N: n, P: 1}
	if n < 2 {
		return r
	}
	if cap(scratch) < n {
		scratch = make([]float64, n)
	}
	// S in one branch-free pass over the pairs; tie groups are only sized
	// (by sorting) when some pair is neither rising nor falling.
	var gt, lt int
	for i := 0; i < n-1; i++ {
		xi := x[i]
		for _, xj := range x[i+1:] {
			gt += b2i(xj > xi)
			lt += b2i(xj < xi)
		}
	}
	s := gt - lt
	tiedPairs := n*(n-1)/2 - gt - lt // NaN pairs count here too: harmless
	var ties float64
	if tiedPairs > 0 {
		sorted := scratch[:n]
		copy(sorted, x)
		slices.Sort(sorted)
		for i := 0; i < n; {
			j := i + 1
			for j < n && sorted[j] == sorted[i] {
				j++
			}
			if t := float64(j - i); t > 1 {
				ties += t * (t - 1) * (2*t + 5)
			}
			i = j
		}
	}
	r.S = float64(s)
	nf := float64(n)
	r.VarS = (nf*(nf-1)*(2*nf+5) - ties) / 18
	if s == 0 || r.VarS <= 0 {
		return r
	}
	sign := 1.0
	if s < 0 {
		sign = -1
	}
	r.Z = (r.S - sign) / math.Sqrt(r.VarS)
	r.P = NormalP(r.Z)
	return r
}

// b2i is 1 for true, 0 for false (compiled without a branch).
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// SenSlope returns Sen's slope of x: the median of (x_j − x_i)/(j − i) over
// all pairs i < j, the mean of the middle two when their number is even. It
// is 0 for fewer than two values.
func SenSlope(x []float64) float64 {
	n := len(x)
	if n < 2 {
		return 0
	}
	slopes := make([]float64, 0, n*(n-1)/2)
	for i := 0; i < n-1; i++ {
		for j := i + 1; j < n; j++ {
			slopes = append(slopes, (x[j]-x[i])/float64(j-i))
		}
	}
	slices.Sort(slopes)
	m := len(slopes)
	if m%2 == 1 {
		return slopes[m/2]
	}
	return (slopes[m/2-1] + slopes[m/2]) / 2
}

// NormalP returns the two-sided p-value of a standard normal z-score,
// P(|Z| ≥ |z|) = erfc(|z|/√2). It is 1 at z = 0.
func NormalP(z float64) float64 {
	return math.Erfc(math.Abs(z) / math.Sqrt2)
}

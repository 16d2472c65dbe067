package demo

import (
	"math"
	"math/rand/v2"
	"time"
)

// poisson draws from a Poisson distribution (Knuth for small means, a
// rounded normal above 30; the demo needs plausibility, not exactness).
func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 30 {
		return max(0, int(math.Round(mean+math.Sqrt(mean)*r.NormFloat64())))
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// weighted picks an index with probability proportional to w[i].
func weighted(r *rand.Rand, w []float64) int {
	var sum float64
	for _, x := range w {
		sum += x
	}
	u := r.Float64() * sum
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	return len(w) - 1
}

// choice is a value with a weight, for weighted picks over named values.
type choice struct {
	value  string
	weight float64
}

func pick(r *rand.Rand, cs []choice) string {
	w := make([]float64, len(cs))
	for i, c := range cs {
		w[i] = c.weight
	}
	return cs[weighted(r, w)].value
}

// hourWeights is when drug incidents are recorded: mostly evening and night.
var hourWeights = []float64{
	5, 4, 3, 2, 1, 1, 1, 1, 2, 2, 3, 3, // 00–11
	3, 3, 3, 4, 5, 6, 8, 9, 10, 10, 9, 7, // 12–23
}

// atRandomTime returns day (midnight, local) plus an hour drawn from hw and
// a random minute.
func atRandomTime(r *rand.Rand, day time.Time, hw []float64) time.Time {
	h := weighted(r, hw)
	return day.Add(time.Duration(h)*time.Hour + time.Duration(r.IntN(60))*time.Minute)
}

// officeHours weights daytime working hours, for police actions.
var officeHours = []float64{
	0, 0, 0, 0, 0, 1, 1, 3, 6, 6, 6, 4,
	2, 4, 6, 6, 5, 3, 2, 2, 2, 1, 1, 0,
}

// days returns the number of whole days between two local midnights.
func days(from, to time.Time) int {
	return int(math.Round(to.Sub(from).Hours() / 24))
}

// dayAt is the local midnight i days after WindowStart (calendar days, so
// it stays right whatever the offset).
func dayAt(i int) time.Time { return WindowStart.AddDate(0, 0, i) }

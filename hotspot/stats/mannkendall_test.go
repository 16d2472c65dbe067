package stats

import (
	"math"
	"testing"
)

func TestMannKendallSmall(t *testing.T) {
	tests := []struct {
		name string
		x    []float64
		want MKResult
	}{
		{"empty series", nil, MKResult{N: 0, P: 1}},
		{"one value", []float64{3}, MKResult{N: 1, P: 1}},
		{"two rising", []float64{1, 2}, MKResult{N: 2, S: 1, VarS: 1, Z: 0, P: 1, SenSlope: 1}},
		{"all equal", []float64{5, 5, 5, 5}, MKResult{N: 4, P: 1}},
		// n=4 tie-free: var = 4*3*13/18 = 26/3.
		{"four rising", []float64{1, 2, 3, 4}, MKResult{N: 4, S: 6, VarS: 26.0 / 3, Z: 5 / math.Sqrt(26.0/3), P: NormalP(5 / math.Sqrt(26.0/3)), SenSlope: 1}},
		// ties {2,2}: var = (4*3*13 - 2*1*9)/18 = 138/18.
		{"rising with one tie", []float64{1, 2, 2, 4}, MKResult{N: 4, S: 5, VarS: 138.0 / 18, Z: 4 / math.Sqrt(138.0/18), P: NormalP(4 / math.Sqrt(138.0/18)), SenSlope: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := MannKendall(tc.x)
			if got.N != tc.want.N || !near(got.S, tc.want.S) || !near(got.VarS, tc.want.VarS) ||
				!near(got.Z, tc.want.Z) || !near(got.P, tc.want.P) || !near(got.SenSlope, tc.want.SenSlope) {
				t.Errorf("MannKendall(%v) = %+v, want %+v", tc.x, got, tc.want)
			}
		})
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

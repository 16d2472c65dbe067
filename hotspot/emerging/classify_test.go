package emerging

import (
	"testing"

	"github.com/diaban/diaban/hotspot/stats"
)

// rep returns k copies of v; cat joins series. Gi* z of ±3 is significant
// at 0.05, 0 is not.
func rep(v float64, k int) []float64 {
	s := make([]float64, k)
	for i := range s {
		s[i] = v
	}
	return s
}

func cat(parts ...[]float64) []float64 {
	var s []float64
	for _, p := range parts {
		s = append(s, p...)
	}
	return s
}

func ramp(from, step float64, k int) []float64 {
	s := make([]float64, k)
	for i := range s {
		s[i] = from + step*float64(i)
	}
	return s
}

func TestClassify(t *testing.T) {
	const H, C, o = 3.0, -3.0, 0.0
	tests := []struct {
		name string
		z    []float64
		p    []float64 // nil: the normal p of z
		want Category
	}{
		// Rule 1: share ≥ 0.9, final bin not hot.
		{"hot 9 of 10 then quiet is historical", cat(rep(H, 9), rep(o, 1)), nil, HistoricalHot},
		{"hot 9 of 10 then cold is still historical hot", cat(rep(H, 9), rep(C, 1)), nil, HistoricalHot},
		{"hot 18 of 20 then quiet is historical", cat(rep(H, 18), rep(o, 2)), nil, HistoricalHot},
		// Rule 2: share ≥ 0.9, final bin hot.
		{"hot every bin, flat trend, is persistent", rep(H, 10), nil, PersistentHot},
		{"hot 9 of 10 with a gap, final hot, is persistent", cat(rep(H, 3), rep(o, 1), rep(H, 6)), nil, PersistentHot},
		{"hot every bin, rising significantly, is intensifying", ramp(2, 0.1, 10), nil, IntensifyingHot},
		{"hot every bin, falling significantly, is diminishing", ramp(2.9, -0.1, 10), nil, DiminishingHot},
		{"hot every bin, rising but not significantly, is persistent", cat(rep(H, 9), rep(3.1, 1)), nil, PersistentHot},
		{"one bin hot is persistent (no trend to test)", rep(H, 1), nil, PersistentHot},
		// Rule 3: final bin hot, share < 0.9.
		{"hot 8 of 10 (share below 0.9) ending in a run is consecutive", cat(rep(o, 2), rep(H, 8)), nil, ConsecutiveHot},
		{"only the final bin hot is new", cat(rep(o, 9), rep(H, 1)), nil, NewHot},
		{"final bin hot after cold bins is new (new beats oscillating)", cat(rep(C, 3), rep(o, 6), rep(H, 1)), nil, NewHot},
		{"two bins, final hot, is new", []float64{o, H}, nil, NewHot},
		{"final run of two hot is consecutive", cat(rep(o, 8), rep(H, 2)), nil, ConsecutiveHot},
		{"final run after a cold bin is consecutive (consecutive beats oscillating)", cat(rep(C, 1), rep(o, 7), rep(H, 2)), nil, ConsecutiveHot},
		{"earlier hot, a cold bin, final hot is oscillating", cat(rep(H, 1), rep(C, 1), rep(o, 7), rep(H, 1)), nil, OscillatingHot},
		{"earlier hot, never cold, final hot is sporadic", cat(rep(H, 1), rep(o, 8), rep(H, 1)), nil, SporadicHot},
		{"final run of two plus an earlier hot bin is sporadic", cat(rep(H, 1), rep(o, 7), rep(H, 2)), nil, SporadicHot},
		{"cold 9 of 10 but final bin hot is new hot (rule 3 before 4)", cat(rep(C, 9), rep(H, 1)), nil, NewHot},
		// Rule 4: the cold mirror.
		{"cold 9 of 10 then quiet is historical cold", cat(rep(C, 9), rep(o, 1)), nil, HistoricalCold},
		{"cold every bin, flat, is persistent cold", rep(C, 10), nil, PersistentCold},
		{"cold every bin, falling significantly, is intensifying cold", ramp(-2, -0.1, 10), nil, IntensifyingCold},
		{"cold every bin, rising significantly, is diminishing cold", ramp(-2.9, 0.1, 10), nil, DiminishingCold},
		{"only the final bin cold is new cold", cat(rep(o, 9), rep(C, 1)), nil, NewCold},
		{"final run of cold is consecutive cold", cat(rep(H, 1), rep(o, 6), rep(C, 3)), nil, ConsecutiveCold},
		{"earlier cold, a hot bin, final cold is oscillating cold", cat(rep(C, 1), rep(H, 1), rep(o, 7), rep(C, 1)), nil, OscillatingCold},
		{"earlier cold, never hot, final cold is sporadic cold", cat(rep(C, 1), rep(o, 8), rep(C, 1)), nil, SporadicCold},
		// Rule 5.
		{"no significant bin is no pattern", rep(o, 10), nil, NoPattern},
		{"empty series is no pattern", nil, nil, NoPattern},
		{"hot earlier but quiet at the end is no pattern", cat(rep(H, 5), rep(o, 5)), nil, NoPattern},
		{"hot 8 of 10 then quiet is no pattern (share below 0.9)", cat(rep(H, 8), rep(o, 2)), nil, NoPattern},
		{"cold earlier but quiet at the end is no pattern", cat(rep(C, 5), rep(o, 5)), nil, NoPattern},
		// Significance edges: p must be strictly below alpha.
		{"final p equal to alpha is not hot", cat(rep(o, 9), rep(H, 1)), cat(rep(1, 9), rep(0.05, 1)), NoPattern},
		{"final p just below alpha is hot", cat(rep(o, 9), rep(H, 1)), cat(rep(1, 9), rep(0.0499, 1)), NewHot},
		{"z = 1.9 is not significant", cat(rep(o, 9), rep(1.9, 1)), nil, NoPattern},
	}
	covered := make(map[Category]bool)
	for _, tc := range tests {
		covered[tc.want] = true
	}
	for _, c := range Categories {
		if !covered[c] {
			t.Errorf("no case yields %s", c)
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p
			if p == nil {
				p = make([]float64, len(tc.z))
				for i, z := range tc.z {
					p[i] = stats.NormalP(z)
				}
			}
			trend := stats.MannKendallTrend(tc.z, nil)
			if got := classify(tc.z, p, 0.05, trend); got != tc.want {
				t.Errorf("classify(%v) = %s, want %s (trend z=%.3f p=%.4f)", tc.z, got, tc.want, trend.Z, trend.P)
			}
		})
	}
}

func TestCategoryLegend(t *testing.T) {
	seen := make(map[string]Category)
	for _, c := range Categories {
		if !c.Valid() || c.LabelVI() == "" || c.LabelEN() == "" || len(c.Colour()) != 7 {
			t.Errorf("category %q has an incomplete legend", c)
		}
		if d, dup := seen[c.LabelVI()]; dup {
			t.Errorf("categories %q and %q share the label %q", c, d, c.LabelVI())
		}
		seen[c.LabelVI()] = c
	}
	if len(Categories) != 17 || Category("warm").Valid() {
		t.Errorf("the category set is not the 17 of the legend")
	}
}

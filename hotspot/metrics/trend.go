package metrics

import (
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/stats"
)

// Direction is the sign of a significant trend in the complexity score.
type Direction string

// The directions: rising means the area grows more complex (bad).
const (
	DirectionRising  Direction = "rising"
	DirectionFalling Direction = "falling"
	DirectionNone    Direction = "none"
)

// Trend is how the complexity score moves: against the previous period, and
// a Mann–Kendall test with Sen's slope (score per period) over the last n
// periods (TrendConfig).
type Trend struct {
	ScoreChange *float64       `json:"score_change"` // score − previous period's score
	From        hotspot.Period `json:"from"`         // first period of the series
	Series      []float64      `json:"series"`       // the scores tested, oldest first
	N           int            `json:"n"`
	S           float64        `json:"s"`
	VarS        float64        `json:"var_s"`
	Z           float64        `json:"z"`
	P           float64        `json:"p"`
	SenSlope    float64        `json:"sen_slope"`
	Direction   Direction      `json:"direction"` // rising or falling when p < alpha
}

// trendOf tests the scores of periods (oldest first, ending with the period
// reported) after dropping those that start before since.
func trendOf(periods []hotspot.Period, scores []float64, since time.Time, alpha float64) Trend {
	first := 0
	for first < len(periods) && !since.IsZero() && periods[first].Start().Before(since) {
		first++
	}
	t := Trend{Direction: DirectionNone, From: periods[len(periods)-1]}
	last := len(scores) - 1
	if first < last {
		d := scores[last] - scores[last-1]
		t.ScoreChange = &d
	}
	if first <= last {
		t.From = periods[first]
		t.Series = scores[first:]
	}
	r := stats.MannKendall(t.Series)
	t.N, t.S, t.VarS, t.Z, t.P, t.SenSlope = r.N, r.S, r.VarS, r.Z, r.P, r.SenSlope
	if t.P < alpha {
		if t.S > 0 {
			t.Direction = DirectionRising
		} else if t.S < 0 {
			t.Direction = DirectionFalling
		}
	}
	return t
}

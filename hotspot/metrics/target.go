package metrics

import "math"

// TargetStatus says where a value stands against a band.
type TargetStatus string

// The band statuses.
const (
	StatusBelow     TargetStatus = "below"     // under min
	StatusMet       TargetStatus = "met"       // min ≤ value ≤ max
	StatusExceeded  TargetStatus = "exceeded"  // over max
	StatusUndefined TargetStatus = "undefined" // no value (nothing to divide by)
)

// Target is the elimination target of one area (or roll-up) and period.
type Target struct {
	Measure Measure `json:"measure"`
	// Min and Max are the band for this period: the yearly band prorated to
	// its length (see ProratedBand).
	Min        float64      `json:"min"`
	Max        float64      `json:"max"`
	Value      *float64     `json:"value"`
	Status     TargetStatus `json:"status"`
	Projection Projection   `json:"projection"`
}

// Projection is the year-end value at the year-to-date pace, judged against
// the full-year band.
//
// Year to date is [1 January of the period's year, end of the period): 9
// months for 2025-Q3, 7 for 2025-07, 12 for 2025 (where the projection is
// the value itself). Eliminations are a flow and are scaled by 12/months;
// the hotspots active during the year so far are a stock (the opening stock
// plus those found since) and are not scaled:
//
//	elimination_rate:   min(1, eliminated_ytd × 12/months / active_during_ytd),
//	                    null when active_during_ytd is 0
//	elimination_growth: (eliminated_ytd × 12/months − previous_year_eliminated)
//	                    / previous_year_eliminated, null when the previous
//	                    year eliminated none
type Projection struct {
	MonthsElapsed          int          `json:"months_elapsed"`
	EliminatedYTD          int          `json:"eliminated_ytd"`
	ActiveDuringYTD        int          `json:"active_during_ytd"`
	PreviousYearEliminated int          `json:"previous_year_eliminated"`
	Value                  *float64     `json:"value"`
	Min                    float64      `json:"min"`
	Max                    float64      `json:"max"`
	Status                 TargetStatus `json:"status"`
}

// ProratedBand returns the yearly band [min, max] scaled to a period of the
// given number of months.
//
// An elimination rate is a share of the stock eliminated; over a year the
// shares of its parts add up, so the band is prorated linearly: a quarter's
// band is [0.0125, 0.025] for a yearly [0.05, 0.10], a month's /12.
//
// An elimination growth compares a period with the one before of the same
// length. A steady growth of g a year is (1+g)^(months/12) − 1 per period
// (1.23%–2.41% a quarter for 5–10% a year), so the band is prorated
// geometrically. Linear proration (1.25%–2.5%) would differ little; not
// prorating would ask a quarter to grow as much as a year, 22% a year
// compounded.
func ProratedBand(t TargetConfig, months int) (lo, hi float64) {
	if months >= 12 {
		return t.Min, t.Max
	}
	f := float64(months) / 12
	if t.Measure == MeasureGrowth {
		return math.Pow(1+t.Min, f) - 1, math.Pow(1+t.Max, f) - 1
	}
	return t.Min * f, t.Max * f
}

// bandStatus places v against [lo, hi], with a tolerance of 1e-9 so that a
// value exactly on a prorated bound (1/80 against 0.05/4) is met.
func bandStatus(v *float64, lo, hi float64) TargetStatus {
	const eps = 1e-9
	switch {
	case v == nil:
		return StatusUndefined
	case *v < lo-eps:
		return StatusBelow
	case *v > hi+eps:
		return StatusExceeded
	}
	return StatusMet
}

// ratio returns num/den, or nil when den is 0.
func ratio(num, den float64) *float64 {
	if den == 0 {
		return nil
	}
	v := num / den
	return &v
}

// growth returns (cur − prev)/prev, or nil when prev is 0.
func growth(cur, prev float64) *float64 { return ratio(cur-prev, prev) }

// elimination holds what the target needs, for an area or summed over areas.
type elimination struct {
	months       int // length of the period
	eliminated   int
	activeDuring int
	prevElim     int // previous period of the same length
	ytdMonths    int
	ytdElim      int
	ytdDuring    int
	prevYearElim int
}

// rate and growth of the period itself.
func (e elimination) rate() *float64 {
	return ratio(float64(e.eliminated), float64(e.activeDuring))
}

func (e elimination) growth() *float64 {
	return growth(float64(e.eliminated), float64(e.prevElim))
}

// target judges the period and projects the year.
func (e elimination) target(t TargetConfig) Target {
	out := Target{Measure: t.Measure}
	out.Min, out.Max = ProratedBand(t, e.months)
	pr := Projection{
		MonthsElapsed: e.ytdMonths, EliminatedYTD: e.ytdElim, ActiveDuringYTD: e.ytdDuring,
		PreviousYearEliminated: e.prevYearElim, Min: t.Min, Max: t.Max,
	}
	pace := float64(e.ytdElim) * 12 / float64(max(e.ytdMonths, 1))
	if t.Measure == MeasureGrowth {
		out.Value = e.growth()
		pr.Value = growth(pace, float64(e.prevYearElim))
	} else {
		out.Value = e.rate()
		if v := ratio(pace, float64(e.ytdDuring)); v != nil {
			*v = math.Min(*v, 1)
			pr.Value = v
		}
	}
	out.Status = bandStatus(out.Value, out.Min, out.Max)
	pr.Status = bandStatus(pr.Value, t.Min, t.Max)
	out.Projection = pr
	return out
}

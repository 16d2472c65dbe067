package metrics

import "github.com/diaban/diaban/hotspot"

// GoalStatus says whether a roll-up goal is reached.
type GoalStatus string

// The goal statuses.
const (
	GoalMet       GoalStatus = "met"
	GoalNotMet    GoalStatus = "not_met"
	GoalUndefined GoalStatus = "undefined" // no value (nothing to compare with)
)

// GoalMetric is a roll-up value with its one-sided goal.
type GoalMetric struct {
	Value  *float64   `json:"value"`
	Target Goal       `json:"target"`
	Status GoalStatus `json:"status"`
}

func goalMetric(v *float64, g Goal) GoalMetric {
	m := GoalMetric{Value: v, Target: g, Status: GoalUndefined}
	if v == nil {
		return m
	}
	ok := false
	switch g.Op {
	case "below":
		ok = *v < g.Threshold
	case "at_most":
		ok = *v <= g.Threshold
	case "above":
		ok = *v > g.Threshold
	case "at_least":
		ok = *v >= g.Threshold
	}
	m.Status = GoalNotMet
	if ok {
		m.Status = GoalMet
	}
	return m
}

func count(n int) *float64 {
	v := float64(n)
	return &v
}

// RollUpMetrics is the yearly review of a parent area (district, province)
// over its child communes.
type RollUpMetrics struct {
	Area             string         `json:"area"`
	Period           hotspot.Period `json:"period"`
	Children         int            `json:"children"`
	PreviousChildren int            `json:"previous_children"`

	// Classes counts the children by class this period.
	Classes map[Class]int `json:"classes"`

	// Affected and PreviousAffected count children classed key or affected;
	// AffectedShareChange is (this − previous)/previous, null when previous
	// is 0. Goal: below −1%.
	Affected            int        `json:"affected"`
	PreviousAffected    int        `json:"previous_affected"`
	AffectedShareChange GoalMetric `json:"affected_share_change"`

	// PreviousKey counts the children classed key the period before that
	// are still present (matched by code); KeyImproved those whose class
	// improved or whose score fell. Goal: over 5%.
	PreviousKey      int        `json:"previous_key"`
	KeyImproved      int        `json:"key_improved"`
	KeyImprovedShare GoalMetric `json:"key_improved_share"`

	// Cases counts incidents of the case kinds (config case_kinds); growth
	// against the previous period, null when it had none. Goal: ≥ +5%.
	Cases         int        `json:"cases"`
	PreviousCases int        `json:"previous_cases"`
	CasesGrowth   GoalMetric `json:"cases_growth"`

	// New and Recurred hotspots summed. Goal: 0.
	New      GoalMetric `json:"new"`
	Recurred GoalMetric `json:"recurred"`

	// Elimination summed over the children, the rate over the sums.
	Eliminated         int      `json:"eliminated"`
	ActiveDuring       int      `json:"active_during"`
	PreviousEliminated int      `json:"previous_eliminated"`
	EliminationRate    *float64 `json:"elimination_rate"`
	EliminationGrowth  *float64 `json:"elimination_growth"`
	Target             Target   `json:"target"`
}

// RollUp sums the children's metrics of a period (children) against their
// metrics of the previous period of the same length (previous). The goals
// are the plans' yearly ones: roll up years. Children are matched by Area
// code for key_improved_share; a key child of the previous period that is
// no longer among the children (merged, its boundary replaced) is left out
// of that share, since its class cannot be compared — the caller may map
// old codes to new ones before calling.
func RollUp(code string, children, previous []AreaMetrics, cfg Config) RollUpMetrics {
	r := RollUpMetrics{Area: code, Children: len(children), PreviousChildren: len(previous),
		Classes: map[Class]int{ClassKey: 0, ClassAffected: 0, ClassClear: 0}}
	caseKinds := cfg.RollUp.CaseKinds
	cases := func(m AreaMetrics) int {
		n := 0
		for _, k := range caseKinds {
			n += m.Incidents[k]
		}
		return n
	}
	cur := make(map[string]AreaMetrics, len(children))
	var e elimination
	for _, m := range children {
		if r.Period.IsZero() {
			r.Period = m.Period
		}
		cur[m.Area] = m
		r.Classes[m.Class]++
		if m.Class != ClassClear {
			r.Affected++
		}
		r.Cases += cases(m)
		e.add(m)
	}
	newN, recN := 0, 0
	for _, m := range children {
		newN += m.New
		recN += m.Recurred
	}
	for _, m := range previous {
		if m.Class != ClassClear {
			r.PreviousAffected++
		}
		r.PreviousCases += cases(m)
		if m.Class != ClassKey {
			continue
		}
		now, ok := cur[m.Area]
		if !ok {
			continue
		}
		r.PreviousKey++
		if now.Class.rank() < m.Class.rank() || now.ComplexityScore < m.ComplexityScore {
			r.KeyImproved++
		}
	}
	g := cfg.RollUp
	r.AffectedShareChange = goalMetric(growth(float64(r.Affected), float64(r.PreviousAffected)), g.AffectedShareChange)
	r.KeyImprovedShare = goalMetric(ratio(float64(r.KeyImproved), float64(r.PreviousKey)), g.KeyImprovedShare)
	r.CasesGrowth = goalMetric(growth(float64(r.Cases), float64(r.PreviousCases)), g.CasesGrowth)
	r.New = goalMetric(count(newN), g.New)
	r.Recurred = goalMetric(count(recN), g.Recurred)

	if len(children) > 0 {
		e.months = r.Period.Months()
		e.ytdMonths, _ = r.Period.YearToDate()
	}
	r.Eliminated, r.ActiveDuring, r.PreviousEliminated = e.eliminated, e.activeDuring, e.prevElim
	r.EliminationRate, r.EliminationGrowth = e.rate(), e.growth()
	r.Target = e.target(cfg.Target)
	if len(children) == 0 {
		r.Target.Status, r.Target.Projection.Status = StatusUndefined, StatusUndefined
	}
	return r
}

// add sums an area's elimination numbers into e.
func (e *elimination) add(m AreaMetrics) {
	e.eliminated += m.Eliminated
	e.activeDuring += m.ActiveDuring
	e.prevElim += m.PreviousEliminated
	pr := m.Target.Projection
	e.ytdElim += pr.EliminatedYTD
	e.ytdDuring += pr.ActiveDuringYTD
	e.prevYearElim += pr.PreviousYearEliminated
}

// ComputeRollUp computes every child area for p and for the period before
// (on up to workers goroutines, as ComputeMany) and rolls them up. Both
// periods are computed from the same inputs, so when boundaries changed in
// between (communes merged), last year is seen through this year's areas
// and their carried-over history: like is compared with like. It returns
// the roll-up and the children's metrics for p.
func ComputeRollUp(code string, children []AreaInput, p hotspot.Period, cfg Config, workers int) (RollUpMetrics, []AreaMetrics) {
	cur := ComputeMany(children, p, cfg, workers)
	prev := ComputeMany(children, p.Previous(), cfg, workers)
	r := RollUp(code, cur, prev, cfg)
	r.Period = p
	return r, cur
}

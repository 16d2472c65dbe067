package metrics

import (
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
)

// child builds the metrics of a child commune for a roll-up fixture.
func child(code string, class Class, score float64, trafficking, use, newN, recurred, elim, during, prevElim int) AreaMetrics {
	p := hotspot.YearPeriod(2025)
	return AreaMetrics{
		Area: code, Period: p, Class: class, ComplexityScore: score,
		Incidents: map[hotspot.IncidentKind]int{hotspot.IncTrafficking: trafficking, hotspot.IncUse: use},
		New:       newN, Recurred: recurred, Eliminated: elim, ActiveDuring: during, PreviousEliminated: prevElim,
		Target: Target{Projection: Projection{MonthsElapsed: 12, EliminatedYTD: elim, ActiveDuringYTD: during, PreviousYearEliminated: prevElim}},
	}
}

func TestRollUp(t *testing.T) {
	previous := []AreaMetrics{
		child("A", ClassKey, 10, 10, 50, 0, 0, 1, 10, 0),
		child("B", ClassAffected, 3, 5, 5, 0, 0, 0, 2, 0),
		child("C", ClassClear, 0, 0, 0, 0, 0, 0, 0, 0),
		child("D", ClassKey, 8, 5, 5, 0, 0, 0, 4, 0), // merged away in 2025
		child("E", ClassKey, 7, 0, 0, 0, 0, 0, 3, 0),
	}
	children := []AreaMetrics{
		child("A", ClassAffected, 5, 12, 1, 1, 0, 2, 12, 1), // class improved
		child("B", ClassAffected, 4, 5, 0, 0, 0, 0, 2, 0),
		child("C", ClassClear, 0, 0, 0, 0, 0, 0, 0, 0),
		child("E", ClassKey, 7, 4, 0, 0, 0, 1, 3, 1), // same class, same score: not improved
	}
	r := RollUp("P", children, previous, DefaultConfig())

	if r.Period != hotspot.YearPeriod(2025) || r.Children != 4 || r.PreviousChildren != 5 {
		t.Errorf("frame %s %d %d", r.Period, r.Children, r.PreviousChildren)
	}
	if r.Classes[ClassKey] != 1 || r.Classes[ClassAffected] != 2 || r.Classes[ClassClear] != 1 {
		t.Errorf("classes %v", r.Classes)
	}
	// Affected: 3 now (A, B, E) against 4 (A, B, D, E): −25%, met (< −1%).
	if r.Affected != 3 || r.PreviousAffected != 4 || !eqPtr(r.AffectedShareChange.Value, f(-0.25)) || r.AffectedShareChange.Status != GoalMet {
		t.Errorf("affected_share_change %d/%d %+v", r.Affected, r.PreviousAffected, r.AffectedShareChange)
	}
	// Key last year and still present: A and E (D is gone); A improved: 1/2.
	if r.PreviousKey != 2 || r.KeyImproved != 1 || !eqPtr(r.KeyImprovedShare.Value, f(0.5)) || r.KeyImprovedShare.Status != GoalMet {
		t.Errorf("key_improved_share %d/%d %+v", r.KeyImproved, r.PreviousKey, r.KeyImprovedShare)
	}
	// Cases are trafficking/storage/transport/production only: 21 against 20: +5%, met (≥ 5%).
	if r.Cases != 21 || r.PreviousCases != 20 || !eqPtr(r.CasesGrowth.Value, f(0.05)) || r.CasesGrowth.Status != GoalMet {
		t.Errorf("cases_growth %d/%d %+v", r.Cases, r.PreviousCases, r.CasesGrowth)
	}
	if !eqPtr(r.New.Value, f(1)) || r.New.Status != GoalNotMet || !eqPtr(r.Recurred.Value, f(0)) || r.Recurred.Status != GoalMet {
		t.Errorf("new %+v recurred %+v", r.New, r.Recurred)
	}
	// Elimination over the sums: 3 of 17, previous 2.
	if r.Eliminated != 3 || r.ActiveDuring != 17 || r.PreviousEliminated != 2 || !eqPtr(r.EliminationRate, f(3.0/17)) || !eqPtr(r.EliminationGrowth, f(0.5)) {
		t.Errorf("elimination %d/%d prev %d rate %s growth %s", r.Eliminated, r.ActiveDuring, r.PreviousEliminated, str(r.EliminationRate), str(r.EliminationGrowth))
	}
	if r.Target.Status != StatusExceeded || !eqPtr(r.Target.Projection.Value, f(3.0/17)) {
		t.Errorf("target %+v", r.Target)
	}
}

func TestRollUpUndefined(t *testing.T) {
	r := RollUp("P", nil, nil, DefaultConfig())
	for name, g := range map[string]GoalMetric{"affected": r.AffectedShareChange, "key": r.KeyImprovedShare, "cases": r.CasesGrowth} {
		if g.Value != nil || g.Status != GoalUndefined {
			t.Errorf("%s: %+v", name, g)
		}
	}
	if r.Target.Status != StatusUndefined || r.EliminationRate != nil {
		t.Errorf("target %+v", r.Target)
	}
	// Every goal's comparison.
	for _, tt := range []struct {
		op   string
		v    float64
		want GoalStatus
	}{{"below", -0.01, GoalNotMet}, {"below", -0.02, GoalMet}, {"at_most", 0, GoalMet}, {"above", 0.05, GoalNotMet}, {"at_least", 0.05, GoalMet}} {
		if got := goalMetric(f(tt.v), Goal{Op: tt.op, Threshold: map[string]float64{"below": -0.01, "at_most": 0, "above": 0.05, "at_least": 0.05}[tt.op]}).Status; got != tt.want {
			t.Errorf("%v %s threshold: %s, want %s", tt.v, tt.op, got, tt.want)
		}
	}
}

func TestRollUpFromCompute(t *testing.T) {
	// Two communes computed from inputs, 2024 and 2025, rolled up.
	a := AreaInput{Code: "A", Hotspots: stock(20, "2024-06-01", "2025-03-01", "2025-04-01"),
		Incidents: []IncidentCount{{Month: hotspot.MonthOf(2024, time.May), Kind: hotspot.IncTrafficking, N: 10}, {Month: hotspot.MonthOf(2025, time.May), Kind: hotspot.IncTrafficking, N: 11}}}
	b := AreaInput{Code: "B"}
	cfg := DefaultConfig()
	prev := ComputeMany([]AreaInput{a, b}, hotspot.YearPeriod(2024), cfg, 1)
	cur := ComputeMany([]AreaInput{a, b}, hotspot.YearPeriod(2025), cfg, 1)
	r := RollUp("P", cur, prev, cfg)
	r2, cur2 := ComputeRollUp("P", []AreaInput{a, b}, hotspot.YearPeriod(2025), cfg, 2)
	if len(cur2) != 2 || r2.Eliminated != r.Eliminated || r2.Cases != r.Cases || r2.Period != hotspot.YearPeriod(2025) {
		t.Errorf("ComputeRollUp differs: %+v", r2)
	}
	if r.Eliminated != 2 || r.ActiveDuring != 19 || r.PreviousEliminated != 1 || r.Cases != 11 || r.PreviousCases != 10 {
		t.Errorf("roll-up %+v", r)
	}
	if !eqPtr(r.CasesGrowth.Value, f(0.1)) || r.CasesGrowth.Status != GoalMet {
		t.Errorf("cases %+v", r.CasesGrowth)
	}
}

package metrics_test

import (
	"math"
	"testing"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/metrics"
)

func mustPeriod(t *testing.T, s string) hotspot.Period {
	t.Helper()
	p, err := hotspot.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCriteriaJudgesEvidence(t *testing.T) {
	p2025 := mustPeriod(t, "2025")
	ind := func(key, period string, v float64) metrics.IndicatorValue {
		return metrics.IndicatorValue{Key: key, Period: mustPeriod(t, period), Value: v}
	}
	inds := []metrics.IndicatorValue{
		ind(hotspot.IndHouseholdsTotal, "2025", 100),
		ind(hotspot.IndHouseholdsReached, "2025", 90),
		// The month ending with the year wins over the year (shorter period).
		ind(hotspot.IndHouseholdsReached, "2025-12", 100),
		ind(hotspot.IndHighRiskTotal, "2025-Q4", 10),
		ind(hotspot.IndHighRiskReached, "2025-Q4", 10),
		// Reported after the period: not read.
		ind(hotspot.IndCasesTotal, "2026-01", 3),
		// A value that is not a number is never read.
		ind(hotspot.IndPublicUseReports, "2025", math.NaN()),
	}
	m := metrics.AreaMetrics{TipsReceived: 36, TipsHandled: 35, ActiveEnd: 0, Recurred: 0, New: 0,
		Incidents: map[hotspot.IncidentKind]int{hotspot.IncProduction: 1}}
	got := map[int]metrics.Criterion{}
	for _, c := range metrics.Criteria(m, inds, p2025) {
		got[c.ID] = c
	}
	want := map[int]string{
		1: metrics.CriterionNotMet,  // 35 of 36 tips handled
		2: metrics.CriterionMet,     // 100/100 households (the month's value), 10/10 high-risk
		3: metrics.CriterionMet,     // no hotspot active, new or recurred
		4: metrics.CriterionUnknown, // cases reported only for 2026-01
		5: metrics.CriterionNotMet,  // a production incident
		6: metrics.CriterionUnknown, // public use reported as NaN: not known
	}
	if len(got) != 6 {
		t.Fatalf("%d criteria, want 6", len(got))
	}
	for id, status := range want {
		if got[id].Status != status {
			t.Errorf("criterion %d: %s, want %s (values %v)", id, got[id].Status, status, got[id].Values)
		}
	}
	if v := got[2].Values[hotspot.IndHouseholdsReached]; v == nil || *v != 100 {
		t.Errorf("households reached %v, want the month's 100", v)
	}
	if v := got[1].Values["tips_handled"]; v == nil || *v != 35 {
		t.Errorf("tips handled %v, want 35", v)
	}
	if v := got[4].Values[hotspot.IndCasesTotal]; v != nil {
		t.Errorf("cases_total %v, want null (reported after the period)", *v)
	}
}

// TestAreaCriteriaOfAParentReadsItsChildren: a district's criteria judge the
// sum of its communes' indicators, not the district's own stale rows.
func TestAreaCriteriaOfAParentReadsItsChildren(t *testing.T) {
	p := mustPeriod(t, "2025")
	ind := func(key string, v float64) metrics.IndicatorValue {
		return metrics.IndicatorValue{Key: key, Period: p, Value: v}
	}
	in := metrics.AreaInput{Code: "D",
		// the district's own rows say everything is reached
		Indicators: []metrics.IndicatorValue{ind(hotspot.IndHouseholdsTotal, 100), ind(hotspot.IndHouseholdsReached, 100)},
		Children: []metrics.ChildIndicators{
			{Code: "C1", Indicators: []metrics.IndicatorValue{ind(hotspot.IndHouseholdsTotal, 1500), ind(hotspot.IndHouseholdsReached, 1500)}},
			{Code: "C2", Indicators: []metrics.IndicatorValue{ind(hotspot.IndHouseholdsTotal, 1690), ind(hotspot.IndHouseholdsReached, 1212)}},
		}}
	m := metrics.Compute(in, p, metrics.DefaultConfig())
	c := metrics.AreaCriteria(m, in)[1]
	if c.ID != 2 || *c.Values[hotspot.IndHouseholdsTotal] != 3190 || *c.Values[hotspot.IndHouseholdsReached] != 2712 || c.Status != metrics.CriterionNotMet {
		t.Fatalf("criterion 2 of the district: %s %v/%v", c.Status, *c.Values[hotspot.IndHouseholdsReached], *c.Values[hotspot.IndHouseholdsTotal])
	}
	// Criteria on the parent's own rows is what the bug did.
	if own := metrics.Criteria(m, in.Indicators, p)[1]; *own.Values[hotspot.IndHouseholdsTotal] != 100 {
		t.Fatalf("own rows: %v", *own.Values[hotspot.IndHouseholdsTotal])
	}
}

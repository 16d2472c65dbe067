package disclosure_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"testing"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
	"github.com/diaban/diaban/hotspot/metrics"
)

func area(code string, inc map[hotspot.IncidentKind]int, tipsRecv, tipsHandled int) metrics.AreaMetrics {
	full := map[hotspot.IncidentKind]int{}
	for _, k := range hotspot.IncidentKinds {
		full[k] = inc[k]
	}
	share := float64(tipsHandled) / float64(max(tipsRecv, 1))
	change := 0.5
	return metrics.AreaMetrics{Area: code, ActiveEnd: 2, New: 1, Incidents: full, TipsReceived: tipsRecv, TipsHandled: tipsHandled,
		TipsHandledShare: &share, ComplexityScore: 3.25, Class: metrics.ClassAffected,
		Trend: metrics.Trend{Series: []float64{1, 2, 3.25}, ScoreChange: &change, SenSlope: 1.1, Direction: metrics.DirectionNone}}
}

// numbersBelowFive walks a JSON value and reports every number 1–4 found
// under a key that counts people.
func countsBelowFive(t *testing.T, v any) []string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var bad []string
	small := func(x any) bool { f, ok := x.(float64); return ok && f > 0 && f < 5 }
	for k, x := range m["incidents"].(map[string]any) {
		if small(x) {
			bad = append(bad, "incidents."+k)
		}
	}
	for _, k := range []string{"incidents_total", "tips_received", "tips_handled", "tips_handled_earlier", "registered_users"} {
		if small(m[k]) {
			bad = append(bad, k)
		}
	}
	return bad
}

func TestMetricsViewer(t *testing.T) {
	m := area("A", map[hotspot.IncidentKind]int{hotspot.IncUse: 3, hotspot.IncTrafficking: 7, hotspot.IncStorage: 6}, 2, 1)
	v := disclosure.For(hotspot.RoleViewer).Metrics(m)
	if bad := countsBelowFive(t, v); len(bad) > 0 {
		t.Errorf("viewer sees small counts: %v", bad)
	}
	// use (3) is suppressed and the total (16) shown: the smallest shown
	// kind — a zero — is suppressed too, so total − shown kinds is a sum of two.
	hidden := 0
	for _, k := range hotspot.IncidentKinds {
		if v.Incidents[k] == disclosure.SuppressedText {
			hidden++
		}
	}
	if hidden != 2 || v.IncidentsTotal != int64(16) || v.Incidents[hotspot.IncTrafficking] != int64(7) {
		t.Errorf("kinds %v total %v: want use and one more suppressed, total 16, trafficking 7", v.Incidents, v.IncidentsTotal)
	}
	if v.TipsHandledShare != nil || v.ComplexityScore != nil || v.Trend.Series != nil || v.Trend.ScoreChange != nil || v.Trend.SenSlope != nil {
		t.Errorf("derived figures not withheld: share %v score %v trend %+v", v.TipsHandledShare, v.ComplexityScore, v.Trend)
	}
	for _, col := range []string{"incidents_use", "tips_received", "tips_handled", "tips_handled_share", "complexity_score", "trend_sen_slope"} {
		if !v.IsSuppressed(col) {
			t.Errorf("%s not listed in suppressed %v", col, v.Suppressed)
		}
	}
	if v.ActiveEnd != 2 || v.New != 1 || v.Class != metrics.ClassAffected {
		t.Errorf("hotspot figures changed: %+v", v.AreaMetrics)
	}
	// An officer gets every figure.
	o := disclosure.For(hotspot.RoleOfficer).Metrics(m)
	if len(o.Suppressed) > 0 || o.Incidents[hotspot.IncUse] != int64(3) || o.TipsReceived != int64(2) || o.ComplexityScore == nil || *o.ComplexityScore != 3.25 ||
		o.Trend.SenSlope == nil || len(o.Trend.Series) != 3 || o.IncidentsTotal != int64(16) {
		t.Errorf("officer view: %+v", o)
	}
	// Nothing small: the score stays for the viewer.
	big := area("B", map[hotspot.IncidentKind]int{hotspot.IncUse: 9}, 5, 5)
	if v := disclosure.For(hotspot.RoleViewer).Metrics(big); v.ComplexityScore == nil || v.TipsHandledShare == nil || v.Incidents[hotspot.IncUse] != int64(9) {
		t.Errorf("viewer, no small count: %+v", v)
	}
}

// In a table whose column sums are the parent's figures, a column never
// has one suppressed cell beside a shown sum.
func TestMetricsTableSecondary(t *testing.T) {
	ms := []metrics.AreaMetrics{
		area("A", map[hotspot.IncidentKind]int{hotspot.IncUse: 8}, 6, 6),
		area("B", map[hotspot.IncidentKind]int{hotspot.IncUse: 2}, 9, 9),
		area("C", map[hotspot.IncidentKind]int{hotspot.IncUse: 12}, 7, 7),
	}
	rows := disclosure.For(hotspot.RoleViewer).MetricsTable(ms)
	var cells []any
	for _, r := range rows {
		cells = append(cells, r.Incidents[hotspot.IncUse])
		if bad := countsBelowFive(t, r); len(bad) > 0 {
			t.Errorf("%s: small counts %v", r.Area, bad)
		}
	}
	want := []any{disclosure.SuppressedText, disclosure.SuppressedText, int64(12)}
	if !slices.Equal(cells, want) {
		t.Errorf("use column %v, want %v (B primary, A its complement)", cells, want)
	}
	for _, r := range rows {
		if r.TipsReceived == disclosure.SuppressedText {
			t.Errorf("%s: tips suppressed with no small count", r.Area)
		}
	}
	var buf bytes.Buffer
	if err := disclosure.WriteMetricsCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(recs[0], "incidents_use")
	score := slices.Index(recs[0], "complexity_score")
	if recs[1][col] != "< 5" || recs[2][col] != "< 5" || recs[3][col] != "12" || recs[2][score] != "" || recs[3][score] == "" {
		t.Errorf("CSV: use %q %q %q, score %q %q", recs[1][col], recs[2][col], recs[3][col], recs[2][score], recs[3][score])
	}
	if recs[0][len(recs[0])-1] != "incidents_total" || recs[3][len(recs[3])-1] != "12" {
		t.Errorf("CSV incidents_total: %q %q", recs[0][len(recs[0])-1], recs[3][len(recs[3])-1])
	}
}

func TestRollUpAndCriteria(t *testing.T) {
	g := 0.5
	ru := metrics.RollUpMetrics{Area: "P", Cases: 3, PreviousCases: 8, CasesGrowth: metrics.GoalMetric{Value: &g}, Affected: 1}
	v := disclosure.For(hotspot.RoleViewer).RollUp(ru)
	if v.Cases != disclosure.SuppressedText || v.PreviousCases != int64(8) || v.CasesGrowth.Value != nil || v.Affected != 1 {
		t.Errorf("viewer roll-up %+v", v)
	}
	if o := disclosure.For(hotspot.RoleAdmin).RollUp(ru); o.Cases != int64(3) || o.CasesGrowth.Value == nil {
		t.Errorf("admin roll-up %+v", o)
	}
	two, one := 2.0, 1.0
	cs := disclosure.For(hotspot.RoleViewer).Criteria([]metrics.Criterion{{ID: 1, Status: metrics.CriterionNotMet,
		Values: map[string]*float64{"tips_received": &two, "active_end": &one, "incidents_production": nil}}})
	if cs[0].Values["tips_received"] != disclosure.SuppressedText || cs[0].Values["active_end"] != 1.0 || cs[0].Values["incidents_production"] != nil || cs[0].Status != metrics.CriterionNotMet {
		t.Errorf("viewer criteria %+v", cs[0])
	}
}

package metrics

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/diaban/diaban/hotspot"
)

func TestJSONFieldNames(t *testing.T) {
	m := Compute(AreaInput{Code: "26734"}, hotspot.QuarterPeriod(2025, 3), DefaultConfig())
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"area", "period", "active_start", "active_during", "active_end", "new", "eliminated",
		"eliminated_sustained", "recurred", "elimination_rate", "elimination_growth", "target", "incidents",
		"tips_received", "tips_handled", "tips_handled_share", "complexity_score", "class", "trend"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no %q in %s", k, b)
		}
	}
	for _, k := range []string{"elimination_rate", "elimination_growth", "tips_handled_share", "registered_users"} {
		if got[k] != nil {
			t.Errorf("%s = %v, want null", k, got[k])
		}
	}
	if got["period"] != "2025-Q3" {
		t.Errorf("period %v", got["period"])
	}
	tg := got["target"].(map[string]any)
	for _, k := range []string{"measure", "min", "max", "value", "status", "projection"} {
		if _, ok := tg[k]; !ok {
			t.Errorf("no target.%s", k)
		}
	}
	if tg["status"] != "undefined" {
		t.Errorf("target.status %v", tg["status"])
	}
	tr := got["trend"].(map[string]any)
	for _, k := range []string{"score_change", "s", "var_s", "z", "p", "sen_slope", "direction", "n"} {
		if _, ok := tr[k]; !ok {
			t.Errorf("no trend.%s", k)
		}
	}
	if inc := got["incidents"].(map[string]any); len(inc) != 8 || inc["organised_use"] != 0.0 {
		t.Errorf("incidents %v", inc)
	}
}

func TestCSV(t *testing.T) {
	cfg := DefaultConfig()
	ms := []AreaMetrics{
		Compute(AreaInput{Code: "A", Hotspots: stock(4, "2025-02-01")}, hotspot.YearPeriod(2025), cfg),
		Compute(AreaInput{Code: "B"}, hotspot.YearPeriod(2025), cfg),
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, ms); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || !slices.Equal(rows[0], CSVHeader()) {
		t.Fatalf("rows %v", rows)
	}
	col := func(row int, name string) string { return rows[row][slices.Index(rows[0], name)] }
	for i, r := range rows {
		if len(r) != len(rows[0]) {
			t.Errorf("row %d has %d cells, header %d", i, len(r), len(rows[0]))
		}
	}
	if col(1, "elimination_rate") != "0.25" || col(1, "target_status") != "exceeded" || col(1, "incidents_use") != "0" || col(1, "period") != "2025" {
		t.Errorf("row A %v", rows[1])
	}
	if col(2, "elimination_rate") != "" || col(2, "target_status") != "undefined" || col(2, "class") != "clear" {
		t.Errorf("row B %v", rows[2])
	}
}

func TestConfig(t *testing.T) {
	d := DefaultConfig()
	if d.Target != (TargetConfig{Measure: MeasureRate, Min: 0.05, Max: 0.10}) || d.Complexity.KeyMinScore != 6 ||
		d.Trend.Periods[hotspot.PeriodMonth] != 12 || d.Trend.Periods[hotspot.PeriodQuarter] != 8 || d.Trend.Periods[hotspot.PeriodYear] != 5 || d.Trend.Alpha != 0.05 {
		t.Errorf("defaults %+v", d)
	}
	if c, err := LoadConfig(""); err != nil || c.Complexity.IncidentWeights[hotspot.IncTrafficking] != 2 {
		t.Errorf("LoadConfig(\"\") = %+v, %v", c, err)
	}

	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c, err := LoadConfig(write("partial.json", `{"target": {"measure": "elimination_growth"}, "complexity": {"incident_weights": {"use": 1}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Target.Measure != MeasureGrowth || c.Target.Min != 0.05 || c.Complexity.IncidentWeights[hotspot.IncUse] != 1 || c.Complexity.IncidentWeights[hotspot.IncTrafficking] != 2 || c.Complexity.KeyMinScore != 6 {
		t.Errorf("partial override %+v", c)
	}
	// The override must not leak into later defaults.
	if DefaultConfig().Complexity.IncidentWeights[hotspot.IncUse] != 0.5 {
		t.Error("defaults changed by an override")
	}

	for name, body := range map[string]string{
		"target.measure":              `{"target": {"measure": "rate"}}`,
		"target":                      `{"target": {"min": 0.2, "max": 0.1}}`,
		"complexity.incident_weights": `{"complexity": {"incident_weights": {"smuggling": 1}}}`,
		"trend.alpha":                 `{"trend": {"alpha": 1.5}}`,
		"trend.periods.month":         `{"trend": {"periods": {"month": 1}}}`,
		"rollup.cases_growth.op":      `{"rollup": {"cases_growth": {"op": "=>", "threshold": 0.05}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := LoadConfig(write("bad.json", body))
			ce, ok := err.(*ConfigError)
			if !ok || ce.Field != name {
				t.Errorf("err = %v, want a ConfigError on %s", err, name)
			}
		})
	}
	if _, err := LoadConfig(write("typo.json", `{"targte": {}}`)); err == nil || !strings.Contains(err.Error(), "targte") {
		t.Errorf("unknown field accepted: %v", err)
	}
	if _, err := LoadConfig(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file accepted")
	}
}

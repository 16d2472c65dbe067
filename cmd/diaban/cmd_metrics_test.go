package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diaban/diaban/internal/pgtest"
)

func TestMetricsCommand(t *testing.T) {
	db := pgtest.New(t)
	db.ImportFile(t, "areas", "../../hotspot/testdata/areas.geojson")
	db.Import(t, "hotspots", "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,\nH2,108.26,15.9,storage,\n")
	db.Import(t, "events", "hotspot_ref,event,occurred_at,note\nH1,detected,2024-11-10,\nH2,detected,2025-02-01,\nH1,eliminated,2025-12-31T23:30:00+07:00,\n")

	out, stderr, err := runCmd(t, "metrics", "--area", "20530", "--period", "2025", "--db", db.URL)
	if err != nil {
		t.Fatalf("run: %v (stderr %q)", err, stderr)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	// H1 active at the start, eliminated at 23:30 on 31 December (2025 in
	// Vietnam); H2 new: 1 of 2 eliminated.
	if m["area"] != "20530" || m["period"] != "2025" || m["active_start"] != 1.0 || m["active_during"] != 2.0 ||
		m["new"] != 1.0 || m["eliminated"] != 1.0 || m["elimination_rate"] != 0.5 || m["elimination_growth"] != nil {
		t.Errorf("json: %v", m)
	}
	if tg, ok := m["target"].(map[string]any); !ok || tg["status"] != "exceeded" {
		t.Errorf("target: %v", m["target"])
	}
	if tr, ok := m["trend"].(map[string]any); !ok || tr["direction"] == nil {
		t.Errorf("trend: %v", m["trend"])
	}

	cfg := filepath.Join(t.TempDir(), "metrics.json")
	if err := os.WriteFile(cfg, []byte(`{"target": {"measure": "elimination_growth"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err = runCmd(t, "metrics", "--area", "20530", "--period", "2025-Q4", "--format", "csv", "--config", cfg, "--db", db.URL)
	if err != nil {
		t.Fatalf("csv: %v (stderr %q)", err, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("csv %q: %v", out, err)
	}
	row := map[string]string{}
	for i, h := range recs[0] {
		row[h] = recs[1][i]
	}
	if row["area"] != "20530" || row["period"] != "2025-Q4" || row["eliminated"] != "1" || row["target_measure"] != "elimination_growth" {
		t.Errorf("csv row: %v", row)
	}

	for _, args := range [][]string{
		{"metrics", "--period", "2025"},
		{"metrics", "--area", "20530", "--period", "2025-13"},
		{"metrics", "--area", "20530", "--period", "2025", "--format", "xml"},
		{"metrics", "--bogus"},
	} {
		if _, _, err := runCmd(t, append(args, "--db", db.URL)...); !errors.Is(err, errUsage) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	if _, _, err := runCmd(t, "metrics", "--area", "99999", "--period", "2025", "--db", db.URL); err == nil || errors.Is(err, errUsage) {
		t.Errorf("unknown area: %v", err)
	}
}

// TestMetricsCommandParent: a district prints its roll-up over its
// communes and the six criteria judged on its communes' indicators, as
// the API does, for every kind of period.
func TestMetricsCommandParent(t *testing.T) {
	db := pgtest.New(t)
	db.ImportFile(t, "areas", "../../hotspot/testdata/areas.geojson")
	db.Import(t, "hotspots", "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,\nH2,108.35,15.9,storage,\n")
	db.Import(t, "events", "hotspot_ref,event,occurred_at,note\nH1,detected,2024-11-10,\nH2,detected,2025-02-01,\n")
	db.Import(t, "indicators", "area_code,period,key,value\n20530,2025,households_total,1500\n20530,2025,households_reached,1500\n20533,2025,households_total,1690\n20533,2025,households_reached,1212\n503,2025,households_total,100\n503,2025,households_reached,100\n")
	for _, p := range []string{"2025", "2025-H2", "2025-Q4", "2025-12", "2025-01-01..2025-12-31"} {
		out, stderr, err := runCmd(t, "metrics", "--area", "503", "--period", p, "--db", db.URL)
		if err != nil {
			t.Fatalf("%s: %v (stderr %q)", p, err, stderr)
		}
		var m struct {
			Period   string
			RollUp   *struct{ Children int }
			Criteria []struct {
				ID     int
				Status string
				Values map[string]*float64
			}
		}
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		if m.Period != p || m.RollUp == nil || m.RollUp.Children != 2 || len(m.Criteria) != 6 {
			t.Fatalf("%s: %s", p, out)
		}
		c2 := m.Criteria[1]
		if c2.Values["households_total"] == nil || *c2.Values["households_total"] != 3190 || *c2.Values["households_reached"] != 2712 || c2.Status != "not_met" {
			t.Errorf("%s: criterion 2 of the district reads %v, want the communes' 2712/3190", p, c2)
		}
	}
	out, _, err := runCmd(t, "metrics", "--area", "503", "--period", "2025", "--format", "csv", "--db", db.URL)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 4 || recs[1][0] != "503" || recs[2][0] != "20530" || recs[3][0] != "20533" {
		t.Errorf("csv of the district and its communes: %q %v", recs, err)
	}
}

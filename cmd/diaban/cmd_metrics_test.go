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

package main

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/diaban/diaban/internal/pgtest"
)

func TestCamerasPlanFromArea(t *testing.T) {
	db := pgtest.New(t)
	db.ImportFile(t, "areas", "../../hotspot/testdata/areas.geojson")
	db.Import(t, "hotspots", "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,A\nH2,108.35,15.9,storage,B\n")
	db.Import(t, "events", "hotspot_ref,event,occurred_at,note\nH1,detected,2025-01-10,\nH2,detected,2025-02-01,\n")
	out, stderr, err := runCmd(t, "cameras", "plan", "--area", "503", "--k", "3", "--range", "100", "--db", db.URL)
	if err != nil {
		t.Fatalf("run: %v (stderr %q)", err, stderr)
	}
	var res struct {
		Chosen        []struct{ Site string } `json:"chosen"`
		CoveredWeight float64                 `json:"covered_weight"`
		TotalWeight   float64                 `json:"total_weight"`
		UpperBound    float64                 `json:"upper_bound"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	// Two hotspots without incidents weigh 1 each: two cameras cover both.
	if len(res.Chosen) != 2 || res.CoveredWeight != 2 || res.TotalWeight != 2 || res.UpperBound < 2 {
		t.Errorf("plan %+v", res)
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"unknown area", []string{"--area", "99999", "--k", "1"}},
		{"area and demand", []string{"--area", "503", "--demand", "x.csv", "--k", "1"}},
		{"bad objective", []string{"--area", "503", "--k", "1", "--objective", "tips"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"cameras", "plan", "--db", db.URL}, tc.args...)
			if _, _, err := runCmd(t, args...); !errors.Is(err, errUsage) {
				t.Errorf("want a usage error, got %v", err)
			}
		})
	}
}

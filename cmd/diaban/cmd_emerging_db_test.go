package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

// TestEmergingFromArea reads the cube from the database (--area) and finds
// a burst of incidents in the last month as a new hot spot; the same data
// written as a cube CSV gives the same answer through --cube.
func TestEmergingFromArea(t *testing.T) {
	db := pgtest.New(t)
	st := store.NewStore(db.Pool)
	ctx := context.Background()
	areas, err := os.ReadFile("../../hotspot/testdata/areas.geojson")
	if err != nil {
		t.Fatal(err)
	}
	var inc strings.Builder
	inc.WriteString("ref,lon,lat,kind,occurred_at\n")
	for m := 1; m <= 6; m++ { // a quiet background: one incident a month in each commune's corner
		fmt.Fprintf(&inc, "W%d,108.21,15.81,use,2025-%02d-10\nE%d,108.39,15.99,use,2025-%02d-10\n", m, m, m, m)
	}
	centre := geo.Point{Lon: 108.25, Lat: 15.9}
	for k := 0; k < 12; k++ {
		fmt.Fprintf(&inc, "C%d,%.4f,%.4f,trafficking,2025-06-%02dT21:00:00+07:00\n", k, centre.Lon+float64(k%3)*0.0003, centre.Lat, 1+k)
	}
	for _, im := range []struct{ kind, text string }{{"areas", string(areas)}, {"incidents", inc.String()}} {
		if _, err := importer.Import(ctx, st, im.kind, strings.NewReader(im.text), importer.Options{}); err != nil {
			t.Fatalf("import %s: %v", im.kind, err)
		}
	}
	out, stderr, err := runCmd(t, "emerging", "--area", "503", "--from", "2025-01-01", "--to", "2025-06-30", "--db", db.URL)
	if err != nil {
		t.Fatalf("run: %v (stderr %q)", err, stderr)
	}
	if !strings.Contains(stderr, "6 month bins 2025-01..2025-06, 24 incidents") {
		t.Errorf("stderr %q", stderr)
	}
	got := categories(t, out)
	if c := got[geo.CellOf(centre, 9).String()]; c != "new_hot" {
		t.Errorf("burst cell is %q, want new_hot (%d cells)", c, len(got))
	}

	// The same cube through a CSV file: identical output.
	ec, err := st.EmergingCube(ctx, hotspot.EmergingQuery{AreaCode: "503", From: mustInstant(t, "2025-01-01"), To: mustInstant(t, "2025-07-01")})
	if err != nil {
		t.Fatal(err)
	}
	var cube strings.Builder
	cube.WriteString("cell,bin,count\n")
	for i, c := range ec.Cube.Cells() {
		for b, x := range ec.Cube.Series(i) {
			if x > 0 || b == 0 {
				fmt.Fprintf(&cube, "%s,%d,%g\n", c, b, x)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "cube.csv")
	if err := os.WriteFile(path, []byte(cube.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	fromCSV, err := runCLI(t, "", "emerging", "--cube", path, "--bins", "6")
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(categories(t, fromCSV), got) {
		t.Error("--cube and --area disagree on the same cube")
	}

	for _, args := range [][]string{
		{"--area", "nowhere"},
		{"--area", "503", "--res", "11"},
		{"--area", "503", "--bin", "week"},
		{"--area", "503", "--from", "someday"},
		{"--area", "503", "--bins", "4"},
		{"--area", "503", "--cube", path},
	} {
		args := append([]string{"emerging", "--db", db.URL}, args...)
		if _, _, err := runCmd(t, args...); !errors.Is(err, errUsage) {
			t.Errorf("%v: want a usage error, got %v", args, err)
		}
	}
}

func mustInstant(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := hotspot.ParseInstant(s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// categories reads the cell → category column of emerging's output.
func categories(t *testing.T, out string) map[string]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, r := range rows[1:] {
		m[r[0]] = r[1]
	}
	return m
}

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/diaban/diaban/internal/pgtest"
)

func rect(code, name, level, parent, extra string, x0, x1 float64) string {
	lon0, lon1 := 108+x0/10, 108+x1/10
	return fmt.Sprintf(`{"type":"Feature","properties":{"code":%q,"name":%q,"level":%q,"parent_code":%q%s},`+
		`"geometry":{"type":"Polygon","coordinates":[[[%g,15.0],[%g,15.0],[%g,15.1],[%g,15.1],[%g,15.0]]]}}`,
		code, name, level, parent, extra, lon0, lon1, lon1, lon0, lon0)
}

// TestReformThroughTheCLI: old and new units in one file, records, the
// crosswalk, then diaban metrics on both geographies and reform check.
func TestReformThroughTheCLI(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	old := `,"valid_to":"2025-07-01"`
	areas := write("areas.geojson", `{"type":"FeatureCollection","features":[`+strings.Join([]string{
		rect("49", "Tỉnh Quảng Nam", "province", "", old, 0, 2),
		rect("503", "Thành phố Hội An", "district", "49", old, 0, 2),
		rect("20398", "Phường Minh An", "commune", "503", old+`,"type":"phường"`, 0, 1),
		rect("20404", "Phường Cẩm Phô", "commune", "503", old+`,"type":"phường"`, 1, 2),
		rect("48", "Thành phố Đà Nẵng", "province", "", `,"valid_from":"2025-07-01"`, 0, 2),
		rect("20410", "Phường Hội An", "commune", "48", `,"valid_from":"2025-07-01","type":"phường"`, 0, 2),
	}, ",")+`]}`)
	hotspots := write("hotspots.csv", "ref,lon,lat,kind,name\nA,108.05,15.05,dealing,\nB,108.15,15.05,dealing,\n")
	events := write("events.csv", "hotspot_ref,event,occurred_at,note\nA,detected,2023-02-01,\nB,detected,2023-03-01,\nB,eliminated,2024-01-10,\n")
	indicators := write("indicators.csv", "area_code,period,key,value\n20398,2023,registered_users,4\n20404,2023,registered_users,6\n")
	crosswalk := write("crosswalk.csv", "old_code,new_code,merge_type,old_name,new_name\n20398,20410,full,Minh An,Hội An\n20404,20410,full,Cẩm Phô,Hội An\n00004,00004,full,Trúc Bạch,Ba Đình\n")
	for _, im := range [][]string{{"areas", areas}, {"hotspots", hotspots}, {"events", events}, {"indicators", indicators}} {
		if _, errOut, err := runCmd(t, "import", "--db", db.URL, im[0], im[1]); err != nil {
			t.Fatalf("import %s: %v %s", im[0], err, errOut)
		}
	}
	out, errOut, err := runCmd(t, "import", "crosswalk", crosswalk, "--db", db.URL)
	if err != nil || !strings.Contains(out, "3 rows read, 2 links") || !strings.Contains(out, "1 skipped") {
		t.Fatalf("import crosswalk: %v %q %s", err, out, errOut)
	}
	metricsOf := func(args ...string) map[string]any {
		t.Helper()
		out, errOut, err := runCmd(t, append([]string{"metrics", "--db", db.URL}, args...)...)
		if err != nil {
			t.Fatalf("metrics %v: %v %s", args, err, errOut)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := metricsOf("--area", "20410", "--period", "2023")
	if m["active_during"] != 2.0 || m["new"] != 2.0 || m["registered_users"] != 10.0 {
		t.Errorf("20410 2023 today: %v %v %v", m["active_during"], m["new"], m["registered_users"])
	}
	m = metricsOf("--area", "20404", "--period", "2023", "--as-of", "2025-06-30")
	if m["active_during"] != 1.0 || m["registered_users"] != 6.0 || m["name"] != "Phường Cẩm Phô" {
		t.Errorf("20404 2023 before: %v %v %v", m["active_during"], m["registered_users"], m["name"])
	}
	m = metricsOf("--area", "503", "--period", "2024", "--as-of", "2025-06-30")
	if m["active_during"] != 2.0 || m["eliminated"] != 1.0 {
		t.Errorf("503 2024 before: %v", m)
	}
	if _, _, err := runCmd(t, "metrics", "--db", db.URL, "--area", "503", "--period", "2024"); err == nil {
		t.Error("district 503 today: no error")
	}
	out, errOut, err = runCmd(t, "reform", "check", "--province", "48", "--db", db.URL)
	if err != nil || !strings.Contains(out, "2 old communes retired, 1 new units") || !strings.Contains(out, "old units with no successor: 0") {
		t.Errorf("reform check: %v\n%s%s", err, out, errOut)
	}
}

// TestImportCrosswalkArgumentIsTheKind: only a KIND of exactly "crosswalk"
// is the crosswalk import; a file or a flag's value named so is not.
func TestImportCrosswalkArgumentIsTheKind(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{
		{[]string{"crosswalk", "x.csv"}, true},
		{[]string{"crosswalk", "x.csv", "--valid-from", "2025-07-01"}, true},
		{[]string{"--db", "postgres://h/db", "crosswalk", "x.csv"}, true},
		{[]string{"--valid-from=2025-07-01", "--json", "crosswalk", "-"}, true},
		{[]string{"--", "crosswalk", "x.csv"}, true},
		{[]string{"areas", "crosswalk"}, false},          // a file named crosswalk
		{[]string{"tips", "crosswalk", "--json"}, false}, // likewise
		{[]string{"--db", "crosswalk", "areas", "a.geojson"}, false},
		{[]string{"areas", "--db", "crosswalk", "a.geojson"}, false},
		{[]string{"crosswalks", "x.csv"}, false},
		{[]string{"--no-such-flag", "crosswalk"}, false},
		{nil, false},
	} {
		if got := isCrosswalkImport(c.args); got != c.want {
			t.Errorf("import %v: crosswalk %v, want %v", c.args, got, c.want)
		}
	}
}

// FuzzImportArgs: deciding the kind never panics and agrees with the
// first positional argument.
func FuzzImportArgs(f *testing.F) {
	f.Add("crosswalk x.csv --json")
	f.Add("--db crosswalk areas a")
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		got := isCrosswalkImport(args)
		if got && !slices.Contains(args, "crosswalk") {
			t.Fatalf("%q: crosswalk without the word", args)
		}
	})
}

// TestReadmeNationalCrosswalk: on the demo, the national crosswalk as it is
// and reform check for province 48 print what the README shows they print
// (TestReadmeExamples runs the commands; this compares their output).
func TestReadmeNationalCrosswalk(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo")
	}
	db := pgtest.New(t)
	if _, errOut, err := runCmd(t, "seed", "demo", "--db", db.URL); err != nil {
		t.Fatalf("seed demo: %v\n%s", err, errOut)
	}
	imp, errOut, err := runCmd(t, "import", "crosswalk", "../../hotspot/demo/data/crosswalk_national.csv", "--db", db.URL)
	if err != nil {
		t.Fatalf("import crosswalk: %v\n%s", err, errOut)
	}
	check, errOut, err := runCmd(t, "reform", "check", "--province", "48", "--db", db.URL)
	if err != nil {
		t.Fatalf("reform check: %v\n%s", err, errOut)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const marker = "which prints (`TestReadmeNationalCrosswalk` checks it):\n\n```\n"
	_, rest, ok := strings.Cut(string(readme), marker)
	if !ok {
		t.Fatalf("README.md has no block after %q", marker)
	}
	shown, _, _ := strings.Cut(rest, "```\n")
	if got := imp + check; got != shown {
		t.Errorf("README.md shows:\n%s\nthe commands print:\n%s", shown, got)
	}
}

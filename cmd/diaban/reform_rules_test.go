package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/diaban/diaban/internal/pgtest"
)

// TestReformRulesThroughTheCLI checks issue 13's rules 1 and 2 as
// `diaban metrics` computes them, on a merge and a split with shares, on
// both geographies. Lengths in 0.1° east of 108°E, between 15.0°N and
// 15.1°N:
//
//	until 2025-07-01  49 > 503 > A 20398 [0,1]  B 20404 [1,2]  C 20407 [2,4]  D 20413 [4,5]  E 20416 [5,6]
//	from  2025-07-01  48 > N1 20410 [0,2.5]  N2 20401 [2.5,5]  N3 20434 [5,6]
//
// A and B merge whole into N1; C is split, a quarter into N1 (the file's
// share 0.25) and three quarters into N2 (share measured in PostGIS); D goes
// whole into N2; E and N3 have no crosswalk row.
//
// Rule 1 (points exact by polygon as of the date) is checked against two
// databases that only ever had one geography, with the same records: every
// point-derived number of an area on a map must equal what the database of
// that map alone computes. The records are written as they would be in
// life: those before the reform under the old units, the boundaries then
// changed (re-registering them), those after under the new units. Rule 2
// (indicators apportioned by share, null with a reason where no lineage
// leads) is checked against numbers worked out by hand.
func TestReformRulesThroughTheCLI(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	box := func(code, name, level, parent, extra string, x0, x1 float64) string {
		return rect(code, name, level, parent, extra, x0, x1)
	}
	fc := func(fs ...string) string {
		return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`
	}
	oldUnits := func(extra string) []string {
		return []string{
			box("49", "Tỉnh Quảng Nam", "province", "", extra, 0, 6),
			box("503", "Thành phố Hội An", "district", "49", extra, 0, 6),
			box("20398", "Phường Minh An", "commune", "503", extra+`,"type":"phường"`, 0, 1),
			box("20404", "Phường Cẩm Phô", "commune", "503", extra+`,"type":"phường"`, 1, 2),
			box("20407", "Phường Thanh Hà", "commune", "503", extra+`,"type":"phường"`, 2, 4),
			box("20413", "Phường Cẩm Châu", "commune", "503", extra+`,"type":"phường"`, 4, 5),
			box("20416", "Phường Cửa Đại", "commune", "503", extra+`,"type":"phường"`, 5, 6),
		}
	}
	newUnits := func(extra string) []string {
		return []string{
			box("48", "Thành phố Đà Nẵng", "province", "", extra, 0, 6),
			box("20410", "Phường Hội An", "commune", "48", extra+`,"type":"phường"`, 0, 2.5),
			box("20401", "Phường Hội An Tây", "commune", "48", extra+`,"type":"phường"`, 2.5, 5),
			box("20434", "Xã Tân Hiệp", "commune", "48", extra+`,"type":"xã"`, 5, 6),
		}
	}
	const reform = `,"valid_from":"2025-07-01"`
	areasOld := write("areas-old.geojson", fc(oldUnits("")...))
	areasReform := write("areas-reform.geojson", fc(append(oldUnits(`,"valid_to":"2025-07-01"`), newUnits(reform)...)...))
	areasNew := write("areas-new.geojson", fc(newUnits("")...))
	crosswalk := write("crosswalk.csv", "old_code,new_code,merge_type,share_of_old_area\n"+
		"20398,20410,full,\n20404,20410,full,\n20407,20410,partial,0.25\n20407,20401,partial,\n20413,20401,full,\n")

	// Points (x in 0.1°): H1 0.5 A|N1, H2 1.5 B|N1, H3 2.2 C|N1, H4 3.0 C|N2,
	// H5 4.5 D|N2, H6 5.5 E|N3.
	at := func(x float64) string { return fmt.Sprintf("%g,15.05", 108+x/10) }
	hotspotsBefore := "ref,lon,lat,kind,name\n" +
		"H1," + at(0.5) + ",dealing,\nH2," + at(1.5) + ",dealing,\nH3," + at(2.2) + ",storage,\n" +
		"H4," + at(3.0) + ",dealing,\nH6," + at(5.5) + ",dealing,\n"
	hotspotsAfter := "ref,lon,lat,kind,name\nH5," + at(4.5) + ",dealing,\n"
	eventsBefore := "hotspot_ref,event,occurred_at,note\n" +
		"H1,detected,2023-05-01,\nH1,eliminated,2024-03-01,\nH2,detected,2024-02-01,\n" +
		"H3,detected,2024-04-01,\nH3,eliminated,2024-10-01,\nH4,detected,2024-06-01,\nH6,detected,2024-01-15,\n"
	eventsAfter := "hotspot_ref,event,occurred_at,note\n" +
		"H3,recurred,2025-08-01,\nH5,detected,2025-09-01,\nH4,eliminated,2026-03-01,\n"
	incidentsBefore := "ref,lon,lat,kind,occurred_at\n" +
		"I1," + at(2.2) + ",trafficking,2024-04-01\nI2," + at(3.0) + ",use,2024-05-01\nI4," + at(0.5) + ",storage,2024-07-01\n"
	incidentsAfter := "ref,lon,lat,kind,occurred_at\nI3," + at(4.5) + ",use,2025-10-01\nI5," + at(2.2) + ",other,2026-02-01\n"
	// T3 has no point: it is known by the unit it was recorded under (A
	// before the reform, which went whole into N1).
	tipsBefore := func(t3area string) string {
		return "ref,received_at,handled_at,lon,lat,area_code\n" +
			"T1,2024-03-01,2024-03-05," + at(2.2) + ",\nT3,2024-06-01,2024-06-10,,," + t3area + "\n"
	}
	tipsAfter := "ref,received_at,handled_at,lon,lat,area_code\nT2,2025-11-01,," + at(4.5) + ",\n"
	indicatorsOld := "area_code,period,key,value\n" +
		"20398,2024,registered_users,10\n20404,2024,registered_users,20\n20407,2024,registered_users,40\n" +
		"20413,2024,registered_users,8\n20416,2024,registered_users,5\n"
	indicatorsNew := "area_code,period,key,value\n" +
		"20410,2026,registered_users,50\n20401,2026,registered_users,60\n20434,2026,registered_users,7\n"

	imp := func(db, kind, text string) {
		t.Helper()
		p := write(fmt.Sprintf("%s-%d.csv", kind, len(text)), text)
		if _, errOut, err := runCmd(t, "import", "--db", db, kind, p); err != nil {
			t.Fatalf("import %s: %v %s", kind, err, errOut)
		}
	}
	importAreas := func(db, path string) {
		t.Helper()
		if _, errOut, err := runCmd(t, "import", "--db", db, "areas", path); err != nil {
			t.Fatalf("import areas %s: %v %s", filepath.Base(path), err, errOut)
		}
	}
	records := func(db, t3area string) {
		imp(db, "hotspots", hotspotsBefore+strings.TrimPrefix(hotspotsAfter, "ref,lon,lat,kind,name\n"))
		imp(db, "events", eventsBefore+strings.TrimPrefix(eventsAfter, "hotspot_ref,event,occurred_at,note\n"))
		imp(db, "incidents", incidentsBefore+strings.TrimPrefix(incidentsAfter, "ref,lon,lat,kind,occurred_at\n"))
		imp(db, "tips", tipsBefore(t3area)+strings.TrimPrefix(tipsAfter, "ref,received_at,handled_at,lon,lat,area_code\n"))
	}

	// The database across the reform, written in the order of life.
	reformDB := pgtest.New(t).URL
	importAreas(reformDB, areasOld)
	imp(reformDB, "hotspots", hotspotsBefore)
	imp(reformDB, "events", eventsBefore)
	imp(reformDB, "incidents", incidentsBefore)
	imp(reformDB, "tips", tipsBefore("20398"))
	imp(reformDB, "indicators", indicatorsOld)
	importAreas(reformDB, areasReform)
	if out, errOut, err := runCmd(t, "import", "crosswalk", crosswalk, "--db", reformDB); err != nil || !strings.Contains(out, "5 links") {
		t.Fatalf("import crosswalk: %v %q %s", err, out, errOut)
	}
	imp(reformDB, "hotspots", hotspotsAfter)
	imp(reformDB, "events", eventsAfter)
	imp(reformDB, "incidents", incidentsAfter)
	imp(reformDB, "tips", tipsAfter)
	imp(reformDB, "indicators", indicatorsNew)

	// The two databases of one geography each, with the same records.
	oldDB, newDB := pgtest.New(t).URL, pgtest.New(t).URL
	importAreas(oldDB, areasOld)
	records(oldDB, "20398")
	importAreas(newDB, areasNew)
	records(newDB, "20410")

	metricsOf := func(db string, args ...string) map[string]any {
		t.Helper()
		out, errOut, err := runCmd(t, append([]string{"metrics", "--db", db}, args...)...)
		if err != nil {
			t.Fatalf("metrics %v: %v %s", args, err, errOut)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("metrics %v: %v\n%s", args, err, out)
		}
		return m
	}
	// Rule 1: every number made of points, on each map, for periods before,
	// across and after the reform.
	pointKeys := []string{"active_start", "active_during", "active_end", "new", "eliminated", "eliminated_sustained",
		"recurred", "elimination_rate", "previous_eliminated", "irregular_events", "incidents",
		"tips_received", "tips_handled", "tips_handled_earlier"}
	periods := []string{"2024", "2025", "2025-H2", "2025-07", "2026"}
	for _, c := range []struct {
		oracle string
		asOf   []string
		areas  []string
	}{
		{oldDB, []string{"--as-of", "2025-06-30"}, []string{"49", "503", "20398", "20404", "20407", "20413", "20416"}},
		{newDB, nil, []string{"48", "20410", "20401", "20434"}},
	} {
		for _, area := range c.areas {
			for _, p := range periods {
				got := metricsOf(reformDB, append([]string{"--area", area, "--period", p}, c.asOf...)...)
				want := metricsOf(c.oracle, "--area", area, "--period", p)
				for _, k := range pointKeys {
					if !reflect.DeepEqual(got[k], want[k]) {
						t.Errorf("%s %s %v: %s = %v, the map's own database says %v", area, p, c.asOf, k, got[k], want[k])
					}
				}
			}
		}
	}
	// A few of those worked out by hand, so that the two sides cannot be
	// wrong together.
	before := []string{"--as-of", "2025-06-30"}
	for _, c := range []struct {
		area, period string
		asOf         []string
		key          string
		want         any
	}{
		{"20410", "2024", nil, "active_during", 3.0}, // H1, H2, H3
		{"20410", "2024", nil, "tips_received", 2.0}, // T1 by its point, T3 by A
		{"20401", "2024", nil, "active_during", 1.0}, // H4
		{"20407", "2024", before, "active_during", 2.0},
		{"20407", "2024", before, "new", 2.0},
		{"20407", "2025", before, "recurred", 1.0},      // H3, recorded under N1
		{"20413", "2025", before, "new", 1.0},           // H5, detected after the reform, inside D
		{"20413", "2025", before, "tips_received", 1.0}, // T2
		{"20398", "2024", before, "tips_received", 1.0}, // T3
		{"20416", "2024", before, "active_during", 1.0}, // H6
	} {
		if got := metricsOf(reformDB, append([]string{"--area", c.area, "--period", c.period}, c.asOf...)...)[c.key]; got != c.want {
			t.Errorf("%s %s %v: %s = %v, want %v", c.area, c.period, c.asOf, c.key, got, c.want)
		}
	}
	inc := metricsOf(reformDB, "--area", "20407", "--period", "2024", "--as-of", "2025-06-30")["incidents"].(map[string]any)
	if inc["trafficking"] != 1.0 || inc["use"] != 1.0 || inc["storage"] != 0.0 {
		t.Errorf("20407 2024 on the old map: incidents %v, want I1 and I2", inc)
	}

	// Rule 2: indicators apportioned through the crosswalk, by share.
	notes := func(m map[string]any) string {
		b, _ := json.Marshal(m["indicator_notes"])
		return string(b)
	}
	for _, c := range []struct {
		area, period string
		asOf         []string
		want         float64 // NaN: null, with a note
		note         string  // a note must contain this
	}{
		{"20410", "2024", nil, 10 + 20 + 0.25*40, "20407 (partial, share 0.25)"},
		{"20401", "2024", nil, 0.75*40 + 8, "20407 (partial, share 0.75)"},
		{"20434", "2024", nil, math.NaN(), "no crosswalk row leads to it"},
		{"20410", "2026", nil, 50, ""},
		{"20407", "2024", before, 40, ""},
		{"20398", "2024", before, 10, ""},
		{"20398", "2026", before, math.NaN(), "merged into 20410"},
		{"20407", "2026", before, math.NaN(), "merged into"},
		{"20416", "2026", before, math.NaN(), "no crosswalk row leads from it"},
	} {
		m := metricsOf(reformDB, append([]string{"--area", c.area, "--period", c.period}, c.asOf...)...)
		v, isNum := m["registered_users"].(float64)
		switch {
		case math.IsNaN(c.want) && m["registered_users"] != nil:
			t.Errorf("%s %s %v: registered_users %v, want null", c.area, c.period, c.asOf, m["registered_users"])
		case !math.IsNaN(c.want) && (!isNum || math.Abs(v-c.want) > 1e-6):
			t.Errorf("%s %s %v: registered_users %v, want %g", c.area, c.period, c.asOf, m["registered_users"], c.want)
		}
		if c.note != "" && !strings.Contains(notes(m), c.note) {
			t.Errorf("%s %s %v: notes %s, want one saying %q", c.area, c.period, c.asOf, notes(m), c.note)
		}
	}
}

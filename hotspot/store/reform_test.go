package store_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/metrics"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

// The reform fixture, in units of 0.1° east of 108°E, between 15.0°N and 15.1°N:
//
//	until 2025-07-01  province 49 > district 503 > 20398 [0,1]  20410 [1,2]  20407 [2,3]
//	from  2025-07-01  province 48 > 20410 [0,1.5] (20398 whole, half of old 20410)
//	                                20401 [1.5,3] (the other half of old 20410, 20407 whole)
//
// so 20398 merges, old 20410 splits (its code goes on with the new 20410),
// 20407 merges. Hotspots: H1 at 0.5, H2 at 1.2, H3 at 1.8, H4 at 2.5.

func feature(code, name, level, parent, extra string, x0, x1 float64) string {
	lon0, lon1 := 108+x0/10, 108+x1/10
	return fmt.Sprintf(`{"type":"Feature","properties":{"code":%q,"name":%q,"level":%q,"parent_code":%q%s},`+
		`"geometry":{"type":"Polygon","coordinates":[[[%g,15.0],[%g,15.0],[%g,15.1],[%g,15.1],[%g,15.0]]]}}`,
		code, name, level, parent, extra, lon0, lon1, lon1, lon0, lon0)
}

func collection(fs ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",\n") + `]}`
}

var (
	oldAreas = collection(
		feature("49", "Tỉnh Quảng Nam", "province", "", "", 0, 3),
		feature("503", "Thành phố Hội An", "district", "49", "", 0, 3),
		feature("20398", "Phường Minh An", "commune", "503", `,"type":"phường"`, 0, 1),
		feature("20410", "Phường Sơn Phong", "commune", "503", `,"type":"phường"`, 1, 2),
		feature("20407", "Phường Thanh Hà", "commune", "503", `,"type":"phường"`, 2, 3))
	newAreas = collection(
		feature("48", "Thành phố Đà Nẵng", "province", "", `,"valid_from":"2025-07-01"`, 0, 3),
		feature("20410", "Phường Hội An", "commune", "48", `,"valid_from":"2025-07-01","type":"Phường"`, 0, 1.5),
		feature("20401", "Phường Hội An Tây", "commune", "48", `,"valid_from":"2025-07-01","type":"phường"`, 1.5, 3),
		feature("T1", "Tổ dân phố 1", "hamlet", "20410", `,"valid_from":"2025-07-01","type":"tổ dân phố"`, 0.2, 0.8))
	// The old units again, now with their end.
	retireOld = collection(
		feature("49", "Tỉnh Quảng Nam", "province", "", `,"valid_to":"2025-07-01"`, 0, 3),
		feature("503", "Thành phố Hội An", "district", "49", `,"valid_to":"2025-07-01"`, 0, 3),
		feature("20398", "Phường Minh An", "commune", "503", `,"valid_to":"2025-07-01","type":"phường"`, 0, 1),
		feature("20410", "Phường Sơn Phong", "commune", "503", `,"valid_to":"2025-07-01","type":"phường"`, 1, 2),
		feature("20407", "Phường Thanh Hà", "commune", "503", `,"valid_to":"2025-07-01","type":"phường"`, 2, 3))
	reformCrosswalk = "old_code,new_code,merge_type,share_of_old_area,old_name\n" +
		"20398,20410,full,,Phường Minh An\n" +
		"20410,20410,partial,0.5,Phường Sơn Phong\n" +
		"20410,20401,partial,,Phường Sơn Phong\n" + // share measured in PostGIS: 0.5
		"20407,20401,full,0.97,Phường Thanh Hà\n" +
		"99998,99999,full,,elsewhere\n"
)

const (
	reformHotspots = "ref,lon,lat,kind,name\n" +
		"H1,108.05,15.05,dealing,\nH2,108.12,15.05,dealing,\nH3,108.18,15.05,storage,\nH4,108.25,15.05,dealing,\n"
	reformEvents = "hotspot_ref,event,occurred_at,note\n" +
		"H1,detected,2023-03-01,\nH2,detected,2024-02-01,\nH2,eliminated,2024-06-01,\n" +
		"H3,detected,2024-05-01,\nH4,detected,2025-09-01,\n"
	reformIncidents = "ref,lon,lat,kind,occurred_at\n" +
		"I1,108.18,15.05,trafficking,2024-04-01\nI2,108.05,15.05,use,2024-04-02\nI3,108.18,15.05,use,2026-01-05\n"
	reformTips = "ref,received_at,handled_at,lon,lat,area_code\n" +
		"T1,2024-03-01,2024-03-05,108.18,15.05,\nT2,2026-02-01,,108.25,15.05,\n"
	// Reported on the old units before the reform, on the new ones after.
	reformIndicatorsOld = "area_code,period,key,value\n" +
		"20398,2024,registered_users,10\n20410,2024,registered_users,20\n20407,2024,registered_users,30\n" +
		"20398,2023,registered_users,7\n"
	reformIndicatorsNew = "area_code,period,key,value\n" +
		"20410,2026,registered_users,25\n20401,2026,registered_users,35\n"
)

func mustImport(t *testing.T, ctx context.Context, s *store.Store, kind, data string) *importer.Result {
	t.Helper()
	res, err := importer.Import(ctx, s, kind, strings.NewReader(data), importer.Options{})
	if err != nil {
		t.Fatalf("import %s: %v", kind, err)
	}
	return res
}

// newReformStore loads the fixture as a deployment would: the old units and
// their records, then the new boundaries, then the old units' end, then the
// crosswalk.
func newReformStore(t *testing.T) (*store.Store, context.Context) {
	t.Helper()
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	db := pgtest.New(t)
	s := store.NewStore(db.Pool)
	mustImport(t, ctx, s, "areas", oldAreas)
	mustImport(t, ctx, s, "hotspots", reformHotspots)
	mustImport(t, ctx, s, "events", reformEvents)
	mustImport(t, ctx, s, "incidents", reformIncidents)
	mustImport(t, ctx, s, "tips", reformTips)
	mustImport(t, ctx, s, "indicators", reformIndicatorsOld)
	mustImport(t, ctx, s, "areas", newAreas)
	mustImport(t, ctx, s, "areas", retireOld)
	mustImport(t, ctx, s, "indicators", reformIndicatorsNew)
	res, err := importer.ImportCrosswalk(ctx, s, strings.NewReader(reformCrosswalk), hotspot.ReformDate)
	if err != nil {
		t.Fatalf("crosswalk: %v", err)
	}
	if res.Rows != 5 || res.Known != 4 || res.Skipped != 1 || res.Computed != 1 {
		t.Fatalf("crosswalk result %+v", res)
	}
	return s, ctx
}

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func registered(t *testing.T, ctx context.Context, s *store.Store, table string) map[string]string {
	t.Helper()
	rows, err := s.Pool().Query(ctx, `SELECT t.ref, a.code FROM `+table+` t JOIN areas a ON a.id = t.area_id ORDER BY t.ref`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var ref, code string
		if err := rows.Scan(&ref, &code); err != nil {
			t.Fatal(err)
		}
		out[ref] = code
	}
	return out
}

func TestReformVersionsAndReRegistration(t *testing.T) {
	s, ctx := newReformStore(t)
	// Versions: 20410 has two (Sơn Phong until the reform, Hội An after);
	// the old units are retired, the new current.
	rows, err := s.Pool().Query(ctx, `SELECT a.code, v.name, v.valid_from::text, coalesce(v.valid_to::text, ''), coalesce(v.type, '')
		FROM area_versions v JOIN areas a ON a.id = v.area_id ORDER BY a.code, v.valid_from`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var code, name, from, to, typ string
		if err := rows.Scan(&code, &name, &from, &to, &typ); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s %s–%s %s", code, name, from, to, typ))
	}
	want := []string{
		"20398 Phường Minh An 1900-01-01–2025-07-01 phường",
		"20401 Phường Hội An Tây 2025-07-01– phường",
		"20407 Phường Thanh Hà 1900-01-01–2025-07-01 phường",
		"20410 Phường Sơn Phong 1900-01-01–2025-07-01 phường",
		"20410 Phường Hội An 2025-07-01– phường",
		"48 Thành phố Đà Nẵng 2025-07-01– ",
		"49 Tỉnh Quảng Nam 1900-01-01–2025-07-01 ",
		"503 Thành phố Hội An 1900-01-01–2025-07-01 ",
		"T1 Tổ dân phố 1 2025-07-01– tổ dân phố",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("versions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Records live in today's units, hamlets hold none.
	for table, want := range map[string]map[string]string{
		"hotspots":  {"H1": "20410", "H2": "20410", "H3": "20401", "H4": "20401"},
		"incidents": {"I1": "20401", "I2": "20410", "I3": "20401"},
		"tips":      {"T1": "20401", "T2": "20401"},
	} {
		if got := registered(t, ctx, s, table); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s registered to %v, want %v", table, got, want)
		}
	}
	// Re-importing the same file changes nothing.
	if res := mustImport(t, ctx, s, "areas", retireOld); res.Imported != 0 {
		t.Errorf("re-import wrote %d areas", res.Imported)
	}
}

// A failure while re-registering rolls the boundaries back too.
func TestReformReRegistrationIsOneTransaction(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db := pgtest.New(t)
	s := store.NewStore(db.Pool)
	mustImport(t, ctx, s, "areas", oldAreas)
	mustImport(t, ctx, s, "hotspots", reformHotspots)
	mustImport(t, ctx, s, "incidents", reformIncidents)
	for _, q := range []string{
		`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`,
		`CREATE TRIGGER refuse BEFORE UPDATE ON cameras FOR EACH ROW EXECUTE FUNCTION refuse()`,
		`INSERT INTO cameras (ref, geom, bearing, fov, range_m, owner, status, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
		 SELECT 'C1', ST_SetSRID(ST_MakePoint(108.05, 15.05), 4326), 0, 90, 50, 'police', 'active', id, 0, 0, 0, 0 FROM areas WHERE code = '20398'`,
	} {
		if _, err := db.Pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	count := func() (n int) {
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM area_versions`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before, hs, is := count(), registered(t, ctx, s, "hotspots"), registered(t, ctx, s, "incidents")
	_, err := importer.Import(ctx, s, "areas", strings.NewReader(collection(
		feature("20398", "Phường Minh An", "commune", "503", `,"valid_to":"2025-07-01"`, 0, 1),
		feature("20410", "Phường Hội An", "commune", "49", `,"valid_from":"2025-07-01"`, 0, 1.5))), importer.Options{})
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("import: %v, want the camera trigger's refusal", err)
	}
	if n := count(); n != before {
		t.Errorf("%d area versions after the failed import, want %d", n, before)
	}
	if got := registered(t, ctx, s, "hotspots"); fmt.Sprint(got) != fmt.Sprint(hs) {
		t.Errorf("hotspots %v, want %v", got, hs)
	}
	if got := registered(t, ctx, s, "incidents"); fmt.Sprint(got) != fmt.Sprint(is) {
		t.Errorf("incidents %v, want %v", got, is)
	}
}

func TestReformCrosswalkStored(t *testing.T) {
	s, ctx := newReformStore(t)
	rows, err := s.Pool().Query(ctx, `SELECT o.code, n.code, c.merge_type, round(c.share, 4)::text, c.share_source
		FROM area_crosswalk c JOIN areas o ON o.id = c.old_area_id JOIN areas n ON n.id = c.new_area_id ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var o, n, typ, share, src string
		if err := rows.Scan(&o, &n, &typ, &share, &src); err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join([]string{o, n, typ, share, src}, " "))
	}
	want := "20398 20410 full 1.0000 full|20407 20401 full 1.0000 full|20410 20401 partial 0.5000 computed|20410 20410 partial 0.5000 file"
	if strings.Join(got, "|") != want {
		t.Errorf("crosswalk:\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
}

func TestReformCrosswalkBadRows(t *testing.T) {
	s, ctx := newReformStore(t)
	bad := "old_code,new_code,merge_type,share_of_old_area\n" +
		"20398,77777,full,\n" + // line 2: new code unknown
		"20407,20401,partial,1.5\n" + // line 3: share outside (0,1]
		"20410,20410,partial,0.7\n" + // lines 4–5: 0.7 + 0.6 > 1
		"20410,20401,partial,0.6\n" +
		"88888,99999,full,\n" // skipped
	_, err := importer.ImportCrosswalk(ctx, s, strings.NewReader(bad), hotspot.ReformDate)
	var ie *hotspot.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("err %v, want an ImportError", err)
	}
	var lines []string
	for _, r := range ie.Rows {
		lines = append(lines, fmt.Sprintf("%d %s", r.Line, r.Field))
	}
	if got := strings.Join(lines, ","); got != "2 new_code,3 share_of_old_area,5 share_of_old_area" {
		t.Errorf("bad rows %s (%v)", got, err)
	}
	var n int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM area_crosswalk c JOIN areas o ON o.id = c.old_area_id WHERE o.code = '20410' AND round(c.share, 4) <> 0.5`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a refused file changed the crosswalk: %d rows, %v", n, err)
	}
}

func metricsAsOf(t *testing.T, ctx context.Context, s *store.Store, code, asOf string, p hotspot.Period) (metrics.AreaMetrics, *store.MetricsAsOf) {
	t.Helper()
	cfg := metrics.DefaultConfig()
	got, err := s.MetricsInputAsOf(ctx, code, date(asOf), cfg, p)
	if err != nil {
		t.Fatalf("%s as of %s: %v", code, asOf, err)
	}
	return metrics.Compute(got.Input, p, cfg), got
}

func indicator(in metrics.AreaInput, key string, p hotspot.Period) (float64, bool) {
	for _, v := range in.Indicators {
		if v.Key == key && v.Period == p {
			return v.Value, true
		}
	}
	return 0, false
}

// Rule 1: the geography is chosen by as_of, the period chooses the window.
func TestReformMetricsAsOf(t *testing.T) {
	s, ctx := newReformStore(t)
	y2024, y2026 := hotspot.YearPeriod(2024), hotspot.YearPeriod(2026)
	for _, c := range []struct {
		code, asOf             string
		p                      hotspot.Period
		active, new, incidents int
		tipsReceived           int
	}{
		// Today's map: the new 20410 holds H1 and H2 (detected 2023, 2024).
		{"20410", "2026-01-01", y2024, 2, 1, 1, 0},
		{"20401", "2026-01-01", y2024, 1, 1, 1, 1},
		{"20401", "2026-06-30", y2026, 2, 0, 1, 1},
		{"48", "2026-01-01", y2024, 3, 2, 2, 1},
		// The old map, whatever the records are registered to today.
		{"20398", "2025-06-30", y2024, 1, 0, 1, 0},
		{"20410", "2025-06-30", y2024, 2, 2, 1, 1}, // Sơn Phong: H2 and H3
		{"20407", "2025-06-30", y2024, 0, 0, 0, 0},
		{"20407", "2025-06-30", y2026, 1, 0, 0, 1}, // H4 and T2 lie in old Thanh Hà
		{"503", "2025-06-30", y2024, 3, 2, 2, 1},
		{"49", "2020-01-01", y2026, 3, 0, 1, 1}, // H1, H3, H4 active; I3; T2
		// A hamlet: through its polygon.
		{"T1", "2026-01-01", y2024, 1, 0, 1, 0},
	} {
		m, _ := metricsAsOf(t, ctx, s, c.code, c.asOf, c.p)
		if m.ActiveDuring != c.active || m.New != c.new || m.IncidentTotal() != c.incidents || m.TipsReceived != c.tipsReceived {
			t.Errorf("%s as of %s, %s: active %d new %d incidents %d tips %d; want %d %d %d %d", c.code, c.asOf, c.p,
				m.ActiveDuring, m.New, m.IncidentTotal(), m.TipsReceived, c.active, c.new, c.incidents, c.tipsReceived)
		}
	}
	// A district exists only before the reform; the new province only after.
	for _, c := range []struct{ code, asOf string }{{"503", "2025-07-01"}, {"48", "2025-06-30"}, {"20398", "2026-01-01"}} {
		if _, err := s.MetricsInputAsOf(ctx, c.code, date(c.asOf), metrics.DefaultConfig(), y2024); err == nil {
			t.Errorf("%s as of %s: no error", c.code, c.asOf)
		}
	}
	// Roll-ups follow as_of: a province today holds its communes directly.
	kids, _, err := s.ChildMetricsInputsAsOf(ctx, "48", date("2026-01-01"), y2024, metrics.DefaultConfig())
	if err != nil || len(kids) != 2 || kids[0].Code != "20401" || kids[1].Code != "20410" {
		t.Errorf("children of 48 today: %v %v", codes(kids), err)
	}
	kids, _, err = s.ChildMetricsInputsAsOf(ctx, "49", date("2024-01-01"), y2024, metrics.DefaultConfig())
	if err != nil || strings.Join(codes(kids), ",") != "20398,20407,20410" {
		t.Errorf("children of 49 before: %v %v", codes(kids), err)
	}
	if len(kids) == 3 && (len(kids[2].Hotspots) != 2 || len(kids[0].Hotspots) != 1) {
		t.Errorf("old communes' hotspots: %d %d %d", len(kids[0].Hotspots), len(kids[1].Hotspots), len(kids[2].Hotspots))
	}
}

func codes(ins []metrics.AreaInput) []string {
	var out []string
	for _, in := range ins {
		out = append(out, in.Code)
	}
	return out
}

// Rule 2: indicators apportioned through the crosswalk, null with a reason
// where no lineage leads.
func TestReformIndicatorsApportioned(t *testing.T) {
	s, ctx := newReformStore(t)
	y2023, y2024, y2026 := hotspot.YearPeriod(2023), hotspot.YearPeriod(2024), hotspot.YearPeriod(2026)
	approx := func(a, b float64) bool { return math.Abs(a-b) < 1e-4 }
	// New 20410 in 2024: 20398 whole (10) + half of old 20410 (20) = 20.
	_, got := metricsAsOf(t, ctx, s, "20410", "2026-01-01", y2024)
	if v, ok := indicator(got.Input, "registered_users", y2024); !ok || !approx(v, 20) {
		t.Errorf("20410 2024 registered_users %v %v, want 20", v, ok)
	}
	_, got = metricsAsOf(t, ctx, s, "20410", "2026-01-01", y2026)
	if v, ok := indicator(got.Input, "registered_users", y2026); !ok || v != 25 {
		t.Errorf("20410 own 2026 value %v %v", v, ok)
	}
	// New 20401: half of old 20410 (measured) + 20407 whole (the file's 0.97 is an overlap, not a share of a full row).
	_, got = metricsAsOf(t, ctx, s, "20401", "2026-01-01", y2024)
	if v, ok := indicator(got.Input, "registered_users", y2024); !ok || !approx(v, 40) {
		t.Errorf("20401 2024 registered_users %v %v, want 40", v, ok)
	}
	// 2023: only 20398 reported: null, with the reason.
	m, got := metricsAsOf(t, ctx, s, "20410", "2026-01-01", y2023)
	if m.RegisteredUsers != nil {
		t.Errorf("20410 2023 registered users %v, want null", *m.RegisteredUsers)
	}
	if !hasNote(got.Notes, "registered_users", "20410 reported no registered_users for 2023") {
		t.Errorf("notes %+v", got.Notes)
	}
	// An old unit after the reform: merged into a unit with others, null.
	m, got = metricsAsOf(t, ctx, s, "20398", "2025-06-30", y2026)
	if m.RegisteredUsers != nil || !hasNote(got.Notes, "", "cannot be split back") {
		t.Errorf("20398 2026: %v %+v", ptr(m.RegisteredUsers), got.Notes)
	}
	// The province today rolls up its communes: 20 + 40 in 2024.
	m, _ = metricsAsOf(t, ctx, s, "48", "2026-01-01", y2024)
	if m.RegisteredUsers == nil || !approx(*m.RegisteredUsers, 60) {
		t.Errorf("48 2024 registered users %v, want 60 (%v)", ptr(m.RegisteredUsers), m.Notes)
	}
}

func hasNote(ns []store.IndicatorNote, key, text string) bool {
	for _, n := range ns {
		if (key == "" || n.Key == key) && strings.Contains(n.Reason, text) {
			return true
		}
	}
	return false
}

func TestReformAreaTypes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	s := store.NewStore(db.Pool)
	_, err := importer.Import(ctx, s, "areas", strings.NewReader(collection(
		feature("48", "Thành phố Đà Nẵng", "province", "", `,"type":"xã"`, 0, 3),
		feature("20410", "Phường Hội An", "commune", "48", `,"type":"thôn"`, 0, 1.5),
		feature("T1", "Thôn 1", "hamlet", "20410", `,"type":"đặc khu"`, 0.2, 0.8),
		feature("20411", "Đặc khu", "commune", "48", `,"type":"Đặc khu"`, 1.5, 3),
		feature("20412", "X", "commune", "48", `,"valid_from":"2025-07-01","valid_to":"2025-07-01"`, 1.5, 3))), importer.Options{})
	var ie *hotspot.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("err %v", err)
	}
	var got []string
	for _, r := range ie.Rows {
		got = append(got, fmt.Sprintf("%d %s", r.Line, r.Field))
	}
	if strings.Join(got, ",") != "1 type,2 type,3 type,4 parent_code,5 valid_to" {
		t.Errorf("bad rows %v (%v)", got, err)
	}
}

func ptr(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// Another order: the old units are never re-imported with their end (the
// crosswalk retires them), and their indicators arrive after the reform.
func TestReformCrosswalkRetiresAndLateIndicators(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := pgtest.New(t)
	s := store.NewStore(db.Pool)
	mustImport(t, ctx, s, "areas", oldAreas)
	mustImport(t, ctx, s, "hotspots", reformHotspots)
	mustImport(t, ctx, s, "events", reformEvents)
	mustImport(t, ctx, s, "areas", newAreas)
	res, err := importer.ImportCrosswalk(ctx, s, strings.NewReader(reformCrosswalk), hotspot.ReformDate)
	if err != nil {
		t.Fatal(err)
	}
	if res.Retired != 2 { // 20398 and 20407; 20410 goes on
		t.Errorf("retired %d, want 2", res.Retired)
	}
	mustImport(t, ctx, s, "indicators", reformIndicatorsOld)
	if got := registered(t, ctx, s, "hotspots"); fmt.Sprint(got) != fmt.Sprint(map[string]string{"H1": "20410", "H2": "20410", "H3": "20401", "H4": "20401"}) {
		t.Errorf("hotspots registered to %v", got)
	}
	y2024 := hotspot.YearPeriod(2024)
	m, got := metricsAsOf(t, ctx, s, "20401", "2026-01-01", y2024)
	if m.ActiveDuring != 1 {
		t.Errorf("20401 2024 active %d, want 1", m.ActiveDuring)
	}
	if v, ok := indicator(got.Input, "registered_users", y2024); !ok || math.Abs(v-40) > 1e-4 {
		t.Errorf("20401 2024 registered users %v %v, want 40", v, ok)
	}
	m, _ = metricsAsOf(t, ctx, s, "20407", "2025-06-30", y2024)
	if m.RegisteredUsers == nil || *m.RegisteredUsers != 30 {
		t.Errorf("20407 2024 registered users %v, want 30", ptr(m.RegisteredUsers))
	}
}

func TestReformCheck(t *testing.T) {
	s, ctx := newReformStore(t)
	// One more new unit with no predecessor, and one old unit with no successor.
	mustImport(t, ctx, s, "areas", collection(
		feature("20499", "Xã Lẻ", "commune", "48", `,"valid_from":"2025-07-01"`, 3, 3.5),
		feature("20498", "Xã Cũ", "commune", "503", `,"valid_to":"2025-07-01"`, 3.5, 4)))
	rep, err := s.ReformCheck(ctx, "48", hotspot.ReformDate)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.NoPredecessor) != 1 || rep.NoPredecessor[0].Code != "20499" {
		t.Errorf("no predecessor: %+v", rep.NoPredecessor)
	}
	// 20498 lies under 503 before the reform, not in 48's lineage.
	if len(rep.NoSuccessor) != 0 {
		t.Errorf("no successor in 48: %+v", rep.NoSuccessor)
	}
	// Old 20410 is split: it spills out of each new unit by a third of it.
	var spill []string
	for _, m := range rep.Mismatches {
		spill = append(spill, fmt.Sprintf("%s %d %.0f %.0f", m.Code, m.Predecessors, m.GapPct, m.ExcessPct))
	}
	if strings.Join(spill, ",") != "20401 2 0 33,20410 2 0 33" {
		t.Errorf("mismatches %v", spill)
	}
	rep, err = s.ReformCheck(ctx, "", hotspot.ReformDate)
	if err != nil || len(rep.NoSuccessor) != 1 || rep.NoSuccessor[0].Code != "20498" || rep.OldUnits != 4 || rep.NewUnits != 3 {
		t.Errorf("everywhere: %+v %v", rep, err)
	}
}

// A user scoped to a retired unit is listed and moved to a current one.
func TestReformRetiredUserScope(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := pgtest.New(t)
	s := store.NewStore(db.Pool)
	mustImport(t, ctx, s, "areas", oldAreas)
	if _, err := s.CreateUser(ctx, store.NewUser{Name: "canbo", Role: hotspot.RoleOfficer, Scope: "20398", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, store.NewUser{Name: "tinh", Role: hotspot.RoleViewer, Scope: "49", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	mustImport(t, ctx, s, "areas", newAreas)
	if _, err := importer.ImportCrosswalk(ctx, s, strings.NewReader(reformCrosswalk), hotspot.ReformDate); err != nil {
		t.Fatal(err)
	}
	mustImport(t, ctx, s, "areas", retireOld)
	retired, err := s.RetiredScopes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(retired) != "map[canbo:{20398 [20410]} tinh:{49 []}]" {
		t.Errorf("retired scopes %v", retired)
	}
	if err := s.RescopeUser(ctx, "canbo", "20398"); err == nil {
		t.Error("rescoped to a retired area")
	}
	if err := s.RescopeUser(ctx, "canbo", "20410"); err != nil {
		t.Fatal(err)
	}
	retired, _ = s.RetiredScopes(ctx)
	if _, still := retired["canbo"]; still || len(retired) != 1 {
		t.Errorf("after rescope: %v", retired)
	}
}

// TestReformTipsOfRetiredUnits: a tip known only by its ward is carried to
// today's unit when its ward is retired — imported before the reform (the
// crosswalk carries it), or naming a retired ward after (the import does) —
// counts there today and in its own ward on the old map; a retired ward
// with no lineage keeps its tips.
func TestReformTipsOfRetiredUnits(t *testing.T) {
	s, ctx := newReformStore(t)
	// Tips of 2024 known only by their ward: two wards retired, and 20410,
	// a code that goes on.
	mustImport(t, ctx, s, "tips", "ref,received_at,handled_at,lon,lat,area_code\n"+
		"A1,2024-05-01,2024-05-02,,,20398\nA2,2024-06-01,,,,20407\nA3,2024-07-01,,,,20410\n")
	reg := registered(t, ctx, s, "tips")
	if reg["A1"] != "20410" || reg["A2"] != "20401" || reg["A3"] != "20410" {
		t.Errorf("tips registered to %v; want A1 in 20410, A2 in 20401, A3 in 20410", reg)
	}
	var recorded []string
	rows, err := s.Pool().Query(ctx, `SELECT t.ref || '=' || coalesce(a.code, '') FROM tips t LEFT JOIN areas a ON a.id = t.recorded_area_id WHERE t.ref LIKE 'A%' ORDER BY t.ref`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v string
		_ = rows.Scan(&v)
		recorded = append(recorded, v)
	}
	if strings.Join(recorded, " ") != "A1=20398 A2=20407 A3=" {
		t.Errorf("recorded under %v", recorded)
	}
	p := hotspot.YearPeriod(2024)
	tips := func(code, asOf string) int {
		m, _ := metricsAsOf(t, ctx, s, code, asOf, p)
		return m.TipsReceived
	}
	// Today: T1 (a point in old 20410's east half, today 20401) and A2 in
	// 20401; A1 and A3 in 20410.
	if a, b := tips("20410", "2026-01-01"), tips("20401", "2026-01-01"); a != 2 || b != 2 {
		t.Errorf("2024 today: 20410 %d tips, 20401 %d; want 2 and 2", a, b)
	}
	// On the old map each counts in the ward it named (T1 by its point).
	for code, want := range map[string]int{"20398": 1, "20410": 2, "20407": 1, "503": 4} {
		if got := tips(code, "2025-06-30"); got != want {
			t.Errorf("2024 on 30/06/2025: %s %d tips, want %d", code, got, want)
		}
	}
	// A tip imported before the crosswalk existed is carried by it.
	s2, ctx2 := s, ctx
	if _, err := s2.Pool().Exec(ctx2, `DELETE FROM area_crosswalk`); err != nil {
		t.Fatal(err)
	}
	mustImport(t, ctx2, s2, "tips", "ref,received_at,handled_at,lon,lat,area_code\nA4,2024-08-01,,,,20407\n")
	if reg := registered(t, ctx2, s2, "tips"); reg["A4"] != "20407" {
		t.Errorf("A4 without lineage: in %s, want its own 20407", reg["A4"])
	}
	res, err := importer.ImportCrosswalk(ctx2, s2, strings.NewReader(reformCrosswalk), hotspot.ReformDate)
	if err != nil || res.TipsCarried != 1 {
		t.Fatalf("crosswalk again: %+v %v", res, err)
	}
	if reg := registered(t, ctx2, s2, "tips"); reg["A4"] != "20401" {
		t.Errorf("A4 after the crosswalk: in %s, want 20401", reg["A4"])
	}
	if got := tips("20407", "2025-06-30"); got != 2 {
		t.Errorf("20407 on the old map: %d tips, want 2 (A2, A4)", got)
	}
}

// TestAreasSkipInvalidDropsWhatTheDatabaseRefuses: with --skip-invalid an
// invalid polygon (a bow tie, which only ST_IsValid tells) and the child
// whose parent it was are reported as bad rows and the others imported;
// without it nothing is.
func TestAreasSkipInvalidDropsWhatTheDatabaseRefuses(t *testing.T) {
	s, ctx := newStore(t)
	bowtie := `{"type":"Feature","properties":{"code":"D9","name":"Huyện Nơ","level":"district","parent_code":"P1"},` +
		`"geometry":{"type":"Polygon","coordinates":[[[108.0,15.0],[108.1,15.1],[108.1,15.0],[108.0,15.1],[108.0,15.0]]]}}`
	file := collection(
		feature("P1", "Tỉnh Một", "province", "", "", 0, 3),
		bowtie,
		feature("X1", "Xã Con", "commune", "D9", "", 0, 1),
		feature("D1", "Huyện Một", "district", "P1", "", 0, 3))
	if _, err := importer.Import(ctx, s, "areas", strings.NewReader(file), importer.Options{}); err == nil {
		t.Fatal("an invalid polygon was imported")
	}
	res, err := importer.Import(ctx, s, "areas", strings.NewReader(file), importer.Options{SkipInvalid: true})
	if err != nil {
		t.Fatalf("--skip-invalid: %v", err)
	}
	if res.Imported != 2 || len(res.Skipped) != 2 || res.Skipped[0].Line != 2 || res.Skipped[0].Field != "geometry" ||
		res.Skipped[1].Line != 3 || res.Skipped[1].Field != "parent_code" {
		t.Errorf("imported %d, skipped %v", res.Imported, res.Skipped)
	}
	idx, err := s.Areas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := idx.ByCode("D1"); !ok {
		t.Error("the good district was not imported")
	}
	if _, ok := idx.ByCode("D9"); ok {
		t.Error("the bow tie was imported")
	}
}

package importer_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

// newStore returns a store on a fresh database holding testdata/areas.geojson:
// province 49 > district 503 > communes 20530 (lon 108.2–108.3) and 20533 (108.3–108.4).
func newStore(t *testing.T) (*store.Store, context.Context) {
	t.Helper()
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	db := pgtest.New(t)
	s := store.NewStore(db.Pool)
	testPools.Store(s, db.Pool)
	f, err := os.Open("../testdata/areas.geojson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := importer.Import(ctx, s, "areas", f, importer.Options{}); err != nil {
		t.Fatalf("import areas: %v", err)
	}
	return s, ctx
}

func importString(t *testing.T, s *store.Store, ctx context.Context, kind, data string, opt importer.Options) (*importer.Result, error) {
	t.Helper()
	return importer.Import(ctx, s, kind, strings.NewReader(data), opt)
}

func count(t *testing.T, s *store.Store, ctx context.Context, table string) int {
	t.Helper()
	var n int
	if err := poolOf(s).QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportAreasBuildsTreeAndCells(t *testing.T) {
	s, ctx := newStore(t)
	idx, err := s.Areas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(idx.Shapes()); got != 4 {
		t.Fatalf("areas: got %d, want 4", got)
	}
	if got := strings.Join(idx.Ancestors("20533"), ">"); got != "20533>503>49" {
		t.Errorf("ancestors: got %s", got)
	}
	var cells int
	if err := poolOf(s).QueryRow(ctx, `SELECT count(*) FROM area_cells c JOIN areas a ON a.id = c.area_id WHERE a.code = '20530' AND res = 8`).Scan(&cells); err != nil {
		t.Fatal(err)
	}
	// 0.1° × 0.2° near 16°N is about 10.7 km × 22.2 km ≈ 237 km²; a res-8 cell is about 0.74 km².
	if cells < 280 || cells > 360 {
		t.Errorf("res-8 cover of commune 20530: got %d cells, want about 320", cells)
	}
}

func TestImportAreasNewVersionKeepsHistory(t *testing.T) {
	s, ctx := newStore(t)
	moved := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"20530","name":"Phường Một Mới","level":"commune","parent_code":"49","valid_from":"2025-07-01"},"geometry":{"type":"Polygon","coordinates":[[[108.2,15.8],[108.35,15.8],[108.35,16.0],[108.2,16.0],[108.2,15.8]]]}}]}`
	if _, err := importString(t, s, ctx, "areas", moved, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	var versions int
	var name, parent string
	if err := poolOf(s).QueryRow(ctx, `SELECT (SELECT count(*) FROM area_versions v JOIN areas a ON a.id = v.area_id WHERE a.code = '20530'), name, parent_code FROM current_areas WHERE code = '20530'`).Scan(&versions, &name, &parent); err != nil {
		t.Fatal(err)
	}
	if versions != 2 || name != "Phường Một Mới" || parent != "49" {
		t.Errorf("got %d versions, current %q under %q; want 2, the new name, under 49", versions, name, parent)
	}
}

func TestImportRejectsBadRowsAndWritesNothing(t *testing.T) {
	s, ctx := newStore(t)
	data := "ref,lon,lat,kind,name\n" +
		"H1,108.25,15.9,dealing,Quán cà phê\n" +
		"H2,108.35,15.9,karaoke,Quán karaoke\n" + // unknown kind
		"H3,109.9,15.9,storage,Nhà kho\n" + // outside every area
		"H4,abc,15.9,storage,Nhà kho\n" + // not a number
		"H1,108.26,15.9,dealing,Lặp lại\n" // duplicate ref
	_, err := importString(t, s, ctx, "hotspots", data, importer.Options{})
	var ie *hotspot.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("want an ImportError, got %v", err)
	}
	want := []struct {
		line  int
		field string
		says  string
	}{{3, "kind", "karaoke"}, {4, "lon", "outside every area"}, {5, "lon", "not a number"}, {6, "ref", "line 2"}}
	if len(ie.Rows) != len(want) {
		t.Fatalf("got %d bad rows, want %d: %v", len(ie.Rows), len(want), err)
	}
	for i, w := range want {
		r := ie.Rows[i]
		if r.Line != w.line || r.Field != w.field || !strings.Contains(r.Reason, w.says) {
			t.Errorf("row %d: got line %d %s %q, want line %d %s containing %q", i, r.Line, r.Field, r.Reason, w.line, w.field, w.says)
		}
	}
	if n := count(t, s, ctx, "hotspots"); n != 0 {
		t.Errorf("a file with bad rows wrote %d hotspots", n)
	}
	res, err := importString(t, s, ctx, "hotspots", data, importer.Options{SkipInvalid: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 1 || len(res.Skipped) != 4 || count(t, s, ctx, "hotspots") != 1 {
		t.Errorf("skip-invalid: imported %d, skipped %d", res.Imported, len(res.Skipped))
	}
}

func TestReimportUpdatesNeverDuplicates(t *testing.T) {
	s, ctx := newStore(t)
	data := "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,Quán A\nH2,108.35,15.9,storage,Nhà B\n"
	for i := 0; i < 2; i++ {
		if _, err := importString(t, s, ctx, "hotspots", data, importer.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := importString(t, s, ctx, "hotspots", "ref,lon,lat,kind,name\nH1,108.35,15.95,public_use,Quán A đã chuyển\n", importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 1 || count(t, s, ctx, "hotspots") != 2 {
		t.Fatalf("got %d imported, %d hotspots", res.Imported, count(t, s, ctx, "hotspots"))
	}
	var area, kind string
	if err := poolOf(s).QueryRow(ctx, `SELECT a.code, h.kind FROM hotspots h JOIN areas a ON a.id = h.area_id WHERE ref = 'H1'`).Scan(&area, &kind); err != nil {
		t.Fatal(err)
	}
	if area != "20533" || kind != "public_use" {
		t.Errorf("H1 after update: area %s kind %s; want 20533 public_use", area, kind)
	}
}

func TestImportEventsChecksLifecycle(t *testing.T) {
	s, ctx := newStore(t)
	if _, err := importString(t, s, ctx, "hotspots", "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,Quán A\nH2,108.35,15.9,storage,Nhà B\n", importer.Options{}); err != nil {
		t.Fatal(err)
	}
	good := "hotspot_ref,event,occurred_at,note\n" +
		"H1,detected,2024-01-10,\n" +
		"H1,eliminated,2024-06-01T09:00:00+07:00,triệt xóa\n" +
		"H1,recurred,2025-02-01,\n" +
		"H2,detected,2024-03-01,\n"
	if _, err := importString(t, s, ctx, "events", good, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	// Re-import adds nothing.
	if res, err := importString(t, s, ctx, "events", good, importer.Options{}); err != nil || res.Imported != 0 {
		t.Fatalf("re-import: %v, imported %v", err, res)
	}
	bad := "hotspot_ref,event,occurred_at,note\n" +
		"H2,recurred,2024-05-01,\n" + // recurring an active hotspot
		"H1,eliminated,2024-09-01,\n" + // backdated: H1 is already eliminated then
		"H9,detected,2024-01-01,\n" // unknown hotspot
	_, err := importString(t, s, ctx, "events", bad, importer.Options{})
	var ie *hotspot.ImportError
	if !errors.As(err, &ie) || len(ie.Rows) != 3 {
		t.Fatalf("want 3 bad rows, got %v", err)
	}
	for i, w := range []struct {
		line  int
		field string
	}{{2, "event"}, {3, "event"}, {4, "hotspot_ref"}} {
		if ie.Rows[i].Line != w.line || ie.Rows[i].Field != w.field {
			t.Errorf("row %d: got %v", i, ie.Rows[i])
		}
	}
	if n := count(t, s, ctx, "hotspot_events"); n != 4 {
		t.Errorf("events: got %d, want 4", n)
	}
	if _, err := poolOf(s).Exec(ctx, `DELETE FROM hotspot_events`); err == nil {
		t.Error("hotspot_events must be append-only")
	}
}

func TestImportTipsCamerasIndicatorsIncidents(t *testing.T) {
	s, ctx := newStore(t)
	cases := []struct{ kind, data string }{
		{"incidents", "ref,lon,lat,kind,occurred_at\nI1,108.25,15.9,use,2025-01-01\nI2,108.35,15.91,trafficking,2025-01-02T10:00:00+07:00\n"},
		{"tips", "ref,received_at,handled_at,lon,lat,area_code\nT1,2025-01-01,2025-01-03,108.25,15.9,\nT2,2025-01-05,,,,20533\n"},
		{"cameras", "ref,lon,lat,bearing,fov,range_m,owner,status\nC1,108.25,15.9,90,90,120,police,active\nC2,108.35,15.9,0,360,50,community,planned\n"},
		{"indicators", "area_code,period,key,value\n20530,2025-01,registered_users,12\n20530,2025,households_total,800\n"},
	}
	for _, c := range cases {
		res, err := importString(t, s, ctx, c.kind, c.data, importer.Options{})
		if err != nil || res.Imported != 2 {
			t.Errorf("%s: %v %+v", c.kind, err, res)
		}
	}
	bads := []struct{ kind, data, field string }{
		{"tips", "ref,received_at,handled_at,lon,lat,area_code\nT3,2025-01-05,2025-01-01,,,20533\n", "handled_at"},
		{"tips", "ref,received_at,handled_at,lon,lat,area_code\nT3,2025-01-05,,,,\n", "area_code"},
		{"cameras", "ref,lon,lat,bearing,fov,range_m,owner,status\nC3,108.25,15.9,360,90,120,police,active\n", "bearing"},
		{"cameras", "ref,lon,lat,bearing,fov,range_m,owner,status\nC3,108.25,15.9,10,90,120,army,active\n", "owner"},
		{"indicators", "area_code,period,key,value\n20530,2025-13,registered_users,1\n", "period"},
		{"indicators", "area_code,period,key,value\n20530,2025-H1,registered_users,1\n", "period"},
		{"indicators", "area_code,period,key,value\n20530,2025-01-01..2025-03-31,registered_users,1\n", "period"},
		{"indicators", "area_code,period,key,value\n20530,1899,registered_users,1\n", "period"},
		{"indicators", "area_code,period,key,value\n99999,2025-01,registered_users,1\n", "area_code"},
		{"incidents", "ref,lon,lat,kind,occurred_at\nI3,108.25,NaN,use,2025-01-01\n", "lat"},
		{"incidents", "ref,lon,lat,kind,occurred_at\nI3,108.25,15.9,use,01/01/2025\n", "occurred_at"},
		{"incidents", "ref,lon,lat\nI3,108.25,15.9\n", "header"},
		// Text PostgreSQL cannot store: a file in another encoding, a NUL.
		{"incidents", "ref,lon,lat,kind,occurred_at\nI\xff3,108.25,15.9,use,2025-01-01\n", "ref"},
		{"incidents", "ref,lon,lat,kind,occurred_at\nI\x003,108.25,15.9,use,2025-01-01\n", "ref"},
		{"hotspots", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ref":"H9","kind":"dealing","name":"a\u0000b"},"geometry":{"type":"Point","coordinates":[108.25,15.9]}}]}`, "name"},
	}
	for _, b := range bads {
		_, err := importString(t, s, ctx, b.kind, b.data, importer.Options{})
		var ie *hotspot.ImportError
		if !errors.As(err, &ie) || ie.Rows[0].Field != b.field {
			t.Errorf("%s %q: want a bad %s, got %v", b.kind, b.data, b.field, err)
		}
	}
	if got := count(t, s, ctx, "changes WHERE kind = 'incident'"); got != 2 {
		t.Errorf("changes for 2 incidents: got %d", got)
	}
	// A quarter written in lower case is stored in the one canonical
	// form the metrics read.
	if _, err := importString(t, s, ctx, "indicators", "area_code,period,key,value\n20530,2025-q3,registered_users,7\n", importer.Options{}); err != nil {
		t.Fatal(err)
	}
	if got := count(t, s, ctx, "area_indicators WHERE period = '2025-Q3' AND value = 7"); got != 1 {
		t.Errorf("2025-q3 stored as 2025-Q3: got %d rows", got)
	}
}

// Events of several hotspots, interleaved in the file, get ids in file
// order, whatever order the lifecycle check visits the hotspots in (it
// walks a map: three fresh databases would show a different order).
func TestImportEventsIdsFollowTheFile(t *testing.T) {
	hotspots := "ref,lon,lat,kind,name\nA,108.25,15.9,dealing,\nB,108.35,15.9,storage,\nC,108.26,15.9,dealing,\n"
	events := "hotspot_ref,event,occurred_at,note\nC,detected,2025-01-01,1\nA,detected,2025-01-02,2\nB,detected,2025-01-03,3\nC,eliminated,2025-02-01,4\nA,eliminated,2025-02-02,5\nB,note,2025-02-03,6\n"
	for run := range 3 {
		t.Run(fmt.Sprint(run), func(t *testing.T) {
			s, ctx := newStore(t)
			for _, step := range []struct{ kind, data string }{{"hotspots", hotspots}, {"events", events}} {
				if _, err := importString(t, s, ctx, step.kind, step.data, importer.Options{}); err != nil {
					t.Fatal(err)
				}
			}
			var got string
			if err := poolOf(s).QueryRow(ctx, `SELECT string_agg(note, ',' ORDER BY id) FROM hotspot_events`).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != "1,2,3,4,5,6" {
				t.Fatalf("notes by id %s, want 1,2,3,4,5,6", got)
			}
		})
	}
}

package importer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
)

// incidentsCSV makes n valid incidents in the fixture communes with refs
// prefix-000000…, and puts bad values on the given lines (1 is the header).
func incidentsCSV(n int, prefix string, badLines map[int]string) string {
	var b strings.Builder
	b.WriteString("ref,lon,lat,kind,occurred_at\n")
	for i := 0; i < n; i++ {
		line := i + 2
		lon := 108.2005 + float64(i%1000)*0.000195
		lat := 15.8005 + float64(i/1000%1000)*0.000195
		at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
		kind := "use"
		switch badLines[line] {
		case "kind":
			kind = "smuggling"
		case "lon":
			lon = 109.9 // outside every area
		}
		fmt.Fprintf(&b, "%s%06d,%.6f,%.6f,%s,%s\n", prefix, i, lon, lat, kind, at.Format(time.RFC3339))
	}
	return b.String()
}

// indexOIDs lists the object ids of incidents' indexes: a rebuilt index has a new one.
func indexOIDs(t *testing.T, s *store.Store) string {
	t.Helper()
	var oids string
	if err := poolOf(s).QueryRow(t.Context(), `SELECT string_agg(indexrelid::text, ',' ORDER BY indexrelid::regclass::text) FROM pg_index WHERE indrelid = 'incidents'::regclass`).Scan(&oids); err != nil {
		t.Fatal(err)
	}
	return oids
}

// indexDefs lists the definitions of incidents' indexes.
func indexDefs(t *testing.T, s *store.Store) string {
	t.Helper()
	var defs string
	if err := poolOf(s).QueryRow(t.Context(), `SELECT string_agg(indexdef, E'\n' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'incidents'`).Scan(&defs); err != nil {
		t.Fatal(err)
	}
	return defs
}

// A load bigger than the table builds the indexes after the copy: they must
// come back exactly as the migrations made them, still enforcing what they
// enforce, and the rows must be found through them.
func TestBulkIncidentLoadRebuildsIndexes(t *testing.T) {
	s, ctx := newStore(t)
	before, oidsBefore := indexDefs(t, s), indexOIDs(t, s)
	if !strings.Contains(before, "gist (geom)") || !strings.Contains(before, "UNIQUE") {
		t.Fatalf("unexpected index set before the load:\n%s", before)
	}
	const n = 60_000 // above the bulk threshold
	res, err := importString(t, s, ctx, "incidents", incidentsCSV(n, "B", nil), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != n || count(t, s, ctx, "incidents") != n {
		t.Fatalf("imported %d, table holds %d, want %d", res.Imported, count(t, s, ctx, "incidents"), n)
	}
	if after := indexDefs(t, s); after != before {
		t.Fatalf("indexes changed by the bulk load:\nbefore\n%s\nafter\n%s", before, after)
	}
	// Chunks parsed on several cores reach the server in file order.
	var outOfOrder int
	if err := poolOf(s).QueryRow(ctx, `SELECT count(*) FROM (SELECT ref, lag(ref) OVER (ORDER BY id) AS prev FROM incidents) s WHERE prev > ref`).Scan(&outOfOrder); err != nil {
		t.Fatal(err)
	}
	if outOfOrder != 0 {
		t.Fatalf("%d incidents stored out of file order", outOfOrder)
	}
	oidsBulk := indexOIDs(t, s)
	if oidsBulk == oidsBefore {
		t.Fatal("the bulk load kept the old indexes: it should have built them after the copy")
	}
	var constraints int
	if err := poolOf(s).QueryRow(ctx, `SELECT count(*) FROM pg_constraint WHERE conrelid = 'incidents'::regclass AND contype IN ('p', 'u')`).Scan(&constraints); err != nil {
		t.Fatal(err)
	}
	if constraints != 2 {
		t.Fatalf("primary key and unique ref: %d constraints, want 2", constraints)
	}
	if _, err := poolOf(s).Exec(ctx, `INSERT INTO incidents (ref, kind, occurred_at, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
SELECT ref, kind, occurred_at, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10 FROM incidents WHERE ref = 'B000001'`); err == nil {
		t.Fatal("a duplicate ref was accepted after the rebuild")
	}
	// The rows are found through the rebuilt spatial index.
	box := [4]float64{108.2, 15.8, 108.2101, 15.8101}
	got, err := s.ListIncidents(ctx, store.IncidentFilter{BBox: &box})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 50*50 {
		t.Fatalf("incidents in the box: got %d, want %d", len(got), 50*50)
	}
	// A second, smaller load into the now bigger table goes row by row and
	// updates what is stored.
	res, err = importString(t, s, ctx, "incidents", "ref,lon,lat,kind,occurred_at\nB000001,108.25,15.9,storage,2025-07-01\nC1,108.35,15.9,use,2025-07-01\n", importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 2 || count(t, s, ctx, "incidents") != n+1 {
		t.Fatalf("second load: imported %d, table holds %d", res.Imported, count(t, s, ctx, "incidents"))
	}
	if indexOIDs(t, s) != oidsBulk {
		t.Fatal("a small load into a bigger table rebuilt the indexes")
	}
}

// Bad rows anywhere in a streamed load — including after rows already sent
// to the server — are all reported, and nothing is written, indexes included.
func TestStreamedIncidentLoadWithBadRowsWritesNothing(t *testing.T) {
	s, ctx := newStore(t)
	before := indexDefs(t, s)
	const n = 60_000
	bad := map[int]string{5: "kind", 30_000: "lon", n + 1: "kind"}
	_, err := importString(t, s, ctx, "incidents", incidentsCSV(n, "X", bad), importer.Options{})
	var ie *hotspot.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("want an *ImportError, got %v", err)
	}
	var lines []string
	for _, r := range ie.Rows {
		lines = append(lines, fmt.Sprintf("%d:%s", r.Line, r.Field))
	}
	if got := strings.Join(lines, " "); got != fmt.Sprintf("5:kind 30000:lon %d:kind", n+1) {
		t.Fatalf("bad rows reported: %s", got)
	}
	if c := count(t, s, ctx, "incidents"); c != 0 {
		t.Fatalf("%d incidents written from a file with bad rows", c)
	}
	if after := indexDefs(t, s); after != before {
		t.Fatalf("indexes not restored after the abandoned load:\n%s", after)
	}
	// With SkipInvalid the good rows go in and the bad ones are listed.
	res, err := importString(t, s, ctx, "incidents", incidentsCSV(n, "X", bad), importer.Options{SkipInvalid: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != n-3 || len(res.Skipped) != 3 || count(t, s, ctx, "incidents") != n-3 {
		t.Fatalf("skip invalid: imported %d, skipped %d, table holds %d", res.Imported, len(res.Skipped), count(t, s, ctx, "incidents"))
	}
}

// Where dropping the indexes would lose something a rebuild does not bring
// back — here a comment on one — a big load goes in row by row instead.
func TestBulkLoadKeepsIndexesItWouldLose(t *testing.T) {
	s, ctx := newStore(t)
	if _, err := poolOf(s).Exec(ctx, `COMMENT ON INDEX incidents_time_idx IS 'kept by the DBA'`); err != nil {
		t.Fatal(err)
	}
	oids := indexOIDs(t, s)
	if _, err := importString(t, s, ctx, "incidents", incidentsCSV(60_000, "K", nil), importer.Options{}); err != nil {
		t.Fatal(err)
	}
	if indexOIDs(t, s) != oids {
		t.Fatal("the indexes were rebuilt although that loses the comment")
	}
	var comment string
	if err := poolOf(s).QueryRow(ctx, `SELECT coalesce(obj_description('incidents_time_idx'::regclass, 'pg_class'), '')`).Scan(&comment); err != nil || comment != "kept by the DBA" {
		t.Fatalf("comment after the load: %q %v", comment, err)
	}
	if c := count(t, s, ctx, "incidents"); c != 60_000 {
		t.Fatalf("table holds %d incidents, want 60000", c)
	}
}

// countsDiffer returns how many rows of the incident count tables differ
// from a recount of the incidents in SQL (what the counting trigger of
// migration 00008 would have written), and whether that trigger is on.
func countsDiffer(t *testing.T, s *store.Store) (differ int, triggerOn bool) {
	t.Helper()
	ctx := t.Context()
	if err := poolOf(s).QueryRow(ctx, `
WITH area_recount AS (
    SELECT area_id, diaban_month(occurred_at) AS month, kind, count(*)::int AS n FROM incidents GROUP BY 1, 2, 3),
cell_recount AS (
    SELECT r.res, r.cell, i.area_id, diaban_month(i.occurred_at) AS month, count(*)::int AS n
    FROM incidents i CROSS JOIN LATERAL (VALUES (7::smallint, i.h3_r7), (8, i.h3_r8), (9, i.h3_r9), (10, i.h3_r10)) r(res, cell)
    GROUP BY 1, 2, 3, 4),
stored_area AS (SELECT area_id, month, kind, n FROM incident_area_months WHERE n <> 0),
stored_cell AS (SELECT res, cell, area_id, month, n FROM incident_cell_months WHERE n <> 0)
SELECT (SELECT count(*) FROM ((TABLE area_recount EXCEPT TABLE stored_area) UNION ALL (TABLE stored_area EXCEPT TABLE area_recount)) a)
     + (SELECT count(*) FROM ((TABLE cell_recount EXCEPT TABLE stored_cell) UNION ALL (TABLE stored_cell EXCEPT TABLE cell_recount)) c),
       (SELECT tgenabled = 'O' FROM pg_trigger WHERE tgname = 'incidents_counts_ins')`).Scan(&differ, &triggerOn); err != nil {
		t.Fatal(err)
	}
	return differ, triggerOn
}

// A bulk load writes the incident counts itself (store/incident_counts.go)
// with the counting trigger paused: into empty count tables, merged into
// stored ones, and not at all when the load fails. Each time the counts must
// equal a recount in SQL, and the trigger must be on again afterwards.
func TestBulkLoadWritesTheIncidentCounts(t *testing.T) {
	s, _ := newStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // four loads of 50,000 rows or more
	defer cancel()
	check := func(step string) {
		t.Helper()
		differ, on := countsDiffer(t, s)
		if differ != 0 || !on {
			t.Fatalf("%s: %d count rows differ from a recount; counting trigger on: %v", step, differ, on)
		}
	}
	// First load: empty count tables.
	if _, err := importString(t, s, ctx, "incidents", incidentsCSV(60_000, "A", nil), importer.Options{}); err != nil {
		t.Fatal(err)
	}
	check("first bulk load")
	// A small load goes through the trigger.
	if _, err := importString(t, s, ctx, "incidents", "ref,lon,lat,kind,occurred_at\nS1,108.25,15.9,storage,2024-01-20\nS2,108.35,15.9,use,2025-07-01\n", importer.Options{}); err != nil {
		t.Fatal(err)
	}
	check("small load")
	// A second bulk load whose rows fall on the same cells and months as
	// stored ones (merged through the staging table), and on new ones, with
	// a few rows updating stored incidents.
	csv := incidentsCSV(55_000, "B", nil) + "A000001,108.3,15.95,trafficking,2026-03-01T10:00:00+07:00\n"
	if _, err := importString(t, s, ctx, "incidents", csv, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	check("second bulk load")
	// A bulk load with a bad row writes nothing, counts included.
	if _, err := importString(t, s, ctx, "incidents", incidentsCSV(52_000, "C", map[int]string{40_000: "kind"}), importer.Options{}); err == nil {
		t.Fatal("a load with a bad row was accepted")
	}
	check("refused bulk load")
	if c := count(t, s, ctx, "incidents"); c != 60_000+2+55_000 {
		t.Fatalf("table holds %d incidents after the refused load", c)
	}
}

package importer_test

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

// versionCountsDiffer compares version_incident_months with a recount in
// SQL (every retired version whose polygon covers the incident, as the
// members trigger of 00009 counts), and tells whether that trigger is on.
func versionCountsDiffer(t *testing.T, s *store.Store) (differ, stored int, triggerOn bool) {
	t.Helper()
	if err := poolOf(s).QueryRow(t.Context(), `
WITH recount AS (
    SELECT v.id AS version_id, diaban_month(i.occurred_at) AS month, i.kind, count(*)::int AS n
    FROM incidents i JOIN area_versions v ON v.valid_to IS NOT NULL AND ST_Covers(v.geom, i.geom)
    GROUP BY 1, 2, 3),
stored AS (SELECT version_id, month, kind, n FROM version_incident_months WHERE n <> 0)
SELECT (SELECT count(*) FROM ((TABLE recount EXCEPT TABLE stored) UNION ALL (TABLE stored EXCEPT TABLE recount)) d),
       (SELECT count(*) FROM stored),
       (SELECT tgenabled = 'O' FROM pg_trigger WHERE tgname = 'incidents_versions_ins')`).Scan(&differ, &stored, &triggerOn); err != nil {
		t.Fatal(err)
	}
	return differ, stored, triggerOn
}

// After a redrawing, a bulk load of incidents writes the counts of the
// retired versions itself (store/versionmembers.go) with the members
// trigger paused: into an empty table, merged into stored counts, and not
// at all when the load fails. Each time they must equal a recount in SQL,
// and the trigger must be on again afterwards.
func TestBulkLoadWritesTheRetiredVersionsCounts(t *testing.T) {
	s, _ := newStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	redraw(t, ctx, poolOf(s))
	check := func(step string, wantStored bool) {
		t.Helper()
		differ, stored, on := versionCountsDiffer(t, s)
		if differ != 0 || !on || (stored > 0) != wantStored {
			t.Fatalf("%s: %d rows of version_incident_months differ from a recount (%d stored); members trigger on: %v", step, differ, stored, on)
		}
	}
	if _, err := importString(t, s, ctx, "incidents", incidentsCSV(60_000, "A", nil), importer.Options{}); err != nil {
		t.Fatal(err)
	}
	check("first bulk load", true)
	if _, err := importString(t, s, ctx, "incidents", "ref,lon,lat,kind,occurred_at\nS1,108.26,15.9,storage,2024-01-20\nS2,108.35,15.9,use,2025-07-01\n", importer.Options{}); err != nil {
		t.Fatal(err)
	}
	check("small load (the trigger)", true)
	csv := incidentsCSV(55_000, "B", nil) + "A000001,108.27,15.95,trafficking,2026-03-01T10:00:00+07:00\n"
	if _, err := importString(t, s, ctx, "incidents", csv, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	check("second bulk load", true)
	if _, err := importString(t, s, ctx, "incidents", incidentsCSV(52_000, "C", map[int]string{40_000: "kind"}), importer.Options{}); err == nil {
		t.Fatal("a load with a bad row was accepted")
	}
	check("refused bulk load", true)
}

// redraw: district 503 and its two communes of hotspot/testdata are redrawn
// on 2025-07-01: the border between the communes moves from 108.3° to
// 108.25°, so the three retired versions hold other incidents than today's
// units.
func redraw(t testing.TB, ctx context.Context, pool *pgxpool.Pool) {
	t.Helper()
	for _, q := range []string{
		`UPDATE area_versions v SET valid_to = DATE '2025-07-01' FROM areas a
		 WHERE a.id = v.area_id AND a.code IN ('503', '20530', '20533') AND v.valid_to IS NULL`,
		`INSERT INTO area_versions (area_id, name, parent_id, valid_from, geom, type)
		 SELECT v.area_id, v.name, v.parent_id, DATE '2025-07-01',
		        CASE a.code WHEN '20530' THEN ST_Multi(ST_MakeEnvelope(108.2, 15.8, 108.25, 16.0, 4326))
		                    WHEN '20533' THEN ST_Multi(ST_MakeEnvelope(108.25, 15.8, 108.4, 16.0, 4326))
		                    ELSE v.geom END, v.type
		 FROM area_versions v JOIN areas a ON a.id = v.area_id
		 WHERE a.code IN ('503', '20530', '20533')`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkImportIncidentsAfterReform: the importer's bulk load of 200,000
// incidents on hotspot/testdata's areas after the redrawing above (three
// retired versions), into an empty table and into one holding 400,000:
//
//	go test ./hotspot/importer -run '^$' -bench ImportIncidentsAfterReform -benchtime 1x -count 3
func BenchmarkImportIncidentsAfterReform(b *testing.B) {
	_, csv := incidentRows(200_000)
	_, preload := incidentRowsFrom(200_000, 400_000)
	for _, c := range []struct {
		name    string
		preload []byte
	}{{"empty", nil}, {"append", preload}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				pool := pgtest.New(b).Pool
				s := store.NewStore(pool)
				ctx := context.Background()
				f, err := os.Open("../testdata/areas.geojson")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := importer.Import(ctx, s, "areas", f, importer.Options{}); err != nil {
					b.Fatal(err)
				}
				f.Close()
				redraw(b, ctx, pool)
				if c.preload != nil {
					if _, err := importer.Import(ctx, s, "incidents", bytes.NewReader(c.preload), importer.Options{}); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				start := time.Now()
				res, err := importer.Import(ctx, s, "incidents", bytes.NewReader(csv), importer.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if res.Imported != 200_000 {
					b.Fatalf("imported %d", res.Imported)
				}
				b.ReportMetric(200_000/time.Since(start).Seconds(), "rows/s")
			}
		})
	}
}

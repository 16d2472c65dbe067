package inputs_test

// The report of a province of 150 communes, end to end: load through the
// store (as diaban report does) and render each format. The fixture (150
// communes of about 130 boundary points, 2,250 hotspots with their
// events, 30,000 incidents, 6,000 tips, indicators) is built in a fresh
// database per run:
//
//	DIABAN_TEST_DATABASE_URL=... go test -run '^$' -bench Report150 -benchtime 5x ./hotspot/inputs/
//
// DIABAN_REPORT_BENCH_OUT=/tmp/r150 also writes /tmp/r150.pdf, .xlsx and .csv.

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/inputs"
	"github.com/diaban/diaban/hotspot/metrics"
	"github.com/diaban/diaban/hotspot/report"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

var report150Fixture = []string{
	`INSERT INTO areas (id, code, level) VALUES (1, '49', 'province')`,
	`INSERT INTO area_versions (area_id, name, parent_id, geom)
	 VALUES (1, 'Tỉnh Thử Nghiệm', NULL, ST_Multi(ST_MakeEnvelope(107, 15, 108.5, 16, 4326)))`,
	// 150 communes on a 15 × 10 grid of 0.1°, each a disc of 128 points
	`INSERT INTO areas (id, code, level) SELECT 100 + c, (30000 + c)::text, 'commune' FROM generate_series(0, 149) c`,
	`INSERT INTO area_versions (area_id, name, parent_id, geom)
	 SELECT 100 + c, (ARRAY['Xã ', 'Phường '])[1 + c % 2] || (ARRAY['Điện Bàn', 'Hòa Vang', 'Thăng Bình', 'Quế Sơn', 'Duy Xuyên', 'Núi Thành'])[1 + c % 6] || ' ' || c, 1,
	        ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(107.05 + (c % 15) * 0.1, 15.05 + (c / 15) * 0.1), 4326), 0.049, 32))
	 FROM generate_series(0, 149) c`,
	`SELECT setval('areas_id_seq', 1000)`,
	`INSERT INTO hotspots (id, ref, kind, name, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
	 SELECT h, 'QN-' || h, 'dealing', 'Khu vực bến xe ' || h, ST_SetSRID(ST_MakePoint(107.05 + (c % 15) * 0.1 + (h % 5) * 0.005, 15.05 + (c / 15) * 0.1), 4326), 100 + c, 0, 0, 0, 0
	 FROM (SELECT h, (h - 1) / 15 AS c FROM generate_series(1, 2250) h) g`,
	`SELECT setval('hotspots_id_seq', 3000)`,
	`INSERT INTO hotspot_events (hotspot_id, event, occurred_at)
	 SELECT h, e, t FROM generate_series(1, 2250) h,
	 LATERAL (VALUES ('detected', timestamptz '2023-01-01 00:00+07' + (h % 700) * interval '1 day'),
	                 ('eliminated', timestamptz '2025-01-15 00:00+07' + (h % 300) * interval '1 day'),
	                 ('recurred', timestamptz '2025-09-01 00:00+07' + (h % 200) * interval '1 day')) v(e, t)
	 WHERE e = 'detected' OR (e = 'eliminated' AND h % 3 = 0) OR (e = 'recurred' AND h % 9 = 0)`,
	`INSERT INTO incidents (ref, kind, occurred_at, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
	 SELECT 'I' || g, (ARRAY['trafficking','storage','transport','organised_use','use','cultivation','production','other'])[1 + g % 8],
	        timestamptz '2023-01-01 00:00+07' + ((g::bigint * 7919) % (1000 * 86400)) * interval '1 second',
	        ST_SetSRID(ST_MakePoint(107.05 + (g % 150 % 15) * 0.1, 15.05 + (g % 150 / 15) * 0.1), 4326), 100 + g % 150, 0, 0, 0, 0
	 FROM generate_series(1, 30000) g`,
	`INSERT INTO tips (ref, received_at, handled_at, area_id)
	 SELECT 'T' || g, r, CASE WHEN g % 4 <> 0 THEN r + interval '3 days' END, 100 + g % 150
	 FROM (SELECT g, timestamptz '2023-01-01 00:00+07' + ((g::bigint * 7919) % (1000 * 86400)) * interval '1 second' AS r
	       FROM generate_series(1, 6000) g) t`,
	`INSERT INTO area_indicators (area_id, period, key, value)
	 SELECT 100 + c, y::text, k, 10 + c % 40 FROM generate_series(0, 149) c, generate_series(2023, 2025) y,
	        unnest(ARRAY['registered_users', 'households_total', 'households_reached']) k`,
	`ANALYZE`,
}

func BenchmarkReport150(b *testing.B) {
	db := pgtest.New(b)
	ctx := context.Background()
	for _, q := range report150Fixture {
		if _, err := db.Pool.Exec(ctx, q); err != nil {
			b.Fatalf("%v\n%s", err, q)
		}
	}
	st := store.NewStore(db.Pool)
	p, _ := hotspot.ParsePeriod("2025")
	req := inputs.ReportRequest{Area: "49", Period: p, AsOf: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Config: metrics.DefaultConfig(), Role: hotspot.RoleAdmin}
	for _, f := range []report.Format{report.PDF, report.XLSX, report.CSV} {
		b.Run(string(f), func(b *testing.B) {
			var size int
			for b.Loop() {
				d, err := inputs.LoadReport(ctx, st, req)
				if err != nil {
					b.Fatal(err)
				}
				if len(d.Units) != 150 || len(d.Places) == 0 {
					b.Fatalf("%d units, %d places", len(d.Units), len(d.Places))
				}
				var buf bytes.Buffer
				if err := report.Render(&buf, d, f); err != nil {
					b.Fatal(err)
				}
				size = buf.Len()
				if out := os.Getenv("DIABAN_REPORT_BENCH_OUT"); out != "" { // to look at it
					if err := os.WriteFile(out+"."+string(f), buf.Bytes(), 0o644); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(size)/1024, "KiB")
		})
	}
}

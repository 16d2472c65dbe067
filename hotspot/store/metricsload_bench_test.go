package store

// End-to-end benchmarks of the metrics path from PostGIS: a province of
// 10,000 communes, 100,000 hotspots and 5,000,000 events in 2025, built once
// with generate_series in the database diaban_bench_metrics and reused while
// its fixture version matches. Only `go test -bench Metrics` runs them:
//
//	go test -run '^$' -bench 'MetricsDB' -benchtime 5x ./hotspot/
//
// The first run builds the fixture (a few minutes on 2 cores).

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/metrics"
)

const (
	benchMetricsDB      = "diaban_bench_metrics"
	benchMetricsVersion = 2
)

// benchMetricsFixture fills an empty, migrated database. Ids are fixed so
// the benchmarks can name areas and hotspots.
var benchMetricsFixture = []string{
	`INSERT INTO areas (id, code, level) VALUES (1, 'P', 'province')`,
	`INSERT INTO area_versions (area_id, name, parent_id, geom)
	 VALUES (1, 'Tỉnh Thử', NULL, ST_Multi(ST_MakeEnvelope(100, 10, 101, 11, 4326)))`,
	// 100 districts on a 10 × 10 grid of 0.1°.
	`INSERT INTO areas (id, code, level) SELECT 10 + d, 'D' || lpad(d::text, 3, '0'), 'district' FROM generate_series(0, 99) d`,
	`INSERT INTO area_versions (area_id, name, parent_id, geom)
	 SELECT 10 + d, 'Huyện ' || d, 1,
	        ST_Multi(ST_MakeEnvelope(100 + (d % 10) * 0.1, 10 + (d / 10) * 0.1, 100.1 + (d % 10) * 0.1, 10.1 + (d / 10) * 0.1, 4326))
	 FROM generate_series(0, 99) d`,
	// 10,000 communes, 100 per district on a 10 × 10 grid of 0.01°.
	`INSERT INTO areas (id, code, level) SELECT 1000 + c, 'C' || lpad(c::text, 5, '0'), 'commune' FROM generate_series(0, 9999) c`,
	`INSERT INTO area_versions (area_id, name, parent_id, geom)
	 SELECT 1000 + c, 'Xã ' || c, 10 + c / 100,
	        ST_Multi(ST_MakeEnvelope(x, y, x + 0.01, y + 0.01, 4326))
	 FROM (SELECT c, 100 + (c / 100 % 10) * 0.1 + (c % 10) * 0.01 AS x, 10 + (c / 1000) * 0.1 + (c / 10 % 10) * 0.01 AS y
	       FROM generate_series(0, 9999) c) g`,
	`SELECT setval('areas_id_seq', 20000)`,
	// 100,000 hotspots, 10 per commune.
	`INSERT INTO hotspots (id, ref, kind, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
	 SELECT h, 'H' || h, 'dealing', ST_PointOnSurface(v.geom), 1000 + (h - 1) / 10, 0, 0, 0, 0
	 FROM generate_series(1, 100000) h JOIN area_versions v ON v.area_id = 1000 + (h - 1) / 10`,
	`SELECT setval('hotspots_id_seq', 100000)`,
	// 50 events per hotspot, 5,000,000 in all, in 2025 but for a fifth of the
	// detections (2024): detected, then note, eliminated, note, recurred ...;
	// a third of the hotspots are eliminated by their last event.
	`INSERT INTO hotspot_events (hotspot_id, event, occurred_at)
	 SELECT h,
	        CASE WHEN i = 0 THEN 'detected'
	             WHEN i = 49 AND h % 3 = 0 THEN 'eliminated'
	             WHEN i % 4 = 2 THEN 'eliminated'
	             WHEN i % 4 = 0 THEN 'recurred'
	             ELSE 'note' END,
	        CASE WHEN i = 0 AND h % 5 = 0 THEN timestamptz '2024-06-01 00:00+07' + (h % 180) * interval '1 day'
	             ELSE timestamptz '2025-01-01 00:00+07' + (i * 7 + h % 7) * interval '1 day' + (h % 86400) * interval '1 second' END
	 FROM generate_series(1, 100000) h, generate_series(0, 49) i`,
	// 200,000 incidents and 100,000 tips over 2024–2025, a register per commune.
	`INSERT INTO incidents (ref, kind, occurred_at, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
	 SELECT 'I' || g, (ARRAY['trafficking','storage','transport','organised_use','use','cultivation','production','other'])[1 + g % 8],
	        timestamptz '2024-01-01 00:00+07' + ((g::bigint * 7919) % (730 * 86400)) * interval '1 second',
	        ST_SetSRID(ST_MakePoint(100, 10), 4326), 1000 + g % 10000, 0, 0, 0, 0
	 FROM generate_series(1, 200000) g`,
	`INSERT INTO tips (ref, received_at, handled_at, area_id)
	 SELECT 'T' || g, r, CASE WHEN g % 4 <> 0 THEN r + interval '3 days' END, 1000 + g % 10000
	 FROM (SELECT g, timestamptz '2024-01-01 00:00+07' + ((g::bigint * 7919) % (725 * 86400)) * interval '1 second' AS r
	       FROM generate_series(1, 100000) g) t`,
	`INSERT INTO area_indicators (area_id, period, key, value)
	 SELECT 1000 + c, y::text, 'registered_users', c % 30 FROM generate_series(0, 9999) c, generate_series(2024, 2025) y`,
	`CREATE TABLE bench_fixture (version int NOT NULL)`,
}

// openBenchMetrics returns a pool on the benchmark database, building it
// when it is missing or outdated. It skips when no server answers.
func openBenchMetrics(b *testing.B) *pgxpool.Pool {
	b.Helper()
	ctx := context.Background()
	admin := os.Getenv("DIABAN_TEST_DATABASE_URL")
	if admin == "" {
		admin = os.Getenv("DATABASE_URL")
	}
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	aconn, err := pgx.Connect(ctx, admin)
	if err != nil {
		b.Skipf("no PostgreSQL: %v", err)
	}
	defer aconn.Close(ctx)
	cfg, err := pgxpool.ParseConfig(admin)
	if err != nil {
		b.Fatal(err)
	}
	cfg.ConnConfig.Database = benchMetricsDB
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	cfg.MaxConns = 8
	if pool, err := pgxpool.NewWithConfig(ctx, cfg); err == nil {
		var v int
		if pool.QueryRow(ctx, `SELECT version FROM bench_fixture`).Scan(&v) == nil && v == benchMetricsVersion {
			return pool
		}
		pool.Close()
	}
	b.Logf("building %s (once)", benchMetricsDB)
	start := time.Now()
	name := pgx.Identifier{benchMetricsDB}.Sanitize()
	if _, err := aconn.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
		b.Fatal(err)
	}
	if _, err := aconn.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		b.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := Migrate(ctx, pool); err != nil {
		b.Fatal(err)
	}
	for _, q := range benchMetricsFixture {
		if _, err := pool.Exec(ctx, q); err != nil {
			b.Fatalf("%v\n%s", err, q)
		}
	}
	for _, q := range []string{`INSERT INTO bench_fixture VALUES (` + fmt.Sprint(benchMetricsVersion) + `)`, `VACUUM ANALYZE`} {
		if _, err := pool.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("built %s in %s", benchMetricsDB, time.Since(start).Round(time.Second))
	return pool
}

// BenchmarkMetricsDBProvinceYear loads every input of the province for 2025
// from PostGIS and computes every metric of its 10,000 communes, 2025 and
// 2024, with the province roll-up: what GET /api/metrics?parent=P does.
func BenchmarkMetricsDBProvinceYear(b *testing.B) {
	pool := openBenchMetrics(b)
	defer pool.Close()
	s := NewStore(pool)
	ctx := context.Background()
	p, cfg := hotspot.YearPeriod(2025), metrics.DefaultConfig()
	var load, compute time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		ins, err := s.ChildMetricsInputs(ctx, "P", p, cfg)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		r, ms := metrics.ComputeRollUp("P", ins, p, cfg, 0)
		load, compute = load+t1.Sub(t0), compute+time.Since(t1)
		if len(ms) != 10000 || r.Children != 10000 || r.ActiveDuring != 100000 {
			b.Fatalf("%d communes, roll-up %+v", len(ms), r)
		}
	}
	b.ReportMetric(float64(load.Milliseconds())/float64(b.N), "load-ms/op")
	b.ReportMetric(float64(compute.Milliseconds())/float64(b.N), "compute-ms/op")
}

// BenchmarkMetricsDBLoadEvents is the events query alone for the province.
func BenchmarkMetricsDBLoadEvents(b *testing.B) {
	pool := openBenchMetrics(b)
	defer pool.Close()
	s := NewStore(pool)
	ctx := context.Background()
	idx, err := s.Areas(ctx)
	if err != nil {
		b.Fatal(err)
	}
	codes, ids, group := childGroups(idx, "P")
	end := hotspot.YearPeriod(2025).End()
	b.ResetTimer()
	for b.Loop() {
		ins := make([]metrics.AreaInput, len(codes))
		if err := loadEvents(ctx, pool, ins, ids, group, end); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMetricsDBRecomputeAfterEvent records one event on a hotspot of a
// commune and recomputes that commune's month and year from PostGIS, as the
// live hook does; each iteration runs in a transaction rolled back after.
func BenchmarkMetricsDBRecomputeAfterEvent(b *testing.B) {
	pool := openBenchMetrics(b)
	defer pool.Close()
	s := NewStore(pool)
	ctx := context.Background()
	idx, err := s.Areas(ctx)
	if err != nil {
		b.Fatal(err)
	}
	const code = "C04242"
	shape, _ := idx.ByCode(code)
	ids := []int64{shape.ID}
	group := map[int64]int{shape.ID: 0}
	cfg := metrics.DefaultConfig()
	month, year := hotspot.MonthPeriod(2025, 12), hotspot.YearPeriod(2025)
	since, _ := metrics.InputWindow(year, cfg)
	hotspotID := (shape.ID-1000)*10 + 1
	at := time.Date(2025, 12, 30, 12, 0, 0, 0, hotspot.Zone)
	b.ResetTimer()
	for b.Loop() {
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO hotspot_events (hotspot_id, event, occurred_at) VALUES ($1, 'note', $2)`, hotspotID, at); err != nil {
				return err
			}
			ins, err := loadMetricsInputs(ctx, tx, []string{code}, ids, ids, group, since, year.End())
			if err != nil {
				return err
			}
			m := metrics.Compute(ins[0], month, cfg)
			y := metrics.Compute(ins[0], year, cfg)
			if len(ins[0].Hotspots) != 10 || y.ActiveDuring != 10 || m.Area != code {
				return fmt.Errorf("unexpected %d hotspots, %+v", len(ins[0].Hotspots), y)
			}
			return errRollback
		})
		if err != errRollback {
			b.Fatal(err)
		}
	}
}

var errRollback = fmt.Errorf("rollback")

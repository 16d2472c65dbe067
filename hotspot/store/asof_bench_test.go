package store

// The metrics benchmark's province across a reform: 10,000 communes in 100
// districts, 100,000 hotspots, 5,000,000 events, 200,000 incidents and
// 100,000 tips (the metrics fixture's sizes), where on 2025-07-01 the
// districts are abolished and the communes merged four into one (2,500 new
// communes directly under the province), every record registered to the new
// units, with a crosswalk. Province metrics with as_of before the reform
// then read 10,000 retired communes through their kept members:
//
//	DIABAN_BENCH_REFORM=1 go test -run '^$' -bench 'AsOf' -benchtime 5x -timeout 60m ./hotspot/store

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/metrics"
)

const (
	benchReformDB      = "diaban_bench_reform"
	benchReformVersion = 6
	// benchReformEnv gates the fixture: building it takes minutes.
	benchReformEnv = "DIABAN_BENCH_REFORM"
)

// benchReformFixture fills an empty, migrated database set-based: one
// INSERT per table from generate_series, the old units open while the
// records go in (the members triggers have nothing to do then), then the
// old units retired in one UPDATE and their members found with one spatial
// join per table (refreshVersionMembers), as an areas import does.
//
// The province P holds 100 districts of 100 communes each until 2025-07-01
// (the metrics fixture's grid: old commune c at column
// (c/100%10)*10 + c%10 and row (c/1000)*10 + c/10%10 of 0.01°), then 2,500
// new communes, 30000 + X + 50·Y covering columns 2X, 2X+1 and rows 2Y,
// 2Y+1, each the merger of four. 100,000 hotspots (10 per old commune),
// 5,000,000 events, 200,000 incidents and 100,000 tips, all registered to
// today's units; tips without a point remember their old commune
// (recorded_area_id).
var benchReformFixture = []string{
	`CREATE FUNCTION pg_temp.newc(c int) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
	   SELECT 30000 + ((c / 100 % 10) * 10 + c % 10) / 2 + 50 * (((c / 1000) * 10 + c / 10 % 10) / 2) $$`,
	`INSERT INTO areas (id, code, level) VALUES (1, 'P', 'province')`,
	`INSERT INTO area_versions (area_id, name, parent_id, geom)
	 VALUES (1, 'Tỉnh Thử', NULL, ST_Multi(ST_MakeEnvelope(100, 10, 101, 11, 4326)))`,
	`INSERT INTO areas (id, code, level) SELECT 10 + d, 'D' || lpad(d::text, 3, '0'), 'district' FROM generate_series(0, 99) d`,
	`INSERT INTO area_versions (area_id, name, parent_id, geom)
	 SELECT 10 + d, 'Huyện ' || d, 1,
	        ST_Multi(ST_MakeEnvelope(100 + (d % 10) * 0.1, 10 + (d / 10) * 0.1, 100.1 + (d % 10) * 0.1, 10.1 + (d / 10) * 0.1, 4326))
	 FROM generate_series(0, 99) d`,
	`INSERT INTO areas (id, code, level) SELECT 1000 + c, 'C' || lpad(c::text, 5, '0'), 'commune' FROM generate_series(0, 9999) c`,
	`INSERT INTO area_versions (area_id, name, parent_id, geom, type)
	 SELECT 1000 + c, 'Xã ' || c, 10 + c / 100, ST_Multi(ST_MakeEnvelope(x, y, x + 0.01, y + 0.01, 4326)), 'xã'
	 FROM (SELECT c, 100 + (c / 100 % 10) * 0.1 + (c % 10) * 0.01 AS x, 10 + (c / 1000) * 0.1 + (c / 10 % 10) * 0.01 AS y
	       FROM generate_series(0, 9999) c) g`,
	`INSERT INTO areas (id, code, level) SELECT 30000 + n, 'N' || lpad(n::text, 4, '0'), 'commune' FROM generate_series(0, 2499) n`,
	`INSERT INTO area_versions (area_id, name, parent_id, valid_from, geom, type)
	 SELECT 30000 + n, 'Phường ' || n, 1, DATE '2025-07-01',
	        ST_Multi(ST_MakeEnvelope(100 + (n % 50) * 0.02, 10 + (n / 50) * 0.02, 100.02 + (n % 50) * 0.02, 10.02 + (n / 50) * 0.02, 4326)), 'phường'
	 FROM generate_series(0, 2499) n`,
	`SELECT setval('areas_id_seq', 40000)`,
	`INSERT INTO area_crosswalk (old_area_id, new_area_id, valid_from, merge_type, share, share_source)
	 SELECT 1000 + c, pg_temp.newc(c), DATE '2025-07-01', 'full', 1, 'full' FROM generate_series(0, 9999) c`,
	// Records at points inside their old commune, registered to the new one.
	`INSERT INTO hotspots (id, ref, kind, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
	 SELECT h, 'H' || h, 'dealing',
	        ST_SetSRID(ST_MakePoint(100 + (c / 100 % 10) * 0.1 + (c % 10) * 0.01 + 0.001 + (h % 10) * 0.0008,
	                                10 + (c / 1000) * 0.1 + (c / 10 % 10) * 0.01 + 0.005), 4326),
	        pg_temp.newc(c), 0, 0, 0, 0
	 FROM (SELECT h, (h - 1) / 10 AS c FROM generate_series(1, 100000) h) g`,
	`SELECT setval('hotspots_id_seq', 100000)`,
	// The events without their triggers (the timelines trigger joins
	// 5,000,000 transition rows it has no statistics for, the change feed
	// would log each, and the hotspots exist) and two of their indexes
	// (built after, in one sort each), then the timelines in one aggregate,
	// as migrations 00004, 00011 and 00014 fill them.
	`ALTER TABLE hotspot_events DISABLE TRIGGER ALL`,
	`DROP INDEX hotspot_events_timeline_idx, hotspot_events_occurred_idx`,
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
	`ALTER TABLE hotspot_events ENABLE TRIGGER ALL`,
	`CREATE INDEX hotspot_events_timeline_idx ON hotspot_events (hotspot_id, occurred_at, id)`,
	`CREATE INDEX hotspot_events_occurred_idx ON hotspot_events (occurred_at)`,
	`INSERT INTO hotspot_timelines (hotspot_id, area_id, kinds, occurred, event_ids, packed)
	 SELECT e.hotspot_id, min(h.area_id),
	        array_agg(e.k ORDER BY e.occurred_at, e.id),
	        array_agg(e.occurred_at ORDER BY e.occurred_at, e.id),
	        array_agg(e.id ORDER BY e.occurred_at, e.id),
	        string_agg(int8send((extract(epoch FROM e.occurred_at) * 1000000)::bigint * 4 + e.k) || int8send(e.id), ''::bytea
	                   ORDER BY e.occurred_at, e.id)
	 FROM (SELECT hotspot_id, id, occurred_at,
	              CASE event WHEN 'detected' THEN 1 WHEN 'eliminated' THEN 2 ELSE 3 END::smallint AS k
	       FROM hotspot_events WHERE event <> 'note') e
	 JOIN hotspots h ON h.id = e.hotspot_id
	 GROUP BY e.hotspot_id`,
	`INSERT INTO incidents (ref, kind, occurred_at, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
	 SELECT 'I' || g, (ARRAY['trafficking','storage','transport','organised_use','use','cultivation','production','other'])[1 + g % 8],
	        timestamptz '2024-01-01 00:00+07' + ((g::bigint * 7919) % (730 * 86400)) * interval '1 second',
	        ST_SetSRID(ST_MakePoint(100 + (c / 100 % 10) * 0.1 + (c % 10) * 0.01 + 0.005,
	                                10 + (c / 1000) * 0.1 + (c / 10 % 10) * 0.01 + 0.005), 4326),
	        pg_temp.newc(c), 0, 0, 0, 0
	 FROM (SELECT g, g % 10000 AS c FROM generate_series(1, 200000) g) x`,
	`INSERT INTO tips (ref, received_at, handled_at, area_id, recorded_area_id)
	 SELECT 'T' || g, r, CASE WHEN g % 4 <> 0 THEN r + interval '3 days' END, pg_temp.newc(g % 10000), 1000 + g % 10000
	 FROM (SELECT g, timestamptz '2024-01-01 00:00+07' + ((g::bigint * 7919) % (725 * 86400)) * interval '1 second' AS r
	       FROM generate_series(1, 100000) g) t`,
	`INSERT INTO area_indicators (area_id, period, key, value)
	 SELECT 1000 + c, y::text, 'registered_users', c % 30 FROM generate_series(0, 9999) c, generate_series(2024, 2025) y`,
	// The reform: the old units end on 2025-07-01.
	`UPDATE area_versions SET valid_to = DATE '2025-07-01' WHERE area_id BETWEEN 10 AND 10999`,
	`CREATE TABLE bench_reform (version int NOT NULL)`,
}

// openBenchReform returns a pool on the reform benchmark's database,
// building it when missing or outdated; it skips unless
// DIABAN_BENCH_REFORM=1 (the build takes minutes) or when no server
// answers.
func openBenchReform(b *testing.B) *pgxpool.Pool {
	b.Helper()
	if os.Getenv(benchReformEnv) != "1" {
		b.Skipf("set %s=1 to build and run the reform benchmark (its fixture takes minutes)", benchReformEnv)
	}
	ctx := context.Background()
	aconn, err := pgx.Connect(ctx, adminURLForBench())
	if err != nil {
		b.Skipf("no PostgreSQL: %v", err)
	}
	defer aconn.Close(ctx)
	cfg, err := pgxpool.ParseConfig(adminURLForBench())
	if err != nil {
		b.Fatal(err)
	}
	cfg.ConnConfig.Database = benchReformDB
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	cfg.MaxConns = 8
	if pool, err := pgxpool.NewWithConfig(ctx, cfg); err == nil {
		var v int
		if pool.QueryRow(ctx, `SELECT version FROM bench_reform`).Scan(&v) == nil && v == benchReformVersion {
			return pool
		}
		pool.Close()
	}
	b.Logf("building %s (once)", benchReformDB)
	start := time.Now()
	name := pgx.Identifier{benchReformDB}.Sanitize()
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
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, q := range benchReformFixture {
			t0 := time.Now()
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("%w\n%s", err, q)
			}
			b.Logf("%6.1f s  %.70s", time.Since(t0).Seconds(), strings.Join(strings.Fields(q), " "))
		}
		// The members of the retired versions, one spatial join per table.
		var retired []int64
		for id := int64(10); id < 110; id++ {
			retired = append(retired, id)
		}
		for id := int64(1000); id < 11000; id++ {
			retired = append(retired, id)
		}
		t0 := time.Now()
		if err := refreshVersionMembers(ctx, tx, retired); err != nil {
			return err
		}
		b.Logf("%6.1f s  members of the retired versions", time.Since(t0).Seconds())
		_, err := tx.Exec(ctx, `INSERT INTO bench_reform VALUES (`+fmt.Sprint(benchReformVersion)+`)`)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s in %s", benchReformDB, time.Since(start).Round(time.Second))
	return pool
}

func adminURLForBench() string {
	for _, k := range []string{"DIABAN_TEST_DATABASE_URL", "DATABASE_URL"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// BenchmarkMetricsDBProvinceYearAsOfBefore: every metric of the province's
// 10,000 pre-reform communes for 2025 with as_of 2025-06-30, each counted
// through its retired polygon, and the roll-up.
func BenchmarkMetricsDBProvinceYearAsOfBefore(b *testing.B) {
	benchAsOf(b, "2025-06-30", 10000)
}

// BenchmarkMetricsDBProvinceYearAsOfToday: the same on today's 2,500 communes
// (read by id).
func BenchmarkMetricsDBProvinceYearAsOfToday(b *testing.B) {
	benchAsOf(b, "2026-01-01", 2500)
}

func benchAsOf(b *testing.B, asOf string, communes int) {
	pool := openBenchReform(b)
	defer pool.Close()
	s := NewStore(pool)
	ctx := context.Background()
	d, _ := time.Parse(time.DateOnly, asOf)
	p, cfg := hotspot.YearPeriod(2025), metrics.DefaultConfig()
	var load, compute time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		ins, _, err := s.ChildMetricsInputsAsOf(ctx, "P", d, p, cfg)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		r, ms := metrics.ComputeRollUp("P", ins, p, cfg, 0)
		load, compute = load+t1.Sub(t0), compute+time.Since(t1)
		if len(ms) != communes || r.Children != communes || r.ActiveDuring != 100000 {
			b.Fatalf("%d communes, roll-up %+v", len(ms), r)
		}
	}
	b.ReportMetric(float64(load.Milliseconds())/float64(b.N), "load-ms/op")
	b.ReportMetric(float64(compute.Milliseconds())/float64(b.N), "compute-ms/op")
}

// BenchmarkMetricsDBProvinceYearAsOfAlternate runs the two in turn in each
// iteration, so that both see the same machine (this one is shared): it
// reports the median and the fastest of each and their ratio.
func BenchmarkMetricsDBProvinceYearAsOfAlternate(b *testing.B) {
	pool := openBenchReform(b)
	defer pool.Close()
	s := NewStore(pool)
	ctx := context.Background()
	p, cfg := hotspot.YearPeriod(2025), metrics.DefaultConfig()
	run := func(asOf string, communes int) time.Duration {
		d, _ := time.Parse(time.DateOnly, asOf)
		t0 := time.Now()
		ins, _, err := s.ChildMetricsInputsAsOf(ctx, "P", d, p, cfg)
		if err != nil {
			b.Fatal(err)
		}
		r, ms := metrics.ComputeRollUp("P", ins, p, cfg, 0)
		if len(ms) != communes || r.Children != communes || r.ActiveDuring != 100000 {
			b.Fatalf("%d communes, roll-up %+v", len(ms), r)
		}
		return time.Since(t0)
	}
	var before, today []time.Duration
	b.ResetTimer()
	for b.Loop() {
		before = append(before, run("2025-06-30", 10000))
		today = append(today, run("2026-01-01", 2500))
	}
	slices.Sort(before)
	slices.Sort(today)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(before[len(before)/2]), "before-median-ms")
	b.ReportMetric(ms(before[0]), "before-min-ms")
	b.ReportMetric(ms(today[len(today)/2]), "today-median-ms")
	b.ReportMetric(ms(today[0]), "today-min-ms")
	b.ReportMetric(float64(before[len(before)/2])/float64(today[len(today)/2]), "median-ratio")
}

package store

// The metrics benchmark's province across a reform: the fixture of
// metricsload_bench_test.go (10,000 communes in 100 districts, 100,000
// hotspots, 5,000,000 events) cloned into diaban_bench_reform, where on
// 2025-07-01 the districts are abolished and the communes merged four into
// one (2,500 new communes directly under the province), with every record
// re-registered to the new units and a crosswalk. Province metrics with
// as_of before the reform then read 10,000 retired commune polygons:
//
//	go test -run '^$' -bench 'AsOf' -benchtime 5x ./hotspot/store

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
	benchReformDB      = "diaban_bench_reform"
	benchReformVersion = 3
)

// benchReformSteps run on a migrated clone of the metrics fixture. An old
// commune c sits at column (c/100%10)*10 + c%10 and row (c/1000)*10 + c/10%10
// of a 100 × 100 grid of 0.01°; new commune 30000 + X + 50·Y covers columns
// 2X, 2X+1 and rows 2Y, 2Y+1.
var benchReformSteps = []string{
	`CREATE FUNCTION pg_temp.newc(c int) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
	   SELECT 30000 + ((c / 100 % 10) * 10 + c % 10) / 2 + 50 * (((c / 1000) * 10 + c / 10 % 10) / 2) $$`,
	`INSERT INTO areas (id, code, level) SELECT 30000 + n, 'N' || lpad(n::text, 4, '0'), 'commune' FROM generate_series(0, 2499) n`,
	`UPDATE area_versions SET valid_to = DATE '2025-07-01' WHERE area_id >= 10`,
	`INSERT INTO area_versions (area_id, name, parent_id, valid_from, geom, type)
	 SELECT 30000 + n, 'Phường ' || n, 1, DATE '2025-07-01',
	        ST_Multi(ST_MakeEnvelope(100 + (n % 50) * 0.02, 10 + (n / 50) * 0.02, 100.02 + (n % 50) * 0.02, 10.02 + (n / 50) * 0.02, 4326)), 'phường'
	 FROM generate_series(0, 2499) n`,
	`INSERT INTO area_crosswalk (old_area_id, new_area_id, valid_from, merge_type, share, share_source)
	 SELECT 1000 + c, pg_temp.newc(c), DATE '2025-07-01', 'full', 1, 'full' FROM generate_series(0, 9999) c`,
	// Incidents were all drawn at one point: put each in its commune first.
	`UPDATE incidents i SET geom = ST_PointOnSurface(v.geom) FROM area_versions v WHERE v.area_id = i.area_id`,
	`UPDATE hotspots SET area_id = pg_temp.newc((area_id - 1000)::int)`,
	`UPDATE incidents SET area_id = pg_temp.newc((area_id - 1000)::int)`,
	`CREATE TABLE bench_reform (version int NOT NULL)`,
}

func openBenchReform(b *testing.B) *pgxpool.Pool {
	b.Helper()
	base := openBenchMetrics(b) // builds the metrics fixture when missing
	base.Close()
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
	if _, err := aconn.Exec(ctx, `CREATE DATABASE `+name+` TEMPLATE `+pgx.Identifier{benchMetricsDB}.Sanitize()); err != nil {
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
		for _, q := range benchReformSteps {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("%w\n%s", err, q)
			}
		}
		// What an areas import does for the versions it retires: find their
		// members once (versionmembers.go).
		var retired []int64
		for id := int64(10); id < 110; id++ {
			retired = append(retired, id)
		}
		for id := int64(1000); id < 11000; id++ {
			retired = append(retired, id)
		}
		if err := refreshVersionMembers(ctx, tx, retired); err != nil {
			return err
		}
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

package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

// incidentRows makes n incidents spread over the fixture communes
// (lon 108.2–108.4, lat 15.8–16.0), deterministic.
func incidentRows(n int) ([][]any, []byte) { return incidentRowsFrom(0, n) }

// incidentRowsFrom makes n incidents with refs numbered from first.
func incidentRowsFrom(first, n int) ([][]any, []byte) {
	r := rand.New(rand.NewPCG(1, uint64(2+first)))
	kinds := []string{"use", "trafficking", "storage", "transport", "other"}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([][]any, n)
	var csv bytes.Buffer
	csv.WriteString("ref,lon,lat,kind,occurred_at\n")
	for i := range rows {
		lon, lat := 108.2001+r.Float64()*0.1998, 15.8001+r.Float64()*0.1998
		kind := kinds[r.IntN(len(kinds))]
		at := base.Add(time.Duration(r.Int64N(int64(700 * 24 * time.Hour))))
		ref := fmt.Sprintf("INC-%07d", first+i)
		rows[i] = []any{ref, kind, at, lon, lat}
		fmt.Fprintf(&csv, "%s,%.6f,%.6f,%s,%s\n", ref, lon, lat, kind, at.Format(time.RFC3339))
	}
	return rows, csv.Bytes()
}

// BenchmarkImportIncidents imports 1,000,000 incidents through the importer
// (parse, validate, locate, H3 cells, COPY, upsert) and, as the limit, COPYs
// the same rows into a bare table with the same columns and indexes.
func BenchmarkImportIncidents(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("DIABAN_BENCH_ROWS"); s != "" {
		fmt.Sscan(s, &n)
	}
	rows, csv := incidentRows(n)
	b.Run("importer", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			benchImport(b, nil, csv, n)
		}
	})
	// The same path into a table that already holds the n rows: n/5 new
	// incidents go in row by row, the indexes kept up as they are inserted.
	b.Run("importer-append", func(b *testing.B) {
		_, more := incidentRowsFrom(n, n/5)
		for i := 0; i < b.N; i++ {
			benchImport(b, csv, more, n/5)
		}
	})
	b.Run("plain-copy", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			db := pgtest.New(b)
			ctx := context.Background()
			if _, err := db.Pool.Exec(ctx, `CREATE TABLE plain (ref text UNIQUE, kind text, occurred_at timestamptz, lon float8, lat float8)`); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			start := time.Now()
			if _, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"plain"}, []string{"ref", "kind", "occurred_at", "lon", "lat"}, pgx.CopyFromRows(rows)); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
		}
	})
}

// benchImport times importing want incidents from csv into a fresh database
// with the fixture areas and, first and untimed, the incidents of preload.
func benchImport(b *testing.B, preload, csv []byte, want int) {
	b.StopTimer()
	s := store.NewStore(pgtest.New(b).Pool)
	ctx := context.Background()
	f, err := os.Open("../testdata/areas.geojson")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if _, err := importer.Import(ctx, s, "areas", f, importer.Options{}); err != nil {
		b.Fatal(err)
	}
	if preload != nil {
		if _, err := importer.Import(ctx, s, "incidents", bytes.NewReader(preload), importer.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StartTimer()
	start := time.Now()
	res, err := importer.Import(ctx, s, "incidents", bytes.NewReader(csv), importer.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if res.Imported != want {
		b.Fatalf("imported %d of %d", res.Imported, want)
	}
	b.ReportMetric(float64(want)/time.Since(start).Seconds(), "rows/s")
}

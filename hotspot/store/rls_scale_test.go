package store_test

// TestRLSScale measures reads under the row-level security policies beside
// the same reads as the table's owner, on a database prepared by
// bench/rls/run.sh (the demo plus 1,000,000 incidents and 100,000 hotspot
// events). It runs only when DIABAN_BENCH_RLS_URL names that database:
//
//	DIABAN_BENCH_RLS_URL=postgres://postgres@127.0.0.1:5432/bench_rls \
//	  go test -count=1 -run RLSScale -v ./hotspot/store

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/metrics"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/tiles"
)

func TestRLSScale(t *testing.T) {
	url := os.Getenv("DIABAN_BENCH_RLS_URL")
	if url == "" {
		t.Skip("DIABAN_BENCH_RLS_URL not set")
	}
	ctx := context.Background()
	owner, err := store.Open(ctx, store.StoreConfig{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	app, err := store.Open(ctx, store.StoreConfig{URL: url, AppRole: "diaban_app"})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	idx, err := owner.Areas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	district, commune := os.Getenv("DIABAN_BENCH_DISTRICT"), os.Getenv("DIABAN_BENCH_COMMUNE")
	if district == "" {
		district, commune = "503", "20425"
	}
	dIDs, _ := idx.Descendants(district)
	shape, _ := idx.ByCode(district)
	scoped := store.WithScope(ctx, dIDs)
	system := store.WithSystemScope(ctx)

	// Cold cells tiles z12–16 over the district's box.
	b := shape.Geometry.Bound()
	var coords []tiles.Coord
	for z := maptile.Zoom(12); z <= 16; z++ {
		for _, mt := range tilesIn(b, z) {
			coords = append(coords, tiles.Coord{Z: tiles.Zoom(mt.Z), X: mt.X, Y: mt.Y})
		}
	}
	if n := os.Getenv("DIABAN_BENCH_TILES"); n == "all" {
	} else if len(coords) > 1500 {
		coords = coords[:1500]
	}
	cold := func(name string, st *store.Store, c context.Context, scope tiles.Scope) time.Duration {
		src := tiles.New(st, 1)
		start := time.Now()
		for _, co := range coords {
			if _, err := src.TileIn(c, tiles.LayerCells, co, scope); err != nil {
				t.Fatal(err)
			}
		}
		d := time.Since(start)
		t.Logf("cold cells tiles %-28s %5d tiles %8.2f s  %6.2f ms/tile", name, len(coords), d.Seconds(), d.Seconds()*1000/float64(len(coords)))
		return d
	}
	ownerT := cold("owner", owner, ctx, tiles.Scope{})
	appSys := cold("diaban_app, system scope", app, system, tiles.Scope{})
	appD := cold("diaban_app, district scope", app, scoped, tiles.Scope{Key: district, AreaIDs: dIDs})
	t.Logf("ratio app/owner: system %.2f, district %.2f", appSys.Seconds()/ownerT.Seconds(), appD.Seconds()/ownerT.Seconds())

	p50 := func(name string, n int, fn func() error) time.Duration {
		ds := make([]time.Duration, n)
		for i := range ds {
			s := time.Now()
			if err := fn(); err != nil {
				t.Fatal(err)
			}
			ds[i] = time.Since(s)
		}
		slices.Sort(ds)
		t.Logf("%-52s p50 %7.1f ms  p90 %7.1f ms  (n=%d)", name, ms(ds[n/2]), ms(ds[n*9/10]), n)
		return ds[n/2]
	}
	cells := func(st *store.Store, c context.Context, f store.CellFilter) func() error {
		return func() error { _, err := st.CellCounts(c, f); return err }
	}
	all := store.CellFilter{AreaCode: district, Res: 9}
	year := store.CellFilter{AreaCode: district, Res: 9, From: hotspot.Month(2025 * 12).Start(), To: hotspot.Month(2026 * 12).Start()}
	odd := store.CellFilter{AreaCode: district, Res: 9, From: time.Date(2025, 1, 10, 0, 0, 0, 0, hotspot.Zone), To: time.Date(2025, 7, 20, 0, 0, 0, 0, hotspot.Zone)}
	p50("cells district res 9 all time, owner", 30, cells(owner, ctx, all))
	p50("cells district res 9 all time, app district scope", 30, cells(app, scoped, all))
	p50("cells district res 9 all time, app system scope", 30, cells(app, system, all))
	p50("cells district res 9 2025, owner", 30, cells(owner, ctx, year))
	p50("cells district res 9 2025, app district scope", 30, cells(app, scoped, year))
	p50("cells district res 9 10 Jan–20 Jul 2025, owner", 10, cells(owner, ctx, odd))
	p50("cells district res 9 10 Jan–20 Jul 2025, app", 10, cells(app, scoped, odd))

	cfg := metrics.DefaultConfig()
	period, _ := hotspot.ParsePeriod("2025")
	metric := func(st *store.Store, c context.Context, code string) func() error {
		return func() error {
			in, _, err := st.MetricsInput(c, code, cfg, period)
			if err == nil {
				_ = metrics.Compute(in, period, cfg)
			}
			return err
		}
	}
	cIDs, _ := idx.Descendants(commune)
	p50("metrics district 2025, owner", 20, metric(owner, ctx, district))
	p50("metrics district 2025, app district scope", 20, metric(app, scoped, district))
	p50("metrics commune 2025, owner", 30, metric(owner, ctx, commune))
	p50("metrics commune 2025, app commune scope", 30, metric(app, store.WithScope(ctx, cIDs), commune))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// tilesIn lists the tiles of zoom z over b.
func tilesIn(b orb.Bound, z maptile.Zoom) []maptile.Tile {
	lo := maptile.At(orb.Point{b.Min[0], b.Max[1]}, z)
	hi := maptile.At(orb.Point{b.Max[0], b.Min[1]}, z)
	var out []maptile.Tile
	for x := lo.X; x <= hi.X; x++ {
		for y := lo.Y; y <= hi.Y; y++ {
			out = append(out, maptile.New(x, y, z))
		}
	}
	return out
}

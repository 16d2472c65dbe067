package store_test

// TestRLSScale measures reads under the row-level security policies beside
// the same reads as the table's owner, on a database prepared by
// bench/rls/run.sh (the demo plus 1,000,000 incidents and 100,000 hotspot
// events). It runs only when DIABAN_BENCH_RLS_URL names that database
// (DIABAN_BENCH_DISTRICT, _COMMUNE: the areas read; _BOX: the area whose
// box the tiles cover):
//
//	DIABAN_BENCH_RLS_URL=postgres://postgres@127.0.0.1:5432/bench_rls \
//	  go test -count=1 -run RLSScale -v ./hotspot/store

import (
	"context"
	"os"
	"slices"
	"strings"
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
	// Today's map has no districts (the reform of 1 July 2025): the unit
	// above the demo's communes is province 48, which holds every row. The
	// tiles are those over the box of district 503 as it stood (all the
	// data; 1,403 tiles z12–16).
	district, commune := os.Getenv("DIABAN_BENCH_DISTRICT"), os.Getenv("DIABAN_BENCH_COMMUNE")
	if district == "" {
		district, commune = "48", "20413"
	}
	boxArea := os.Getenv("DIABAN_BENCH_BOX")
	if boxArea == "" {
		boxArea = "503"
	}
	dIDs, _ := idx.Descendants(district)
	scoped := store.WithScope(ctx, dIDs)
	system := store.WithSystemScope(ctx)
	var b orb.Bound
	if err := owner.Pool().QueryRow(ctx, `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
FROM (SELECT ST_Extent(v.geom)::geometry AS e FROM area_versions v JOIN areas a ON a.id = v.area_id WHERE a.code = $1) x`, boxArea).
		Scan(&b.Min[0], &b.Min[1], &b.Max[0], &b.Max[1]); err != nil {
		t.Fatalf("box of %s: %v", boxArea, err)
	}

	// Cold tiles z12–16 over the box.
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
	cold := func(layer tiles.Layer, name string, st *store.Store, c context.Context, scope tiles.Scope) time.Duration {
		src := tiles.New(st, 1)
		start := time.Now()
		for _, co := range coords {
			if _, err := src.TileIn(c, layer, co, scope); err != nil {
				t.Fatal(err)
			}
		}
		d := time.Since(start)
		t.Logf("cold %-8s tiles %-28s %5d tiles %8.2f s  %6.2f ms/tile", layer, name, len(coords), d.Seconds(), d.Seconds()*1000/float64(len(coords)))
		return d
	}
	for _, layer := range []tiles.Layer{tiles.LayerHotspots, tiles.LayerCameras} {
		o := cold(layer, "owner", owner, ctx, tiles.Scope{})
		a := cold(layer, "diaban_app, district scope", app, scoped, tiles.Scope{Key: district, AreaIDs: dIDs})
		t.Logf("ratio %s app/owner: %.2f", layer, a.Seconds()/o.Seconds())
	}
	t.Logf("load average: %s", loadAverage())
	ownerT := cold(tiles.LayerCells, "owner", owner, ctx, tiles.Scope{})
	appSys := cold(tiles.LayerCells, "diaban_app, system scope", app, system, tiles.Scope{})
	appD := cold(tiles.LayerCells, "diaban_app, district scope", app, scoped, tiles.Scope{Key: district, AreaIDs: dIDs})
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
	// What the area metrics API loads: the area and, above commune level,
	// its communes' roll-up (AreaAndChildMetricsAsOf), computed.
	api := func(st *store.Store, c context.Context, code string) func() error {
		return func() error {
			got, kids, err := st.AreaAndChildMetricsAsOf(c, code, time.Time{}, cfg, period)
			if err == nil {
				_ = metrics.Compute(got.Input, period, cfg)
				if kids != nil {
					_, _ = metrics.ComputeRollUp(code, kids, period, cfg, 0)
				}
			}
			return err
		}
	}
	cIDs, _ := idx.Descendants(commune)
	p50("metrics district 2025, owner", 20, metric(owner, ctx, district))
	p50("metrics district 2025, app district scope", 20, metric(app, scoped, district))
	p50("metrics commune 2025, owner", 30, metric(owner, ctx, commune))
	p50("metrics commune 2025, app commune scope", 30, metric(app, store.WithScope(ctx, cIDs), commune))
	p50("API metrics+roll-up district 2025, owner", 20, api(owner, ctx, district))
	p50("API metrics+roll-up district 2025, app district scope", 20, api(app, scoped, district))
	p50("API metrics commune 2025, owner", 30, api(owner, ctx, commune))
	p50("API metrics commune 2025, app commune scope", 30, api(app, store.WithScope(ctx, cIDs), commune))
	t.Logf("load average: %s", loadAverage())
}

// loadAverage is /proc/loadavg's first three fields.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
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

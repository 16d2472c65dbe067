package tiles_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
	"github.com/diaban/diaban/tiles"
)

func TestParseCoord(t *testing.T) {
	cases := []struct {
		name, z, x, y string
		field         string
	}{
		{"valid", "14", "13080", "7620.mvt", ""},
		{"world tile", "0", "0", "0", ""},
		{"negative y", "3", "1", "-1", "y"},
		{"y past the edge", "3", "1", "8", "y"},
		{"x past the edge", "3", "8", "1", "x"},
		{"zoom too deep", "23", "0", "0", "z"},
		{"not a number", "a", "0", "0", "z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := tiles.ParseCoord(c.z, c.x, c.y)
			if c.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			ce, ok := err.(*tiles.CoordError)
			if !ok || ce.Field != c.field || !strings.Contains(ce.Reason, "invalid") {
				t.Fatalf("got %v, want an invalid %s", err, c.field)
			}
		})
	}
}

func TestTilesFromPostGIS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db := pgtest.New(t)
	st := store.NewStore(db.Pool)
	f, err := os.Open("../hotspot/testdata/areas.geojson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, step := range []struct{ kind, data string }{
		{"hotspots", "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,Quán\n"},
		{"events", "hotspot_ref,event,occurred_at,note\nH1,detected,2025-01-01,\n"},
		{"cameras", "ref,lon,lat,bearing,fov,range_m,owner,status\nC1,108.251,15.9,90,90,100,police,active\n"},
		{"incidents", "ref,lon,lat,kind,occurred_at\nI1,108.25,15.9,use,2025-01-01\nI2,108.2501,15.9001,use,2025-01-02\n"},
	} {
		if step.kind == "hotspots" {
			if _, err := importer.Import(ctx, st, "areas", f, importer.Options{}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := importer.Import(ctx, st, step.kind, strings.NewReader(step.data), importer.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	src := tiles.New(st, 16)
	// Zoom 12 tile holding (108.25, 15.9).
	mt := maptile.At(orb.Point{108.25, 15.9}, 12)
	c := tiles.Coord{Z: tiles.Zoom(mt.Z), X: mt.X, Y: mt.Y}
	for _, layer := range []tiles.Layer{tiles.LayerAreas, tiles.LayerHotspots, tiles.LayerCameras, tiles.LayerCells} {
		data, err := src.Tile(ctx, layer, c)
		if err != nil {
			t.Fatalf("%s: %v", layer, err)
		}
		layers, err := mvt.Unmarshal(data)
		if err != nil {
			t.Fatalf("%s: not a vector tile: %v", layer, err)
		}
		if len(layers) != 1 || layers[0].Name != string(layer) || len(layers[0].Features) == 0 {
			t.Fatalf("%s: got %d layers", layer, len(layers))
		}
		if layer == tiles.LayerHotspots && layers[0].Features[0].Properties["status"] != "active" {
			t.Errorf("hotspot tile properties: %v", layers[0].Features[0].Properties)
		}
		if layer == tiles.LayerCells && layers[0].Features[0].Properties["count"] != float64(2) {
			t.Errorf("cells tile: %v", layers[0].Features[0].Properties)
		}
	}
	// Cached until its data changes.
	if _, err := src.Tile(ctx, tiles.LayerHotspots, c); err != nil {
		t.Fatal(err)
	}
	if hits, _ := src.Stats(); hits != 1 {
		t.Errorf("cache hits %d, want 1", hits)
	}
	if _, err := st.AddEvent(ctx, 1, hotspot.Event{Kind: hotspot.EventEliminated}); err != nil {
		t.Fatal(err)
	}
	src.Invalidate("event")
	data, err := src.Tile(ctx, tiles.LayerHotspots, c)
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := mvt.Unmarshal(data)
	if got := layers[0].Features[0].Properties["status"]; got != "eliminated" {
		t.Errorf("after elimination the tile says %v", got)
	}
	if _, err := src.Tile(ctx, "people", c); err == nil {
		t.Error("an unknown layer was served")
	}
}

// A change drops only the cached tiles it touches: those around where it
// happened and those that drew the changed feature (where a hotspot was
// before it moved). A tile of another commune stays cached.
func TestForgetOnlyTouchedTiles(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db := pgtest.New(t)
	st := store.NewStore(db.Pool)
	f, err := os.Open("../hotspot/testdata/areas.geojson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := importer.Import(ctx, st, "areas", f, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	// H1 in Phường Một, H2 in Xã Hai: different tiles at every zoom used.
	a, b := orb.Point{108.25, 15.9}, orb.Point{108.35, 15.9}
	for _, step := range []struct{ kind, data string }{
		{"hotspots", "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,Một\nH2,108.35,15.9,dealing,Hai\n"},
		{"events", "hotspot_ref,event,occurred_at,note\nH1,detected,2025-01-01,\nH2,detected,2025-01-01,\n"},
		{"incidents", "ref,lon,lat,kind,occurred_at\nI1,108.25,15.9,use,2025-01-01\nI2,108.35,15.9,use,2025-01-02\n"},
	} {
		if _, err := importer.Import(ctx, st, step.kind, strings.NewReader(step.data), importer.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	src := tiles.New(st, 256)
	at := func(p orb.Point, z maptile.Zoom) tiles.Coord {
		mt := maptile.At(p, z)
		return tiles.Coord{Z: tiles.Zoom(mt.Z), X: mt.X, Y: mt.Y}
	}
	zooms := []maptile.Zoom{10, 12, 14, 16}
	warm := func(layer tiles.Layer, ps ...orb.Point) {
		t.Helper()
		for _, p := range ps {
			for _, z := range zooms {
				if _, err := src.Tile(ctx, layer, at(p, z)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// cached reports, per zoom, whether the tile at p is served from the
	// cache (a hit) or rendered again.
	cached := func(layer tiles.Layer, p orb.Point) (hits []bool) {
		t.Helper()
		for _, z := range zooms {
			h0, _ := src.Stats()
			if _, err := src.Tile(ctx, layer, at(p, z)); err != nil {
				t.Fatal(err)
			}
			h1, _ := src.Stats()
			hits = append(hits, h1 > h0)
		}
		return hits
	}
	all := func(xs []bool, want bool) bool {
		for _, x := range xs {
			if x != want {
				return false
			}
		}
		return true
	}
	warm(tiles.LayerHotspots, a, b)
	warm(tiles.LayerCells, a, b)

	// An elimination of H1: its tiles are drawn again, H2's are not.
	if _, err := st.AddEvent(ctx, 1, hotspot.Event{Kind: hotspot.EventEliminated}); err != nil {
		t.Fatal(err)
	}
	src.Forget(tiles.Touched{Kind: hotspot.ChangeEvent, IDs: []int64{1}, Points: []orb.Point{a}})
	if got := cached(tiles.LayerHotspots, b); !all(got, true) {
		t.Errorf("H2's tiles after H1's elimination: cached %v, want all", got)
	}
	if got := cached(tiles.LayerCells, a); !all(got, true) {
		t.Errorf("an event dropped cells tiles: cached %v", got)
	}
	if got := cached(tiles.LayerHotspots, a); !all(got, false) {
		t.Errorf("H1's tiles after its elimination: cached %v, want none", got)
	}
	data, err := src.Tile(ctx, tiles.LayerHotspots, at(a, 14))
	if err != nil {
		t.Fatal(err)
	}
	if ls, _ := mvt.Unmarshal(data); len(ls) != 1 || ls[0].Features[0].Properties["status"] != "eliminated" {
		t.Errorf("H1's tile after its elimination: %v", ls)
	}

	// A move of H1 within Phường Một (to another tile at z14 and z16):
	// the tiles where it was (by its id) and where it is are dropped.
	moved := orb.Point{108.22, 15.85}
	if at(moved, 14) == at(a, 14) || at(moved, 10) != at(a, 10) {
		t.Fatal("test points: the move should leave H1's z14 tile but not its z10 one")
	}
	warm(tiles.LayerHotspots, moved)
	p := geo.PointFromOrb(moved)
	if _, err := st.UpdateHotspot(ctx, 1, store.HotspotEdit{Point: &p}, nil); err != nil {
		t.Fatal(err)
	}
	src.Forget(tiles.Touched{Kind: hotspot.ChangeHotspot, IDs: []int64{1}, Points: []orb.Point{moved}})
	if got := cached(tiles.LayerHotspots, b); !all(got, true) {
		t.Errorf("H2's tiles after H1 moved: cached %v, want all", got)
	}
	if got := cached(tiles.LayerHotspots, a); !all(got, false) {
		t.Errorf("the tiles H1 left: cached %v, want none", got)
	}
	// (The z10 tile is the one just drawn again for where H1 was.)
	if got := cached(tiles.LayerHotspots, moved); !slices.Equal(got, []bool{true, false, false, false}) {
		t.Errorf("the tiles H1 moved to: cached %v, want only z10", got)
	}
	data, _ = src.Tile(ctx, tiles.LayerHotspots, at(a, 16))
	if ls, _ := mvt.Unmarshal(data); len(ls) != 0 {
		t.Errorf("H1's old z16 tile still draws it: %v", ls[0].Features)
	}

	// An incident in Xã Hai: its cells tiles only.
	src.Forget(tiles.Touched{Kind: hotspot.ChangeIncident, Points: []orb.Point{b}})
	if got := cached(tiles.LayerCells, a); !all(got, true) {
		t.Errorf("Phường Một's cells after an incident in Xã Hai: cached %v, want all", got)
	}
	if got := cached(tiles.LayerCells, b); !all(got, false) {
		t.Errorf("Xã Hai's cells after its incident: cached %v, want none", got)
	}
	if got := cached(tiles.LayerHotspots, b); !all(got, true) {
		t.Errorf("an incident dropped hotspot tiles: cached %v", got)
	}

	// A change that cannot be placed (a bulk load) drops the layer.
	src.Forget(tiles.Touched{Kind: hotspot.ChangeHotspot})
	if got := cached(tiles.LayerHotspots, b); !all(got, false) {
		t.Errorf("after a bulk load: cached %v, want none", got)
	}
}

// A change the feed cannot place (a bulk load) reloads the point index:
// the points it brought are drawn in the next tile, before and after the
// index is loaded again; a tile with none is answered without a query.
func TestPointIndexReloadsAfterABulkLoad(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db := pgtest.New(t)
	db.ImportFile(t, "areas", "../hotspot/testdata/areas.geojson")
	db.Import(t, "hotspots", "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,Một\n")
	app, err := store.Open(ctx, store.StoreConfig{URL: db.URL, AppRole: "diaban_app"})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	src := tiles.New(app, 16)
	src.IndexPoints(store.WithSystemScope(ctx))
	ready := func() {
		t.Helper()
		for !src.IndexReady(tiles.LayerHotspots) {
			if ctx.Err() != nil {
				t.Fatal("the point index is not ready")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	ready()
	mt := maptile.At(orb.Point{108.35, 15.9}, 16)
	b := tiles.Coord{Z: tiles.Zoom(mt.Z), X: mt.X, Y: mt.Y}
	sctx := store.WithSystemScope(ctx)
	refs := func() string {
		t.Helper()
		data, err := src.TileIn(sctx, tiles.LayerHotspots, b, tiles.Scope{})
		if err != nil {
			t.Fatal(err)
		}
		ls, err := mvt.Unmarshal(data)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range ls {
			for _, f := range l.Features {
				out = append(out, f.Properties.MustString("ref"))
			}
		}
		return strings.Join(out, ",")
	}
	if got := refs(); got != "" || src.Empty() != 1 {
		t.Fatalf("before the load: %q, %d answered by the index", got, src.Empty())
	}
	db.Import(t, "hotspots", "ref,lon,lat,kind,name\nH2,108.35,15.9,dealing,Hai\n")
	src.Forget(tiles.Touched{Kind: hotspot.ChangeHotspot}) // as the hub does for a bulk load
	if got := refs(); got != "H2" {
		t.Errorf("just after the load: %q, want H2", got)
	}
	ready()
	src.Forget(tiles.Touched{Kind: hotspot.ChangeHotspot, IDs: []int64{99}, Points: []orb.Point{{108.1, 15.8}}}) // a tile elsewhere
	if got := refs(); got != "H2" || src.Empty() != 1 {
		t.Errorf("once reloaded: %q, %d answered by the index", got, src.Empty())
	}
}

// The area index answers the area tiles no boundary reaches, and every
// tile as PostGIS draws it; an area change loads it again (the areas
// imported after it are drawn).
func TestAreaTilesWithTheIndex(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := pgtest.New(t)
	app, err := store.Open(ctx, store.StoreConfig{URL: db.URL, AppRole: "diaban_app"})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	sctx := store.WithSystemScope(ctx)
	indexed := tiles.New(app, 1)
	indexed.IndexPoints(sctx)
	ready := func() {
		t.Helper()
		for !indexed.IndexReady(tiles.LayerAreas) {
			if ctx.Err() != nil {
				t.Fatal("the area index is not ready")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	ready()
	centre := maptile.At(orb.Point{108.3, 15.9}, 12)
	c12 := tiles.Coord{Z: 12, X: centre.X, Y: centre.Y}
	if data, err := indexed.TileIn(sctx, tiles.LayerAreas, c12, tiles.Scope{}); err != nil || len(data) != 0 || indexed.Empty() != 1 {
		t.Fatalf("no area yet: %d bytes, %v, %d answered by the index", len(data), err, indexed.Empty())
	}
	db.ImportFile(t, "areas", "../hotspot/testdata/areas.geojson")
	indexed.Forget(tiles.Touched{Kind: hotspot.ChangeArea}) // as the hub does for an area import
	ready()
	src := tiles.New(app, 1)
	drawn := 0
	for z := maptile.Zoom(10); z <= 13; z++ { // around province 49 (108.0–108.6, 15.5–16.1)
		lo := maptile.At(orb.Point{107.9, 16.2}, z)
		hi := maptile.At(orb.Point{108.7, 15.4}, z)
		for x := lo.X; x <= hi.X; x++ {
			for y := lo.Y; y <= hi.Y; y++ {
				c := tiles.Coord{Z: tiles.Zoom(z), X: x, Y: y}
				want, err := src.TileIn(sctx, tiles.LayerAreas, c, tiles.Scope{})
				if err != nil {
					t.Fatal(err)
				}
				have, err := indexed.TileIn(sctx, tiles.LayerAreas, c, tiles.Scope{})
				if err != nil {
					t.Fatal(err)
				}
				if string(have) != string(want) {
					t.Errorf("areas %s with the index: %d bytes, want %d", c, len(have), len(want))
				}
				if len(want) > 0 {
					drawn++
				}
			}
		}
	}
	t.Logf("%d tiles drawn, %d answered by the index", drawn, indexed.Empty())
	if drawn < 100 || indexed.Empty() < 50 {
		t.Errorf("%d tiles drawn, %d answered by the index", drawn, indexed.Empty())
	}
}

package tiles_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
	"github.com/diaban/diaban/tiles"
)

// refPointSQL is how the point layers were drawn by PostGIS before they
// were encoded in Go (ST_AsMVTGeom, ST_AsMVT, the status from
// hotspot_status), over the tile's box: the reference the Go tiles must
// match feature for feature.
var refPointSQL = map[tiles.Layer]string{
	tiles.LayerHotspots: `
WITH b AS (SELECT ST_TileEnvelope($1, $2, $3) AS env),
t AS (
    SELECT ST_AsMVTGeom(ST_Transform(h.geom, 3857), b.env, 4096, 64, true) AS geom,
           h.id, h.ref, h.name, h.kind, (SELECT s.status FROM hotspot_status s WHERE s.hotspot_id = h.id) AS status, a.code AS area
    FROM hotspots h JOIN areas a ON a.id = h.area_id, b
    WHERE h.geom && ST_Transform(b.env, 4326))
SELECT ST_AsMVT(t, 'hotspots', 4096, 'geom', 'id') FROM t WHERE geom IS NOT NULL`,
	tiles.LayerCameras: `
WITH b AS (SELECT ST_TileEnvelope($1, $2, $3) AS env),
t AS (
    SELECT ST_AsMVTGeom(ST_Transform(c.geom, 3857), b.env, 4096, 64, true) AS geom,
           c.id, c.ref, c.bearing, c.fov, c.range_m, c.owner, c.status, a.code AS area
    FROM cameras c JOIN areas a ON a.id = c.area_id, b
    WHERE c.geom && ST_Transform(b.env, 4326))
SELECT ST_AsMVT(t, 'cameras', 4096, 'geom', 'id') FROM t WHERE geom IS NOT NULL`,
}

type drawnPoint struct {
	pt    orb.Point
	props string
}

// decodePoints reads a point tile's one layer: its name and, per feature
// id, the point and the properties.
func decodePoints(t *testing.T, data []byte) (string, map[uint64]drawnPoint) {
	t.Helper()
	out := map[uint64]drawnPoint{}
	if len(data) == 0 {
		return "", out
	}
	layers, err := mvt.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 {
		t.Fatalf("%d layers", len(layers))
	}
	ly := layers[0]
	if ly.Extent != 4096 || ly.Version != 2 {
		t.Errorf("layer %s: extent %d version %d", ly.Name, ly.Extent, ly.Version)
	}
	for _, f := range ly.Features {
		var id uint64
		switch v := f.ID.(type) {
		case uint64:
			id = v
		case float64:
			id = uint64(v)
		default:
			t.Fatalf("feature id %v (%T)", f.ID, f.ID)
		}
		pt, ok := f.Geometry.(orb.Point)
		if !ok {
			t.Fatalf("feature %d: %T", id, f.Geometry)
		}
		out[id] = drawnPoint{pt, fmt.Sprintf("%#v", map[string]any(f.Properties))}
	}
	return ly.Name, out
}

// The point tiles encoded in Go carry what PostGIS drew: the same
// features (ids), points (tile pixels), properties and their types, and
// hotspot_status's status, on tiles z12–16 around points scattered over
// tile edges; drawn as the application role with a district's scope.
func TestPointTilesAsPostGISDrewThem(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := pgtest.New(t)
	db.ImportFile(t, "areas", "../hotspot/testdata/areas.geojson")
	corner := maptile.At(orb.Point{108.3, 15.9}, 14).Bound().Min
	rng := rand.New(rand.NewPCG(18, 2))
	var hs, cs, es strings.Builder
	hs.WriteString("ref,lon,lat,kind,name\n")
	cs.WriteString("ref,lon,lat,bearing,fov,range_m,owner,status\n")
	es.WriteString("hotspot_ref,event,occurred_at,note\n")
	for i := range 300 {
		d := 0.03
		if i%2 == 0 {
			d = 0.0004
		}
		lon, lat := corner[0]+(rng.Float64()*2-1)*d, corner[1]+(rng.Float64()*2-1)*d
		fmt.Fprintf(&hs, "H%d,%.7f,%.7f,dealing,Điểm %d\n", i, lon, lat, i%7)
		switch i % 3 { // active, eliminated, or no event (unknown)
		case 0:
			fmt.Fprintf(&es, "H%d,detected,2025-01-0%dT08:00:00+07:00,\n", i, 1+i%9)
		case 1:
			fmt.Fprintf(&es, "H%d,detected,2025-01-01T08:00:00+07:00,\nH%d,eliminated,2025-02-01T08:00:00+07:00,\n", i, i)
		}
		if i%4 == 0 {
			fmt.Fprintf(&cs, "C%d,%.7f,%.7f,%d,%d.5,%d,police,active\n", i, lon, lat, i%360, 30+i%90, 50+i)
		}
	}
	db.Import(t, "hotspots", hs.String())
	db.Import(t, "events", es.String())
	db.Import(t, "cameras", cs.String())
	app, err := store.Open(ctx, store.StoreConfig{URL: db.URL, AppRole: "diaban_app"})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	idx, err := app.Areas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := idx.Descendants("503")
	actx := store.WithScope(ctx, ids)
	src := tiles.New(app, 1)
	// The same tiles with the point index (pointindex.go): a tile it
	// answers must be the database's answer, for the district and for one
	// commune (whose tiles hold the other's points).
	indexed := tiles.New(app, 1)
	indexed.IndexPoints(store.WithSystemScope(ctx))
	for !indexed.IndexReady(tiles.LayerHotspots) || !indexed.IndexReady(tiles.LayerCameras) {
		if ctx.Err() != nil {
			t.Fatal("the point index is not ready")
		}
		time.Sleep(10 * time.Millisecond)
	}
	commune, _ := idx.Descendants("20530")
	cctx := store.WithScope(ctx, commune)
	features := 0
	for z := maptile.Zoom(12); z <= 16; z++ {
		c0 := maptile.At(orb.Point{corner[0], corner[1]}, z)
		for dx := -1; dx <= 0; dx++ {
			for dy := -1; dy <= 0; dy++ {
				mt := maptile.New(uint32(int(c0.X)+dx), uint32(int(c0.Y)+dy), z)
				c := tiles.Coord{Z: tiles.Zoom(z), X: mt.X, Y: mt.Y}
				for _, layer := range []tiles.Layer{tiles.LayerHotspots, tiles.LayerCameras} {
					var ref []byte
					if err := db.Pool.QueryRow(ctx, refPointSQL[layer], int(z), int(mt.X), int(mt.Y)).Scan(&ref); err != nil {
						t.Fatal(err)
					}
					got, err := src.TileIn(actx, layer, c, tiles.Scope{Key: "503", AreaIDs: ids})
					if err != nil {
						t.Fatal(err)
					}
					for _, sc := range []struct {
						ctx   context.Context
						scope tiles.Scope
					}{{actx, tiles.Scope{Key: "503", AreaIDs: ids}}, {cctx, tiles.Scope{Key: "20530", AreaIDs: commune}}} {
						want, err := src.TileIn(sc.ctx, layer, c, sc.scope)
						if err != nil {
							t.Fatal(err)
						}
						have, err := indexed.TileIn(sc.ctx, layer, c, sc.scope)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(have, want) {
							t.Errorf("%s %s in %s with the index: %d bytes, want %d", layer, c, sc.scope.Key, len(have), len(want))
						}
					}
					wantName, want := decodePoints(t, ref)
					gotName, have := decodePoints(t, got)
					if len(want) > 0 && gotName != wantName {
						t.Errorf("%s %s: layer %q, want %q", layer, c, gotName, wantName)
					}
					if len(want) == 0 && len(got) != 0 {
						t.Errorf("%s %s: %d bytes for no point", layer, c, len(got))
					}
					if !reflect.DeepEqual(have, want) {
						for id, w := range want {
							if h, ok := have[id]; !ok || h != w {
								t.Errorf("%s %s feature %d: %v, want %v", layer, c, id, h, w)
							}
						}
						for id := range have {
							if _, ok := want[id]; !ok {
								t.Errorf("%s %s: feature %d not in PostGIS's tile", layer, c, id)
							}
						}
					}
					features += len(have)
				}
			}
		}
	}
	if features < 200 {
		t.Errorf("only %d features compared", features)
	}
	if indexed.Empty() == 0 {
		t.Error("the point index answered no tile")
	}
}

package tiles_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
	"github.com/diaban/diaban/tiles"
)

// The point layers find a tile's hotspots and cameras by ranges of H3 ids
// (so that PostgreSQL can use an index beneath the row-level security
// policies): every point inside a tile is drawn, at every zoom, as the
// tile's box alone would find it. Run as the application role, as diaban
// serve does, with points scattered over tile edges and corners.
func TestPointTilesLoseNoPoint(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := pgtest.New(t)
	owner := store.NewStore(db.Pool)
	f, err := os.Open("../hotspot/testdata/areas.geojson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := importer.Import(ctx, owner, "areas", f, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	// Points around the corner shared by four z14 tiles, some a hair from
	// the edges, and a wider scatter.
	corner := maptile.At(orb.Point{108.25, 15.9}, 14).Bound().Min
	rng := rand.New(rand.NewPCG(18, 1))
	var hs, cs strings.Builder
	hs.WriteString("ref,lon,lat,kind,name\n")
	cs.WriteString("ref,lon,lat,bearing,fov,range_m,owner,status\n")
	for i := range 400 {
		d := 0.02
		if i%2 == 0 {
			d = 0.0005
		}
		lon, lat := corner[0]+(rng.Float64()*2-1)*d, corner[1]+(rng.Float64()*2-1)*d
		fmt.Fprintf(&hs, "H%d,%.7f,%.7f,dealing,n\n", i, lon, lat)
		if i%4 == 0 {
			fmt.Fprintf(&cs, "C%d,%.7f,%.7f,90,90,100,police,active\n", i, lon, lat)
		}
	}
	opts := importer.Options{SkipInvalid: true} // a point outside every area is left out
	if _, err := importer.Import(ctx, owner, "hotspots", strings.NewReader(hs.String()), opts); err != nil {
		t.Fatal(err)
	}
	if _, err := importer.Import(ctx, owner, "cameras", strings.NewReader(cs.String()), opts); err != nil {
		t.Fatal(err)
	}
	app, err := store.Open(ctx, store.StoreConfig{URL: db.URL, AppRole: "diaban_app"})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	src := tiles.New(app, 1)
	actx := store.WithSystemScope(ctx)
	drawn := 0
	for z := maptile.Zoom(12); z <= 16; z++ {
		c0 := maptile.At(orb.Point{corner[0], corner[1]}, z)
		for dx := -1; dx <= 0; dx++ {
			for dy := -1; dy <= 0; dy++ {
				mt := maptile.New(uint32(int(c0.X)+dx), uint32(int(c0.Y)+dy), z)
				c := tiles.Coord{Z: tiles.Zoom(z), X: mt.X, Y: mt.Y}
				for _, l := range []struct {
					layer tiles.Layer
					table string
				}{{tiles.LayerHotspots, "hotspots"}, {tiles.LayerCameras, "cameras"}} {
					var want int
					if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM `+l.table+` WHERE geom && ST_Transform(ST_TileEnvelope($1, $2, $3), 4326)`,
						int(z), int(mt.X), int(mt.Y)).Scan(&want); err != nil {
						t.Fatal(err)
					}
					data, err := src.Tile(actx, l.layer, c)
					if err != nil {
						t.Fatal(err)
					}
					got := 0
					if len(data) > 0 {
						layers, err := mvt.Unmarshal(data)
						if err != nil {
							t.Fatal(err)
						}
						for _, ly := range layers {
							got += len(ly.Features)
						}
					}
					if got != want {
						t.Errorf("%s tile %s: %d points drawn, %d inside it", l.layer, c, got, want)
					}
					drawn += got
				}
			}
		}
	}
	if drawn < 100 {
		t.Errorf("only %d points drawn in all: the test placed too few inside the areas", drawn)
	}
}

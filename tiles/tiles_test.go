package tiles_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

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

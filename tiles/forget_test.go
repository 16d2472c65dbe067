package tiles

import (
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"github.com/diaban/diaban/hotspot"
)

// blockingDB answers every tile with one hotspot (id 7), after started is
// signalled and release is closed.
type blockingDB struct {
	started chan struct{}
	release chan struct{}
}

func (d *blockingDB) TileBytes(ctx context.Context, sql string, args ...any) ([]byte, error) {
	if d.started != nil {
		d.started <- struct{}{}
		<-d.release
	}
	fc := geojson.NewFeatureCollection()
	f := geojson.NewFeature(orb.Point{108.25, 15.9})
	f.ID = float64(7)
	fc.Append(f)
	ls := mvt.NewLayers(map[string]*geojson.FeatureCollection{"hotspots": fc})
	ls.ProjectToTile(maptile.At(orb.Point{108.25, 15.9}, 12))
	return mvt.Marshal(ls)
}

// TileRows answers the point layers' rows (id, lon, lat first; the tile's
// z, x, y are args 3–5) the same way: one point, id 7, inside the tile.
func (d *blockingDB) TileRows(_ context.Context, _ string, args []any, dest []any, fn func() error) error {
	if d.started != nil {
		d.started <- struct{}{}
		<-d.release
	}
	p := maptile.New(uint32(args[4].(int)), uint32(args[5].(int)), maptile.Zoom(args[3].(int))).Center()
	*dest[0].(*int64), *dest[1].(*float64), *dest[2].(*float64) = 7, p[0], p[1]
	return fn()
}

func (d *blockingDB) CellTotals(context.Context, int, []int64, []int64, []int64, func(int64, int64) error) error {
	return nil
}

func (d *blockingDB) CellCountsIn(context.Context, int, []int64, time.Time, time.Time, string, func(int64, int64) error) error {
	return nil
}

func TestFeatureIDs(t *testing.T) {
	data, _ := (&blockingDB{}).TileBytes(context.Background(), "")
	ids, err := featureIDs(data)
	if err != nil || len(ids) != 1 || ids[0] != 7 {
		t.Fatalf("ids %v, %v", ids, err)
	}
	if _, err := featureIDs([]byte{0x1a, 0x7f}); err == nil {
		t.Error("a truncated tile was read")
	}
}

// A tile rendered while a change that touches it comes in is served but
// not cached: its rows may predate the change. One the change does not
// touch is cached.
func TestTileRenderedDuringChange(t *testing.T) {
	ctx := context.Background()
	mt := maptile.At(orb.Point{108.25, 15.9}, 12)
	here := Coord{Z: Zoom(mt.Z), X: mt.X, Y: mt.Y}
	far := Coord{Z: here.Z, X: here.X + 5, Y: here.Y}
	for _, c := range []struct {
		name   string
		tile   Coord
		change Touched
		cached bool
	}{
		{"the change's place", here, Touched{Kind: hotspot.ChangeHotspot, Points: []orb.Point{{108.25, 15.9}}}, false},
		{"the changed feature", far, Touched{Kind: hotspot.ChangeHotspot, IDs: []int64{7}, Points: []orb.Point{{108.25, 15.9}}}, false},
		{"elsewhere", far, Touched{Kind: hotspot.ChangeHotspot, IDs: []int64{8}, Points: []orb.Point{{108.25, 15.9}}}, true},
		{"another layer", here, Touched{Kind: hotspot.ChangeCamera, Points: []orb.Point{{108.25, 15.9}}}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := &blockingDB{started: make(chan struct{}), release: make(chan struct{})}
			src := New(db, 16)
			done := make(chan error)
			go func() {
				_, err := src.Tile(ctx, LayerHotspots, c.tile)
				done <- err
			}()
			<-db.started
			src.Forget(c.change)
			close(db.release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			db.started = nil
			if _, err := src.Tile(ctx, LayerHotspots, c.tile); err != nil {
				t.Fatal(err)
			}
			if hits, _ := src.Stats(); (hits == 1) != c.cached {
				t.Errorf("cached: %v, want %v", hits == 1, c.cached)
			}
		})
	}
}

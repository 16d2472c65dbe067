package tiles_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
	"github.com/diaban/diaban/tiles"
)

// cellCounts decodes a cells tile into count by cell.
func cellCounts(t *testing.T, data []byte) map[string]any {
	t.Helper()
	layers, err := mvt.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for _, l := range layers {
		for _, f := range l.Features {
			out[f.Properties["cell"].(string)] = f.Properties["count"]
		}
	}
	return out
}

// A hexagon across the edge between two tiles has its whole count on
// both, and a viewer sees it within the disclosure rule. Run as the
// application role under row-level security, as diaban serve does.
func TestCellsTileCountsWholeCells(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
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
	// The z16 tile holding (108.25, 15.9) and its east neighbour; the
	// res-10 cell under the middle of their shared edge straddles it.
	mt := maptile.At(orb.Point{108.25, 15.9}, 16)
	b := mt.Bound()
	edgeLon, midLat := b.Max[0], (b.Min[1]+b.Max[1])/2
	target := geo.CellOf(geo.Point{Lon: edgeLon, Lat: midLat}, 10)
	var csv strings.Builder
	csv.WriteString("ref,lon,lat,kind,occurred_at\n")
	west, east := 0, 0
	for i := -40; i <= 40; i++ {
		lon := edgeLon + float64(i)*0.00001
		if i == 0 || geo.CellOf(geo.Point{Lon: lon, Lat: midLat}, 10) != target {
			continue
		}
		if lon < edgeLon {
			west++
		} else {
			east++
		}
		fmt.Fprintf(&csv, "E%d,%.7f,%.7f,use,2025-0%d-15\n", i+100, lon, midLat, 1+(i+40)%9)
	}
	if west == 0 || east == 0 {
		t.Fatalf("cell %s: %d incidents west of the edge, %d east", target, west, east)
	}
	if _, err := importer.Import(ctx, owner, "incidents", strings.NewReader(csv.String()), importer.Options{}); err != nil {
		t.Fatal(err)
	}
	app, err := store.Open(ctx, store.StoreConfig{URL: db.URL, AppRole: "diaban_app"})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	src := tiles.New(app, 64)
	actx := store.WithSystemScope(ctx)
	left := tiles.Coord{Z: 16, X: mt.X, Y: mt.Y}
	right := tiles.Coord{Z: 16, X: mt.X + 1, Y: mt.Y}
	want := int64(west + east)
	for _, c := range []tiles.Coord{left, right} {
		data, err := src.Tile(actx, tiles.LayerCells, c)
		if err != nil {
			t.Fatal(err)
		}
		if got := cellCounts(t, data)[target.String()]; got != float64(want) {
			t.Errorf("tile %s: cell %s counts %v, want %d (the whole cell)", c, target, got, want)
		}
	}

	// A viewer: past zoom 13 the hexagons are res 8, and a count below 5 is "< 5".
	viewer := tiles.Scope{Key: "viewer", Rule: disclosure.For(hotspot.RoleViewer)}
	data, err := src.TileIn(actx, tiles.LayerCells, left, viewer)
	if err != nil {
		t.Fatal(err)
	}
	counts := cellCounts(t, data)
	parent := target.Parent(8).String()
	if got := counts[parent]; got != float64(want) {
		t.Errorf("viewer at z16: res-8 cell %s counts %v, want %d; cells %v", parent, got, want, counts)
	}
	for cell := range counts {
		if c, _ := geo.ParseCell(cell); c.Resolution() > disclosure.ViewerMaxRes {
			t.Errorf("viewer got a res-%d cell %s", c.Resolution(), cell)
		}
	}
	// One lone incident in another res-8 cell: exact for an officer, "< 5" for a viewer.
	lone := geo.Point{Lon: b.Min[0] - 0.02, Lat: midLat}
	if _, err := importer.Import(ctx, owner, "incidents", strings.NewReader(fmt.Sprintf("ref,lon,lat,kind,occurred_at\nL1,%.6f,%.6f,use,2025-03-01\n", lone.Lon, lone.Lat)), importer.Options{}); err != nil {
		t.Fatal(err)
	}
	src.Invalidate(hotspot.ChangeIncident)
	z12 := maptile.At(lone.Orb(), 12)
	c12 := tiles.Coord{Z: 12, X: z12.X, Y: z12.Y}
	for _, role := range []hotspot.Role{hotspot.RoleViewer, hotspot.RoleOfficer, hotspot.RolePlanner, hotspot.RoleAdmin} {
		data, err := src.TileIn(actx, tiles.LayerCells, c12, tiles.Scope{Key: string(role), Rule: disclosure.For(role)})
		if err != nil {
			t.Fatal(err)
		}
		res := 8 // zoom 12 draws res 8 for everyone
		got := cellCounts(t, data)[geo.CellOf(lone, res).String()]
		want := any(float64(1))
		if role == hotspot.RoleViewer {
			want = disclosure.SuppressedText
		}
		if got != want {
			t.Errorf("%s at z12: lone incident's cell %s counts %v, want %v; %v", role, geo.CellOf(lone, res), got, want, cellCounts(t, data))
		}
	}
}

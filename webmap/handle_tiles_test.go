package webmap_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/tiles"
)

// TestPointTilesFollowTheFeed: a tile of the point layers with none of the
// caller's points is answered from the point index without a query, and a
// hotspot or camera created, moved or deleted shows where it is in the next
// cold tile, through the real change feed on PostGIS, for an officer of one
// commune and an admin. A tile whose only point lies outside the officer's
// commune is answered from the index too (as fast as one with no point),
// and never draws that point.
func TestPointTilesFollowTheFeed(t *testing.T) {
	ts := newTestServer(t) // H1 in 20530 (108.25, 15.9), H2 in 20533 (108.35, 15.9)
	officer := ts.addUser(t, "tile-officer", hotspot.RoleOfficer, "20530")
	src := ts.srv.TileSource()
	p, q := orb.Point{108.22, 15.85}, orb.Point{108.23, 15.87} // in 20530, no point near either
	tilePath := func(layer string, at orb.Point, z maptile.Zoom) string {
		mt := maptile.At(at, z)
		return fmt.Sprintf("/tiles/%s/%d/%d/%d", layer, mt.Z, mt.X, mt.Y)
	}
	// get returns the refs a tile draws and whether the index answered it.
	get := func(token, path string) (refs string, fromIndex bool) {
		t.Helper()
		before := src.Empty()
		code, data := ts.doAs(t, token, "GET", path, "", nil)
		if code != 200 {
			t.Fatalf("GET %s: %d %s", path, code, data)
		}
		if len(data) > 0 {
			refs = string(tileJSON(t, data))
		}
		return refs, src.Empty() > before
	}
	ready := func(layer tiles.Layer) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !src.IndexReady(layer) {
			if time.Now().After(deadline) {
				t.Fatalf("the %s index is not ready", layer)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	get(officer, tilePath("areas", p, 16)) // the first tile starts the index
	ready(tiles.LayerHotspots)
	ready(tiles.LayerCameras)

	h1 := orb.Point{108.25, 15.9}
	for i, token := range []string{officer, ts.token} {
		for _, z := range []maptile.Zoom{14, 16} {
			if refs, idx := get(token, tilePath("hotspots", p, z)); refs != "" || !idx {
				t.Errorf("user %d: z%d tile at p: %q, from the index %v; want empty from the index", i, z, refs, idx)
			}
		}
		for _, z := range []maptile.Zoom{12, 16} {
			if refs, idx := get(token, tilePath("hotspots", h1, z)); !strings.Contains(refs, `"ref":"H1"`) || idx {
				t.Errorf("user %d: z%d tile at H1: %q, from the index %v; want H1 from the database", i, z, refs, idx)
			}
		}
	}
	// H2's tile: the officer of 20530 gets nothing, from the index; the
	// admin gets H2 from the database.
	h2 := tilePath("hotspots", orb.Point{108.35, 15.9}, 15)
	if refs, idx := get(officer, h2); refs != "" || !idx {
		t.Errorf("H2's tile as the officer of 20530: %q, from the index %v; want empty from the index", refs, idx)
	}
	if refs, idx := get(ts.token, h2); !strings.Contains(refs, `"ref":"H2"`) || idx {
		t.Errorf("H2's tile as admin: %q, from the index %v", refs, idx)
	}

	// Created at p: drawn in the next cold tile there, for both.
	var created struct {
		ID int64 `json:"id"`
	}
	code, body := ts.doAs(t, officer, "POST", "/api/hotspots", fmt.Sprintf(`{"ref":"H3","kind":"dealing","lon":%v,"lat":%v}`, p[0], p[1]), &created)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	ts.settle(t)
	for _, token := range []string{officer, ts.token} {
		if refs, _ := get(token, tilePath("hotspots", p, 16)); !strings.Contains(refs, `"ref":"H3"`) {
			t.Errorf("after the create, the tile at p draws %q, want H3", refs)
		}
	}
	ready(tiles.LayerHotspots) // its area read back

	// Moved to q: gone from p's tile (answered by the index), drawn at q.
	code, body = ts.doAs(t, officer, "PATCH", fmt.Sprintf("/api/hotspots/%d", created.ID), fmt.Sprintf(`{"lon":%v,"lat":%v}`, q[0], q[1]), nil)
	if code != 200 {
		t.Fatalf("move: %d %s", code, body)
	}
	ts.settle(t)
	if refs, _ := get(officer, tilePath("hotspots", q, 16)); !strings.Contains(refs, `"ref":"H3"`) {
		t.Errorf("after the move, the tile at q draws %q, want H3", refs)
	}
	if refs, _ := get(officer, tilePath("hotspots", p, 16)); refs != "" {
		t.Errorf("after the move, the tile at p draws %q, want nothing", refs)
	}
	ready(tiles.LayerHotspots)
	if refs, idx := get(officer, tilePath("hotspots", p, 16)); refs != "" || !idx {
		t.Errorf("after the move, the tile at p: %q, from the index %v", refs, idx)
	}

	// A camera created at p, then deleted (by the owner: the API has no
	// delete): drawn, then gone, and its tile answered by the index again.
	code, body = ts.doAs(t, ts.token, "POST", "/api/cameras", fmt.Sprintf(`{"ref":"C9","bearing":0,"fov":90,"range_m":80,"owner":"police","lon":%v,"lat":%v}`, p[0], p[1]), &created)
	if code != 201 {
		t.Fatalf("camera: %d %s", code, body)
	}
	ts.settle(t)
	if refs, _ := get(officer, tilePath("cameras", p, 16)); !strings.Contains(refs, `"ref":"C9"`) {
		t.Errorf("after the camera's create, the tile at p draws %q, want C9", refs)
	}
	if _, err := ts.db.Pool.Exec(t.Context(), `DELETE FROM cameras WHERE id = $1`, created.ID); err != nil {
		t.Fatal(err)
	}
	ts.settle(t)
	if refs, _ := get(officer, tilePath("cameras", p, 16)); refs != "" {
		t.Errorf("after the camera's delete, the tile at p draws %q", refs)
	}
	ready(tiles.LayerCameras)
	if refs, idx := get(ts.token, tilePath("cameras", p, 16)); refs != "" || !idx {
		t.Errorf("after the camera's delete, the tile at p: %q, from the index %v", refs, idx)
	}
}

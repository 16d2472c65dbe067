package webmap_test

import (
	"encoding/json"
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

// TestCellTilesWithFilters: the cells tiles take the map's period and
// incident kind (?from=&to=&kind=), each hexagon with the count /api/cells
// gives the same user for the same filters, for every role (a viewer's
// coarser cells and suppressed counts included); a bad filter is a 400
// naming it, and so is a filter on another layer.
func TestCellTilesWithFilters(t *testing.T) {
	ts := newTestServer(t)
	var b strings.Builder
	b.WriteString("ref,kind,occurred_at,lon,lat\n")
	for i := range 8 { // March 2025, use, in 20530: enough for a viewer's floor
		fmt.Fprintf(&b, "U%d,use,2025-03-%02d,%.4f,15.9\n", i, 1+i, 108.25+float64(i)*0.0002)
	}
	b.WriteString("S1,storage,2025-03-05,108.25,15.9\nM1,use,2025-05-01,108.25,15.9\nO1,use,2025-03-02,108.35,15.9\n")
	importText(t, ts.store, "incidents", b.String())
	ts.settle(t)
	tokens := map[string]string{"admin": ts.token}
	for _, r := range []hotspot.Role{hotspot.RoleOfficer, hotspot.RolePlanner, hotspot.RoleViewer} {
		tokens[string(r)] = ts.addUser(t, "cells-"+string(r), r, "20530")
	}
	mt := maptile.At(orb.Point{108.25, 15.9}, 14) // res 9 (a viewer's: 8)
	tile := fmt.Sprintf("/tiles/cells/%d/%d/%d", mt.Z, mt.X, mt.Y)
	// counts reads the hexagons of a tile or of /api/cells: cell → count.
	counts := func(token, path string, isTile bool) map[string]any {
		t.Helper()
		code, data := ts.doAs(t, token, "GET", path, "", nil)
		if code != 200 {
			t.Fatalf("GET %s: %d %s", path, code, data)
		}
		if isTile {
			if len(data) == 0 {
				return map[string]any{}
			}
			data = tileJSON(t, data)
		}
		var fc struct {
			Features []struct {
				Properties map[string]any `json:"properties"`
			} `json:"features"`
		}
		if err := json.Unmarshal(data, &fc); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out := map[string]any{}
		for _, f := range fc.Features {
			out[fmt.Sprint(f.Properties["cell"])] = f.Properties["count"]
		}
		return out
	}
	for role, token := range tokens {
		all := counts(token, tile, true)
		for _, filter := range []string{"from=2025-03-01&to=2025-03-31", "kind=use", "from=2025-03-01&to=2025-03-31&kind=storage", "kind=production"} {
			got := counts(token, tile+"?"+filter, true)
			api := counts(token, "/api/cells?res=9&"+filter, false)
			if filter == "kind=production" {
				if len(got) != 0 {
					t.Errorf("%s %s: %v, want no hexagon", role, filter, got)
				}
				continue
			}
			if len(got) == 0 {
				t.Errorf("%s %s: no hexagon", role, filter)
			}
			for cell, n := range got {
				if fmt.Sprint(api[cell]) != fmt.Sprint(n) {
					t.Errorf("%s %s: cell %s counts %v in the tile, %v in /api/cells", role, filter, cell, n, api[cell])
				}
			}
			if role != "viewer" && fmt.Sprint(got) == fmt.Sprint(all) {
				t.Errorf("%s %s: the same hexagons as without the filter: %v", role, filter, got)
			}
		}
	}
	// A new incident of the window shows in the next tile of it (the
	// window's counts are dropped with the incident change).
	march := tile + "?from=2025-03-01&to=2025-03-31&kind=use"
	before := counts(tokens["officer"], march, true)
	importText(t, ts.store, "incidents", "ref,kind,occurred_at,lon,lat\nU9,use,2025-03-20,108.25,15.9\n")
	ts.settle(t)
	after := counts(tokens["officer"], march, true)
	if len(before) != 1 || len(after) != 1 {
		t.Fatalf("March's tile: %v, then %v", before, after)
	}
	for cell, n := range before {
		if fmt.Sprint(after[cell]) != fmt.Sprint(n.(float64)+1) {
			t.Errorf("after one more incident, cell %s counts %v (was %v)", cell, after[cell], n)
		}
	}

	for _, c := range []struct{ path, field string }{
		{tile + "?kind=heroin", "kind"},
		{tile + "?from=yesterday", "from"},
		{tile + "?from=2025-04-01&to=2025-03-01", "to"},
		{"/tiles/hotspots/14/0/0?kind=use", "kind"},
	} {
		code, data := ts.doAs(t, ts.token, "GET", c.path, "", nil)
		if code != 400 || !strings.Contains(string(data), c.field) {
			t.Errorf("GET %s: %d %s, want a 400 naming %s", c.path, code, data, c.field)
		}
	}
}

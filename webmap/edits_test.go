package webmap_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/diaban/diaban/hotspot"
)

// hotspotRow reads H1's stored name, place, area and cell straight from the
// database, to tell a refused edit changed nothing.
func hotspotRow(t *testing.T, ts *testServer, ref string) string {
	t.Helper()
	var s string
	err := ts.db.Pool.QueryRow(context.Background(), `
SELECT h.name || '|' || ST_AsText(h.geom) || '|' || a.code || '|' || h.h3_r9
FROM hotspots h JOIN areas a ON a.id = h.area_id WHERE h.ref = $1`, ref).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func hotspotID(t *testing.T, ts *testServer, ref string) int64 {
	t.Helper()
	var id int64
	if err := ts.db.Pool.QueryRow(context.Background(), `SELECT id FROM hotspots WHERE ref = $1`, ref).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestEditHotspotByRole: PATCH /api/hotspots/{id} renames and moves a
// hotspot for an officer of its commune and an admin, audited; a move out of
// the officer's commune, another commune's hotspot, a planner or viewer,
// and bad input are refused with nothing changed.
func TestEditHotspotByRole(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.addUser(t, "e-officer", hotspot.RoleOfficer, "20530")
	district := ts.addUser(t, "e-district", hotspot.RoleOfficer, "503")
	planner := ts.addUser(t, "e-planner", hotspot.RolePlanner, "20530")
	viewer := ts.addUser(t, "e-viewer", hotspot.RoleViewer, "503")
	h1 := fmt.Sprintf("/api/hotspots/%d", hotspotID(t, ts, "H1"))
	h2 := fmt.Sprintf("/api/hotspots/%d", hotspotID(t, ts, "H2"))

	refused := []struct {
		name, token, path, body string
		code                    int
		field                   string
	}{
		{"move out of the commune", officer, h1, `{"lon":108.35,"lat":15.9}`, 403, "lon"},
		{"another commune's hotspot", officer, h2, `{"name":"X"}`, 403, "area"},
		{"planner", planner, h1, `{"name":"X"}`, 403, ""},
		{"viewer", viewer, h1, `{"name":"X"}`, 403, ""},
		{"nothing to change", officer, h1, `{}`, 400, "name"},
		{"empty name", officer, h1, `{"name":""}`, 400, "name"},
		{"lon without lat", officer, h1, `{"lon":108.26}`, 400, "lat"},
		{"outside every area", district, h1, `{"lon":109.5,"lat":15.9}`, 400, "lon"},
		{"out of range", officer, h1, `{"lon":208.26,"lat":15.9}`, 400, "lon"},
		{"status is not editable", officer, h1, `{"status":"eliminated"}`, 400, "status"},
		{"trailing data", officer, h1, `{"name":"X"} {}`, 400, "body"},
	}
	before := hotspotRow(t, ts, "H1")
	audits := auditCount(t, ts)
	for _, c := range refused {
		code, data := ts.doAs(t, c.token, "PATCH", c.path, c.body, nil)
		var e struct{ Error, Field string }
		_ = json.Unmarshal(data, &e)
		if code != c.code || (c.field != "" && e.Field != c.field) {
			t.Errorf("%s: %d %s; want %d naming %q", c.name, code, data, c.code, c.field)
		}
	}
	if after := hotspotRow(t, ts, "H1"); after != before {
		t.Errorf("refused edits changed H1: %s → %s", before, after)
	}

	// The officer renames and moves within the commune; the district officer moves it into the other commune.
	var f struct {
		Geometry   struct{ Coordinates []float64 }
		Properties map[string]any
	}
	if code, data := ts.doAs(t, officer, "PATCH", h1, `{"name":"Quán cà phê mới","lon":108.26,"lat":15.91}`, &f); code != 200 {
		t.Fatalf("officer edit: %d %s", code, data)
	}
	if f.Properties["name"] != "Quán cà phê mới" || f.Geometry.Coordinates[0] != 108.26 || f.Properties["area"] != "20530" {
		t.Errorf("edited hotspot %+v", f)
	}
	moved := hotspotRow(t, ts, "H1")
	if code, data := ts.doAs(t, district, "PATCH", h1, `{"lon":108.36,"lat":15.91}`, &f); code != 200 || f.Properties["area"] != "20533" {
		t.Fatalf("district move: %d %s", code, data)
	}
	if after := hotspotRow(t, ts, "H1"); after == moved {
		t.Error("the move into 20533 changed nothing in the database (area, cell)")
	}
	if got := auditCount(t, ts) - audits; got != 2 {
		t.Errorf("%d audit rows for 2 edits (refusals write none)", got)
	}
	var action string
	if err := ts.db.Pool.QueryRow(context.Background(), `SELECT action FROM audit ORDER BY id DESC LIMIT 1`).Scan(&action); err != nil || action != "hotspot.edit" {
		t.Errorf("audit action %q (%v)", action, err)
	}
	if code := ts.do(t, "PATCH", "/api/hotspots/999999", `{"name":"X"}`, nil); code != 404 {
		t.Errorf("unknown hotspot: %d, want 404", code)
	}
}

// TestCameraStatusByRole: PATCH /api/cameras/{id} marks a camera offline
// and back for an officer of its commune, audited; another commune's
// officer, a planner and a viewer are refused; a bad status is a 400.
func TestCameraStatusByRole(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.addUser(t, "c-officer", hotspot.RoleOfficer, "20530")
	other := ts.addUser(t, "c-other", hotspot.RoleOfficer, "20533")
	planner := ts.addUser(t, "c-planner", hotspot.RolePlanner, "20530")
	viewer := ts.addUser(t, "c-viewer", hotspot.RoleViewer, "503")
	var cam struct{ ID float64 }
	if code := ts.do(t, "POST", "/api/cameras", `{"ref":"CAM-1","lon":108.25,"lat":15.9,"bearing":90,"fov":90,"range_m":60,"owner":"police","status":"active"}`, &cam); code != 201 {
		t.Fatalf("create camera: %d", code)
	}
	path := fmt.Sprintf("/api/cameras/%d", int64(cam.ID))
	for _, c := range []struct {
		name, token, body string
		code              int
	}{
		{"other commune", other, `{"status":"offline"}`, 403},
		{"planner", planner, `{"status":"offline"}`, 403},
		{"viewer", viewer, `{"status":"offline"}`, 403},
		{"bad status", officer, `{"status":"broken"}`, 400},
		{"no status", officer, `{}`, 400},
		{"unknown field", officer, `{"status":"offline","bearing":3}`, 400},
	} {
		if code, data := ts.doAs(t, c.token, "PATCH", path, c.body, nil); code != c.code {
			t.Errorf("%s: %d %s; want %d", c.name, code, data, c.code)
		}
	}
	audits := auditCount(t, ts)
	for _, st := range []string{"offline", "active"} {
		var f struct{ Properties map[string]any }
		if code, data := ts.doAs(t, officer, "PATCH", path, fmt.Sprintf(`{"status":%q}`, st), &f); code != 200 || f.Properties["status"] != st {
			t.Errorf("mark %s: %d %s", st, code, data)
		}
	}
	if got := auditCount(t, ts) - audits; got != 2 {
		t.Errorf("%d audit rows for 2 status changes", got)
	}
	if code := ts.do(t, "PATCH", "/api/cameras/999999", `{"status":"offline"}`, nil); code != 404 {
		t.Errorf("unknown camera: %d, want 404", code)
	}
}

// TestHotspotsWithEvents: ?events=1 gives each hotspot its lifecycle,
// scoped like the list; a bad value is a 400 naming events.
func TestHotspotsWithEvents(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.addUser(t, "w-officer", hotspot.RoleOfficer, "20530")
	var fc struct {
		Features []struct {
			Properties struct {
				Ref    string
				Events []struct{ Event string }
			}
		}
	}
	if code, data := ts.doAs(t, officer, "GET", "/api/hotspots?events=1", "", &fc); code != 200 || len(fc.Features) != 1 {
		t.Fatalf("%d %s", code, data)
	}
	if p := fc.Features[0].Properties; p.Ref != "H1" || len(p.Events) != 1 || p.Events[0].Event != "detected" {
		t.Errorf("officer of 20530 got %+v", p)
	}
	if code := ts.do(t, "GET", "/api/hotspots?events=yes", "", nil); code != 400 {
		t.Errorf("events=yes: %d, want 400", code)
	}
}

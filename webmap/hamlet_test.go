package webmap_test

import (
	"testing"

	"github.com/diaban/diaban/hotspot"
)

// hamletGeoJSON is a hamlet of Phường Một (20530) holding hotspot H1.
const hamletGeoJSON = `{"type":"FeatureCollection","features":[{"type":"Feature",
"properties":{"code":"2053001","name":"Khu phố Một","level":"hamlet","parent_code":"20530"},
"geometry":{"type":"Polygon","coordinates":[[[108.21,15.85],[108.29,15.85],[108.29,15.95],[108.21,15.95],[108.21,15.85]]]}}]}`

// TestHamletTransformationAPI: seed 001's transformation of one hamlet — a
// commune's user asks the hamlet's metrics over the plan's window
// (15/4/2024–14/4/2025) and gets the six criteria judged for that hamlet
// and window, with their evidence.
func TestHamletTransformationAPI(t *testing.T) {
	ts := newTestServer(t)
	importText(t, ts.store, "areas", hamletGeoJSON)
	ts.settle(t)
	commune := ts.addUser(t, "hamlet-officer", hotspot.RoleOfficer, "20530")
	viewer := ts.addUser(t, "hamlet-viewer", hotspot.RoleViewer, "20530")
	other := ts.addUser(t, "hamlet-other", hotspot.RoleViewer, "20533")
	var m struct {
		Area, Name, Period string
		Level              string
		New                int `json:"new"`
		Criteria           []struct {
			ID     int
			Status string
			Values map[string]*float64
		}
	}
	code, body := ts.doAs(t, commune, "GET", "/api/areas/2053001/metrics?period=2024-04-15..2025-04-14", "", &m)
	if code != 200 {
		t.Fatalf("hamlet metrics: %d %s", code, body)
	}
	if m.Level != "hamlet" || m.Name != "Khu phố Một" || m.Period != "2024-04-15..2025-04-14" || len(m.Criteria) != 6 {
		t.Fatalf("hamlet metrics: %+v", m)
	}
	// H1 was found in the hamlet on 10/01/2025, inside the window: criterion 3
	// (no new hotspot) is not met, and says so with its number.
	c3 := m.Criteria[2]
	if m.New != 1 || c3.ID != 3 || c3.Status != "not_met" || c3.Values["new"] == nil || *c3.Values["new"] != 1 {
		t.Errorf("criterion 3: %+v (new %d)", c3, m.New)
	}
	// A window before H1 was found: nothing new, nothing active.
	if code, body := ts.doAs(t, commune, "GET", "/api/areas/2053001/metrics?period=2023-04-15..2024-04-14", "", &m); code != 200 || m.New != 0 || m.Criteria[2].Status != "met" {
		t.Errorf("earlier window: %d %s", code, body)
	}
	// The commune's committee (a viewer) gets the window widened to whole
	// months (hotspot/disclosure), judged the same way.
	if code, body := ts.doAs(t, viewer, "GET", "/api/areas/2053001/metrics?period=2024-04-15..2025-04-14", "", &m); code != 200 ||
		m.Period != "2024-04-01..2025-04-30" || len(m.Criteria) != 6 || m.Criteria[2].Status != "not_met" {
		t.Errorf("viewer: %d %s", code, body)
	}
	// Another commune's user does not see the hamlet.
	if code, _ := ts.doAs(t, other, "GET", "/api/areas/2053001/metrics?period=2024-04-15..2025-04-14", "", nil); code != 404 {
		t.Errorf("another commune's viewer: %d, want 404", code)
	}
}

package webmap_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/demo"
	"github.com/diaban/diaban/hotspot/importer"
)

// loadDemoAcrossReform imports the whole demo (both geographies, Đà Nẵng's
// crosswalk, records and indicators) as seed demo does.
func loadDemoAcrossReform(t testing.TB, ts *testServer) {
	t.Helper()
	ds, err := demo.Generate(demo.DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := ds.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range demo.Files {
		if f.Kind == "crosswalk" {
			if _, err := importer.ImportCrosswalk(context.Background(), ts.store, bytes.NewReader(demo.Crosswalk()), hotspot.ReformDate); err != nil {
				t.Fatal(err)
			}
			continue
		}
		importFile(t, ts.store, f.Kind, filepath.Join(dir, f.Name))
	}
}

// areaMetrics is what the reform tests read of GET /api/areas/{code}/metrics.
// A viewer gets small counts as "< 5" (hotspot/disclosure): counts are any.
type areaMetrics struct {
	Name            string         `json:"name"`
	ActiveDuring    any            `json:"active_during"`
	TipsReceived    any            `json:"tips_received"`
	RegisteredUsers any            `json:"registered_users"` // nil: null`
	Incidents       map[string]any `json:"incidents"`
	IncidentsTotal  any            `json:"incidents_total"`
	Trend           struct {
		From   string    `json:"from"`
		N      int       `json:"n"`
		Series []float64 `json:"series"`
	} `json:"trend"`
	Retired bool `json:"retired"`
}

// num is a count as a number; a suppressed one ("< 5") is -1.
func num(v any) int {
	if f, ok := v.(float64); ok {
		return int(f)
	}
	return -1
}

func (m areaMetrics) incidents() int { return num(m.IncidentsTotal) }

// RegisteredUsersOr is registered_users, safe on a nil *areaMetrics.
func (m *areaMetrics) RegisteredUsersOr() any {
	if m == nil {
		return nil
	}
	return m.RegisteredUsers
}

// TestReformTrendsOfTheNewUnits: the four units of today's Hội An have a
// series from 2021 to 2026 in the API with no break at July 2025, as every
// role that reads metrics sees it, scoped to a commune and to the province:
// every year and every month around the date has its hotspots, incidents,
// tips and indicators (apportioned from the old units before the reform,
// their own after), and the years before it equal the sums of their
// predecessors on the map of 30/06/2025.
func TestReformTrendsOfTheNewUnits(t *testing.T) {
	ts := newEmptyServer(t)
	loadDemoAcrossReform(t, ts)
	preds := map[string][]string{
		"20410": {"20398", "20404", "20410", "20425", "20428"},
		"20401": {"20401", "20407", "20419", "20422"},
		"20413": {"20413", "20416", "20431"},
		"20434": {"20434"},
	}
	get := func(t *testing.T, token, path string) areaMetrics {
		t.Helper()
		var m areaMetrics
		if code, body := ts.doAs(t, token, "GET", path, "", &m); code != 200 {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
		return m
	}
	users := []struct {
		name, token string
		units       []string // the new units it may read
	}{
		{"admin", ts.token, []string{"20410", "20401", "20413", "20434"}},
		{"viewer of the province", ts.addUser(t, "trend-viewer", hotspot.RoleViewer, "48"), []string{"20410", "20401", "20413", "20434"}},
		{"officer of a ward", ts.addUser(t, "trend-officer", hotspot.RoleOfficer, "20410"), []string{"20410"}},
		{"planner of a ward", ts.addUser(t, "trend-planner", hotspot.RolePlanner, "20413"), []string{"20413"}},
	}
	for _, u := range users {
		t.Run(u.name, func(t *testing.T) {
			for _, code := range u.units {
				var lastUsers float64
				for y := 2021; y <= 2026; y++ {
					m := get(t, u.token, fmt.Sprintf("/api/areas/%s/metrics?period=%d", code, y))
					if m.RegisteredUsers == nil {
						t.Errorf("%s %d: registered_users null", code, y)
						continue
					}
					users := float64(num(m.RegisteredUsers))
					if code != "20434" && (m.incidents() <= 0 || num(m.TipsReceived) <= 0) {
						t.Errorf("%s %d: %v incidents, %v tips", code, y, m.IncidentsTotal, m.TipsReceived)
					}
					if y > 2021 && users >= 0 && lastUsers >= 0 && math.Abs(users-lastUsers) > 0.5*lastUsers+3 {
						t.Errorf("%s: registered users %v in %d after %v", code, users, y, lastUsers)
					}
					lastUsers = users
					if y <= 2024 && u.token == ts.token {
						// Exact: the old units on the old map add up to the new one.
						var inc, tips, active int
						for _, p := range preds[code] {
							o := get(t, u.token, fmt.Sprintf("/api/areas/%s/metrics?period=%d&as_of=2025-06-30", p, y))
							inc, tips, active = inc+o.incidents(), tips+num(o.TipsReceived), active+num(o.ActiveDuring)
						}
						if inc != m.incidents() || tips != num(m.TipsReceived) || active != num(m.ActiveDuring) {
							t.Errorf("%s %d: %d incidents, %d tips, %d active; its predecessors on 30/06/2025: %d, %d, %d",
								code, y, m.incidents(), m.TipsReceived, m.ActiveDuring, inc, tips, active)
						}
					}
				}
				// Month by month across the date: no gap, no jump.
				var prev *areaMetrics
				for _, p := range []string{"2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09"} {
					m := get(t, u.token, fmt.Sprintf("/api/areas/%s/metrics?period=%s", code, p))
					if m.RegisteredUsers == nil {
						t.Errorf("%s %s: registered_users null", code, p)
					} else if a, b := float64(num(m.RegisteredUsers)), float64(num(prev.RegisteredUsersOr())); prev != nil && a >= 0 && b >= 0 && math.Abs(a-b) > 0.1*b+2 {
						t.Errorf("%s: registered users %v in %s after %v", code, a, p, b)
					}
					if code != "20434" && m.incidents() <= 0 {
						t.Errorf("%s %s: no incidents", code, p)
					}
					prev = &m
				}
				// The yearly trend of 2026 runs back over the date without a hole.
				// (A viewer's series is withheld by disclosure control; its
				// count is not.)
				m := get(t, u.token, "/api/areas/"+code+"/metrics?period=2026")
				if m.Trend.N != 5 || (u.name != "viewer of the province" && (m.Trend.From != "2022" || len(m.Trend.Series) != 5)) {
					t.Errorf("%s 2026: trend from %s with %d points (n %d), want 2022–2026", code, m.Trend.From, len(m.Trend.Series), m.Trend.N)
				}
			}
		})
	}
}

// TestReformRetiredCodesInScope: a user scoped to a unit of today may read
// the metrics of a retired unit on an earlier map when that unit lies
// inside its own by lineage, and no other; without as_of a retired code is
// not found.
func TestReformRetiredCodesInScope(t *testing.T) {
	ts := newEmptyServer(t)
	loadDemoAcrossReform(t, ts)
	officer := ts.addUser(t, "retired-officer", hotspot.RoleOfficer, "20410")
	planner := ts.addUser(t, "retired-planner", hotspot.RolePlanner, "20413")
	viewer := ts.addUser(t, "retired-viewer", hotspot.RoleViewer, "48")
	before := "&as_of=2025-06-30"
	cases := []struct {
		who, token, path string
		want             int
	}{
		{"officer of 20410", officer, "/api/areas/20398/metrics?period=2023" + before, 200}, // Minh An → Phường Hội An
		{"officer of 20410", officer, "/api/areas/20410/metrics?period=2023" + before, 200}, // Sơn Phong, same code
		{"officer of 20410", officer, "/api/areas/20401/metrics?period=2023" + before, 404}, // Tân An → Hội An Tây
		{"officer of 20410", officer, "/api/areas/20416/metrics?period=2023" + before, 404},
		{"officer of 20410", officer, "/api/areas/503/metrics?period=2023" + before, 404}, // the whole district
		{"officer of 20410", officer, "/api/metrics?parent=503&period=2023" + before, 404},
		{"officer of 20410", officer, "/api/areas/20398/metrics?period=2023", 404},          // retired today
		{"planner of 20413", planner, "/api/areas/20416/metrics?period=2024" + before, 200}, // Cửa Đại → Hội An Đông
		{"planner of 20413", planner, "/api/areas/20398/metrics?period=2024" + before, 404},
		{"viewer of 48", viewer, "/api/areas/503/metrics?period=2023" + before, 200},
		{"viewer of 48", viewer, "/api/metrics?parent=503&period=2023" + before, 200},
		{"viewer of 48", viewer, "/api/areas/49/metrics?period=2023" + before, 200},
		{"viewer of 48", viewer, "/api/areas/20398/metrics?period=2023" + before, 200},
		{"viewer of 48", viewer, "/api/areas/20398/metrics?period=2023&as_of=bad", 400},
	}
	for _, c := range cases {
		code, body := ts.doAs(t, c.token, "GET", c.path, "", nil)
		if code != c.want {
			t.Errorf("%s: GET %s = %d, want %d (%s)", c.who, c.path, code, c.want, body)
			continue
		}
		if code == 200 && strings.HasPrefix(c.path, "/api/areas/") {
			// What the scoped user reads is what the admin reads.
			var mine, admin areaMetrics
			ts.doAs(t, c.token, "GET", c.path, "", &mine)
			ts.doAs(t, ts.token, "GET", c.path, "", &admin)
			if c.token != viewer && (mine.incidents() != admin.incidents() || num(mine.TipsReceived) != num(admin.TipsReceived) || num(mine.ActiveDuring) != num(admin.ActiveDuring)) {
				t.Errorf("%s: GET %s reads %+v, the admin %+v", c.who, c.path, mine, admin)
			}
		}
	}
}

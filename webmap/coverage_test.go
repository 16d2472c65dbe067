package webmap_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/diaban/diaban/geo"
)

// coverageReport is GET /api/coverage as a client reads it.
type coverageReport struct {
	Area   string `json:"area"`
	Scopes []struct {
		Scope struct {
			Owner      string `json:"owner"`
			ActiveOnly bool   `json:"active_only"`
		} `json:"scope"`
		Cameras           int     `json:"cameras"`
		Hotspots          int     `json:"hotspots"`
		HotspotsCovered   int     `json:"hotspots_covered"`
		HotspotShare      float64 `json:"hotspot_share"`
		Risk              float64 `json:"risk"`
		RiskShare         float64 `json:"risk_share"`
		UncoveredHotspots []struct {
			Ref  string  `json:"ref"`
			Risk float64 `json:"risk"`
		} `json:"uncovered_hotspots"`
	} `json:"scopes"`
}

type totals struct {
	Cameras         int     `json:"cameras"`
	Hotspots        int     `json:"hotspots"`
	HotspotsCovered int     `json:"hotspots_covered"`
	HotspotShare    float64 `json:"hotspot_share"`
	Risk            float64 `json:"risk"`
	RiskShare       float64 `json:"risk_share"`
}

// cameraJSON is a camera 50 m from p in direction from, facing bearing.
func cameraJSON(ref string, p geo.Point, from, bearing float64, owner, status string) string {
	s := geo.Destination(p, from, 50)
	return fmt.Sprintf(`{"ref":%q,"lon":%.7f,"lat":%.7f,"bearing":%g,"fov":90,"range_m":100,"owner":%q,"status":%q}`, ref, s.Lon, s.Lat, bearing, owner, status)
}

// plannedJSON is a camera of a plan 50 m from p in direction from, facing bearing.
func plannedJSON(p geo.Point, from, bearing float64) string {
	s := geo.Destination(p, from, 50)
	return fmt.Sprintf(`{"lon":%.7f,"lat":%.7f,"bearing":%g,"fov":90,"range_m":100,"owner":"police"}`, s.Lon, s.Lat, bearing)
}

var (
	h1 = geo.Point{Lon: 108.25, Lat: 15.9} // in 20530
	h2 = geo.Point{Lon: 108.35, Lat: 15.9} // in 20533
)

func TestCoverageAPI(t *testing.T) {
	ts := newTestServer(t)
	importText(t, ts.store, "incidents", "ref,lon,lat,kind,occurred_at\nI1,108.25,15.9,use,2025-01-01\nI2,108.25,15.9,use,2025-01-02\nI3,108.35,15.9,use,2025-01-03\n")
	// A camera 50 m south of H1 facing it covers it; one 50 m south of H2 facing away does not.
	for _, body := range []string{cameraJSON("C1", h1, 180, 0, "police", "active"), cameraJSON("C2", h2, 180, 180, "community", "active")} {
		if code := ts.do(t, "POST", "/api/cameras", body, nil); code != 201 {
			t.Fatalf("create camera: %d", code)
		}
	}
	var rep coverageReport
	if code := ts.do(t, "GET", "/api/coverage?area=503", "", &rep); code != 200 || len(rep.Scopes) != 6 {
		t.Fatalf("coverage: %d %+v", code, rep)
	}
	want := []struct {
		owner     string
		active    bool
		cameras   int
		covered   int
		uncovered string
	}{
		{"", false, 2, 1, "H2"}, {"police", false, 1, 1, "H2"}, {"community", false, 1, 0, "H1"},
		{"", true, 2, 1, "H2"}, {"police", true, 1, 1, "H2"}, {"community", true, 1, 0, "H1"},
	}
	for i, w := range want {
		s := rep.Scopes[i]
		// H1 (1 + 2 incidents) outranks H2 (1 + 1) among the uncovered.
		if s.Scope.Owner != w.owner || s.Scope.ActiveOnly != w.active || s.Cameras != w.cameras || s.Hotspots != 2 ||
			s.HotspotsCovered != w.covered || s.HotspotShare != float64(w.covered)/2 || s.Risk != 3 ||
			len(s.UncoveredHotspots) == 0 || s.UncoveredHotspots[0].Ref != w.uncovered {
			t.Errorf("scope %d: %+v", i, s)
		}
	}
	for _, tc := range []struct{ name, path, field string }{
		{"no area", "/api/coverage", "area"},
		{"unknown area", "/api/coverage?area=99999", "area"},
		{"risk_res not a number", "/api/coverage?area=503&risk_res=ten", "risk_res"},
		{"risk_res too fine", "/api/coverage?area=503&risk_res=11", "risk_res"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e struct{ Error, Field string }
			if code := ts.do(t, "GET", tc.path, "", &e); code != 400 || e.Field != tc.field {
				t.Errorf("%d %+v", code, e)
			}
		})
	}
}

func TestPlanAPI(t *testing.T) {
	ts := newTestServer(t)
	var plan struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry   struct{ Type string } `json:"geometry"`
			Properties map[string]any        `json:"properties"`
		} `json:"features"`
		Plan struct {
			Chosen        []struct{ Site string } `json:"chosen"`
			CoveredWeight float64                 `json:"covered_weight"`
			TotalWeight   float64                 `json:"total_weight"`
			UpperBound    float64                 `json:"upper_bound"`
			Optimal       bool                    `json:"optimal"`
			Gap           float64                 `json:"gap"`
			Before, After totals
		} `json:"plan"`
	}
	if code := ts.do(t, "POST", "/api/plans", `{"area":"20533","k":2,"range_m":100,"fov":90,"bearings":[0,90,180,270]}`, &plan); code != 200 {
		t.Fatalf("plan: %d %+v", code, plan)
	}
	p := plan.Plan
	// One camera suffices for the only hotspot; a second adds nothing, so none is proposed.
	if plan.Type != "FeatureCollection" || len(p.Chosen) != 1 || p.Before.HotspotShare != 0 || p.After.HotspotShare != 1 ||
		p.TotalWeight != 1 || p.CoveredWeight != 1 || p.UpperBound < p.CoveredWeight || !p.Optimal || p.Gap != 0 {
		t.Fatalf("plan: %+v", p)
	}
	kinds := map[string]int{}
	for _, f := range plan.Features {
		kinds[f.Properties["kind"].(string)]++
		if f.Properties["kind"] == "camera" && (f.Geometry.Type != "Polygon" || f.Properties["site"] != p.Chosen[0].Site) {
			t.Errorf("camera feature %+v", f)
		}
		if f.Properties["kind"] == "gain" && f.Properties["hotspot"] != "H2" {
			t.Errorf("gain feature %+v", f)
		}
	}
	if kinds["camera"] != 1 || kinds["gain"] != 1 {
		t.Errorf("features by kind: %v", kinds)
	}
	for _, tc := range []struct{ name, body, field string }{
		{"no k", `{"area":"20533"}`, "k"},
		{"no area", `{"k":1}`, "area"},
		{"bearing out of range", `{"area":"20533","k":1,"bearings":[0,360]}`, "bearings[1]"},
		{"range too long", `{"area":"20533","k":1,"range_m":9000}`, "range_m"},
		{"resolution too fine", `{"area":"20533","k":1,"res":14}`, "res"},
		{"unknown field", `{"area":"20533","k":1,"budget":3}`, "budget"},
		{"bad candidate", `{"area":"20533","k":1,"candidates":[{"id":"J1","lon":108.35,"lat":95}]}`, "candidates[0].lon"},
		{"unknown demand", `{"area":"20533","k":1,"demand":"tips"}`, "demand"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e struct{ Error, Field string }
			if code := ts.do(t, "POST", "/api/plans", tc.body, &e); code != 400 || e.Field != tc.field {
				t.Errorf("%d %+v", code, e)
			}
		})
	}
	// Imported candidate points instead of the cell centres.
	s := geo.Destination(h2, 90, 40)
	body := fmt.Sprintf(`{"area":"20533","k":1,"candidates":[{"id":"J1","lon":108.39,"lat":15.81},{"id":"J2","lon":%.7f,"lat":%.7f}]}`, s.Lon, s.Lat)
	if code := ts.do(t, "POST", "/api/plans", body, &plan); code != 200 || len(plan.Plan.Chosen) != 1 || plan.Plan.Chosen[0].Site != "J2" {
		t.Errorf("candidates: %d %+v", code, plan.Plan)
	}
}

func TestEvaluateAndAcceptAPI(t *testing.T) {
	ts := newTestServer(t)
	var ev struct {
		Before, After totals
	}
	facing := plannedJSON(h2, 180, 0)
	away := plannedJSON(h2, 180, 180)
	if code := ts.do(t, "POST", "/api/plans/evaluate", `{"area":"503","cameras":[`+facing+`]}`, &ev); code != 200 ||
		ev.Before.HotspotsCovered != 0 || ev.After.HotspotsCovered != 1 || ev.After.HotspotShare != 0.5 || ev.After.Cameras != 1 {
		t.Fatalf("evaluate facing: %d %+v", code, ev)
	}
	if code := ts.do(t, "POST", "/api/plans/evaluate", `{"area":"503","cameras":[`+away+`]}`, &ev); code != 200 || ev.After.HotspotsCovered != 0 {
		t.Errorf("evaluate turned away: %d %+v", code, ev)
	}
	var e struct{ Error, Field string }
	if code := ts.do(t, "POST", "/api/plans/evaluate", `{"area":"503","cameras":[{"lon":108.35,"lat":15.9,"bearing":0,"fov":0,"range_m":100}]}`, &e); code != 400 || e.Field != "cameras[0].fov" {
		t.Errorf("evaluate bad fov: %d %+v", code, e)
	}

	bad := `{"lon":108.35,"lat":15.9,"bearing":400,"fov":90,"range_m":100}`
	if code := ts.do(t, "POST", "/api/plans/accept", `{"area":"20533","cameras":[`+facing+`,`+bad+`]}`, &e); code != 400 || e.Field != "cameras[1].bearing" {
		t.Errorf("accept with a bad camera: %d %+v", code, e)
	}
	var fc featureCollection
	if code := ts.do(t, "POST", "/api/plans/accept", `{"area":"20533","cameras":[`+facing+`,`+away+`]}`, &fc); code != 201 || len(fc.Features) != 2 {
		t.Fatalf("accept: %d %+v", code, fc)
	}
	for _, f := range fc.Features {
		if f.Properties["status"] != "planned" || f.Properties["area"] != "20533" || f.Properties["ref"] == "" {
			t.Errorf("accepted camera %v", f.Properties)
		}
	}
	ts.do(t, "GET", "/api/cameras?area=503", "", &fc)
	if len(fc.Features) != 2 {
		t.Errorf("stored cameras: %d, want 2 (the refused plan stored nothing)", len(fc.Features))
	}
	var rep coverageReport
	if ts.do(t, "GET", "/api/coverage?area=503", "", &rep); rep.Scopes[0].HotspotsCovered != 1 || rep.Scopes[3].HotspotsCovered != 0 {
		t.Errorf("after accepting, all %+v, active only %+v", rep.Scopes[0], rep.Scopes[3])
	}
}

// TestCoveragePushed: a change that moves an area's coverage pushes it
// again. A camera changes what is seen; an elimination takes a hotspot off
// what the cameras must watch, without any camera changing.
func TestCoveragePushed(t *testing.T) {
	cases := []struct {
		name, path, body, change string
		hotspots, covered        int
	}{
		{"camera", "/api/cameras", cameraJSON("C1", h1, 180, 0, "police", "active"), "camera", 1, 1},
		{"elimination", "/api/hotspots/1/events", `{"event":"eliminated","occurred_at":"2025-07-01"}`, "event", 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			c := ts.dial(t, `{"type":"subscribe","areas":["20530"]}`)
			time.Sleep(100 * time.Millisecond) // let the subscription land
			start := time.Now()
			if code := ts.do(t, "POST", tc.path, tc.body, nil); code != 201 {
				t.Fatalf("POST %s: %d", tc.path, code)
			}
			change, ok := c.waitFor(tc.change, 5*time.Second)
			if !ok {
				t.Fatalf("no %s message", tc.change)
			}
			// Pushes for the setup's own changes may still arrive (they are
			// debounced): wait for the one that reflects this change.
			var m wsMessage
			deadline := time.Now().Add(5 * time.Second)
			for m.Seq < change.Seq {
				if m, ok = c.waitFor("coverage", time.Until(deadline)); !ok {
					t.Fatal("no coverage message reflecting the change")
				}
			}
			var rep coverageReport
			if err := json.Unmarshal(m.Data, &rep); err != nil {
				t.Fatal(err)
			}
			if m.Area != "20530" || m.Seq != change.Seq || rep.Area != "20530" || rep.Scopes[0].Hotspots != tc.hotspots || rep.Scopes[0].HotspotsCovered != tc.covered {
				t.Errorf("coverage message %+v: %+v", m, rep.Scopes[0])
			}
			t.Logf("coverage pushed %v after the %s was posted", time.Since(start), tc.name)
		})
	}
}

package webmap_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
)

// The disclosure rule (hotspot/disclosure) on every aggregate a viewer
// can read: the cells API, the metrics (one area, a parent's table, its
// CSV, the live push) and the emerging layer, for a viewer of a commune
// and of a district, against an officer who sees the exact figures.
//
// The fixture: in commune 20530, March 2025, 3 "use" incidents at one
// point and 6 "trafficking" at another 2 km away, 2 tips; in 20533, 7 "use".
func disclosureServer(t *testing.T) *testServer {
	t.Helper()
	ts := newTestServer(t)
	var b strings.Builder
	b.WriteString("ref,kind,occurred_at,lon,lat\n")
	for i := 0; i < 3; i++ {
		fmt.Fprintf(&b, "U%d,use,2025-03-14T10:0%d:00+07:00,108.25,15.9\n", i, i)
	}
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&b, "T%d,trafficking,2025-03-%02dT09:00:00+07:00,108.27,15.85\n", i, 2+i)
	}
	for i := 0; i < 7; i++ {
		fmt.Fprintf(&b, "X%d,use,2025-03-%02dT09:00:00+07:00,108.35,15.9\n", i, 2+i)
	}
	importText(t, ts.store, "incidents", b.String())
	importText(t, ts.store, "tips", "ref,received_at,handled_at,lon,lat,area_code\nP1,2025-03-03,2025-03-04,,,20530\nP2,2025-03-05,,,,20530\n")
	ts.settle(t)
	return ts
}

// smallCounts lists the numbers 1–4 under the keys that count people in a
// metrics object (AreaMetrics as JSON).
func smallCounts(m map[string]any) []string {
	var bad []string
	small := func(x any) bool { f, ok := x.(float64); return ok && f > 0 && f < 5 }
	inc, _ := m["incidents"].(map[string]any)
	for k, x := range inc {
		if small(x) {
			bad = append(bad, "incidents."+k)
		}
	}
	for _, k := range []string{"incidents_total", "tips_received", "tips_handled", "tips_handled_earlier", "registered_users"} {
		if small(m[k]) {
			bad = append(bad, k)
		}
	}
	return bad
}

func TestViewerDisclosure(t *testing.T) {
	ts := disclosureServer(t)
	officer := ts.addUser(t, "d-officer", hotspot.RoleOfficer, "20530")
	viewers := map[string]string{
		"commune":  ts.addUser(t, "d-viewer-c", hotspot.RoleViewer, "20530"),
		"district": ts.addUser(t, "d-viewer-d", hotspot.RoleViewer, "503"),
	}

	// Officer: exact.
	var om map[string]any
	if code, data := ts.doAs(t, officer, "GET", "/api/areas/20530/metrics?period=2025-03", "", &om); code != 200 {
		t.Fatalf("officer metrics: %d %s", code, data)
	}
	if inc := om["incidents"].(map[string]any); inc["use"] != 3.0 || inc["trafficking"] != 6.0 || om["incidents_total"] != 9.0 || om["tips_received"] != 2.0 || om["complexity_score"] == nil {
		t.Errorf("officer sees %v, want exact counts", om)
	}

	for scope, tok := range viewers {
		t.Run(scope, func(t *testing.T) {
			// Cells: res 10 and a one-minute window are answered at res 8 over March.
			var fc struct {
				Res      int    `json:"res"`
				From     string `json:"from"`
				Features []struct {
					Properties map[string]any `json:"properties"`
				} `json:"features"`
			}
			path := "/api/cells?area=20530&res=10&from=2025-03-14T10:01:00%2B07:00&to=2025-03-14T10:02:00%2B07:00"
			if code, data := ts.doAs(t, tok, "GET", path, "", &fc); code != 200 || fc.Res != 8 {
				t.Fatalf("cells: %d res %d %s", code, fc.Res, data)
			}
			if !strings.HasPrefix(fc.From, "2025-03-01T00:00:00") && !strings.HasPrefix(fc.From, "2025-02-28T17:00:00") {
				t.Errorf("cells window from %s, want the start of March", fc.From)
			}
			for _, f := range fc.Features {
				if n, ok := f.Properties["count"].(float64); ok && n < 5 {
					t.Errorf("cells: a count %v below 5", n)
				}
			}
			if len(fc.Features) == 0 {
				t.Errorf("cells: nothing in March")
			}

			// One area's metrics.
			for _, area := range map[string][]string{"commune": {"20530"}, "district": {"20530", "503"}}[scope] {
				var m map[string]any
				if code, data := ts.doAs(t, tok, "GET", "/api/areas/"+area+"/metrics?period=2025-03", "", &m); code != 200 {
					t.Fatalf("metrics %s: %d %s", area, code, data)
				}
				if bad := smallCounts(m); len(bad) > 0 {
					t.Errorf("metrics %s: viewer sees small counts %v in %v", area, bad, m)
				}
				if area == "20530" {
					inc := m["incidents"].(map[string]any)
					if inc["use"] != "< 5" || inc["trafficking"] != 6.0 || m["tips_received"] != "< 5" || m["complexity_score"] != nil || m["tips_handled_share"] != nil {
						t.Errorf("metrics 20530: %v", m)
					}
					if tr := m["trend"].(map[string]any); tr["series"] != nil || tr["sen_slope"] != nil {
						t.Errorf("trend series shown to a viewer: %v", tr)
					}
				}
				for _, c := range m["criteria"].([]any) {
					for k, v := range c.(map[string]any)["values"].(map[string]any) {
						if f, ok := v.(float64); ok && f > 0 && f < 5 && k != "active_end" && k != "new" && k != "recurred" {
							t.Errorf("criteria value %s = %v", k, v)
						}
					}
				}
			}
			// A custom window of one day is counted over its whole month.
			var w map[string]any
			if code, data := ts.doAs(t, tok, "GET", "/api/areas/20530/metrics?period=2025-03-14..2025-03-14", "", &w); code != 200 || w["period"] != "2025-03-01..2025-03-31" {
				t.Errorf("one-day window: %d period %v %.200s", code, w["period"], data)
			}
			if bad := smallCounts(w); len(bad) > 0 {
				t.Errorf("one-day window: small counts %v", bad)
			}
			if scope != "district" {
				return
			}
			// The district's table and its CSV: 20530's 3 "use" are
			// suppressed and so is 20533's 7 (a shown sum of 10 would give them away).
			var tb struct {
				Areas []map[string]any `json:"areas"`
			}
			if code, data := ts.doAs(t, tok, "GET", "/api/metrics?parent=503&period=2025-03", "", &tb); code != 200 || len(tb.Areas) != 2 {
				t.Fatalf("table: %d %s", code, data)
			}
			for _, a := range tb.Areas {
				if bad := smallCounts(a); len(bad) > 0 {
					t.Errorf("table %s: small counts %v", a["area"], bad)
				}
				if a["incidents"].(map[string]any)["use"] != "< 5" {
					t.Errorf("table %s: use %v, want both suppressed", a["area"], a["incidents"].(map[string]any)["use"])
				}
			}
			req, _ := http.NewRequest("GET", ts.URL+"/api/metrics?parent=503&period=2025-03&format=csv", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			recs, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
			if err != nil || len(recs) != 3 {
				t.Fatalf("csv %q: %v", data, err)
			}
			for i, col := range recs[0] {
				if col == "incidents_use" && (recs[1][i] != "< 5" || recs[2][i] != "< 5") {
					t.Errorf("csv incidents_use %q %q", recs[1][i], recs[2][i])
				}
			}

			// Emerging: res 8 at most, counts under the rule.
			var em struct {
				Res       int `json:"res"`
				Incidents any `json:"incidents"`
				Features  []struct {
					Properties map[string]any `json:"properties"`
				} `json:"features"`
			}
			if code, data := ts.doAs(t, tok, "GET", "/api/emerging?area=503&res=10&from=2025-01-01&to=2025-06-30", "", &em); code != 200 || em.Res > 8 {
				t.Fatalf("emerging: %d res %d %.300s", code, em.Res, data)
			}
			small := 0
			for _, f := range em.Features {
				for _, k := range []string{"count", "last_count"} {
					if n, ok := f.Properties[k].(float64); ok && n > 0 && n < 5 {
						t.Errorf("emerging %s %v below 5", k, n)
					}
					if f.Properties[k] == "< 5" {
						small++
					}
				}
			}
			if small == 0 {
				t.Errorf("emerging: no suppressed count (3 use at one point)")
			}
		})
	}
}

// The live metrics push: a viewer's message has the viewer's figures, an
// officer's the exact ones, from the same change (an event backdated to
// March 2025, whose month is recomputed).
func TestLiveMetricsUnderTheRule(t *testing.T) {
	ts := disclosureServer(t)
	officer := ts.dialAs(t, ts.addUser(t, "l-officer", hotspot.RoleOfficer, "20530"), `{"type":"subscribe","areas":["20530"]}`)
	viewer := ts.dialAs(t, ts.addUser(t, "l-viewer", hotspot.RoleViewer, "20530"), `{"type":"subscribe","areas":["20530"]}`)
	time.Sleep(100 * time.Millisecond)
	if code := ts.do(t, "POST", "/api/hotspots/1/events", `{"event":"eliminated","occurred_at":"2025-03-15"}`, nil); code != 201 {
		t.Fatalf("post: %d", code)
	}
	march := func(c *wsClient, who string) map[string]any {
		m, ok := waitForAreaMetrics(c, 5*time.Second)
		if !ok {
			t.Fatalf("%s: no metrics message", who)
		}
		var data struct {
			Metrics []map[string]any `json:"metrics"`
		}
		if err := json.Unmarshal(m.Data, &data); err != nil {
			t.Fatal(err)
		}
		for _, x := range data.Metrics {
			if x["period"] == "2025-03" {
				return x
			}
		}
		t.Fatalf("%s: no 2025-03 in %s", who, m.Data)
		return nil
	}
	om, vm := march(officer, "officer"), march(viewer, "viewer")
	if inc := om["incidents"].(map[string]any); inc["use"] != 3.0 || om["tips_received"] != 2.0 {
		t.Errorf("officer's push: %v", om)
	}
	if bad := smallCounts(vm); len(bad) > 0 || vm["incidents"].(map[string]any)["use"] != "< 5" || vm["eliminated"] != 1.0 {
		t.Errorf("viewer's push: small counts %v in %v", bad, vm)
	}
	// Each got one metrics message for the change, not both.
	if m, ok := waitForAreaMetrics(viewer, 700*time.Millisecond); ok {
		if data := string(m.Data); strings.Contains(data, `"use":3`) {
			t.Errorf("viewer also got the exact message: %s", data)
		}
	}
}

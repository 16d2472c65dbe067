package webmap_test

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

// The fixture of newTestServer: H1 detected 2025-01-10 in 20530, H2
// detected 2025-02-01 in 20533, both active.

func TestAreaMetricsAPI(t *testing.T) {
	ts := newTestServer(t)
	var m map[string]any
	if code := ts.do(t, "GET", "/api/areas/20530/metrics?period=2025", "", &m); code != 200 {
		t.Fatalf("commune: %d %v", code, m)
	}
	if m["area"] != "20530" || m["period"] != "2025" || m["active_during"] != 1.0 || m["new"] != 1.0 || m["active_end"] != 1.0 || m["elimination_rate"] != 0.0 || m["level"] != "commune" {
		t.Errorf("commune 20530 in 2025: %v", m)
	}
	target, _ := m["target"].(map[string]any)
	trend, _ := m["trend"].(map[string]any)
	if target["status"] != "below" || target["min"] != 0.05 || trend["direction"] == nil || m["class"] == nil {
		t.Errorf("target %v, trend %v, class %v", target, trend, m["class"])
	}
	if _, ok := m["rollup"]; ok {
		t.Errorf("a commune has no roll-up: %v", m["rollup"])
	}
	if cs, _ := m["criteria"].([]any); len(cs) != 6 {
		t.Errorf("criteria: %v", m["criteria"])
	}

	var d map[string]any
	if code := ts.do(t, "GET", "/api/areas/503/metrics?period=2025-Q1", "", &d); code != 200 {
		t.Fatalf("district: %d %v", code, d)
	}
	ru, _ := d["rollup"].(map[string]any)
	if d["active_during"] != 2.0 || d["new"] != 2.0 || ru == nil || ru["children"] != 2.0 {
		t.Errorf("district 503 in 2025-Q1: %v", d)
	}
	if tg, _ := d["target"].(map[string]any); tg["min"] != 0.0125 {
		t.Errorf("a quarter's band is prorated: %v", tg)
	}

	for _, tt := range []struct{ path, field string }{
		{"/api/areas/20530/metrics", "period"},
		{"/api/areas/20530/metrics?period=2025-13", "period"},
		{"/api/areas/20530/metrics?period=25", "period"},
		{"/api/areas/99999/metrics?period=2025", "area"},
		{"/api/metrics?period=2025", "parent"},
		{"/api/metrics?parent=20530&period=2025", "parent"},
		{"/api/metrics?parent=nope&period=2025", "parent"},
		{"/api/metrics?parent=503&period=2025-Q5", "period"},
		{"/api/metrics?parent=503&period=2025&format=xls", "format"},
	} {
		var e struct{ Error, Field string }
		if code := ts.do(t, "GET", tt.path, "", &e); code != 400 || e.Field != tt.field || e.Error == "" {
			t.Errorf("%s: %d %+v, want 400 on %q", tt.path, code, e, tt.field)
		}
	}
}

func TestChildMetricsAPI(t *testing.T) {
	ts := newTestServer(t)
	var body struct {
		Parent string           `json:"parent"`
		Period string           `json:"period"`
		RollUp map[string]any   `json:"rollup"`
		Areas  []map[string]any `json:"areas"`
	}
	if code := ts.do(t, "GET", "/api/metrics?parent=503&period=2025", "", &body); code != 200 {
		t.Fatalf("status %d", code)
	}
	if body.Parent != "503" || body.Period != "2025" || len(body.Areas) != 2 || body.Areas[0]["area"] != "20530" || body.Areas[1]["area"] != "20533" {
		t.Fatalf("body %+v", body)
	}
	if nw, _ := body.RollUp["new"].(map[string]any); nw["value"] != 2.0 || nw["status"] != "not_met" {
		t.Errorf("roll-up new: %v", body.RollUp["new"])
	}

	resp, err := ts.http.Get(ts.URL + "/api/metrics?parent=49&period=2025&format=csv")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="metrics-49-2025.csv"` {
		t.Fatalf("csv: %d %v", resp.StatusCode, resp.Header)
	}
	recs, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil || len(recs) != 3 || recs[0][0] != "area" || recs[1][0] != "20530" {
		t.Errorf("csv %q: %v", data, err)
	}
}

// TestEventPushesMetrics: an event pushes a metrics message for its area
// within a second, with the month and year of the event and of today.
func TestEventPushesMetrics(t *testing.T) {
	ts := newTestServer(t)
	c := ts.dial(t, `{"type":"subscribe","areas":["20530"]}`)
	other := ts.dial(t, `{"type":"subscribe","areas":["20533"]}`)
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	if code := ts.do(t, "POST", "/api/hotspots/1/events", `{"event":"eliminated","occurred_at":"2025-03-15"}`, nil); code != 201 {
		t.Fatalf("post: %d", code)
	}
	m, ok := waitForAreaMetrics(c, 3*time.Second)
	took := time.Since(start)
	if !ok {
		t.Fatal("no metrics message")
	}
	t.Logf("metrics reached the websocket in %v", took)
	if took > time.Second {
		t.Errorf("took %v, want under 1 s", took)
	}
	var data struct {
		Metrics []map[string]any `json:"metrics"`
	}
	if err := json.Unmarshal(m.Data, &data); err != nil {
		t.Fatal(err)
	}
	if m.Area != "20530" || m.Seq <= c.hello {
		t.Errorf("message %+v", m)
	}
	byPeriod := map[string]map[string]any{}
	for _, x := range data.Metrics {
		byPeriod[x["period"].(string)] = x
	}
	if y := byPeriod["2025"]; y == nil || y["eliminated"] != 1.0 || y["elimination_rate"] != 1.0 {
		t.Errorf("2025 in the message: %v", byPeriod["2025"])
	}
	if mo := byPeriod["2025-03"]; mo == nil || mo["eliminated"] != 1.0 {
		t.Errorf("2025-03 in the message: %v", byPeriod["2025-03"])
	}
	now := time.Now().In(time.FixedZone("ICT", 7*3600))
	if byPeriod[now.Format("2006")] == nil || byPeriod[now.Format("2006-01")] == nil {
		t.Errorf("today's month and year missing: %v", byPeriod)
	}
	for {
		m, ok := waitForAreaMetrics(other, 500*time.Millisecond)
		if !ok {
			break
		}
		if m.Area != "20533" {
			t.Errorf("20533's subscriber got metrics of %s", m.Area)
		}
	}
}

// TestMetricsDebounced: a burst of events for one area costs one message.
func TestMetricsDebounced(t *testing.T) {
	ts := newTestServer(t)
	c := ts.dial(t, `{"type":"subscribe","areas":["20530"]}`)
	time.Sleep(100 * time.Millisecond)
	for i, ev := range []string{"eliminated", "recurred", "eliminated", "recurred"} {
		body := `{"event":"` + ev + `","occurred_at":"2025-03-1` + string(rune('1'+i)) + `"}`
		if code := ts.do(t, "POST", "/api/hotspots/1/events", body, nil); code != 201 {
			t.Fatalf("post %s: %d", body, code)
		}
	}
	n := 0
	for {
		m, ok := c.next(700 * time.Millisecond)
		if !ok {
			break
		}
		if m.Type == "metrics" && m.Op == "update" && m.Seq > c.hello {
			n++
		}
	}
	if n < 1 || n > 2 {
		t.Errorf("%d metrics messages for a burst of 4 events, want 1 (2 if the burst straddled the window)", n)
	}
}

// waitForAreaMetrics waits for a metrics message about one area, skipping
// the "bulk" ones (reload everything) that the fixture's imports cause.
func waitForAreaMetrics(c *wsClient, wait time.Duration) (wsMessage, bool) {
	deadline := time.Now().Add(wait)
	for {
		m, ok := c.waitFor("metrics", time.Until(deadline))
		if !ok {
			return m, false
		}
		// Skip bulk reload hints and pushes still pending from the test's
		// setup (derived from changes at or before the client's hello).
		if m.Op != "bulk" && m.Seq > c.hello {
			return m, true
		}
	}
}

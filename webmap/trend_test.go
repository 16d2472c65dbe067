package webmap_test

import (
	"testing"

	"github.com/diaban/diaban/hotspot"
)

// trendBody is the body of GET /api/areas/{code}/trend.
type trendBody struct {
	Area   string    `json:"area"`
	Period string    `json:"period"`
	Months []string  `json:"months"`
	Scores []float64 `json:"scores"`
	Trend  struct {
		N         int       `json:"n"`
		Series    []float64 `json:"series"`
		Direction string    `json:"direction"`
	} `json:"trend"`
}

// TestAreaTrendAPI: the monthly series behind the scorecard's chart, for
// every kind of period, as each role and scope may read it; bad input is a
// 400 naming the field.
func TestAreaTrendAPI(t *testing.T) {
	ts := newTestServer(t)
	// H1 found in January 2025 and eliminated in September: the score falls.
	importText(t, ts.store, "events", "hotspot_ref,event,occurred_at,note\nH1,eliminated,2025-09-10,\n")
	ts.settle(t)

	var b trendBody
	if code := ts.do(t, "GET", "/api/areas/20530/trend?period=2025&months=24", "", &b); code != 200 {
		t.Fatalf("trend: %d", code)
	}
	if len(b.Months) != 24 || b.Months[0] != "2024-01" || b.Months[23] != "2025-12" || len(b.Scores) != 24 || b.Trend.N != 24 {
		t.Fatalf("months %v scores %v n %d: want January 2024 to December 2025", b.Months, b.Scores, b.Trend.N)
	}
	if b.Scores[0] != 0 || b.Scores[12] <= 0 || b.Scores[23] != 0 || b.Area != "20530" || b.Period != "2025" {
		t.Errorf("scores %v: want nothing in 2024, the active hotspot's weight from January 2025 until September, then 0", b.Scores)
	}
	var d trendBody
	if code := ts.do(t, "GET", "/api/areas/20530/trend?period=2025", "", &d); code != 200 || len(d.Scores) != 36 {
		t.Errorf("default: %d, %d months, want 36", code, len(d.Scores))
	}
	// Each kind of period ends the series at its last month (a window's last
	// month is the last it covers at least half of: hotspot.Period.LastMonth).
	for _, tt := range []struct{ period, last string }{
		{"2025-H1", "2025-06"}, {"2025-Q3", "2025-09"}, {"2025-10", "2025-10"}, {"2025-01-15..2025-08-14", "2025-07"}, {"2024-04-15..2025-04-30", "2025-04"},
	} {
		var x trendBody
		if code := ts.do(t, "GET", "/api/areas/20530/trend?period="+tt.period, "", &x); code != 200 || len(x.Months) == 0 || x.Months[len(x.Months)-1] != tt.last {
			t.Errorf("%s: %d, months %v: want the series to end in %s", tt.period, code, x.Months, tt.last)
		}
	}
	// Roles and scope as for the metrics: inside the user's area only.
	viewer := ts.addUser(t, "trend-viewer", hotspot.RoleViewer, "20530")
	officer := ts.addUser(t, "trend-officer", hotspot.RoleOfficer, "503")
	// A viewer gets the months and the test, not the scores.
	var v struct {
		Months   []string   `json:"months"`
		Scores   *[]float64 `json:"scores"`
		Withheld bool       `json:"withheld"`
		Trend    struct {
			N         int        `json:"n"`
			Series    *[]float64 `json:"series"`
			SenSlope  *float64   `json:"sen_slope"`
			Direction string     `json:"direction"`
		} `json:"trend"`
	}
	if code, body := ts.doAs(t, viewer, "GET", "/api/areas/20530/trend?period=2025", "", &v); code != 200 || !v.Withheld ||
		v.Scores != nil || v.Trend.Series != nil || v.Trend.SenSlope != nil || len(v.Months) != 36 || v.Trend.N != 36 || v.Trend.Direction == "" {
		t.Errorf("viewer: %d %s: want 36 months and the test without scores", code, body)
	}
	var o struct {
		Withheld bool      `json:"withheld"`
		Scores   []float64 `json:"scores"`
		Trend    struct {
			SenSlope *float64 `json:"sen_slope"`
		} `json:"trend"`
	}
	if code, body := ts.doAs(t, officer, "GET", "/api/areas/20530/trend?period=2025", "", &o); code != 200 || o.Withheld || len(o.Scores) != 36 || o.Trend.SenSlope == nil {
		t.Errorf("officer: %d %s: want the scores", code, body)
	}
	// A viewer's custom window is widened to whole months.
	var w trendBody
	if code, _ := ts.doAs(t, viewer, "GET", "/api/areas/20530/trend?period=2024-04-15..2025-04-14", "", &w); code != 200 || w.Period != "2024-04-01..2025-04-30" {
		t.Errorf("viewer's window: %d %q, want 2024-04-01..2025-04-30", code, w.Period)
	}
	for _, tt := range []struct {
		token, path string
		want        int
	}{
		{viewer, "/api/areas/20530/trend?period=2025", 200},
		{viewer, "/api/areas/20533/trend?period=2025", 404},
		{viewer, "/api/areas/503/trend?period=2025", 404},
		{officer, "/api/areas/503/trend?period=2025-H2", 200},
		{"", "/api/areas/20530/trend?period=2025", 401},
	} {
		if code, body := ts.doAs(t, tt.token, "GET", tt.path, "", nil); code != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.path, code, body, tt.want)
		}
	}
	for _, tt := range []struct{ path, field string }{
		{"/api/areas/20530/trend", "period"},
		{"/api/areas/20530/trend?period=2025-13", "period"},
		{"/api/areas/20530/trend?period=2025&months=6", "months"},
		{"/api/areas/20530/trend?period=2025&months=x", "months"},
		{"/api/areas/20530/trend?period=2025&as_of=1/7/2025", "as_of"},
		{"/api/areas/nowhere/trend?period=2025", "area"},
	} {
		var e struct{ Error, Field string }
		code := ts.do(t, "GET", tt.path, "", &e)
		if (code != 400 && code != 404) || e.Field != tt.field || e.Error == "" {
			t.Errorf("%s: %d %+v, want a 400 or 404 on %q", tt.path, code, e, tt.field)
		}
	}
}

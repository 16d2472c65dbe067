package store_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/metrics"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

// metricsFixture is the fixture district (province 49 > district 503 >
// communes 20530 west of 108.3°E, 20533 east of it) with hand-made
// histories. In commune 20530, year 2025:
//
//	A  detected 2024-05-01, eliminated 2025-03-01, recurred 2025-06-01, eliminated 2025-09-01
//	B  detected 2025-02-01, eliminated 2025-04-01   (found and eliminated in the period)
//	C  detected 2025-12-31T23:30+07:00              (2025, by half an hour)
//	D  detected 2026-01-01T00:00+07:00              (2026)
//
// so 2025 has active_start 1 (A), active_during 3 (A, B, C), active_end 1
// (C), new 2 (B, C), eliminated 2 (A, B), both sustained, recurred 1 (A),
// elimination_rate 2/3. In commune 20533: E detected 2025-01-10, never
// eliminated.
const (
	metricsHotspots = "ref,lon,lat,kind,name\n" +
		"A,108.25,15.9,dealing,\nB,108.26,15.9,storage,\nC,108.27,15.9,dealing,\nD,108.28,15.9,dealing,\nE,108.35,15.9,dealing,\n"
	metricsEvents = "hotspot_ref,event,occurred_at,note\n" +
		"A,detected,2024-05-01,\nA,eliminated,2025-03-01,\nA,recurred,2025-06-01,\nA,eliminated,2025-09-01,\n" +
		"B,detected,2025-02-01,\nB,eliminated,2025-04-01,\n" +
		"C,detected,2025-12-31T23:30:00+07:00,\nD,detected,2026-01-01T00:00:00+07:00,\n" +
		"E,detected,2025-01-10,\n"
	// Incidents near month ends in Vietnam time: 2025-01-31T17:30Z is
	// 1 February 00:30 in Hanoi, 2025-12-31T16:59Z still 31 December.
	metricsIncidents = "ref,lon,lat,kind,occurred_at\n" +
		"I1,108.25,15.9,trafficking,2025-01-31T17:30:00Z\n" +
		"I2,108.25,15.9,trafficking,2025-12-31T16:59:00Z\n" +
		"I3,108.25,15.9,use,2025-12-31T17:00:00Z\n" +
		"I4,108.25,15.9,production,2024-07-01\n" +
		"I5,108.35,15.9,storage,2025-05-05\n"
	metricsTips = "ref,received_at,handled_at,lon,lat,area_code\n" +
		"T1,2025-03-31T20:00:00Z,2025-04-02,108.25,15.9,\n" +
		"T2,2025-06-01,,108.25,15.9,\n" +
		"T3,2024-12-30,2025-01-02,,,20530\n"
	metricsIndicators = "area_code,period,key,value\n" +
		"20530,2024,registered_users,12\n20530,2025-06,registered_users,9\n20530,2026,registered_users,4\n" +
		"20530,2025,households_total,100\n20530,2025,households_reached,100\n"
)

// at reads an instant for the hand-built inputs.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := hotspot.ParseInstant(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func newMetricsStore(t *testing.T) (*store.Store, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	db := pgtest.New(t)
	s := store.NewStore(db.Pool)
	f, err := os.Open("../testdata/areas.geojson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := importer.Import(ctx, s, "areas", f, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, in := range []struct{ kind, text string }{
		{"hotspots", metricsHotspots}, {"events", metricsEvents}, {"incidents", metricsIncidents},
		{"tips", metricsTips}, {"indicators", metricsIndicators},
	} {
		if _, err := importer.Import(ctx, s, in.kind, strings.NewReader(in.text), importer.Options{}); err != nil {
			t.Fatalf("import %s: %v", in.kind, err)
		}
	}
	return s, ctx
}

// pureInput is commune 20530 of metricsFixture built by hand, for the pure
// package.
func pureInput(t *testing.T) metrics.AreaInput {
	ev := func(k hotspot.EventKind, s string, seq int64) metrics.Event {
		return metrics.Event{Kind: k, OccurredAt: at(t, s), Seq: seq}
	}
	h := func(t time.Time) *time.Time { return &t }
	return metrics.AreaInput{
		Code: "20530",
		Hotspots: []metrics.Hotspot{
			{ID: 1, Events: []metrics.Event{ev(hotspot.EventDetected, "2024-05-01", 1), ev(hotspot.EventEliminated, "2025-03-01", 2), ev(hotspot.EventRecurred, "2025-06-01", 3), ev(hotspot.EventEliminated, "2025-09-01", 4)}},
			{ID: 2, Events: []metrics.Event{ev(hotspot.EventDetected, "2025-02-01", 5), ev(hotspot.EventEliminated, "2025-04-01", 6)}},
			{ID: 3, Events: []metrics.Event{ev(hotspot.EventDetected, "2025-12-31T23:30:00+07:00", 7)}},
			{ID: 4, Events: []metrics.Event{ev(hotspot.EventDetected, "2026-01-01T00:00:00+07:00", 8)}},
		},
		Incidents: metrics.CountIncidents([]metrics.Incident{
			{Kind: hotspot.IncTrafficking, OccurredAt: at(t, "2025-01-31T17:30:00Z")},
			{Kind: hotspot.IncTrafficking, OccurredAt: at(t, "2025-12-31T16:59:00Z")},
			{Kind: hotspot.IncUse, OccurredAt: at(t, "2025-12-31T17:00:00Z")},
			{Kind: hotspot.IncProduction, OccurredAt: at(t, "2024-07-01")},
		}),
		Tips: metrics.CountTips([]metrics.Tip{
			{ReceivedAt: at(t, "2025-03-31T20:00:00Z"), HandledAt: h(at(t, "2025-04-02"))},
			{ReceivedAt: at(t, "2025-06-01")},
			{ReceivedAt: at(t, "2024-12-30"), HandledAt: h(at(t, "2025-01-02"))},
		}),
		Indicators: []metrics.IndicatorValue{
			{Key: "registered_users", Period: hotspot.YearPeriod(2024), Value: 12},
			{Key: "registered_users", Period: hotspot.MonthPeriod(2025, 6), Value: 9},
			{Key: "registered_users", Period: hotspot.YearPeriod(2026), Value: 4},
			{Key: "households_total", Period: hotspot.YearPeriod(2025), Value: 100},
			{Key: "households_reached", Period: hotspot.YearPeriod(2025), Value: 100},
		},
	}
}

func mustPeriod(t *testing.T, s string) hotspot.Period {
	t.Helper()
	p, err := hotspot.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ratio(v *float64) float64 {
	if v == nil {
		return -1
	}
	return *v
}

// TestMetricsLoadMatchesPure: the loader gives the pure package's numbers on
// the same histories, for every kind of period, and the hand-computed ones.
func TestMetricsLoadMatchesPure(t *testing.T) {
	s, ctx := newMetricsStore(t)
	cfg := metrics.DefaultConfig()
	pure := pureInput(t)
	for _, ps := range []string{"2025", "2024", "2026", "2025-Q1", "2025-Q4", "2025-12", "2025-02", "2026-01"} {
		t.Run(ps, func(t *testing.T) {
			p := mustPeriod(t, ps)
			in, shape, err := s.MetricsInput(ctx, "20530", cfg, p)
			if err != nil {
				t.Fatal(err)
			}
			if shape.Code != "20530" {
				t.Fatalf("area %s", shape.Code)
			}
			got, want := metrics.Compute(in, p, cfg), metrics.Compute(pure, p, cfg)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("from PostGIS\n%+v\nby hand\n%+v", got, want)
			}
		})
	}

	m := func(ps string) metrics.AreaMetrics {
		p := mustPeriod(t, ps)
		in, _, err := s.MetricsInput(ctx, "20530", cfg, p)
		if err != nil {
			t.Fatal(err)
		}
		return metrics.Compute(in, p, cfg)
	}
	y := m("2025")
	got := [...]int{y.ActiveStart, y.ActiveDuring, y.ActiveEnd, y.New, y.Eliminated, y.EliminatedSustained, y.Recurred}
	if want := [...]int{1, 3, 1, 2, 2, 2, 1}; got != want {
		t.Errorf("2025 start, during, end, new, eliminated, sustained, recurred = %v, want %v", got, want)
	}
	if r := ratio(y.EliminationRate); r < 0.6666 || r > 0.6667 {
		t.Errorf("2025 elimination rate %v, want 2/3", r)
	}
	// Tips: received 2025-04-01 (Hanoi) and handled the next day, received
	// 2025-06-01 and never handled; received 2024-12-30 and handled
	// 2025-01-02 counts apart, as the handling of an older tip.
	if y.Incidents[hotspot.IncTrafficking] != 2 || y.Incidents[hotspot.IncUse] != 0 || y.TipsReceived != 2 || y.TipsHandled != 1 || y.TipsHandledEarlier != 1 {
		t.Errorf("2025 incidents %v, tips %d/%d, earlier %d", y.Incidents, y.TipsHandled, y.TipsReceived, y.TipsHandledEarlier)
	}
	if y.RegisteredUsers == nil || *y.RegisteredUsers != 9 {
		t.Errorf("2025 registered users %v, want 9 (2025-06)", y.RegisteredUsers)
	}
	if feb, jan := m("2025-02"), m("2025-01"); feb.Incidents[hotspot.IncTrafficking] != 1 || jan.Incidents[hotspot.IncTrafficking] != 0 {
		t.Errorf("2025-01-31T17:30Z is February in Hanoi: jan %v, feb %v", jan.Incidents, feb.Incidents)
	}
	if apr, mar := m("2025-04"), m("2025-03"); apr.TipsReceived != 1 || mar.TipsReceived != 0 {
		t.Errorf("2025-03-31T20:00Z is April in Hanoi: mar %d, apr %d", mar.TipsReceived, apr.TipsReceived)
	}
	if n := m("2026"); n.New != 1 || n.ActiveStart != 1 || n.Incidents[hotspot.IncUse] != 1 {
		t.Errorf("2026: new %d, active_start %d, incidents %v", n.New, n.ActiveStart, n.Incidents)
	}
}

// TestMetricsYearBoundary: an event at 23:30 on 31 December in Vietnam is
// the old year's; one at 00:00 on 1 January the new year's.
func TestMetricsYearBoundary(t *testing.T) {
	s, ctx := newMetricsStore(t)
	cfg := metrics.DefaultConfig()
	for _, tt := range []struct {
		period         string
		new, activeEnd int
	}{
		{"2025", 2, 1},    // B and C; C active at the end
		{"2025-12", 1, 1}, // C
		{"2026-01", 1, 2}, // D; C and D active
	} {
		p := mustPeriod(t, tt.period)
		in, _, err := s.MetricsInput(ctx, "20530", cfg, p)
		if err != nil {
			t.Fatal(err)
		}
		got := metrics.Compute(in, p, cfg)
		if got.New != tt.new || got.ActiveEnd != tt.activeEnd {
			t.Errorf("%s: new %d, active_end %d; want %d, %d", tt.period, got.New, got.ActiveEnd, tt.new, tt.activeEnd)
		}
	}
}

// TestMetricsBackdatedEvent: an elimination recorded now but dated in 2024
// moves 2024's numbers and 2025's opening stock.
func TestMetricsBackdatedEvent(t *testing.T) {
	s, ctx := newMetricsStore(t)
	cfg := metrics.DefaultConfig()
	y2024, y2025 := hotspot.YearPeriod(2024), hotspot.YearPeriod(2025)
	compute := func(p hotspot.Period) metrics.AreaMetrics {
		in, _, err := s.MetricsInput(ctx, "20533", cfg, p)
		if err != nil {
			t.Fatal(err)
		}
		return metrics.Compute(in, p, cfg)
	}
	// F, found in 20533 in March 2024 and, as recorded, still active.
	for _, in := range []struct{ kind, text string }{
		{"hotspots", "ref,lon,lat,kind,name\nF,108.36,15.9,dealing,\n"},
		{"events", "hotspot_ref,event,occurred_at,note\nF,detected,2024-03-01,\n"},
	} {
		if _, err := importer.Import(ctx, s, in.kind, strings.NewReader(in.text), importer.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	b24, b25 := compute(y2024), compute(y2025)
	if b24.Eliminated != 0 || b24.ActiveEnd != 1 || b25.ActiveStart != 1 || b25.ActiveDuring != 2 {
		t.Fatalf("before: 2024 eliminated %d, active_end %d; 2025 active_start %d, active_during %d",
			b24.Eliminated, b24.ActiveEnd, b25.ActiveStart, b25.ActiveDuring)
	}
	var f int64
	if err := s.Pool().QueryRow(ctx, `SELECT id FROM hotspots WHERE ref = 'F'`).Scan(&f); err != nil {
		t.Fatal(err)
	}
	// Recorded today, it happened on 1 October 2024.
	if _, err := s.AddEvent(ctx, f, hotspot.Event{Kind: hotspot.EventEliminated, OccurredAt: at(t, "2024-10-01")}); err != nil {
		t.Fatal(err)
	}
	a24, a25 := compute(y2024), compute(y2025)
	if a24.Eliminated != 1 || a24.ActiveEnd != 0 || ratio(a24.EliminationRate) != 1 {
		t.Errorf("after: 2024 eliminated %d, active_end %d, rate %v; want 1, 0, 1", a24.Eliminated, a24.ActiveEnd, ratio(a24.EliminationRate))
	}
	if a25.ActiveStart != 0 || a25.ActiveDuring != 1 || a25.PreviousEliminated != 1 {
		t.Errorf("after: 2025 active_start %d, active_during %d, previous_eliminated %d; want 0, 1, 1", a25.ActiveStart, a25.ActiveDuring, a25.PreviousEliminated)
	}
}

// TestMetricsBoundaryReplaced: commune 20530 gets a new boundary from
// 1 July 2025; its hotspots keep their whole history and the year's numbers
// do not move.
func TestMetricsBoundaryReplaced(t *testing.T) {
	s, ctx := newMetricsStore(t)
	cfg := metrics.DefaultConfig()
	p := hotspot.YearPeriod(2025)
	compute := func() metrics.AreaMetrics {
		in, _, err := s.MetricsInput(ctx, "20530", cfg, p)
		if err != nil {
			t.Fatal(err)
		}
		return metrics.Compute(in, p, cfg)
	}
	before := compute()
	const newBoundary = `{"type":"FeatureCollection","features":[{"type":"Feature",
	  "properties":{"code":"20530","name":"Phường Một (mới)","level":"commune","parent_code":"503","valid_from":"2025-07-01"},
	  "geometry":{"type":"Polygon","coordinates":[[[108.2,15.8],[108.31,15.8],[108.31,16.0],[108.2,16.0],[108.2,15.8]]]}}]}`
	if _, err := importer.Import(ctx, s, "areas", strings.NewReader(newBoundary), importer.Options{}); err != nil {
		t.Fatal(err)
	}
	var versions int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM area_versions v JOIN areas a ON a.id = v.area_id WHERE a.code = '20530'`).Scan(&versions); err != nil || versions != 2 {
		t.Fatalf("versions of 20530: %d %v", versions, err)
	}
	after := compute()
	if !reflect.DeepEqual(before, after) {
		t.Errorf("boundary change moved the numbers:\nbefore %+v\nafter  %+v", before, after)
	}
	if after.ActiveStart != 1 || after.Eliminated != 2 {
		t.Errorf("history lost: active_start %d, eliminated %d", after.ActiveStart, after.Eliminated)
	}
}

// TestMetricsChildren: a district's communes come one input each, sorted,
// and a parent's own input holds everything below it. Hotspots with no event
// before the period's end (D, detected in 2026) are not loaded.
func TestMetricsChildren(t *testing.T) {
	s, ctx := newMetricsStore(t)
	cfg := metrics.DefaultConfig()
	p := hotspot.YearPeriod(2025)
	for _, parent := range []string{"503", "49"} {
		ins, err := s.ChildMetricsInputs(ctx, parent, p, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(ins) != 2 || ins[0].Code != "20530" || ins[1].Code != "20533" || len(ins[0].Hotspots) != 3 || len(ins[1].Hotspots) != 1 {
			t.Fatalf("children of %s: %+v", parent, ins)
		}
		r, ms := metrics.ComputeRollUp(parent, ins, p, cfg, 1)
		if r.Children != 2 || r.New.Value == nil || *r.New.Value != 3 || r.Eliminated != 2 || len(ms) != 2 {
			t.Errorf("roll-up of %s: %+v", parent, r)
		}
	}
	in, _, err := s.MetricsInput(ctx, "503", cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	if d := metrics.Compute(in, p, cfg); d.ActiveDuring != 4 || d.New != 3 || d.Incidents[hotspot.IncStorage] != 1 {
		t.Errorf("district 503 as one area: %+v", d)
	}
	var ve *hotspot.ValidationError
	if _, err := s.ChildMetricsInputs(ctx, "20530", p, cfg); !errors.As(err, &ve) || ve.Field != "parent" {
		t.Errorf("a commune as parent: %v", err)
	}
	if _, _, err := s.MetricsInput(ctx, "nope", cfg, p); !errors.As(err, &ve) || ve.Field != "area" {
		t.Errorf("unknown area: %v", err)
	}
}

// TestMetricsDistrictRollsUpIndicators: a district's registered_users is
// the sum of its communes' (null, with a note naming the commune, while
// one reports none), and its tips handled share counts only the tips it
// received in the period (issue 16).
func TestMetricsDistrictRollsUpIndicators(t *testing.T) {
	s, ctx := newMetricsStore(t)
	cfg := metrics.DefaultConfig()
	get := func(code, ps string) metrics.AreaMetrics {
		t.Helper()
		p := mustPeriod(t, ps)
		in, _, err := s.MetricsInput(ctx, code, cfg, p)
		if err != nil {
			t.Fatal(err)
		}
		return metrics.Compute(in, p, cfg)
	}
	d := get("503", "2025")
	if d.RegisteredUsers != nil || len(d.Notes) != 1 || !strings.Contains(d.Notes[0], "20533") || strings.Contains(d.Notes[0], "20530") {
		t.Errorf("503 in 2025 with 20533 unreported: registered_users %v, notes %q", d.RegisteredUsers, d.Notes)
	}
	if d.TipsReceived != 2 || d.TipsHandled != 1 || d.TipsHandledEarlier != 1 || d.TipsHandledShare == nil || *d.TipsHandledShare != 0.5 {
		t.Errorf("503 in 2025: tips %d/%d, earlier %d, share %v", d.TipsHandled, d.TipsReceived, d.TipsHandledEarlier, d.TipsHandledShare)
	}
	if _, err := importer.Import(ctx, s, "indicators", strings.NewReader("area_code,period,key,value\n20533,2025-03,registered_users,5\n503,2025,registered_users,1000\n"), importer.Options{}); err != nil {
		t.Fatal(err)
	}
	d = get("503", "2025")
	if d.RegisteredUsers == nil || *d.RegisteredUsers != 9+5 || len(d.Notes) != 0 {
		t.Errorf("503 in 2025: registered_users %v, notes %q; want 14 (9 + 5, the district's own 1000 left out)", d.RegisteredUsers, d.Notes)
	}
	if c := get("20530", "2025"); c.RegisteredUsers == nil || *c.RegisteredUsers != 9 {
		t.Errorf("20530 in 2025: %v, want its own 9", c.RegisteredUsers)
	}
	// The province rolls up its district (itself rolled up).
	if p := get("49", "2025"); p.RegisteredUsers == nil || *p.RegisteredUsers != 14 {
		t.Errorf("49 in 2025: %v, want 14", p.RegisteredUsers)
	}
}

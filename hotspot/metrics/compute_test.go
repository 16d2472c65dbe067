package metrics

import (
	"math"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
)

func ev(kind hotspot.EventKind, ts string) Event { return Event{Kind: kind, OccurredAt: at(ts)} }

func hs(id int64, evs ...Event) Hotspot {
	for i := range evs {
		if evs[i].Seq == 0 {
			evs[i].Seq = id*1000 + int64(i)
		}
	}
	return Hotspot{ID: id, Events: evs}
}

// counts is the hotspot part of AreaMetrics, for compact fixtures.
type counts struct {
	start, during, end, new, elim, sustained, recurred, irregular int
}

func countsOf(m AreaMetrics) counts {
	return counts{m.ActiveStart, m.ActiveDuring, m.ActiveEnd, m.New, m.Eliminated, m.EliminatedSustained, m.Recurred, m.IrregularEvents}
}

func f(v float64) *float64 { return &v }

func eqPtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) < 1e-12
}

func str(v *float64) string {
	if v == nil {
		return "null"
	}
	return ftoa(*v)
}

func TestHotspotCounts(t *testing.T) {
	y2025 := hotspot.YearPeriod(2025)
	tests := []struct {
		name     string
		hotspots []Hotspot
		p        hotspot.Period
		want     counts
		rate     *float64
	}{
		{
			name: "no hotspot at all: the rate is null, not 0",
			p:    y2025, want: counts{}, rate: nil,
		},
		{
			name:     "no hotspot at the period start, one detected in it",
			hotspots: []Hotspot{hs(1, ev(hotspot.EventDetected, "2025-03-01T10:00:00+07:00"))},
			p:        y2025, want: counts{start: 0, during: 1, end: 1, new: 1}, rate: f(0),
		},
		{
			name: "detected and eliminated in the same period",
			hotspots: []Hotspot{hs(1,
				ev(hotspot.EventDetected, "2025-02-01T10:00:00+07:00"),
				ev(hotspot.EventEliminated, "2025-05-01T10:00:00+07:00"))},
			p: y2025, want: counts{during: 1, new: 1, elim: 1, sustained: 1}, rate: f(1),
		},
		{
			name: "eliminated, recurred and eliminated again in one year counts once",
			hotspots: []Hotspot{hs(1,
				ev(hotspot.EventDetected, "2024-05-01T10:00:00+07:00"),
				ev(hotspot.EventEliminated, "2025-02-01T10:00:00+07:00"),
				ev(hotspot.EventRecurred, "2025-06-01T10:00:00+07:00"),
				ev(hotspot.EventEliminated, "2025-10-01T10:00:00+07:00"))},
			p: y2025, want: counts{start: 1, during: 1, end: 0, elim: 1, sustained: 1, recurred: 1}, rate: f(1),
		},
		{
			name: "eliminated then recurred: not sustained, active at the end",
			hotspots: []Hotspot{hs(1,
				ev(hotspot.EventDetected, "2024-05-01T10:00:00+07:00"),
				ev(hotspot.EventEliminated, "2025-03-01T10:00:00+07:00"),
				ev(hotspot.EventRecurred, "2025-09-01T10:00:00+07:00"))},
			p: y2025, want: counts{start: 1, during: 1, end: 1, elim: 1, sustained: 0, recurred: 1}, rate: f(1),
		},
		{
			name: "eliminated before the period and still eliminated: counts nowhere",
			hotspots: []Hotspot{hs(1,
				ev(hotspot.EventDetected, "2023-05-01T10:00:00+07:00"),
				ev(hotspot.EventEliminated, "2024-03-01T10:00:00+07:00"),
				ev(hotspot.EventNote, "2025-03-01T10:00:00+07:00"))},
			p: y2025, want: counts{}, rate: nil,
		},
		{
			name: "recurred in the period after an elimination the year before",
			hotspots: []Hotspot{hs(1,
				ev(hotspot.EventDetected, "2023-05-01T10:00:00+07:00"),
				ev(hotspot.EventEliminated, "2024-03-01T10:00:00+07:00"),
				ev(hotspot.EventRecurred, "2025-03-01T10:00:00+07:00"))},
			p: y2025, want: counts{during: 1, end: 1, recurred: 1}, rate: f(0),
		},
		{
			name: "mixed area: 4 hotspots",
			hotspots: []Hotspot{
				hs(1, ev(hotspot.EventDetected, "2024-01-10T08:00:00+07:00")),                                                           // active all year
				hs(2, ev(hotspot.EventDetected, "2024-01-10T08:00:00+07:00"), ev(hotspot.EventEliminated, "2025-06-10T08:00:00+07:00")), // eliminated
				hs(3, ev(hotspot.EventDetected, "2025-11-10T08:00:00+07:00")),                                                           // new
				hs(4, ev(hotspot.EventDetected, "2026-01-10T08:00:00+07:00")),                                                           // future
			},
			p: y2025, want: counts{start: 2, during: 3, end: 2, new: 1, elim: 1, sustained: 1}, rate: f(1.0 / 3),
		},
		{
			name: "eliminated at 23:30 on 31 December local belongs to 2025",
			hotspots: []Hotspot{hs(1,
				ev(hotspot.EventDetected, "2024-01-01T10:00:00+07:00"),
				ev(hotspot.EventEliminated, "2025-12-31T23:30:00+07:00"))},
			p: y2025, want: counts{start: 1, during: 1, end: 0, elim: 1, sustained: 1}, rate: f(1),
		},
		{
			name: "eliminated at 23:30 on 31 December local: 2026 opens with nothing",
			hotspots: []Hotspot{hs(1,
				ev(hotspot.EventDetected, "2024-01-01T10:00:00+07:00"),
				ev(hotspot.EventEliminated, "2025-12-31T23:30:00+07:00"))},
			p: hotspot.YearPeriod(2026), want: counts{}, rate: nil,
		},
		{
			name: "eliminated at 00:00 on 1 January local does not count in 2025",
			hotspots: []Hotspot{hs(1,
				ev(hotspot.EventDetected, "2024-01-01T10:00:00+07:00"),
				ev(hotspot.EventEliminated, "2026-01-01T00:00:00+07:00"))},
			p: y2025, want: counts{start: 1, during: 1, end: 1}, rate: f(0),
		},
		{
			name: "eliminated at 00:00 on 1 January local counts in 2026, active at its start",
			hotspots: []Hotspot{hs(1,
				ev(hotspot.EventDetected, "2024-01-01T10:00:00+07:00"),
				ev(hotspot.EventEliminated, "2026-01-01T00:00:00+07:00"))},
			p: hotspot.YearPeriod(2026), want: counts{start: 1, during: 1, elim: 1, sustained: 1}, rate: f(1),
		},
		{
			name:     "detected at the exact start is new, not active at the start",
			hotspots: []Hotspot{hs(1, ev(hotspot.EventDetected, "2025-01-01T00:00:00+07:00"))},
			p:        y2025, want: counts{during: 1, end: 1, new: 1}, rate: f(0),
		},
		{
			name: "detected and eliminated at the same instant, ordered by Seq",
			hotspots: []Hotspot{{ID: 1, Events: []Event{
				{Kind: hotspot.EventDetected, OccurredAt: at("2025-04-01T09:00:00+07:00"), Seq: 1},
				{Kind: hotspot.EventEliminated, OccurredAt: at("2025-04-01T09:00:00+07:00"), Seq: 2}}}},
			p: y2025, want: counts{during: 1, new: 1, elim: 1, sustained: 1}, rate: f(1),
		},
		{
			name: "quarter: a hotspot eliminated in Q2 is not active during Q3",
			hotspots: []Hotspot{
				hs(1, ev(hotspot.EventDetected, "2024-01-10T08:00:00+07:00"), ev(hotspot.EventEliminated, "2025-05-10T08:00:00+07:00")),
				hs(2, ev(hotspot.EventDetected, "2024-01-10T08:00:00+07:00"), ev(hotspot.EventEliminated, "2025-08-10T08:00:00+07:00")),
			},
			p: hotspot.QuarterPeriod(2025, 3), want: counts{start: 1, during: 1, elim: 1, sustained: 1}, rate: f(1),
		},
	}
	cfg := DefaultConfig()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Compute(AreaInput{Code: "X", Hotspots: tt.hotspots}, tt.p, cfg)
			if got := countsOf(m); got != tt.want {
				t.Errorf("counts = %+v\n          want %+v", got, tt.want)
			}
			if !eqPtr(m.EliminationRate, tt.rate) {
				t.Errorf("elimination_rate = %s, want %s", str(m.EliminationRate), str(tt.rate))
			}
			if m.Eliminated > m.ActiveDuring || m.EliminatedSustained > m.Eliminated || m.New > m.ActiveDuring {
				t.Errorf("invariant broken: %+v", countsOf(m))
			}
		})
	}
}

func TestIllegalOrderTolerated(t *testing.T) {
	y2025 := hotspot.YearPeriod(2025)
	tests := []struct {
		name string
		h    Hotspot
		want counts
	}{
		{
			name: "events out of order are sorted (on a copy)",
			h: hs(1,
				ev(hotspot.EventEliminated, "2025-06-01T10:00:00+07:00"),
				ev(hotspot.EventDetected, "2025-02-01T10:00:00+07:00")),
			want: counts{during: 1, new: 1, elim: 1, sustained: 1},
		},
		{
			name: "eliminated without detection: status eliminated, not counted, irregular",
			h:    hs(1, ev(hotspot.EventEliminated, "2025-06-01T10:00:00+07:00")),
			want: counts{irregular: 1},
		},
		{
			name: "eliminated twice: counted once, the second is irregular",
			h: hs(1,
				ev(hotspot.EventDetected, "2024-02-01T10:00:00+07:00"),
				ev(hotspot.EventEliminated, "2025-03-01T10:00:00+07:00"),
				ev(hotspot.EventEliminated, "2025-06-01T10:00:00+07:00")),
			want: counts{start: 1, during: 1, elim: 1, sustained: 1, irregular: 1},
		},
		{
			name: "recurred while active: counted as recurred, irregular",
			h: hs(1,
				ev(hotspot.EventDetected, "2024-02-01T10:00:00+07:00"),
				ev(hotspot.EventRecurred, "2025-03-01T10:00:00+07:00")),
			want: counts{start: 1, during: 1, end: 1, recurred: 1, irregular: 1},
		},
		{
			name: "detected again after elimination: active again, new, irregular",
			h: hs(1,
				ev(hotspot.EventDetected, "2024-02-01T10:00:00+07:00"),
				ev(hotspot.EventEliminated, "2024-03-01T10:00:00+07:00"),
				ev(hotspot.EventDetected, "2025-03-01T10:00:00+07:00")),
			want: counts{during: 1, end: 1, new: 1, irregular: 1},
		},
		{
			name: "note before detection and an unknown kind change nothing",
			h: hs(1,
				ev(hotspot.EventNote, "2025-01-05T10:00:00+07:00"),
				ev("confirmed", "2025-01-06T10:00:00+07:00"),
				ev(hotspot.EventDetected, "2025-02-01T10:00:00+07:00")),
			want: counts{during: 1, end: 1, new: 1, irregular: 2},
		},
		{
			name: "no events at all",
			h:    Hotspot{ID: 1},
			want: counts{},
		},
	}
	cfg := DefaultConfig()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := append([]Event(nil), tt.h.Events...)
			m := Compute(AreaInput{Hotspots: []Hotspot{tt.h}}, y2025, cfg)
			if got := countsOf(m); got != tt.want {
				t.Errorf("counts = %+v\n          want %+v", got, tt.want)
			}
			for i := range orig {
				if orig[i] != tt.h.Events[i] {
					t.Fatal("Compute reordered the caller's events")
				}
			}
		})
	}
}

func TestBackdatedEventMovesLastYear(t *testing.T) {
	cfg := DefaultConfig()
	area := AreaInput{Code: "X", Hotspots: []Hotspot{
		hs(1, ev(hotspot.EventDetected, "2023-05-01T10:00:00+07:00")),
		hs(2, ev(hotspot.EventDetected, "2023-05-01T10:00:00+07:00"), ev(hotspot.EventEliminated, "2025-04-01T10:00:00+07:00")),
	}}
	before24 := Compute(area, hotspot.YearPeriod(2024), cfg)
	before25 := Compute(area, hotspot.YearPeriod(2025), cfg)
	if before24.Eliminated != 0 || before24.ActiveEnd != 2 || before25.PreviousEliminated != 0 || before25.EliminationGrowth != nil {
		t.Fatalf("before: 2024 %+v, 2025 growth %s", countsOf(before24), str(before25.EliminationGrowth))
	}

	// Recorded in March 2025, occurred in November 2024: hotspot 1 was
	// eliminated last year.
	area.Hotspots[0].Events = append(area.Hotspots[0].Events, ev(hotspot.EventEliminated, "2024-11-20T10:00:00+07:00"))
	after24 := Compute(area, hotspot.YearPeriod(2024), cfg)
	after25 := Compute(area, hotspot.YearPeriod(2025), cfg)
	if want := (counts{start: 2, during: 2, end: 1, elim: 1, sustained: 1}); countsOf(after24) != want {
		t.Errorf("2024 after = %+v, want %+v", countsOf(after24), want)
	}
	if !eqPtr(after24.EliminationRate, f(0.5)) {
		t.Errorf("2024 rate = %s, want 0.5", str(after24.EliminationRate))
	}
	if want := (counts{start: 1, during: 1, elim: 1, sustained: 1}); countsOf(after25) != want {
		t.Errorf("2025 after = %+v, want %+v", countsOf(after25), want)
	}
	// 2025 eliminated 1 against 1 in 2024: growth 0, and the 2025 rate is 1/1.
	if after25.PreviousEliminated != 1 || !eqPtr(after25.EliminationGrowth, f(0)) || !eqPtr(after25.EliminationRate, f(1)) {
		t.Errorf("2025 after: previous %d growth %s rate %s", after25.PreviousEliminated, str(after25.EliminationGrowth), str(after25.EliminationRate))
	}
}

func TestEliminationGrowth(t *testing.T) {
	// Two eliminations in 2024, three in 2025: growth 0.5.
	var hsx []Hotspot
	for i, d := range []string{"2024-03-01", "2024-09-01", "2025-02-01", "2025-06-01", "2025-12-01"} {
		hsx = append(hsx, hs(int64(i+1), ev(hotspot.EventDetected, "2023-01-01T00:00:00+07:00"), ev(hotspot.EventEliminated, d+"T09:00:00+07:00")))
	}
	m := Compute(AreaInput{Hotspots: hsx}, hotspot.YearPeriod(2025), DefaultConfig())
	if m.PreviousEliminated != 2 || m.Eliminated != 3 || !eqPtr(m.EliminationGrowth, f(0.5)) {
		t.Errorf("previous %d, eliminated %d, growth %s", m.PreviousEliminated, m.Eliminated, str(m.EliminationGrowth))
	}
	// Quarters: Q1 2025 (1) against Q4 2024 (0): null.
	q := Compute(AreaInput{Hotspots: hsx}, hotspot.QuarterPeriod(2025, 1), DefaultConfig())
	if q.PreviousEliminated != 0 || q.EliminationGrowth != nil {
		t.Errorf("Q1: previous %d growth %s", q.PreviousEliminated, str(q.EliminationGrowth))
	}
}

// stock returns n hotspots detected in 2023 and the eliminations given by
// date, one per hotspot from the first.
func stock(n int, eliminated ...string) []Hotspot {
	out := make([]Hotspot, n)
	for i := range out {
		out[i] = hs(int64(i+1), ev(hotspot.EventDetected, "2023-01-01T00:00:00+07:00"))
	}
	for i, d := range eliminated {
		out[i].Events = append(out[i].Events, ev(hotspot.EventEliminated, d+"T09:00:00+07:00"))
	}
	return out
}

func TestTargetQuarterProration(t *testing.T) {
	q3 := hotspot.QuarterPeriod(2025, 3)
	tests := []struct {
		name      string
		hotspots  []Hotspot
		value     *float64
		status    TargetStatus
		projValue *float64
		projState TargetStatus
	}{
		{"none eliminated: below", stock(80), f(0), StatusBelow, f(0), StatusBelow},
		{"1 of 80 is exactly the prorated min 0.05/4", stock(80, "2025-08-01"), f(1.0 / 80), StatusMet, f(1.0 * 12 / 9 / 80), StatusBelow},
		{"2 of 80 is exactly the prorated max 0.10/4", stock(80, "2025-08-01", "2025-09-01"), f(2.0 / 80), StatusMet, f(2.0 * 12 / 9 / 80), StatusBelow},
		{"3 of 80: exceeded", stock(80, "2025-07-01", "2025-08-01", "2025-09-01"), f(3.0 / 80), StatusExceeded, f(3.0 * 12 / 9 / 80), StatusMet},
		{
			"one a quarter since January: Q3 rate 1/78, projected 4/80 = 0.05 met",
			stock(80, "2025-02-01", "2025-05-01", "2025-08-01"), f(1.0 / 78), StatusMet, f(0.05), StatusMet,
		},
		{"no hotspot: undefined", nil, nil, StatusUndefined, nil, StatusUndefined},
	}
	cfg := DefaultConfig()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Compute(AreaInput{Hotspots: tt.hotspots}, q3, cfg)
			tg := m.Target
			if tg.Measure != MeasureRate || math.Abs(tg.Min-0.0125) > 1e-15 || math.Abs(tg.Max-0.025) > 1e-15 {
				t.Errorf("band = %s [%v, %v], want elimination_rate [0.0125, 0.025]", tg.Measure, tg.Min, tg.Max)
			}
			if !eqPtr(tg.Value, tt.value) || tg.Status != tt.status {
				t.Errorf("value %s %s, want %s %s", str(tg.Value), tg.Status, str(tt.value), tt.status)
			}
			pr := tg.Projection
			if pr.MonthsElapsed != 9 || pr.Min != 0.05 || pr.Max != 0.10 {
				t.Errorf("projection frame = %+v", pr)
			}
			if !eqPtr(pr.Value, tt.projValue) || pr.Status != tt.projState {
				t.Errorf("projection %s %s, want %s %s", str(pr.Value), pr.Status, str(tt.projValue), tt.projState)
			}
		})
	}
}

func TestTargetMonthAndYear(t *testing.T) {
	cfg := DefaultConfig()
	// 2025-02: one eliminated in January, none in February, 80 hotspots.
	// Month band 0.05/12–0.10/12; February's rate 0/79: below. Year to date
	// 2 months, pace 1 × 12/2 = 6 eliminations on 80: 0.075, met.
	m := Compute(AreaInput{Hotspots: stock(80, "2025-01-15")}, hotspot.MonthPeriod(2025, time.February), cfg)
	if math.Abs(m.Target.Min-0.05/12) > 1e-15 || m.Target.Status != StatusBelow || !eqPtr(m.EliminationRate, f(0)) {
		t.Errorf("month target %+v", m.Target)
	}
	if pr := m.Target.Projection; pr.MonthsElapsed != 2 || pr.EliminatedYTD != 1 || pr.ActiveDuringYTD != 80 || !eqPtr(pr.Value, f(0.075)) || pr.Status != StatusMet {
		t.Errorf("month projection %+v value %s", pr, str(pr.Value))
	}
	// A pace faster than the stock is capped at 1: 3 of 4 in January.
	m = Compute(AreaInput{Hotspots: stock(4, "2025-01-05", "2025-01-06", "2025-01-07")}, hotspot.MonthPeriod(2025, time.January), cfg)
	if !eqPtr(m.Target.Projection.Value, f(1)) || m.Target.Projection.Status != StatusExceeded {
		t.Errorf("capped projection %s %s", str(m.Target.Projection.Value), m.Target.Projection.Status)
	}
	// A year: the projection is the value.
	y := Compute(AreaInput{Hotspots: stock(20, "2025-03-01")}, hotspot.YearPeriod(2025), cfg)
	if !eqPtr(y.Target.Value, f(0.05)) || !eqPtr(y.Target.Projection.Value, y.Target.Value) || y.Target.Status != StatusMet || y.Target.Projection.MonthsElapsed != 12 {
		t.Errorf("year target %+v", y.Target)
	}
}

func TestTargetGrowthMeasure(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Target.Measure = MeasureGrowth
	// 2024: 2 eliminated (Q2 and Q4). 2025: 1 in Q1, 1 in Q2, 1 in Q3.
	hsx := stock(40, "2024-05-01", "2024-11-01", "2025-02-01", "2025-05-01", "2025-08-01")
	m := Compute(AreaInput{Hotspots: hsx}, hotspot.QuarterPeriod(2025, 3), cfg)
	lo, hi := math.Pow(1.05, 0.25)-1, math.Pow(1.10, 0.25)-1
	if math.Abs(m.Target.Min-lo) > 1e-15 || math.Abs(m.Target.Max-hi) > 1e-15 {
		t.Errorf("quarter growth band [%v, %v], want [%v, %v]", m.Target.Min, m.Target.Max, lo, hi)
	}
	// Q3 (1) against Q2 (1): growth 0, below.
	if !eqPtr(m.Target.Value, f(0)) || m.Target.Status != StatusBelow {
		t.Errorf("value %s %s", str(m.Target.Value), m.Target.Status)
	}
	// Pace 3 × 12/9 = 4 against 2 in 2024: growth 1, exceeded.
	pr := m.Target.Projection
	if pr.PreviousYearEliminated != 2 || pr.EliminatedYTD != 3 || !eqPtr(pr.Value, f(1)) || pr.Status != StatusExceeded {
		t.Errorf("projection %+v value %s", pr, str(pr.Value))
	}
	// Q2 against Q1 with the previous quarter at 0: undefined.
	m = Compute(AreaInput{Hotspots: stock(40, "2025-05-01")}, hotspot.QuarterPeriod(2025, 2), cfg)
	if m.Target.Value != nil || m.Target.Status != StatusUndefined || m.Target.Projection.Status != StatusUndefined {
		t.Errorf("undefined growth: %+v", m.Target)
	}
}

func TestProratedBand(t *testing.T) {
	rate := TargetConfig{Measure: MeasureRate, Min: 0.05, Max: 0.10}
	for months, want := range map[int][2]float64{12: {0.05, 0.10}, 3: {0.0125, 0.025}, 1: {0.05 / 12, 0.10 / 12}} {
		lo, hi := ProratedBand(rate, months)
		if math.Abs(lo-want[0]) > 1e-15 || math.Abs(hi-want[1]) > 1e-15 {
			t.Errorf("rate, %d months: [%v, %v], want %v", months, lo, hi, want)
		}
	}
	g := TargetConfig{Measure: MeasureGrowth, Min: 0.05, Max: 0.10}
	lo, hi := ProratedBand(g, 3)
	// Four quarters at the prorated pace compound to the yearly band.
	if math.Abs(math.Pow(1+lo, 4)-1.05) > 1e-12 || math.Abs(math.Pow(1+hi, 4)-1.10) > 1e-12 {
		t.Errorf("growth quarter band [%v, %v] does not compound to [0.05, 0.10]", lo, hi)
	}
}

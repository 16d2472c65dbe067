package metrics

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
)

func mon(y int, m time.Month) hotspot.Month { return hotspot.MonthOf(y, m) }

// monthly spreads n incidents of kind k over every month of year y.
func monthly(y int, k hotspot.IncidentKind, n int) []IncidentCount {
	out := make([]IncidentCount, 12)
	for i := range out {
		out[i] = IncidentCount{Month: mon(y, time.Month(i+1)), Kind: k, N: n}
	}
	return out
}

func TestIncidentsAndTips(t *testing.T) {
	in := AreaInput{
		Incidents: []IncidentCount{
			{Month: mon(2025, time.June), Kind: hotspot.IncTrafficking, N: 2},
			{Month: mon(2025, time.July), Kind: hotspot.IncTrafficking, N: 1},
			{Month: mon(2025, time.July), Kind: hotspot.IncTrafficking, N: 1}, // a second row adds up
			{Month: mon(2025, time.August), Kind: hotspot.IncUse, N: 5},
			{Month: mon(2025, time.September), Kind: "smuggling", N: 1},      // unknown kind → other
			{Month: mon(2025, time.October), Kind: hotspot.IncStorage, N: 9}, // next quarter
		},
		Tips: []TipCount{
			{Month: mon(2025, time.July), Received: 3, Handled: 1},
			{Month: mon(2025, time.July), HandledIn: mon(2025, time.September), Handled: 1}, // one of July's, handled in September
			{Month: mon(2025, time.September), Received: 1, Handled: 1},
			{Month: mon(2025, time.June), HandledIn: mon(2025, time.July), Received: 2, Handled: 2}, // received before Q3
			{Month: mon(2025, time.October), Received: 7},
		},
	}
	m := Compute(in, hotspot.QuarterPeriod(2025, 3), DefaultConfig())
	want := map[hotspot.IncidentKind]int{hotspot.IncTrafficking: 2, hotspot.IncStorage: 0, hotspot.IncTransport: 0, hotspot.IncOrganisedUse: 0, hotspot.IncUse: 5, hotspot.IncCultivation: 0, hotspot.IncProduction: 0, hotspot.IncOther: 1}
	if len(m.Incidents) != len(hotspot.IncidentKinds) {
		t.Errorf("incidents has %d kinds, want all %d", len(m.Incidents), len(hotspot.IncidentKinds))
	}
	for k, n := range want {
		if m.Incidents[k] != n {
			t.Errorf("incidents[%s] = %d, want %d", k, m.Incidents[k], n)
		}
	}
	if m.IncidentTotal() != 8 {
		t.Errorf("total %d", m.IncidentTotal())
	}
	if m.TipsReceived != 4 || m.TipsHandled != 3 || !eqPtr(m.TipsHandledShare, f(0.75)) {
		t.Errorf("tips %d/%d share %s", m.TipsHandled, m.TipsReceived, str(m.TipsHandledShare))
	}
	if m.TipsHandledEarlier != 2 {
		t.Errorf("Q3 handled earlier tips %d, want June's 2", m.TipsHandledEarlier)
	}
	// A month that also handles tips received earlier: they are reported
	// apart, the share stays handled/received of its own tips.
	s := Compute(in, hotspot.MonthPeriod(2025, time.September), DefaultConfig())
	if !eqPtr(s.TipsHandledShare, f(1)) || s.TipsHandled != 1 || s.TipsHandledEarlier != 1 {
		t.Errorf("September handled %d (share %s), earlier %d; want 1 (1), 1", s.TipsHandled, str(s.TipsHandledShare), s.TipsHandledEarlier)
	}
	// July: 3 received, 1 handled by July's end (the other two later).
	s = Compute(in, hotspot.MonthPeriod(2025, time.July), DefaultConfig())
	if s.TipsReceived != 3 || s.TipsHandled != 1 || s.TipsHandledEarlier != 2 {
		t.Errorf("July tips %d/%d, earlier %d; want 1/3, 2", s.TipsHandled, s.TipsReceived, s.TipsHandledEarlier)
	}
	// No tip received: null.
	s = Compute(in, hotspot.MonthPeriod(2025, time.August), DefaultConfig())
	if s.TipsHandledShare != nil {
		t.Errorf("August share %s, want null", str(s.TipsHandledShare))
	}
}

func TestCountHelpers(t *testing.T) {
	handled := at("2026-01-01T00:10:00+07:00")
	tips := CountTips([]Tip{
		{ReceivedAt: at("2025-12-31T23:30:00+07:00"), HandledAt: &handled},
		{ReceivedAt: at("2025-12-02T08:00:00+07:00")},
	})
	if len(tips) != 2 || tips[0] != (TipCount{Month: mon(2025, time.December), Received: 1}) ||
		tips[1] != (TipCount{Month: mon(2025, time.December), HandledIn: mon(2026, time.January), Received: 1, Handled: 1}) {
		t.Errorf("CountTips = %+v", tips)
	}
	incs := CountIncidents([]Incident{
		{Kind: hotspot.IncUse, OccurredAt: at("2025-12-31T23:30:00+07:00")},
		{Kind: hotspot.IncUse, OccurredAt: at("2025-12-01T00:00:00+07:00")},
		{Kind: hotspot.IncUse, OccurredAt: at("2026-01-01T00:00:00+07:00")},
	})
	if len(incs) != 2 || incs[0].N != 2 || incs[0].Month != mon(2025, time.December) || incs[1].Month != mon(2026, time.January) {
		t.Errorf("CountIncidents = %+v", incs)
	}
}

func TestComplexityScoreAndClass(t *testing.T) {
	active := []Hotspot{hs(1, ev(hotspot.EventDetected, "2024-01-01T10:00:00+07:00"))}
	users := func(n float64) []IndicatorValue {
		return []IndicatorValue{{Key: hotspot.IndRegisteredUsers, Period: hotspot.MonthPeriod(2024, time.December), Value: n}}
	}
	y2025 := hotspot.YearPeriod(2025)
	tests := []struct {
		name   string
		in     AreaInput
		p      hotspot.Period
		cfg    func(*Config)
		score  float64
		class  Class
		usersV *float64
	}{
		{name: "nothing at all: clear", p: y2025, score: 0, class: ClassClear},
		{
			name: "register at 0: clear", p: y2025,
			in:    AreaInput{Indicators: users(0)},
			score: 0, class: ClassClear, usersV: f(0),
		},
		{
			name: "register absent, but the config demands it: affected", p: y2025,
			cfg:   func(c *Config) { c.Complexity.ClearRequiresRegisteredUsers = true },
			score: 0, class: ClassAffected,
		},
		{
			// 10 users on the default 10,000 inhabitants: 1 per 1,000 × 0.5.
			name: "registered users only: affected", p: y2025,
			in:    AreaInput{Indicators: users(10)},
			score: 0.5, class: ClassAffected, usersV: f(10),
		},
		{
			// 12 users per 5,000 inhabitants: 2.4 per 1,000 × 0.5 = 1.2.
			name: "population indicator scales the register", p: y2025,
			in: AreaInput{Indicators: append(users(12),
				IndicatorValue{Key: "population", Period: hotspot.YearPeriod(2022), Value: 5000})},
			score: 1.2, class: ClassAffected, usersV: f(12),
		},
		{
			name: "the latest report in or before the period counts", p: y2025,
			in: AreaInput{Indicators: []IndicatorValue{
				{Key: hotspot.IndRegisteredUsers, Period: hotspot.YearPeriod(2023), Value: 40},
				{Key: hotspot.IndRegisteredUsers, Period: hotspot.QuarterPeriod(2025, 2), Value: 20},
				{Key: hotspot.IndRegisteredUsers, Period: hotspot.MonthPeriod(2026, time.June), Value: 99},
				{Key: hotspot.IndRegisteredUsers, Period: hotspot.YearPeriod(2025), Value: 30},
				{Key: hotspot.IndRegisteredUsers, Period: hotspot.MonthPeriod(2025, time.December), Value: 25}, // same end as the year: the month is more specific
			}},
			score: 1.25, class: ClassAffected, usersV: f(25),
		},
		{name: "one active hotspot: 3, affected", p: y2025, in: AreaInput{Hotspots: active}, score: 3, class: ClassAffected},
		{
			// 3 (hotspot) + 1 trafficking a month × 2 + 1 use a month × 0.5 = 5.5
			name: "one hotspot, a trafficking and a use case a month: 5.5, affected", p: y2025,
			in:    AreaInput{Hotspots: active, Incidents: append(monthly(2025, hotspot.IncTrafficking, 1), monthly(2025, hotspot.IncUse, 1)...)},
			score: 5.5, class: ClassAffected,
		},
		{
			// 3 + 1.5 trafficking a month × 2 = 6: key threshold reached.
			name: "one hotspot and 18 trafficking cases in the year: key", p: y2025,
			in:    AreaInput{Hotspots: active, Incidents: []IncidentCount{{Month: mon(2025, time.March), Kind: hotspot.IncTrafficking, N: 18}}},
			score: 6, class: ClassKey,
		},
		{
			name: "the same pace in one month scores the same", p: hotspot.MonthPeriod(2025, time.March),
			in:    AreaInput{Hotspots: active, Incidents: []IncidentCount{{Month: mon(2025, time.March), Kind: hotspot.IncTrafficking, N: 1}, {Month: mon(2025, time.March), Kind: hotspot.IncTrafficking, N: 0}, {Month: mon(2025, time.March), Kind: hotspot.IncProduction, N: 0}, {Month: mon(2025, time.March), Kind: hotspot.IncOrganisedUse, N: 0}}},
			score: 5, class: ClassAffected,
		},
		{
			name: "two active hotspots: key", p: y2025,
			in:    AreaInput{Hotspots: append(active, hs(2, ev(hotspot.EventDetected, "2025-11-01T10:00:00+07:00")))},
			score: 6, class: ClassKey,
		},
		{
			name: "a hotspot eliminated in the year with no incident: clear at the end", p: y2025,
			in:    AreaInput{Hotspots: stock(1, "2025-05-01")},
			score: 0, class: ClassClear,
		},
		{
			name: "weights come from the config", p: y2025,
			cfg:   func(c *Config) { c.Complexity.IncidentWeights[hotspot.IncUse] = 4; c.Complexity.KeyMinScore = 4 },
			in:    AreaInput{Incidents: monthly(2025, hotspot.IncUse, 1)},
			score: 4, class: ClassKey,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			m := Compute(tt.in, tt.p, cfg)
			if m.ComplexityScore != tt.score || m.Class != tt.class {
				t.Errorf("score %v class %s, want %v %s", m.ComplexityScore, m.Class, tt.score, tt.class)
			}
			if !eqPtr(m.RegisteredUsers, tt.usersV) {
				t.Errorf("registered_users %s, want %s", str(m.RegisteredUsers), str(tt.usersV))
			}
		})
	}
}

func TestTrend(t *testing.T) {
	cfg := DefaultConfig()
	dec := hotspot.MonthPeriod(2025, time.December)

	// One new hotspot each month of 2025: active at the end of month i is i,
	// the score 3i. Mann–Kendall over 12 months: S = 66, rising, slope 3.
	var rising []Hotspot
	for i := 1; i <= 12; i++ {
		rising = append(rising, hs(int64(i), ev(hotspot.EventDetected, hotspot.MonthOf(2025, time.Month(i)).Start().Add(time.Hour).Format(time.RFC3339))))
	}
	m := Compute(AreaInput{Hotspots: rising}, dec, cfg)
	tr := m.Trend
	if tr.N != 12 || tr.S != 66 || tr.Direction != DirectionRising || tr.SenSlope != 3 || !eqPtr(tr.ScoreChange, f(3)) || tr.From != hotspot.MonthPeriod(2025, time.January) {
		t.Errorf("rising trend %+v change %s", tr, str(tr.ScoreChange))
	}
	if tr.P >= 0.05 || tr.VarS != 12*11*29/18.0 {
		t.Errorf("p %v var_s %v", tr.P, tr.VarS)
	}

	// Twelve hotspots from 2024, one eliminated each month: falling.
	var dates []string
	for i := 1; i <= 12; i++ {
		dates = append(dates, hotspot.MonthOf(2025, time.Month(i)).Start().Add(48*time.Hour).In(hotspot.Zone).Format("2006-01-02"))
	}
	m = Compute(AreaInput{Hotspots: stock(12, dates...)}, dec, cfg)
	if m.Trend.Direction != DirectionFalling || m.Trend.S != -66 || m.Trend.SenSlope != -3 {
		t.Errorf("falling trend %+v", m.Trend)
	}

	// A flat score: no trend, S 0, p 1.
	m = Compute(AreaInput{Hotspots: stock(2)}, dec, cfg)
	if m.Trend.Direction != DirectionNone || m.Trend.S != 0 || m.Trend.P != 1 || !eqPtr(m.Trend.ScoreChange, f(0)) {
		t.Errorf("flat trend %+v", m.Trend)
	}

	// Years use 5 periods, quarters 8.
	if n := Compute(AreaInput{}, hotspot.YearPeriod(2025), cfg).Trend.N; n != 5 {
		t.Errorf("year trend n = %d", n)
	}
	if n := Compute(AreaInput{}, hotspot.QuarterPeriod(2025, 4), cfg).Trend.N; n != 8 {
		t.Errorf("quarter trend n = %d", n)
	}

	// Data since 1 October 2025: three points, and since 1 December no
	// previous period, so the score change is null.
	in := AreaInput{Hotspots: rising, DataSince: at("2025-10-01T00:00:00+07:00")}
	m = Compute(in, dec, cfg)
	if m.Trend.N != 3 || m.Trend.From != hotspot.MonthPeriod(2025, time.October) || len(m.Trend.Series) != 3 || m.Trend.Series[0] != 30 {
		t.Errorf("trend since October %+v", m.Trend)
	}
	in.DataSince = at("2025-12-01T00:00:00+07:00")
	m = Compute(in, dec, cfg)
	if m.Trend.ScoreChange != nil || m.Trend.N != 1 || m.Trend.Direction != DirectionNone {
		t.Errorf("trend since December %+v", m.Trend)
	}
}

func TestComputeHistory(t *testing.T) {
	in := AreaInput{Hotspots: stock(10, "2025-02-10", "2025-03-10")}
	h := ComputeHistory(in, hotspot.MonthPeriod(2025, time.March), 3, DefaultConfig())
	var got []int
	for _, m := range h {
		got = append(got, m.ActiveEnd)
	}
	if len(h) != 3 || h[0].Period != hotspot.MonthPeriod(2025, time.January) || got[0] != 10 || got[1] != 9 || got[2] != 8 {
		t.Errorf("history active_end %v", got)
	}
	// Each period's start is the previous period's end.
	for i := 1; i < len(h); i++ {
		if h[i].ActiveStart != h[i-1].ActiveEnd {
			t.Errorf("%s starts with %d, %s ended with %d", h[i].Period, h[i].ActiveStart, h[i-1].Period, h[i-1].ActiveEnd)
		}
	}
}

func TestComputeManyMatchesCompute(t *testing.T) {
	areas := syntheticProvince(200, 5, 20, 2025, 1)
	p := hotspot.YearPeriod(2025)
	cfg := DefaultConfig()
	many := ComputeMany(areas, p, cfg, 3)
	for i, a := range areas {
		one := Compute(a, p, cfg)
		if countsOf(one) != countsOf(many[i]) || one.ComplexityScore != many[i].ComplexityScore || one.Area != many[i].Area {
			t.Fatalf("area %d differs", i)
		}
	}
	if len(ComputeMany(nil, p, cfg, 0)) != 0 {
		t.Error("ComputeMany(nil) not empty")
	}
}

func TestZeroPeriodDoesNotPanic(t *testing.T) {
	m := Compute(AreaInput{Code: "X", Hotspots: stock(3)}, hotspot.Period{}, DefaultConfig())
	if m.Area != "X" || m.Target.Status != StatusUndefined || len(m.Incidents) != len(hotspot.IncidentKinds) {
		t.Errorf("zero period: %+v", m)
	}
}

func TestOddInputsStayFinite(t *testing.T) {
	in := AreaInput{
		Hotspots: stock(2),
		Indicators: []IndicatorValue{
			{Key: hotspot.IndRegisteredUsers, Period: hotspot.MonthPeriod(2025, time.March), Value: 5},
			{Key: hotspot.IndRegisteredUsers, Period: hotspot.MonthPeriod(2025, time.April), Value: math.NaN()},
			{Key: "population", Period: hotspot.MonthPeriod(2025, time.April), Value: math.Inf(1)},
		},
		Incidents: []IncidentCount{{Month: mon(1990, time.January), Kind: hotspot.IncUse, N: 3}, {Month: mon(2099, time.January), Kind: hotspot.IncUse, N: 3}},
	}
	for name, cfg := range map[string]Config{"defaults": DefaultConfig(), "zero config": {}} {
		t.Run(name, func(t *testing.T) {
			m := Compute(in, hotspot.YearPeriod(2025), cfg)
			if math.IsNaN(m.ComplexityScore) || math.IsInf(m.ComplexityScore, 0) {
				t.Fatalf("score %v", m.ComplexityScore)
			}
			if _, err := json.Marshal(m); err != nil {
				t.Fatal(err)
			}
			if !eqPtr(m.RegisteredUsers, f(5)) || m.IncidentTotal() != 0 {
				t.Errorf("registered %s incidents %d", str(m.RegisteredUsers), m.IncidentTotal())
			}
		})
	}
}

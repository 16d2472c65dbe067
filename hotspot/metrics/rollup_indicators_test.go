package metrics

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
)

// TestTipsHandledShareAtMostOne: from raw tips, every period's received,
// handled (of those received, by the period's end) and handled-earlier
// counts are the brute-force ones, and the share never exceeds 1 — even
// when a backlog is cleared (issue 16: district 503 showed 434 handled of
// 432 received in 2025).
func TestTipsHandledShareAtMostOne(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 503))
	base := at("2024-01-01T00:00:00+07:00")
	var tips []Tip
	for range 600 {
		tp := Tip{ReceivedAt: base.Add(time.Duration(r.IntN(3*365*24)) * time.Hour)}
		if r.IntN(10) < 8 {
			h := tp.ReceivedAt.Add(time.Duration(r.IntN(120*24)) * time.Hour)
			tp.HandledAt = &h
		}
		tips = append(tips, tp)
	}
	in := AreaInput{Tips: CountTips(tips)}
	var periods []hotspot.Period
	for y := 2024; y <= 2026; y++ {
		periods = append(periods, hotspot.YearPeriod(y))
		for q := 1; q <= 4; q++ {
			periods = append(periods, hotspot.QuarterPeriod(y, q))
		}
		for m := time.January; m <= time.December; m++ {
			periods = append(periods, hotspot.MonthPeriod(y, m))
		}
	}
	backlog := false
	for _, p := range periods {
		m := Compute(in, p, DefaultConfig())
		var recv, handled, earlier int
		for _, tp := range tips {
			inP := !tp.ReceivedAt.Before(p.Start()) && tp.ReceivedAt.Before(p.End())
			if inP {
				recv++
			}
			if tp.HandledAt == nil {
				continue
			}
			if inP && tp.HandledAt.Before(p.End()) {
				handled++
			}
			if tp.ReceivedAt.Before(p.Start()) && !tp.HandledAt.Before(p.Start()) && tp.HandledAt.Before(p.End()) {
				earlier++
			}
		}
		if m.TipsReceived != recv || m.TipsHandled != handled || m.TipsHandledEarlier != earlier {
			t.Errorf("%s: received %d handled %d earlier %d, want %d %d %d", p, m.TipsReceived, m.TipsHandled, m.TipsHandledEarlier, recv, handled, earlier)
		}
		if m.TipsHandledShare != nil && *m.TipsHandledShare > 1 {
			t.Errorf("%s: share %v > 1", p, *m.TipsHandledShare)
		}
		backlog = backlog || handled+earlier > recv
	}
	if !backlog {
		t.Fatal("no period handled more tips than it received: the test shows nothing")
	}
}

func usersAt(p hotspot.Period, v float64) IndicatorValue {
	return IndicatorValue{Key: hotspot.IndRegisteredUsers, Period: p, Value: v}
}

// TestRollUpIndicators: a parent's registered_users is the sum of its
// children's latest values, null with a note naming the children that lack
// one (issue 16: district 503 showed null while commune 20398 showed 48).
func TestRollUpIndicators(t *testing.T) {
	y25, y26 := hotspot.YearPeriod(2025), hotspot.YearPeriod(2026)
	a := ChildIndicators{Code: "20398", Indicators: []IndicatorValue{
		usersAt(hotspot.MonthPeriod(2024, time.December), 40),
		usersAt(hotspot.MonthPeriod(2025, time.June), 48),
		usersAt(hotspot.YearPeriod(2025), 50), usersAt(hotspot.MonthPeriod(2025, time.December), 47), // same end: the month wins
		{Key: hotspot.IndHouseholdsTotal, Period: hotspot.YearPeriod(2024), Value: 1000},
	}}
	b := ChildIndicators{Code: "20401", Indicators: []IndicatorValue{
		usersAt(hotspot.QuarterPeriod(2025, 2), 10),
		{Key: hotspot.IndHouseholdsTotal, Period: hotspot.YearPeriod(2024), Value: 500},
	}}
	c := ChildIndicators{Code: "20434", Indicators: []IndicatorValue{
		usersAt(hotspot.MonthPeriod(2026, time.March), 1),
		{Key: hotspot.IndHouseholdsTotal, Period: hotspot.YearPeriod(2024), Value: 250},
	}}
	own := []IndicatorValue{
		usersAt(hotspot.YearPeriod(2024), 999),                                   // a key the children report: replaced by their sum
		{Key: hotspot.IndCasesTotal, Period: hotspot.YearPeriod(2025), Value: 7}, // a key only the parent reports: kept
	}
	children := []ChildIndicators{a, b, c}
	rolled := RollUpIndicators(own, children)
	if got := RollUpIndicators(rolled, children); !reflect.DeepEqual(got, rolled) {
		t.Errorf("a rolled-up list does not roll up to itself:\n%v\n%v", got, rolled)
	}
	check := func(key string, m hotspot.Month, want float64, ok bool) {
		t.Helper()
		v, found := latestIndicator(rolled, key, m)
		if found != ok || (ok && v != want) {
			t.Errorf("%s at %s = %v (%v), want %v (%v)", key, m, v, found, want, ok)
		}
	}
	check(hotspot.IndHouseholdsTotal, y25.LastMonth(), 1750, true)
	check(hotspot.IndCasesTotal, y25.LastMonth(), 7, true)
	check(hotspot.IndRegisteredUsers, y25.LastMonth(), 0, false) // 20434 reports from 2026-03 only
	check(hotspot.IndRegisteredUsers, hotspot.MonthOf(2026, time.March), 47+10+1, true)
	check(hotspot.IndRegisteredUsers, y26.LastMonth(), 47+10+1, true)
	if miss := MissingIndicator(children, hotspot.IndRegisteredUsers, y25.LastMonth()); !reflect.DeepEqual(miss, []string{"20434"}) {
		t.Errorf("missing in 2025: %v", miss)
	}
	if miss := MissingIndicator(children, hotspot.IndCasesTotal, y25.LastMonth()); miss != nil {
		t.Errorf("a key no child reports is missing from %v", miss)
	}

	// Through Compute: null with a note in 2025, the sum in 2026; the
	// children's sum also counts in the complexity score.
	in := AreaInput{Code: "503", Indicators: own, Children: children}
	m25 := Compute(in, y25, DefaultConfig())
	if m25.RegisteredUsers != nil || len(m25.Notes) != 1 || !strings.Contains(m25.Notes[0], "registered_users") || !strings.Contains(m25.Notes[0], "20434") {
		t.Errorf("2025: registered_users %s, notes %q", str(m25.RegisteredUsers), m25.Notes)
	}
	m26 := Compute(in, y26, DefaultConfig())
	if !eqPtr(m26.RegisteredUsers, f(58)) || len(m26.Notes) != 0 {
		t.Errorf("2026: registered_users %s, notes %q; want 58", str(m26.RegisteredUsers), m26.Notes)
	}
	whole := Compute(AreaInput{Code: "503", Indicators: rolled}, y26, DefaultConfig())
	if whole.ComplexityScore != m26.ComplexityScore || whole.ComplexityScore == Compute(AreaInput{Code: "503"}, y26, DefaultConfig()).ComplexityScore {
		t.Errorf("score %v with children, %v from the rolled list: the sum does not count", m26.ComplexityScore, whole.ComplexityScore)
	}
	// All children reporting: the district is the sum of its communes.
	full := Compute(AreaInput{Code: "503", Children: []ChildIndicators{a, b}}, y25, DefaultConfig())
	if !eqPtr(full.RegisteredUsers, f(47+10)) || len(full.Notes) != 0 {
		t.Errorf("two communes: registered_users %s, notes %q; want 57", str(full.RegisteredUsers), full.Notes)
	}
	// A commune (no children) keeps its own value.
	if m := Compute(AreaInput{Code: "20398", Indicators: a.Indicators}, y25, DefaultConfig()); !eqPtr(m.RegisteredUsers, f(47)) {
		t.Errorf("commune: %s", str(m.RegisteredUsers))
	}
}

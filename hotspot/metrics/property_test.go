package metrics

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
)

// randomHistory returns up to 12 events of any kind (illegal orders
// included) at random instants of 2024–2026, some sharing an instant, in
// random order.
func randomHistory(r *rand.Rand, id int64) Hotspot {
	kinds := []hotspot.EventKind{hotspot.EventDetected, hotspot.EventEliminated, hotspot.EventRecurred, hotspot.EventNote, "confirmed"}
	start := hotspot.YearPeriod(2024).Start()
	n := r.IntN(13)
	evs := make([]Event, n)
	for i := range evs {
		ts := start.Add(time.Duration(r.Int64N(3*365*24)) * time.Hour)
		if i > 0 && r.IntN(5) == 0 {
			ts = evs[i-1].OccurredAt // a tie
		}
		evs[i] = Event{Kind: kinds[r.IntN(len(kinds))], OccurredAt: ts, Seq: id*100 + int64(r.IntN(100))}
	}
	return Hotspot{ID: id, Events: evs}
}

// TestInvariantsOnRandomHistories checks, on arbitrary (often illegal)
// histories, what must hold whatever the data: counts nest, rates stay in
// [0, 1], consecutive periods join, and a year's flows cover its quarters'.
func TestInvariantsOnRandomHistories(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	cfg := DefaultConfig()
	for trial := range 300 {
		in := AreaInput{Code: "R"}
		for i := range r.IntN(6) {
			in.Hotspots = append(in.Hotspots, randomHistory(r, int64(i+1)))
		}
		hist := ComputeHistory(in, hotspot.QuarterPeriod(2025, 4), 8, cfg)
		year := Compute(in, hotspot.YearPeriod(2025), cfg)
		newQ, recQ, elimQ := 0, 0, 0
		for i, m := range hist {
			if !(m.ActiveStart <= m.ActiveDuring && m.ActiveEnd <= m.ActiveDuring && m.New <= m.ActiveDuring &&
				m.Recurred <= m.ActiveDuring && m.Eliminated <= m.ActiveDuring && m.EliminatedSustained <= m.Eliminated) {
				t.Fatalf("trial %d %s: counts do not nest: %+v", trial, m.Period, countsOf(m))
			}
			if m.EliminationRate != nil && (*m.EliminationRate < 0 || *m.EliminationRate > 1) {
				t.Fatalf("trial %d %s: rate %v", trial, m.Period, *m.EliminationRate)
			}
			if i > 0 && m.ActiveStart != hist[i-1].ActiveEnd {
				t.Fatalf("trial %d: %s starts with %d active, %s ended with %d", trial, m.Period, m.ActiveStart, hist[i-1].Period, hist[i-1].ActiveEnd)
			}
			if i > 0 && m.PreviousEliminated != hist[i-1].Eliminated {
				t.Fatalf("trial %d: previous_eliminated %d, previous period %d", trial, m.PreviousEliminated, hist[i-1].Eliminated)
			}
			if m.Period.Year() == 2025 {
				newQ, recQ, elimQ = newQ+m.New, recQ+m.Recurred, elimQ+m.Eliminated
			}
		}
		// A hotspot counted in the year was counted in at least one quarter,
		// and at most in every one.
		if year.New > newQ || year.Recurred > recQ || year.Eliminated > elimQ {
			t.Fatalf("trial %d: year new/recurred/eliminated %d/%d/%d exceed the quarters' %d/%d/%d",
				trial, year.New, year.Recurred, year.Eliminated, newQ, recQ, elimQ)
		}
		if year.ActiveStart != hist[4].ActiveStart || year.ActiveEnd != hist[7].ActiveEnd {
			t.Fatalf("trial %d: year stocks %d→%d, quarters %d→%d", trial, year.ActiveStart, year.ActiveEnd, hist[4].ActiveStart, hist[7].ActiveEnd)
		}
	}
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2025", "2025-Q3", "2025-07", "2025-q1", "", "2025-13", "9999-Q9", "2025-",
		"2025-H1", "2025-h2", "2025-H3", "2024-04-15..2025-04-14", "15/04/2024..14/04/2025", "2025-01-10..2025-01-14",
		"2025-02-29..2025-03-01", "2025-03-01..2025-02-01", "2200-12-31..2200-12-31", "..", "2025..2026"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := hotspot.ParsePeriod(s)
		if err != nil {
			return
		}
		q, err := hotspot.ParsePeriod(p.String())
		if err != nil || q != p {
			t.Fatalf("%q → %s does not round-trip: %v %v", s, p, q, err)
		}
		if !p.Start().Before(p.End()) || !p.Previous().End().Equal(p.Start()) || !p.Next().Start().Equal(p.End()) {
			t.Fatalf("%s: [%s, %s) does not tile", p, p.Start(), p.End())
		}
		if p.Months() < 1 || p.FirstMonth() > p.LastMonth() || p.Previous().LastMonth() > p.LastMonth() || p.Previous().FirstMonth() > p.FirstMonth() {
			t.Fatalf("%s: months %s..%s (%d), previous %s..%s", p, p.FirstMonth(), p.LastMonth(), p.Months(), p.Previous().FirstMonth(), p.Previous().LastMonth())
		}
		if p.Previous().Days() != p.Days() && p.Kind() == hotspot.PeriodCustom {
			t.Fatalf("%s: previous window %s has %d days, not %d", p, p.Previous(), p.Previous().Days(), p.Days())
		}
		if n, _ := p.YearToDate(); n < 1 || n > 12 {
			t.Fatalf("%s: %d months to date", p, n)
		}
		// the computation's windows hold for any period it is given
		since, end := InputWindow(p, DefaultConfig())
		if since.After(p.Start()) || end.Before(p.End()) || since.After(p.FirstMonth().Start()) {
			t.Fatalf("%s: input window [%s, %s)", p, since, end)
		}
	})
}

// TestHalvesAndWindowsAgreeWithCalendarPeriods: a half counts what its two
// quarters count, and a custom window over whole calendar months counts
// what the calendar period does (hotspots, incidents, tips, band); its
// previous window has as many days.
func TestHalvesAndWindowsAgreeWithCalendarPeriods(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	cfg := DefaultConfig()
	for trial := range 200 {
		in := AreaInput{Code: "R"}
		for i := range r.IntN(6) {
			in.Hotspots = append(in.Hotspots, randomHistory(r, int64(i+1)))
		}
		for m := hotspot.MonthOf(2023, 1); m <= hotspot.MonthOf(2026, 12); m++ {
			in.Incidents = append(in.Incidents, IncidentCount{Month: m, Kind: hotspot.IncUse, N: r.IntN(4)})
			in.Tips = append(in.Tips, TipCount{Month: m, Received: 3, Handled: r.IntN(4)})
		}
		h1 := Compute(in, hotspot.HalfPeriod(2025, 1), cfg)
		q1, q2 := Compute(in, hotspot.QuarterPeriod(2025, 1), cfg), Compute(in, hotspot.QuarterPeriod(2025, 2), cfg)
		if h1.ActiveStart != q1.ActiveStart || h1.ActiveEnd != q2.ActiveEnd || h1.IncidentTotal() != q1.IncidentTotal()+q2.IncidentTotal() ||
			h1.TipsReceived != q1.TipsReceived+q2.TipsReceived || h1.Eliminated > q1.Eliminated+q2.Eliminated {
			t.Fatalf("trial %d: H1 %+v, Q1 %+v, Q2 %+v", trial, countsOf(h1), countsOf(q1), countsOf(q2))
		}
		if h1.Target.Min != 0.025 || len(h1.Trend.Series) != 6 {
			t.Fatalf("trial %d: H1 band %v, trend %d points", trial, h1.Target.Min, len(h1.Trend.Series))
		}
		for _, c := range [][2]string{{"2025-01-01..2025-12-31", "2025"}, {"2025-07-01..2025-09-30", "2025-Q3"}, {"2025-10-01..2025-10-31", "2025-10"}} {
			w, _ := hotspot.ParsePeriod(c[0])
			p, _ := hotspot.ParsePeriod(c[1])
			mw, mp := Compute(in, w, cfg), Compute(in, p, cfg)
			if countsOf(mw) != countsOf(mp) || mw.IncidentTotal() != mp.IncidentTotal() || mw.TipsHandled != mp.TipsHandled ||
				mw.Target.Min != mp.Target.Min || mw.Target.Max != mp.Target.Max || mw.ComplexityScore != mp.ComplexityScore {
				t.Fatalf("trial %d: %s %+v, %s %+v", trial, w, countsOf(mw), p, countsOf(mp))
			}
			if len(mw.Trend.Series) != len(mp.Trend.Series) {
				t.Fatalf("trial %d: %s trend of %d, %s of %d", trial, w, len(mw.Trend.Series), p, len(mp.Trend.Series))
			}
		}
		seed, _ := hotspot.ParsePeriod("2024-04-15..2025-04-14")
		ms := Compute(in, seed, cfg)
		if ms.Target.Min != 0.05 || ms.Period.Previous().Days() != 365 {
			t.Fatalf("trial %d: seed window band %v", trial, ms.Target.Min)
		}
	}
}

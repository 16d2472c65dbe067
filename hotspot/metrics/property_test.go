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
	for _, s := range []string{"2025", "2025-Q3", "2025-07", "2025-q1", "", "2025-13", "9999-Q9", "2025-"} {
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
	})
}

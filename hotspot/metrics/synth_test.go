package metrics

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/diaban/diaban/hotspot"
)

// syntheticProvince builds areas communes with hotspotsPer hotspots of
// eventsPer events each, spread over year y (a fifth of the hotspots date
// from the year before), plus incident and tip counts for every month and a
// register. Deterministic for a seed.
func syntheticProvince(areas, hotspotsPer, eventsPer, y int, seed uint64) []AreaInput {
	r := rand.New(rand.NewPCG(seed, 7))
	start := hotspot.YearPeriod(y).Start()
	yearNs := hotspot.YearPeriod(y).End().Sub(start).Nanoseconds()
	out := make([]AreaInput, areas)
	id := int64(0)
	for a := range out {
		in := AreaInput{Code: fmt.Sprintf("%05d", a), Hotspots: make([]Hotspot, hotspotsPer)}
		for h := range in.Hotspots {
			id++
			evs := make([]Event, eventsPer)
			// Event times: sorted offsets within the year.
			offs := make([]int64, eventsPer)
			for i := range offs {
				offs[i] = r.Int64N(yearNs)
			}
			slices.Sort(offs)
			first := start.Add(time.Duration(offs[0]))
			if r.IntN(5) == 0 {
				first = start.AddDate(-1, 0, 0).Add(time.Duration(offs[0]))
			}
			evs[0] = Event{Kind: hotspot.EventDetected, OccurredAt: first, Seq: id << 8}
			active := true
			for i := 1; i < eventsPer; i++ {
				k := hotspot.EventNote
				switch x := r.IntN(10); {
				case x == 0 && active:
					k, active = hotspot.EventEliminated, false
				case x == 1 && !active:
					k, active = hotspot.EventRecurred, true
				}
				evs[i] = Event{Kind: k, OccurredAt: start.Add(time.Duration(offs[i])), Seq: id<<8 + int64(i)}
			}
			in.Hotspots[h] = Hotspot{ID: id, Events: evs}
		}
		for m := hotspot.YearPeriod(y - 1).FirstMonth(); m <= hotspot.YearPeriod(y).LastMonth(); m++ {
			for _, k := range hotspot.IncidentKinds {
				if n := r.IntN(4) - 2; n > 0 {
					in.Incidents = append(in.Incidents, IncidentCount{Month: m, Kind: k, N: n})
				}
			}
			in.Tips = append(in.Tips, TipCount{Month: m, Received: r.IntN(5), Handled: r.IntN(5)})
		}
		in.Indicators = []IndicatorValue{
			{Key: hotspot.IndRegisteredUsers, Period: hotspot.YearPeriod(y - 1), Value: float64(r.IntN(60))},
			{Key: "population", Period: hotspot.YearPeriod(y - 1), Value: float64(5000 + r.IntN(20000))},
		}
		out[a] = in
	}
	return out
}

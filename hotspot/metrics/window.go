package metrics

import (
	"github.com/diaban/diaban/hotspot"
	"time"
)

// InputWindow returns the instants the inputs of period p must cover:
// counts (incidents, tips) from since, events from the beginning, everything
// before end. since reaches back over the trend window of the period before
// p (a roll-up compares p with the period before, each with its own trend and
// score change) and over the year before p's year (projection and growth).
func InputWindow(p hotspot.Period, cfg Config) (since, end time.Time) {
	n := cfg.Trend.Periods[p.Kind()]
	since = p.Previous().Previous().Start()
	if n > 0 {
		since = p.Last(n + 2)[0].Start()
	}
	if y := hotspot.YearPeriod(p.Year() - 1).Start(); y.Before(since) {
		since = y
	}
	return since, p.End()
}

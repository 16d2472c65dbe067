package metrics

import (
	"time"

	"github.com/diaban/diaban/hotspot"
)

// InputWindow returns the instants the inputs of period p must cover:
// counts (incidents, tips) from since, events from the beginning, everything
// before end. since reaches back over the trend window of the period before
// p (a roll-up compares p with the period before, each with its own trend and
// score change) and over the year before p's year (projection and growth).
// For a custom window the bounds also cover the whole months its counts
// are read over (hotspot.Period: FirstMonth to LastMonth), which may start
// before the window's first day or end after its last.
func InputWindow(p hotspot.Period, cfg Config) (since, end time.Time) {
	n := cfg.Trend.Length(p)
	first := p.Previous().Previous()
	if n > 0 {
		first = p.Last(n + 2)[0]
	}
	since = first.Start()
	if m := first.FirstMonth().Start(); m.Before(since) {
		since = m
	}
	if y := hotspot.YearPeriod(p.Year() - 1).Start(); y.Before(since) {
		since = y
	}
	end = p.End()
	if m := (p.LastMonth() + 1).Start(); m.After(end) {
		end = m
	}
	return since, end
}

package webmap

import (
	"context"
	"sync"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/metrics"
)

// metricsDebounce is how long the live metrics wait after a change to an
// area before recomputing it, so a burst of changes costs one recompute.
const metricsDebounce = 200 * time.Millisecond

// metricsLive recomputes an area's metrics after a change that can move
// them (an event, a hotspot, an incident, a tip, an indicator) and publishes
// a "metrics" message for the area:
//
//	{"type": "metrics", "op": "update", "area": CODE, "seq": SEQ,
//	 "data": {"metrics": [AreaMetrics, ...]}}
//
// with the area's current month and year (Asia/Ho_Chi_Minh) and, for an
// event that occurred in another month, that month and its year too, since a
// backdated event moves the numbers of the period it occurred in. Changes
// without an area (bulk imports, boundary changes) publish one
// {"type": "metrics", "op": "bulk"} that tells clients to reload. Changes
// are coalesced per area for metricsDebounce.
type metricsLive struct {
	s   *Server
	now func() time.Time

	mu      sync.Mutex
	pending map[string]*metricsPending // by area code; "" for bulk
}

type metricsPending struct {
	seq     int64
	periods map[metrics.Period]bool
}

// watchMetrics registers the live metrics on the server's hub.
func (s *Server) watchMetrics() {
	ml := &metricsLive{s: s, now: time.Now, pending: map[string]*metricsPending{}}
	s.hub.AfterChange(ml.afterChange)
}

func (ml *metricsLive) afterChange(ctx context.Context, m *Message) {
	if m.Type == "metrics" {
		return
	}
	area := m.Area
	switch m.Type {
	case "event", "hotspot", "incident", "tip", "indicator":
		if m.Op == "bulk" {
			area = ""
		}
	case "area":
		area = ""
	default:
		return
	}
	now := metrics.MonthAt(ml.now())
	periods := []metrics.Period{metrics.MonthPeriod(now.Year(), now.Month()), metrics.YearPeriod(now.Year())}
	if d, ok := m.Data.(map[string]any); ok {
		if ev, ok := d["event"].(*hotspot.Event); ok {
			at := metrics.MonthAt(ev.OccurredAt)
			periods = append(periods, metrics.MonthPeriod(at.Year(), at.Month()), metrics.YearPeriod(at.Year()))
		}
	}
	ml.mu.Lock()
	defer ml.mu.Unlock()
	p, ok := ml.pending[area]
	if !ok {
		p = &metricsPending{periods: map[metrics.Period]bool{}}
		ml.pending[area] = p
		time.AfterFunc(metricsDebounce, func() { ml.flush(ctx, area) })
	}
	p.seq = max(p.seq, m.Seq)
	for _, per := range periods {
		p.periods[per] = true
	}
}

// flush recomputes one area (or announces a bulk change) and publishes.
func (ml *metricsLive) flush(ctx context.Context, area string) {
	ml.mu.Lock()
	p := ml.pending[area]
	delete(ml.pending, area)
	ml.mu.Unlock()
	if p == nil || ctx.Err() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if area == "" {
		if err := ml.s.hub.Publish(ctx, &Message{Seq: p.seq, Type: "metrics", Op: "bulk"}); err != nil {
			ml.s.log.Warn("metrics not published", "err", err)
		}
		return
	}
	ps := make([]metrics.Period, 0, len(p.periods))
	for per := range p.periods {
		ps = append(ps, per)
	}
	sortPeriods(ps)
	cfg := ml.s.metricsConfig()
	in, _, err := ml.s.store.MetricsInput(ctx, area, cfg, ps...)
	if err != nil {
		ml.s.log.Warn("metrics not recomputed", "area", area, "err", err)
		return
	}
	out := make([]metrics.AreaMetrics, len(ps))
	for i, per := range ps {
		out[i] = metrics.Compute(in, per, cfg)
	}
	msg := &Message{Seq: p.seq, Type: "metrics", Op: "update", Area: area, Data: map[string]any{"metrics": out}}
	if err := ml.s.hub.Publish(ctx, msg); err != nil {
		ml.s.log.Warn("metrics not published", "area", area, "err", err)
	}
}

// sortPeriods orders periods by start, years before the months they hold.
func sortPeriods(ps []metrics.Period) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && periodLess(ps[j], ps[j-1]); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

func periodLess(a, b metrics.Period) bool {
	if !a.Start().Equal(b.Start()) {
		return a.Start().Before(b.Start())
	}
	return a.Months() > b.Months()
}

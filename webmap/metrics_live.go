package webmap

import (
	"context"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
	"github.com/diaban/diaban/hotspot/metrics"
)

// metricsDebounce is how long the live metrics wait after a change to an
// area before recomputing it, so a burst of changes costs one recompute.
const metricsDebounce = 200 * time.Millisecond

// The live metrics (a liveView) recompute an area's metrics after a change
// that can move them (an event, a hotspot, an incident, a tip, an
// indicator) and publish a "metrics" message for the area:
//
//	{"type": "metrics", "op": "update", "area": CODE, "seq": SEQ,
//	 "data": {"metrics": [AreaMetrics, ...]}}
//
// under the disclosure rule of the receiving client's role (a viewer's
// small counts are "< 5": hotspot/disclosure; one message per rule),
// with the area's current month and year (Asia/Ho_Chi_Minh) and, for an
// event that occurred in another month, that month and its year too, since a
// backdated event moves the numbers of the period it occurred in. Changes
// without an area (bulk imports, boundary changes) publish one
// {"type": "metrics", "op": "bulk"} that tells clients to reload. Changes
// are coalesced per area for metricsDebounce.

// metricsMoves lists the change kinds that can move an area's metrics.
var metricsMoves = map[hotspot.ChangeKind]bool{
	hotspot.ChangeEvent: true, hotspot.ChangeHotspot: true, hotspot.ChangeIncident: true,
	hotspot.ChangeTip: true, hotspot.ChangeIndicator: true,
}

// metricsPending is what waits to be recomputed for one area.
type metricsPending struct {
	seq     int64
	periods map[hotspot.Period]bool
}

// watchMetrics registers the live metrics on the server's hub.
func (s *Server) watchMetrics() {
	now := time.Now
	watch(s, liveView[string, metricsPending]{
		name: "metrics", delay: metricsDebounce, timeout: 10 * time.Second,
		wanted: func(ctx context.Context, area string) bool { return s.hub.wants(ctx, MessageMetrics, area) },
		key: func(c changed) (string, bool) { // by area code; "" for bulk
			switch {
			case c.kind == hotspot.ChangeArea:
				return "", true
			case !metricsMoves[c.kind]:
				return "", false
			case c.op == hotspot.ChangeBulk:
				return "", true
			}
			return c.area, true
		},
		merge: func(p *metricsPending, c changed) {
			if p.periods == nil {
				p.periods = map[hotspot.Period]bool{}
			}
			p.seq = max(p.seq, c.seq)
			at := hotspot.MonthAt(now())
			p.periods[hotspot.MonthPeriod(at.Year(), at.Month())] = true
			p.periods[hotspot.YearPeriod(at.Year())] = true
			if c.event != nil {
				at := hotspot.MonthAt(c.event.OccurredAt)
				p.periods[hotspot.MonthPeriod(at.Year(), at.Month())] = true
				p.periods[hotspot.YearPeriod(at.Year())] = true
			}
		},
		compute: s.recomputeMetrics,
	})
}

// recomputeMetrics recomputes one area's metrics (or announces a bulk
// change) for the periods pending.
func (s *Server) recomputeMetrics(ctx context.Context, area string, p metricsPending) ([]*Message, error) {
	if area == "" {
		return []*Message{{Seq: p.seq, Type: MessageMetrics, Op: hotspot.ChangeBulk}}, nil
	}
	ps := make([]hotspot.Period, 0, len(p.periods))
	for per := range p.periods {
		ps = append(ps, per)
	}
	sortPeriods(ps)
	cfg := s.metricsConfig()
	in, _, err := s.hub.recompute.MetricsInput(ctx, area, cfg, ps...) // the recomputes' own pool
	if err != nil {
		return nil, err
	}
	exact, limited := disclosure.Rule{}, disclosure.For(hotspot.RoleViewer)
	out, lim := make([]disclosure.AreaMetrics, len(ps)), make([]disclosure.AreaMetrics, len(ps))
	for i, per := range ps {
		m := metrics.Compute(in, per, cfg)
		out[i], lim[i] = exact.Metrics(m), limited.Metrics(m)
	}
	// One message per disclosure rule: the hub gives each client the one
	// of its role (subscription.limited).
	return []*Message{
		{Seq: p.seq, Type: MessageMetrics, Op: hotspot.ChangeUpdate, Area: area, Data: &metricsData{Metrics: out}, audience: audienceExact},
		{Seq: p.seq, Type: MessageMetrics, Op: hotspot.ChangeUpdate, Area: area, Data: &metricsData{Metrics: lim}, audience: audienceLimited},
	}, nil
}

// sortPeriods orders periods by start, years before the months they hold.
func sortPeriods(ps []hotspot.Period) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && periodLess(ps[j], ps[j-1]); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

func periodLess(a, b hotspot.Period) bool {
	if !a.Start().Equal(b.Start()) {
		return a.Start().Before(b.Start())
	}
	return a.Months() > b.Months()
}

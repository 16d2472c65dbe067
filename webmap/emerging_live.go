package webmap

import (
	"context"
	"slices"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/inputs"
)

// emergingPushDelay is how long the push waits after an incident change
// before recomputing and telling the maps, so that a burst of reports or an
// import costs one analysis and one reload per few seconds.
const emergingPushDelay = 2 * time.Second

// emergingAPI answers /api/emerging from the analyses of an
// inputs.EmergingCache, keyed by the question and by the newest incident
// and area change sequences, so an answer is never stale even if a change
// notification is missed. After incident and area changes (a liveView) it
// recomputes the most recent questions and publishes an "emerging" message
// per area changed, debounced, so open maps reload the layer.
type emergingAPI struct {
	s     *Server
	cache *inputs.EmergingCache[*emergingResult]
}

// emergingPending is what waits for the next push: the areas changed ("" for
// bulk loads) and the newest change.
type emergingPending struct {
	areas map[string]bool
	seq   int64
}

// newEmergingAPI builds the emerging endpoints and registers, on the hub,
// the recomputation and push after incident changes.
func newEmergingAPI(s *Server) *emergingAPI {
	a := &emergingAPI{s: s}
	a.cache = inputs.NewEmergingCache(s.store, a.render)
	watch(s, liveView[struct{}, emergingPending]{
		name: "emerging", delay: emergingPushDelay,
		key: func(c changed) (struct{}, bool) {
			return struct{}{}, c.kind == hotspot.ChangeIncident || c.kind == hotspot.ChangeArea
		},
		merge: func(p *emergingPending, c changed) {
			if p.areas == nil {
				p.areas = map[string]bool{}
			}
			p.areas[c.area] = true
			p.seq = max(p.seq, c.seq)
		},
		compute: a.recompute,
	})
	return a
}

// result returns the analysis of q at the data's current version.
func (a *emergingAPI) result(ctx context.Context, q inputs.EmergingQuestion) (*emergingResult, error) {
	return a.cache.Get(ctx, q)
}

// recompute recomputes the recent questions touched by the pending changes,
// so the maps' reloads find them ready, and returns one "emerging" message
// per changed area (one for everyone after a bulk load).
func (a *emergingAPI) recompute(ctx context.Context, _ struct{}, p emergingPending) ([]*Message, error) {
	rs := a.s.hub.recompute // the recomputes' own pool
	idx, err := rs.Areas(ctx)
	if err != nil {
		return nil, err
	}
	touched := func(code string) bool {
		if p.areas[""] {
			return true
		}
		for changed := range p.areas {
			if slices.Contains(idx.Ancestors(changed), code) {
				return true
			}
		}
		return false
	}
	for _, q := range a.cache.Recent() {
		if !touched(q.Query.AreaCode) {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, inputs.EmergingTimeout)
		if _, err := a.cache.GetFrom(cctx, rs, q); err != nil {
			a.s.log.Warn("emerging not recomputed", "area", q.Query.AreaCode, "seq", p.seq, "err", err)
		}
		cancel()
	}
	targets := make([]string, 0, len(p.areas))
	for code := range p.areas {
		targets = append(targets, code)
	}
	if p.areas[""] || len(targets) > 20 {
		targets = []string{""}
	}
	slices.Sort(targets)
	msgs := make([]*Message, len(targets))
	for i, code := range targets {
		msgs[i] = &Message{Seq: p.seq, Type: MessageEmerging, Op: hotspot.ChangeUpdate, Area: code}
	}
	return msgs, nil
}

package webmap

import (
	"context"

	"github.com/diaban/diaban/hotspot/store"
	"slices"
	"sync"
	"time"
)

// emergingPushDelay is how long the push waits after an incident change
// before recomputing and telling the maps, so that a burst of reports or an
// import costs one analysis and one reload per few seconds.
const emergingPushDelay = 2 * time.Second

// Sizes of the emerging cache.
const (
	emergingCacheSize = 16 // analyses kept
	emergingRecent    = 4  // recent questions recomputed after a change
	emergingTimeout   = 2 * time.Minute
)

// emergingAPI answers /api/emerging from a cache of analyses keyed by the
// question and by the newest incident and area change sequences, so an
// answer is never stale even if a change notification is missed. After
// incident changes (the hub's AfterChange hook) it drops the cache,
// recomputes the most recent questions and publishes an "emerging" message
// per area changed, debounced, so open maps reload the layer.
type emergingAPI struct {
	s     *Server
	delay time.Duration

	mu      sync.Mutex
	cache   map[emergingKey]*emergingEntry
	recent  []emergingParams // newest first
	pending map[string]bool  // areas changed since the last push; "" for bulk loads
	lastSeq int64            // newest change pending
	waiting bool             // a push is scheduled
}

// emergingKey is an emergingParams plus the data version, comparable.
type emergingKey struct {
	area, kind, bin  string
	from, to         int64 // Unix nanoseconds; 0 when open
	res              int
	ring, timeStep   int
	alpha            float64
	fdr              bool
	incSeq, areasSeq int64
}

// emergingEntry is an analysis done or under way; done closes when it ends.
type emergingEntry struct {
	done chan struct{}
	res  *emergingResult
	err  error
}

func keyOf(p emergingParams, incSeq, areasSeq int64) emergingKey {
	k := emergingKey{
		area: p.q.AreaCode, kind: string(p.q.Kind), bin: string(p.q.Bin), res: p.q.Res,
		ring: p.opt.Ring, timeStep: p.opt.TimeStep, alpha: p.opt.Alpha, fdr: p.opt.FDR,
		incSeq: incSeq, areasSeq: areasSeq,
	}
	if !p.q.From.IsZero() {
		k.from = p.q.From.UnixNano()
	}
	if !p.q.To.IsZero() {
		k.to = p.q.To.UnixNano()
	}
	return k
}

// newEmergingAPI builds the emerging endpoints and registers, on the hub,
// the invalidation and push after incident changes.
func newEmergingAPI(s *Server) *emergingAPI {
	a := &emergingAPI{s: s, delay: emergingPushDelay, cache: map[emergingKey]*emergingEntry{}, pending: map[string]bool{}}
	s.hub.AfterChange(a.afterChange)
	return a
}

// result returns the analysis of p at the data's current version, from the
// cache or computed once however many ask at the same time. The
// computation outlives a caller that gives up, so the others still get it.
func (a *emergingAPI) result(ctx context.Context, p emergingParams) (*emergingResult, error) {
	incSeq, areasSeq, err := a.s.store.EmergingVersion(ctx)
	if err != nil {
		return nil, err
	}
	key := keyOf(p, incSeq, areasSeq)
	a.mu.Lock()
	a.remember(p)
	e, ok := a.cache[key]
	if !ok {
		if len(a.cache) >= emergingCacheSize {
			for k := range a.cache { // drop any one; questions repeat, the version moves on
				delete(a.cache, k)
				break
			}
		}
		e = &emergingEntry{done: make(chan struct{})}
		a.cache[key] = e
	}
	a.mu.Unlock()
	if !ok {
		go func() {
			// Shared by every caller asking the same question: the system
			// scope (the policy has checked the area already).
			cctx, cancel := context.WithTimeout(store.WithSystemScope(context.WithoutCancel(ctx)), emergingTimeout)
			defer cancel()
			e.res, e.err = a.analyseEmerging(cctx, p, incSeq)
			if e.err != nil {
				a.mu.Lock()
				if a.cache[key] == e {
					delete(a.cache, key)
				}
				a.mu.Unlock()
			}
			close(e.done)
		}()
	}
	select {
	case <-e.done:
		return e.res, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// remember puts p first in the recent questions. Call with a.mu held.
func (a *emergingAPI) remember(p emergingParams) {
	k := keyOf(p, 0, 0)
	a.recent = slices.DeleteFunc(a.recent, func(q emergingParams) bool { return keyOf(q, 0, 0) == k })
	a.recent = append([]emergingParams{p}, a.recent...)
	if len(a.recent) > emergingRecent {
		a.recent = a.recent[:emergingRecent]
	}
}

// afterChange is the hub's hook: an incident or area change drops the
// cache and schedules a push.
func (a *emergingAPI) afterChange(ctx context.Context, m *Message) {
	if m.Type != "incident" && m.Type != "area" {
		return
	}
	a.mu.Lock()
	clear(a.cache)
	a.pending[m.Area] = true
	a.lastSeq = max(a.lastSeq, m.Seq)
	start := !a.waiting
	a.waiting = true
	a.mu.Unlock()
	if start {
		time.AfterFunc(a.delay, func() { a.push(ctx) })
	}
}

// push recomputes the recent questions touched by the pending changes, so
// the maps' reloads find them ready, and publishes one "emerging" message
// per changed area (one for everyone after a bulk load).
func (a *emergingAPI) push(ctx context.Context) {
	a.mu.Lock()
	areas, seq, recent := a.pending, a.lastSeq, slices.Clone(a.recent)
	a.pending, a.waiting = map[string]bool{}, false
	a.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	log := a.s.log
	idx, err := a.s.store.Areas(ctx)
	if err != nil {
		log.Warn("emerging not pushed", "seq", seq, "err", err)
		return
	}
	touched := func(code string) bool {
		if areas[""] {
			return true
		}
		for changed := range areas {
			if slices.Contains(idx.Ancestors(changed), code) {
				return true
			}
		}
		return false
	}
	for _, p := range recent {
		if !touched(p.q.AreaCode) {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, emergingTimeout)
		if _, err := a.result(cctx, p); err != nil {
			log.Warn("emerging not recomputed", "area", p.q.AreaCode, "seq", seq, "err", err)
		}
		cancel()
	}
	targets := make([]string, 0, len(areas))
	for code := range areas {
		targets = append(targets, code)
	}
	if areas[""] || len(targets) > 20 {
		targets = []string{""}
	}
	slices.Sort(targets)
	for _, code := range targets {
		m := &Message{Seq: seq, Type: "emerging", Op: "update", Area: code}
		if err := a.s.hub.Publish(ctx, m); err != nil {
			log.Warn("emerging not pushed", "area", code, "seq", seq, "err", err)
		}
	}
}

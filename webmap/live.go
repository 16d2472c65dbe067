package webmap

import (
	"context"
	"sync"
	"time"
)

// A live view is something derived from the data that open maps show and
// that changes move: an area's metrics (metrics_live.go), its camera
// coverage (coverage_push.go), the emerging hot spots (emerging_live.go).
// Every view is kept fresh by the one mechanism here: the hub hands each
// change to the view's key function, the changes for one key are folded
// together for the view's delay (a burst costs one recompute), then the
// view recomputes that key once and the messages it returns are published.
type liveView[K comparable, V any] struct {
	name    string        // for the log
	delay   time.Duration // how long changes to one key are coalesced
	timeout time.Duration // bounds one recompute and its publication; 0: none
	// key says which pending recompute a change joins; false when the
	// change cannot move the view.
	key func(c changed) (K, bool)
	// merge folds a change into what is pending for its key.
	merge func(pending *V, c changed)
	// compute recomputes one key with what was pending and returns the
	// messages to publish.
	compute func(ctx context.Context, key K, pending V) ([]*Message, error)
	// wanted, when set, says whether anyone subscribed could receive what
	// compute would publish for key; when not, nothing is computed.
	wanted func(ctx context.Context, key K) bool
}

// watch registers v on the server's hub.
func watch[K comparable, V any](s *Server, v liveView[K, V]) {
	d := newDebouncer(v.delay, func(ctx context.Context, key K, pending V) { v.flush(ctx, s, key, pending) })
	s.hub.afterChange(func(ctx context.Context, c changed) {
		if key, ok := v.key(c); ok {
			d.add(ctx, key, func(p *V) { v.merge(p, c) })
		}
	})
}

// maxLiveRecomputes bounds how many live recomputes (of every view
// together) run at once, so that a burst of changes over many areas cannot
// take every connection of the pool from the feed and the API: each view
// coalesces per key (the debouncer), and the keys' recomputes queue here.
const maxLiveRecomputes = 2

// liveRecomputes is the semaphore of maxLiveRecomputes slots.
var liveRecomputes = make(chan struct{}, maxLiveRecomputes)

// flush recomputes one key and publishes, once a recompute slot is free
// (changes arriving meanwhile join the key's next flush).
func (v liveView[K, V]) flush(ctx context.Context, s *Server, key K, pending V) {
	select {
	case liveRecomputes <- struct{}{}:
		defer func() { <-liveRecomputes }()
	case <-ctx.Done():
		return
	}
	if v.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, v.timeout)
		defer cancel()
	}
	if v.wanted != nil && !v.wanted(ctx, key) {
		return
	}
	msgs, err := v.compute(ctx, key, pending)
	if err != nil {
		s.log.Warn(v.name+" not recomputed", "key", key, "err", err)
		return
	}
	for _, m := range msgs {
		if err := s.hub.Publish(ctx, m); err != nil {
			s.log.Warn(v.name+" not published", "area", m.Area, "seq", m.Seq, "err", err)
		}
	}
}

// debouncer coalesces what is added under one key for a delay, then hands
// it to flush once, on a goroutine of its own. What is added while a flush
// runs waits for the next one.
type debouncer[K comparable, V any] struct {
	delay time.Duration
	flush func(ctx context.Context, key K, pending V)

	mu      sync.Mutex
	pending map[K]*V
}

func newDebouncer[K comparable, V any](delay time.Duration, flush func(context.Context, K, V)) *debouncer[K, V] {
	return &debouncer[K, V]{delay: delay, flush: flush, pending: map[K]*V{}}
}

// add folds into key's pending value with update (starting from the zero
// value), and schedules a flush of key unless one is scheduled already.
// The flush runs in ctx, unless ctx has ended by then.
func (d *debouncer[K, V]) add(ctx context.Context, key K, update func(*V)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.pending[key]
	if !ok {
		p = new(V)
		d.pending[key] = p
		time.AfterFunc(d.delay, func() { d.fire(ctx, key) })
	}
	update(p)
}

func (d *debouncer[K, V]) fire(ctx context.Context, key K) {
	d.mu.Lock()
	p := d.pending[key]
	delete(d.pending, key)
	d.mu.Unlock()
	if p == nil || ctx.Err() != nil {
		return
	}
	d.flush(ctx, key, *p)
}

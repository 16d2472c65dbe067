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
	d := newDebouncer(v.delay, s.hub.recomputes, func(ctx context.Context, key K, pending V) { v.flush(ctx, s, key, pending) })
	s.hub.afterChange(func(ctx context.Context, c changed) {
		if key, ok := v.key(c); ok {
			d.add(ctx, key, func(p *V) { v.merge(p, c) })
		}
	})
}

// DefaultRecomputes is how many live recomputes (of every view together)
// run at once (LiveConfig.Recomputes), so that a burst of changes over
// many areas cannot take every connection from the feed and the API: each
// view coalesces per key (the debouncer), and the keys due wait in one
// queue for these workers.
const DefaultRecomputes = 2

// DefaultRecomputePool is how many connections the live recomputes have
// in a pool of their own (serve --recompute-pool).
const DefaultRecomputePool = 4

// flush recomputes one key and publishes (on a recompute worker).
func (v liveView[K, V]) flush(ctx context.Context, s *Server, key K, pending V) {
	if v.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, v.timeout)
		defer cancel()
	}
	if v.wanted != nil && !v.wanted(ctx, key) {
		return
	}
	s.hub.stats.recomputes.WithLabelValues(v.name).Inc()
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

// recomputeQueue runs the recomputes due, in order, on a fixed number of
// workers. Each debouncer puts a key in it at most once at a time, so the
// queue holds at most one entry per key however fast changes come, and no
// goroutine waits for a slot.
type recomputeQueue struct {
	workers int
	mu      sync.Mutex
	jobs    []func()
	running int
	wake    chan struct{}
}

func newRecomputeQueue(workers int) *recomputeQueue {
	return &recomputeQueue{workers: workers, wake: make(chan struct{}, workers)}
}

// start runs the workers until stop is closed.
func (q *recomputeQueue) start(stop <-chan struct{}) {
	for range q.workers {
		go q.work(stop)
	}
}

func (q *recomputeQueue) push(job func()) {
	q.mu.Lock()
	q.jobs = append(q.jobs, job)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default: // every worker is awake already
	}
}

// pending is how many recomputes wait and how many run.
func (q *recomputeQueue) pending() (waiting, running int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.jobs), q.running
}

func (q *recomputeQueue) work(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-q.wake:
		}
		for {
			q.mu.Lock()
			if len(q.jobs) == 0 {
				q.mu.Unlock()
				break
			}
			job := q.jobs[0]
			q.jobs[0] = nil
			q.jobs = q.jobs[1:]
			more := len(q.jobs) > 0
			q.running++
			q.mu.Unlock()
			if more {
				select { // another worker takes the next
				case q.wake <- struct{}{}:
				default:
				}
			}
			job()
			q.mu.Lock()
			q.running--
			q.mu.Unlock()
		}
	}
}

// debouncer coalesces what is added under one key for a delay, then puts
// the key in the recompute queue, once: what is added while the key waits
// (for the delay, or for a worker) joins that flush; what is added while
// it is being flushed joins the next one, due a delay after this one ends.
// A key costs no goroutine while it waits, only its entry here (and one
// timer for the delay).
type debouncer[K comparable, V any] struct {
	delay time.Duration
	queue *recomputeQueue
	flush func(ctx context.Context, key K, pending V)

	mu   sync.Mutex
	keys map[K]*debounced[V]
}

// debounced is one key's state.
type debounced[V any] struct {
	pending *V              // folded since its last flush began; nil: nothing
	due     bool            // a timer or the queue will flush it
	running bool            // being flushed
	ctx     context.Context // of the newest add
}

func newDebouncer[K comparable, V any](delay time.Duration, q *recomputeQueue, flush func(context.Context, K, V)) *debouncer[K, V] {
	return &debouncer[K, V]{delay: delay, queue: q, flush: flush, keys: map[K]*debounced[V]{}}
}

// add folds into key's pending value with update (starting from the zero
// value), and schedules a flush of key unless one is scheduled or running.
// The flush runs in ctx, unless ctx has ended by then.
func (d *debouncer[K, V]) add(ctx context.Context, key K, update func(*V)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.keys[key]
	if st == nil {
		st = &debounced[V]{}
		d.keys[key] = st
	}
	if st.pending == nil {
		st.pending = new(V)
	}
	update(st.pending)
	st.ctx = ctx
	if !st.due && !st.running {
		d.schedule(key, st)
	}
}

// schedule queues key's flush after the delay (d.mu held).
func (d *debouncer[K, V]) schedule(key K, st *debounced[V]) {
	st.due = true
	time.AfterFunc(d.delay, func() { d.queue.push(func() { d.run(key) }) })
}

// run flushes key with what is pending (on a worker).
func (d *debouncer[K, V]) run(key K) {
	d.mu.Lock()
	st := d.keys[key]
	p, ctx := st.pending, st.ctx
	st.pending, st.due, st.running = nil, false, true
	d.mu.Unlock()
	if p != nil && ctx.Err() == nil {
		d.flush(ctx, key, *p)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	st.running = false
	switch {
	case st.pending != nil && st.ctx.Err() == nil:
		d.schedule(key, st)
	case st.pending == nil:
		delete(d.keys, key)
	default:
		st.pending = nil
		delete(d.keys, key)
	}
}

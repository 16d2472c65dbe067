package inputs

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/diaban/diaban/hotspot/store"
)

// Cache keeps the results of an analysis keyed by the question asked (Q),
// the version of the data it read (V: the sequences of the newest changes
// it depends on) and the scope it read them in (the scope of the context
// given to Get). A result is served only to a caller passing the same
// version, so a missed change notification can never make it stale; the
// results of other versions are dropped when a new one is stored.
//
// A result under way is shared by every caller asking the same question at
// the same version, and runs for as long as one of them waits: when the
// last waiter gives up (its request cancelled, its client gone) the
// computation's context is cancelled and the entry dropped, so abandoned
// work stops instead of running on for nobody. A failed or cancelled
// computation is not kept. Cache is safe for concurrent use.
type Cache[Q, V comparable, R any] struct {
	size    int
	timeout time.Duration

	mu      sync.Mutex
	entries map[cacheKey[Q, V]]*cacheEntry[R]
	running atomic.Int64 // computations under way
}

type cacheKey[Q, V comparable] struct {
	q       Q
	version V
	scope   string
}

// cacheEntry is a result done or under way; done closes when it ends.
// waiters counts the callers waiting for it (under Cache.mu); cancel stops
// its computation.
type cacheEntry[R any] struct {
	done    chan struct{}
	res     R
	err     error
	waiters int
	cancel  context.CancelFunc
}

// NewCache returns a cache keeping at most size results, each computed
// within timeout.
func NewCache[Q, V comparable, R any](size int, timeout time.Duration) *Cache[Q, V, R] {
	return &Cache[Q, V, R]{size: size, timeout: timeout, entries: map[cacheKey[Q, V]]*cacheEntry[R]{}}
}

// Get returns the result of q at version, from the cache or computed once
// by compute (in ctx's scope) however many ask at the same time. The
// computation is cancelled when every caller waiting for it has given up,
// and ends at the cache's timeout in any case.
func (c *Cache[Q, V, R]) Get(ctx context.Context, q Q, version V, compute func(context.Context) (R, error)) (R, error) {
	key := cacheKey[Q, V]{q: q, version: version, scope: store.ScopeKey(ctx)}
	c.mu.Lock()
	e, ok := c.entries[key]
	if !ok {
		for k := range c.entries {
			if k.version != version {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= c.size {
			for k := range c.entries { // drop any one; questions repeat, the version moves on
				delete(c.entries, k)
				break
			}
		}
		e = &cacheEntry[R]{done: make(chan struct{})}
		c.entries[key] = e
	}
	var cctx context.Context
	if !ok {
		// The computation keeps ctx's values (its scope) but not its
		// cancellation: it belongs to all its waiters, and ends with the last.
		cctx, e.cancel = context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
	}
	e.waiters++
	c.mu.Unlock()
	if !ok {
		cancel := e.cancel
		c.running.Add(1)
		go func() {
			defer c.running.Add(-1)
			defer cancel()
			e.res, e.err = compute(cctx)
			if e.err != nil {
				c.mu.Lock()
				if c.entries[key] == e {
					delete(c.entries, key)
				}
				c.mu.Unlock()
			}
			close(e.done)
		}()
	}
	select {
	case <-e.done:
		c.leave(key, e)
		return e.res, e.err
	case <-ctx.Done():
		c.leave(key, e)
		var zero R
		return zero, ctx.Err()
	}
}

// leave ends a caller's wait for e; the last to leave an unfinished
// computation cancels it and drops its entry.
func (c *Cache[Q, V, R]) leave(key cacheKey[Q, V], e *cacheEntry[R]) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.waiters--
	if e.waiters > 0 {
		return
	}
	select {
	case <-e.done:
		return
	default:
	}
	e.cancel()
	if c.entries[key] == e {
		delete(c.entries, key)
	}
}

// Running returns how many computations are under way (for tests and
// metrics: an abandoned one stops counting once it has stopped).
func (c *Cache[Q, V, R]) Running() int { return int(c.running.Load()) }

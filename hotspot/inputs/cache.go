package inputs

import (
	"context"
	"sync"
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
// the same version; the computation outlives a caller that gives up, so the
// others still get it. A failed computation is not kept. Cache is safe for
// concurrent use.
type Cache[Q, V comparable, R any] struct {
	size    int
	timeout time.Duration

	mu      sync.Mutex
	entries map[cacheKey[Q, V]]*cacheEntry[R]
}

type cacheKey[Q, V comparable] struct {
	q       Q
	version V
	scope   string
}

// cacheEntry is a result done or under way; done closes when it ends.
type cacheEntry[R any] struct {
	done chan struct{}
	res  R
	err  error
}

// NewCache returns a cache keeping at most size results, each computed
// within timeout.
func NewCache[Q, V comparable, R any](size int, timeout time.Duration) *Cache[Q, V, R] {
	return &Cache[Q, V, R]{size: size, timeout: timeout, entries: map[cacheKey[Q, V]]*cacheEntry[R]{}}
}

// Get returns the result of q at version, from the cache or computed once
// by compute (in ctx's scope, without its cancellation) however many ask at
// the same time.
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
	c.mu.Unlock()
	if !ok {
		go func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
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
		return e.res, e.err
	case <-ctx.Done():
		var zero R
		return zero, ctx.Err()
	}
}

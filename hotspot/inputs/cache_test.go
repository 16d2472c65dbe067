package inputs

import (
	"context"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot/store"
)

// A result read in one scope is never served to another: a planner of one
// commune asking the same question as another commune's gets their own.
func TestCacheKeyedByScopeAndVersion(t *testing.T) {
	c := NewCache[string, int64, int](4, time.Second)
	calls := 0
	compute := func(context.Context) (int, error) { calls++; return calls, nil }
	ctx := context.Background()
	communeA := store.WithScope(ctx, []int64{1, 2})
	communeB := store.WithScope(ctx, []int64{3})
	all := store.WithSystemScope(ctx)
	for _, step := range []struct {
		ctx     context.Context
		version int64
		want    int
	}{
		{communeA, 1, 1},
		{communeB, 1, 2}, // another scope: computed again
		{communeA, 1, 1}, // cached
		{all, 1, 3},
		{communeA, 2, 4}, // a new version: computed again
		{communeA, 2, 4},
	} {
		got, err := c.Get(step.ctx, "plan 20398 k=3", step.version, compute)
		if err != nil || got != step.want {
			t.Fatalf("scope %q version %d: %d, %v; want %d", store.ScopeKey(step.ctx), step.version, got, err, step.want)
		}
	}
}

// An analysis nobody waits for any more stops: when the last of its
// callers gives up, its computation's context is cancelled, and a caller
// still waiting keeps it running.
func TestAbandonedComputationStops(t *testing.T) {
	c := NewCache[string, int64, int](4, time.Minute)
	stopped := make(chan time.Duration, 2)
	busy := func(ctx context.Context) (int, error) {
		start := time.Now()
		x := 0
		for ctx.Err() == nil { // CPU-bound, checking its context as emerging.Analyze does
			for i := 0; i < 1e5; i++ {
				x += i
			}
		}
		stopped <- time.Since(start)
		return x, ctx.Err()
	}
	ctx := store.WithSystemScope(context.Background())

	// Two callers share one computation; the first leaves, the second still waits.
	a, cancelA := context.WithCancel(ctx)
	b, cancelB := context.WithCancel(ctx)
	errs := make(chan error, 2)
	go func() { _, err := c.Get(a, "emerging 20530", 1, busy); errs <- err }()
	time.Sleep(50 * time.Millisecond)
	go func() { _, err := c.Get(b, "emerging 20530", 1, busy); errs <- err }()
	time.Sleep(100 * time.Millisecond)
	cancelA()
	if err := <-errs; err == nil {
		t.Fatal("the caller that left got a result")
	}
	time.Sleep(200 * time.Millisecond)
	if c.Running() != 1 {
		t.Fatalf("running %d after one of two callers left, want 1", c.Running())
	}
	// The last leaves: the computation stops within 2 s.
	left := time.Now()
	cancelB()
	<-errs
	select {
	case <-stopped:
	case <-time.After(2 * time.Second):
		t.Fatal("the abandoned computation still runs 2 s after its last caller left")
	}
	for c.Running() != 0 {
		if time.Since(left) > 2*time.Second {
			t.Fatalf("running %d", c.Running())
		}
		time.Sleep(time.Millisecond)
	}
	t.Logf("stopped %v after the last caller left", time.Since(left))

	// The cancelled computation is not cached: the next caller computes afresh.
	got, err := c.Get(ctx, "emerging 20530", 1, func(context.Context) (int, error) { return 7, nil })
	if err != nil || got != 7 {
		t.Fatalf("after cancellation: %d, %v; want a fresh result 7", got, err)
	}
}

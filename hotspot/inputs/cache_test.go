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

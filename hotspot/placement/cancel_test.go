package placement_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot/placement"
	"github.com/diaban/diaban/hotspot/placement/internal/synth"
)

// An abandoned solve stops with its context, long before its time limit
// (issue 12: a plan abandoned by its client ran on for minutes).
func TestSolveStopsWithItsContext(t *testing.T) {
	demand, sites := synth.Generate(synth.Config{Seed: 7, Demand: 30_000, Sites: 4_000, Clusters: 80, SizeM: 6_000})
	c, err := placement.NewCandidates(demand, sites, benchModel, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, after := range []time.Duration{5 * time.Millisecond, 400 * time.Millisecond} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			_, err := c.SolveContext(ctx, placement.Options{K: 60, TimeLimit: 5 * time.Minute})
			done <- err
		}()
		select {
		case err := <-done:
			t.Fatalf("solved in %v before the cancel at %v (err %v): the instance is too easy for this test", time.Since(start), after, err)
		case <-time.After(after):
		}
		cancel()
		cancelled := time.Now()
		select {
		case err := <-done:
			t.Logf("cancelled at %v: returned %v later (%v)", after, time.Since(cancelled), err)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled solve returned %v, want context.Canceled", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("cancelled at %v: still running 2 s later", after)
		}
	}
	// Not cancelled, the same context-aware solve answers as Solve does.
	a, err := c.SolveContext(context.Background(), placement.Options{K: 5, TimeLimit: -1})
	b, err2 := c.Solve(placement.Options{K: 5, TimeLimit: -1})
	if err != nil || err2 != nil || a.CoveredWeight != b.CoveredWeight {
		t.Errorf("SolveContext %v %v, Solve %v %v", a.CoveredWeight, err, b.CoveredWeight, err2)
	}
}

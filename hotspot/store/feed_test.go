package store_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
)

// TestFollowSurvivesALostConnection kills the feed's LISTEN connection, makes
// a change while it is down, and expects that change — and every change, in
// order, without a gap — once the feed has reconnected and caught up.
func TestFollowSurvivesALostConnection(t *testing.T) {
	s, ctx := newStore(t)
	if _, err := importString(t, s, ctx, "hotspots", "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,Quán\n", importer.Options{}); err != nil {
		t.Fatal(err)
	}
	got := make(chan store.Change, 100)
	followCtx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		_ = s.Follow(followCtx, 0, slog.New(slog.NewTextHandler(io.Discard, nil)), func(c store.Change) { got <- c })
	}()
	latest, err := s.LatestSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	waitFor := func(seq int64) {
		t.Helper()
		deadline := time.After(15 * time.Second)
		for len(seqs) == 0 || seqs[len(seqs)-1] < seq {
			select {
			case c := <-got:
				seqs = append(seqs, c.Seq)
			case <-deadline:
				t.Fatalf("waited for seq %d; got %v", seq, seqs)
			}
		}
	}
	waitFor(latest) // the catch-up from 0

	// Wait until the LISTEN connection exists, then kill it.
	var killed bool
	for i := 0; i < 100 && !killed; i++ {
		err := s.Pool().QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) > 0 FROM pg_stat_activity
			WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`).Scan(&killed)
		if err != nil {
			t.Fatal(err)
		}
		if !killed {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if !killed {
		t.Fatal("never found the feed's LISTEN connection")
	}
	// A change while the feed is down: its notification is lost.
	if _, err := s.AddEvent(ctx, 1, hotspot.Event{Kind: hotspot.EventDetected, OccurredAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	after, _ := s.LatestSeq(ctx)
	waitFor(after)
	for i := 1; i < len(seqs); i++ {
		if seqs[i] != seqs[i-1]+1 {
			t.Fatalf("the feed skipped or repeated: %v", seqs)
		}
	}
	if seqs[0] != 1 {
		t.Errorf("the catch-up did not start at the first change: %v", seqs)
	}
}

package store_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

// follow runs a feed from 0 over s and returns the channel of what it
// hands over and the feed.
func follow(t *testing.T, ctx context.Context, s *store.Store, opts store.FeedOptions) (<-chan store.Change, *store.Feed) {
	t.Helper()
	got := make(chan store.Change, 10000)
	opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	opts.Handle = func(_ context.Context, batch []store.Change) (int, error) {
		for _, c := range batch {
			got <- c
		}
		return len(batch), nil
	}
	f := s.NewFeed(opts)
	followCtx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	go func() { _ = f.Run(followCtx) }()
	return got, f
}

// seqRecorder collects what a feed hands over and checks it has no gap or
// repeat (the fixture's changes are never rolled back, so seqs are dense).
type seqRecorder struct {
	t    *testing.T
	got  <-chan store.Change
	seqs []int64
}

func (r *seqRecorder) waitFor(seq int64, within time.Duration) {
	r.t.Helper()
	deadline := time.After(within)
	for len(r.seqs) == 0 || r.seqs[len(r.seqs)-1] < seq {
		select {
		case c := <-r.got:
			r.seqs = append(r.seqs, c.Seq)
		case <-deadline:
			r.t.Fatalf("waited for seq %d; got up to %v", seq, r.seqs[max(0, len(r.seqs)-5):])
		}
	}
	for i := 1; i < len(r.seqs); i++ {
		if r.seqs[i] != r.seqs[i-1]+1 {
			r.t.Fatalf("the feed skipped or repeated at %d: %v", i, r.seqs[max(0, i-3):min(len(r.seqs), i+3)])
		}
	}
}

func killListener(t *testing.T, ctx context.Context, s *store.Store) {
	t.Helper()
	for i := 0; i < 200; i++ {
		var killed bool
		err := s.Pool().QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) > 0 FROM pg_stat_activity
			WHERE datname = current_database() AND application_name LIKE '%listener' AND pid <> pg_backend_pid()`).Scan(&killed)
		if err != nil {
			t.Fatal(err)
		}
		if killed {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatal("never found the feed's LISTEN connection")
}

// TestFollowSurvivesALostConnection kills the feed's LISTEN connection, makes
// a change while it is down, and expects that change — and every change, in
// order, without a gap — once the feed has reconnected and caught up. Kills
// in a row each reconnect within a second: the back-off starts again after
// every success.
func TestFollowSurvivesALostConnection(t *testing.T) {
	s, ctx := newStore(t)
	if _, err := importString(t, s, ctx, "hotspots", "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,Quán\n", importer.Options{}); err != nil {
		t.Fatal(err)
	}
	got, f := follow(t, ctx, s, store.FeedOptions{})
	r := &seqRecorder{t: t, got: got}
	latest, err := s.LatestSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r.waitFor(latest, 15*time.Second) // the catch-up from 0
	if r.seqs[0] != 1 {
		t.Errorf("the catch-up did not start at the first change: %v", r.seqs)
	}
	for i := range 6 {
		killListener(t, ctx, s)
		// A change while the feed is down: its notification is lost.
		if _, err := importString(t, s, ctx, "hotspots", fmt.Sprintf("ref,lon,lat,kind,name\nK%d,108.25,15.9,dealing,Quán\n", i), importer.Options{}); err != nil {
			t.Fatal(err)
		}
		after, _ := s.LatestSeq(ctx)
		start := time.Now()
		r.waitFor(after, 15*time.Second)
		if took := time.Since(start); took > 1500*time.Millisecond {
			t.Errorf("kill %d: caught up after %v (the back-off should start again at 100 ms)", i+1, took)
		}
	}
	// The status records a batch as handled once Handle has returned, a
	// moment after the recorder has it: wait for it to catch up.
	want := r.seqs[len(r.seqs)-1]
	st := f.Status()
	for deadline := time.Now().Add(5 * time.Second); st.Last != want && time.Now().Before(deadline); st = f.Status() {
		time.Sleep(10 * time.Millisecond)
	}
	if st.Reconnects < 6 || st.Last != want {
		t.Errorf("status %+v, want Last %d and 6 reconnects or more", st, want)
	}
}

// connectVia returns a Connect that opens s's kind of connection through p.
func connectVia(s *store.Store, p *pgtest.FreezeProxy) store.ConnectFunc {
	return func(ctx context.Context) (*pgx.Conn, error) {
		return pgx.ConnectConfig(ctx, p.Via(s.Pool().Config().ConnConfig, "frozen listener"))
	}
}

// TestFollowNoticesAFrozenListener: a listener whose connection stops
// answering (not closed) is noticed by its check within PingEvery +
// PingTimeout, reported by Status, and replaced; changes made meanwhile
// arrive once it answers again, without a gap.
func TestFollowNoticesAFrozenListener(t *testing.T) {
	s, ctx := newStore(t)
	if _, err := importString(t, s, ctx, "hotspots", "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,Quán\n", importer.Options{}); err != nil {
		t.Fatal(err)
	}
	p := pgtest.NewDBFreezeProxy(t, s.Pool().Config().ConnConfig)
	got, f := follow(t, ctx, s, store.FeedOptions{Connect: connectVia(s, p), PingEvery: 500 * time.Millisecond, PingTimeout: time.Second})
	r := &seqRecorder{t: t, got: got}
	latest, _ := s.LatestSeq(ctx)
	r.waitFor(latest, 15*time.Second)

	p.Freeze()
	frozeAt := time.Now()
	if _, err := s.AddEvent(ctx, 1, hotspot.Event{Kind: hotspot.EventDetected, OccurredAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for {
		st := f.Status()
		if !st.Connected || time.Since(st.Contact) > 2*time.Second {
			t.Logf("frozen listener noticed after %v (%+v)", time.Since(frozeAt).Round(time.Millisecond), st)
			break
		}
		if time.Since(frozeAt) > 5*time.Second {
			t.Fatalf("a frozen listener went unnoticed for 5 s: %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case c := <-got:
		t.Fatalf("a frozen listener delivered %d", c.Seq)
	default:
	}
	p.Thaw()
	after, _ := s.LatestSeq(ctx)
	r.waitFor(after, 15*time.Second)
}

// TestFollowSurvivesADatabaseRestart runs its own throwaway cluster
// (initdb, pg_ctl on a spare port; skipped without the binaries), writes
// about 20 changes/s, restarts the cluster, then stops it for 5 s and starts
// it again: every committed change reaches the feed, once and in order.
func TestFollowSurvivesADatabaseRestart(t *testing.T) {
	bin := "/usr/lib/postgresql/15/bin"
	if _, err := os.Stat(bin + "/pg_ctl"); err != nil {
		t.Skipf("no PostgreSQL 15 binaries in %s (Debian's postgresql-15): cannot run a cluster of our own", bin)
	}
	if testing.Short() {
		t.Skip("short")
	}
	t.Parallel()
	dir, err := os.MkdirTemp("", "diaban-restart-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	_ = os.Chmod(dir, 0o777)
	pg := func(args ...string) error {
		cmd := exec.Command(args[0], args[1:]...)
		if os.Geteuid() == 0 { // initdb refuses root: run as postgres
			cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--"}, args...)...)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %w: %s", args, err, out)
		}
		return nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	data := dir + "/data"
	if err := pg(bin+"/initdb", "-D", data, "-U", "postgres", "-A", "trust"); err != nil {
		t.Skipf("initdb: %v", err)
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", port, dir)
	start := func() {
		if err := pg(bin+"/pg_ctl", "-D", data, "-o", opts, "-l", dir+"/log", "-w", "start"); err != nil {
			t.Fatal(err)
		}
	}
	stop := func() {
		if err := pg(bin+"/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"); err != nil {
			t.Fatal(err)
		}
	}
	start()
	t.Cleanup(func() { _ = pg(bin+"/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop") })

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := store.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	s := store.NewStore(pool)
	f, err := os.Open("../testdata/areas.geojson")
	if err != nil {
		t.Fatal(err)
	}
	_, err = importer.Import(ctx, s, "areas", f, importer.Options{})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importString(t, s, ctx, "hotspots", "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,Quán\n", importer.Options{}); err != nil {
		t.Fatal(err)
	}
	got, _ := follow(t, ctx, s, store.FeedOptions{PingEvery: 500 * time.Millisecond, PingTimeout: time.Second})

	// The writer: about 20 changes/s; failures while the cluster is down
	// are expected (those changes were never committed).
	done := make(chan struct{})
	var wrote, failed atomic.Int64
	go func() {
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
			wctx, wcancel := context.WithTimeout(ctx, time.Second)
			_, err := pool.Exec(wctx, `UPDATE hotspots SET name = $1 WHERE id = 1`, fmt.Sprint(i))
			wcancel()
			if err != nil {
				failed.Add(1)
			} else {
				wrote.Add(1)
			}
		}
	}()
	time.Sleep(2 * time.Second)
	stop() // a restart
	start()
	time.Sleep(2 * time.Second)
	stop() // down for 5 s
	time.Sleep(5 * time.Second)
	start()
	time.Sleep(3 * time.Second)
	close(done)

	var want []int64
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		rows, err := pool.Query(ctx, `SELECT seq FROM changes ORDER BY seq`)
		if err == nil {
			want, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		}
		if err == nil || time.Now().After(deadline) {
			break
		}
	}
	var seqs []int64
	deadline := time.After(20 * time.Second)
	for len(seqs) < len(want) {
		select {
		case c := <-got:
			seqs = append(seqs, c.Seq)
		case <-deadline:
			t.Fatalf("the feed handed over %d of %d committed changes", len(seqs), len(want))
		}
	}
	for i := range want {
		if seqs[i] != want[i] {
			t.Fatalf("change %d: seq %d, want %d (skipped or repeated)", i, seqs[i], want[i])
		}
	}
	select {
	case c := <-got:
		t.Errorf("an extra change %d", c.Seq)
	case <-time.After(500 * time.Millisecond):
	}
	t.Logf("%d changes written (%d writes failed while down), all %d committed reached the feed in order", wrote.Load(), failed.Load(), len(want))
}

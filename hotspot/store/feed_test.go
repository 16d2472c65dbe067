package store_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
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
	if st := f.Status(); st.Reconnects < 6 || st.Last != r.seqs[len(r.seqs)-1] {
		t.Errorf("status %+v", st)
	}
}

// freezer is a TCP proxy that can stop forwarding without closing, as a
// frozen backend or a dead network path looks to the client.
type freezer struct {
	ln     net.Listener
	target string
	frozen atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

func newFreezer(t *testing.T, target string) *freezer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &freezer{ln: ln, target: target}
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go p.pipe(c, u)
			go p.pipe(u, c)
		}
	}()
	return p
}

func (p *freezer) pipe(from, to net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		for p.frozen.Load() {
			time.Sleep(10 * time.Millisecond)
		}
		if n > 0 {
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			to.Close()
			return
		}
	}
}

// connectVia returns a Connect that opens s's kind of connection through p.
func connectVia(s *store.Store, p *freezer) store.ConnectFunc {
	return func(ctx context.Context) (*pgx.Conn, error) {
		cfg := s.Pool().Config().ConnConfig.Copy()
		host, port, _ := net.SplitHostPort(p.ln.Addr().String())
		n, _ := strconv.Atoi(port)
		cfg.Host, cfg.Port = host, uint16(n)
		cfg.Fallbacks = nil
		cfg.RuntimeParams["application_name"] = "frozen listener"
		return pgx.ConnectConfig(ctx, cfg)
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
	cfg := s.Pool().Config().ConnConfig
	p := newFreezer(t, net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))))
	got, f := follow(t, ctx, s, store.FeedOptions{Connect: connectVia(s, p), PingEvery: 500 * time.Millisecond, PingTimeout: time.Second})
	r := &seqRecorder{t: t, got: got}
	latest, _ := s.LatestSeq(ctx)
	r.waitFor(latest, 15*time.Second)

	p.frozen.Store(true)
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
	p.frozen.Store(false)
	after, _ := s.LatestSeq(ctx)
	r.waitFor(after, 15*time.Second)
}

package webmap

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/diaban/diaban/geo"
)

func testClient(h *Hub, scope string) *client {
	c := newClient(h, nil, nil, "")
	c.scope, c.sub.scope, c.state = scope, scope, stateLive
	c.scheduled = true // never flushed: the test reads the queue
	h.add(c)
	return c
}

func TestSlowClientIsDroppedAndOthersKeepReceiving(t *testing.T) {
	h := newHub(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), LiveConfig{})
	slow := testClient(h, "")
	fast := testClient(h, "")
	for i := 1; i <= queueSize+10; i++ {
		h.broadcast(&outgoing{msg: &Message{Seq: int64(i), Type: "event"}, body: []byte("{}")})
		fast.mu.Lock()
		fast.queue = fast.queue[:0] // the fast client keeps up
		fast.mu.Unlock()
	}
	select {
	case <-slow.endCh:
	default:
		t.Fatal("a client that fell behind was not told to resync")
	}
	if slow.endResync != reasonSlowClient {
		t.Errorf("resync reason %q", slow.endResync)
	}
	h.broadcast(&outgoing{msg: &Message{Seq: 99999, Type: "event"}, body: []byte("{}")})
	if len(fast.queue) != 1 || fast.queue[0].msg.Seq != 99999 {
		t.Errorf("fast client queue %d", len(fast.queue))
	}
}

// TestFanOutByScope: a change in one commune is offered to that commune's
// clients, its district's and the unscoped ones, no one else's; a change
// without an area reaches everyone.
func TestFanOutByScope(t *testing.T) {
	h := newHub(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), LiveConfig{})
	admin, commune, district, other := testClient(h, ""), testClient(h, "20530"), testClient(h, "503"), testClient(h, "20533")
	h.broadcast(&outgoing{msg: &Message{Seq: 1, Type: "event", Area: "20530", ancestors: []string{"20530", "503", "49"}}, body: []byte("{}")})
	h.broadcast(&outgoing{msg: &Message{Seq: 2, Type: "event", Op: "bulk"}, body: []byte("{}")})
	for _, c := range []struct {
		c    *client
		want int
	}{{admin, 2}, {commune, 2}, {district, 2}, {other, 1}} {
		if len(c.c.queue) != c.want {
			t.Errorf("client of %q got %d messages, want %d", c.c.scope, len(c.c.queue), c.want)
		}
	}
}

// TestReplayRing: the ring returns the kept changes after since, in order,
// and its floor once it has dropped some.
func TestReplayRing(t *testing.T) {
	var r replayRing
	r.init(4)
	for _, s := range []int64{2, 3, 5, 8, 9, 11} {
		r.add(&outgoing{msg: &Message{Seq: s}})
	}
	got, floor := r.between(5, 10)
	if floor != 3 || len(got) != 2 || got[0].msg.Seq != 8 || got[1].msg.Seq != 9 {
		t.Errorf("between(5,10): floor %d, %d messages", floor, len(got))
	}
	if got, _ := r.between(0, 100); len(got) != 4 || got[0].msg.Seq != 5 {
		t.Errorf("between(0,100): %d", len(got))
	}
}

func TestSubscriptionMatching(t *testing.T) {
	in := &geo.Point{Lon: 108.33, Lat: 15.88}
	cases := []struct {
		name string
		sub  subscription
		msg  Message
		want bool
	}{
		{"everything", subscription{}, Message{ancestors: []string{"20530", "503", "49"}}, true},
		{"own commune", subscription{areas: map[string]bool{"20530": true}}, Message{ancestors: []string{"20530", "503", "49"}}, true},
		{"parent district", subscription{areas: map[string]bool{"503": true}}, Message{ancestors: []string{"20530", "503", "49"}}, true},
		{"other commune", subscription{areas: map[string]bool{"20533": true}}, Message{ancestors: []string{"20530", "503", "49"}}, false},
		{"bulk reaches all", subscription{areas: map[string]bool{"20533": true}}, Message{Op: "bulk"}, true},
		{"inside bbox", subscription{bbox: &[4]float64{108.3, 15.8, 108.4, 15.9}}, Message{point: in}, true},
		{"outside bbox", subscription{bbox: &[4]float64{108.0, 15.8, 108.3, 15.9}}, Message{point: in}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.sub.matches(&c.msg); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestRecomputesCoalesceWithoutPilingGoroutines: while every recompute
// worker is busy, changes keep coming for many keys, window after window:
// each key waits in the queue once, with everything that came for it
// folded together; no goroutine waits per key or per window, and once the
// workers are free every key is recomputed with all its changes and no
// more than twice.
func TestRecomputesCoalesceWithoutPilingGoroutines(t *testing.T) {
	q := newRecomputeQueue(2)
	stop := make(chan struct{})
	defer close(stop)
	q.start(stop)
	release := make(chan struct{})
	var mu sync.Mutex
	folded := map[int]int{}  // key → changes recomputed
	flushes := map[int]int{} // key → recomputes
	var blocked atomic.Int32
	d := newDebouncer(5*time.Millisecond, q, func(_ context.Context, key int, n int) {
		if key < 0 { // the two that hold the workers
			blocked.Add(1)
			<-release
			return
		}
		mu.Lock()
		folded[key] += n
		flushes[key]++
		mu.Unlock()
	})
	ctx := context.Background()
	d.add(ctx, -1, func(n *int) { *n++ })
	d.add(ctx, -2, func(n *int) { *n++ })
	for blocked.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	before := runtime.NumGoroutine()
	const keys, rounds = 50, 40
	for r := 0; r < rounds; r++ { // 40 windows of 5 ms
		for k := range keys {
			d.add(ctx, k, func(n *int) { *n++ })
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // every timer fired
	if waiting, running := q.pending(); waiting != keys || running != 2 {
		t.Errorf("queue: %d waiting, %d running; want one entry per key (%d) and the 2 workers", waiting, running, keys)
	}
	if g := runtime.NumGoroutine(); g > before+5 {
		t.Errorf("goroutines grew from %d to %d while the workers were busy", before, g)
	}
	close(release)
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		total := 0
		for _, n := range folded {
			total += n
		}
		mu.Unlock()
		if total == keys*rounds {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("recomputed %d changes, want %d", total, keys*rounds)
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for k := range keys {
		if folded[k] != rounds || flushes[k] > 2 {
			t.Errorf("key %d: %d changes in %d recomputes, want %d in at most 2", k, folded[k], flushes[k], rounds)
		}
	}
}

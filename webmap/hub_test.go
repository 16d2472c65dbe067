package webmap

import (
	"io"
	"log/slog"
	"testing"

	"github.com/diaban/diaban/geo"
)

func TestSlowClientIsDroppedAndOthersKeepReceiving(t *testing.T) {
	h := newHub(nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	slow := &client{hub: h, send: make(chan []byte, queueSize), overflow: make(chan struct{})}
	fast := &client{hub: h, send: make(chan []byte, queueSize), overflow: make(chan struct{})}
	h.add(slow)
	h.add(fast)
	for i := 1; i <= queueSize+10; i++ {
		h.broadcast(&outgoing{msg: &Message{Seq: int64(i), Type: "event"}, body: []byte("{}")})
		<-fast.send // the fast client keeps up
	}
	select {
	case <-slow.overflow:
	default:
		t.Fatal("a client that fell behind was not told to resync")
	}
	if len(slow.send) != queueSize {
		t.Errorf("slow client queue: %d, want it capped at %d", len(slow.send), queueSize)
	}
	// The removal runs in its own goroutine; broadcasting more must not block either way.
	h.broadcast(&outgoing{msg: &Message{Seq: 999, Type: "event"}, body: []byte("{}")})
	if got := <-fast.send; string(got) != "{}" {
		t.Errorf("fast client got %q", got)
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

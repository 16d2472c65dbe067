package webmap

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
	"github.com/diaban/diaban/hotspot/store"
)

const (
	queueSize      = 4096             // messages a client may fall behind (or buffer while it replays) before it must resync
	writeWait      = 10 * time.Second // one write to a client
	pingInterval   = 30 * time.Second
	pongWait       = 75 * time.Second
	subscribeGrace = 5 * time.Second // how long a new socket waits for its first subscribe before it goes live from its hello
)

var upgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 4096,
	// Buffers are taken for a write and given back: 10,000 idle sockets
	// hold none.
	WriteBufferPool: &sync.Pool{},
	// Same-origin only: the map is served by this server.
	CheckOrigin: func(r *http.Request) bool {
		o := r.Header.Get("Origin")
		return o == "" || o == "http://"+r.Host || o == "https://"+r.Host
	},
}

// clientState is where a client is in its life.
type clientState int

const (
	stateWaiting   clientState = iota // opened; live messages are kept until the first subscribe (or subscribeGrace)
	stateReplaying                    // replaying; live messages are kept and merged by seq after
	stateLive                         // live messages are queued for the writer
)

// client is one open websocket. One goroutine (run) writes to it: the
// hello, replays and the queue; another reads subscribes and pongs.
type client struct {
	hub   *Hub
	conn  *websocket.Conn
	role  hotspot.Role
	scope string
	user  int64
	token string

	mu    sync.Mutex
	sub   subscription
	state clientState
	queue []*outgoing // to write (live), or kept (waiting, replaying)
	last  int64       // the newest change queued or written on this connection
	wake  chan struct{}
	pongs chan string // pings from the client, answered by the writer

	id        uint64
	scheduled bool // on a flusher's list, or being flushed (flush.go)

	wmu       sync.Mutex   // held by whoever writes to the socket
	spare     []*outgoing  // the queue's other slice (the flusher's, under wmu)
	lastWrite atomic.Int64 // when the queue was last written (unix ns)
	subs      chan subscribeMsg
	pingDue   atomic.Bool
	graceDue  atomic.Bool

	ended     bool
	endCode   int
	endReason string
	endResync string // when set, a resync with this reason precedes the close
	endCh     chan struct{}
	done      chan struct{} // closed when the writer has returned
}

func newClient(h *Hub, conn *websocket.Conn, u *hotspot.User, token string) *client {
	c := &client{hub: h, id: h.nextID.Add(1), conn: conn, token: token, wake: make(chan struct{}, 1), pongs: make(chan string, 1), subs: make(chan subscribeMsg, 4), endCh: make(chan struct{}), done: make(chan struct{})}
	if u != nil {
		c.role, c.scope, c.user = u.Role, u.Scope, u.ID
	}
	c.sub = subscription{scope: c.scope, types: wsTypes[c.role], limited: disclosure.For(c.role).Limited()}
	return c
}

// offer queues a message for the client if it matches its subscription.
// It never blocks: a full queue means the client must resync.
func (c *client) offer(out *outgoing) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return
	}
	if out.derived {
		if !c.sub.matchesTopic(out.msg) {
			return
		}
	} else {
		if !c.sub.matches(out.msg) {
			return
		}
		if c.state == stateLive {
			if out.msg.Seq <= c.last {
				return // sent already on this connection
			}
			c.last = out.msg.Seq
		}
	}
	if len(c.queue) >= queueSize {
		c.endLocked(websocket.CloseTryAgainLater, "resync", reasonSlowClient)
		return
	}
	c.queue = append(c.queue, out)
	if c.state == stateLive && !c.scheduled {
		c.scheduled = true
		c.hub.flushers.schedule(c)
	}
}

// signal wakes the writer (it alone waits on wake; what woke it is in the
// client's fields and channels).
func (c *client) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// countTopics adds d to the hub's count of each topic c takes.
func (c *client) countTopics(d int64) {
	for t, n := range c.hub.topicSubs {
		if c.sub.topics == nil || c.sub.topics[t] {
			n.Add(d)
		}
	}
}

// wantsTopic reports whether a derived message m would reach the client.
func (c *client) wantsTopic(m *Message) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.ended && c.sub.matchesTopic(m)
}

// end closes the client with code and reason (its writer does).
func (c *client) end(code int, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endLocked(code, reason, "")
}

// resync ends the client with a resync for reason.
func (c *client) resync(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endLocked(websocket.CloseTryAgainLater, "resync", reason)
}

func (c *client) endLocked(code int, reason, resync string) {
	if c.ended {
		return
	}
	c.ended, c.endCode, c.endReason, c.endResync = true, code, reason, resync
	if len(c.queue) > 0 {
		why := resync
		if why == "" {
			why = reason
		}
		c.hub.stats.dropped.WithLabelValues(why).Add(float64(len(c.queue)))
	}
	c.queue = nil
	close(c.endCh)
	c.signal()
	if resync != "" {
		c.hub.stats.resyncs.WithLabelValues(resync).Inc()
	}
}

// goAway closes the client for a server shutdown: 1001 and a reconnect hint.
func (c *client) goAway() { c.end(websocket.CloseGoingAway, "server restarting: reconnect with since") }

// subscribeMsg is what a client sends.
type subscribeMsg struct {
	Type   string        `json:"type"`
	Areas  []string      `json:"areas"`
	BBox   []float64     `json:"bbox"`
	Since  *int64        `json:"since"`
	Topics []MessageType `json:"topics"` // derived messages wanted (metrics, coverage, emerging); absent: all
}

func (c *client) newSubscription(m subscribeMsg) subscription {
	sub := subscription{scope: c.scope, types: wsTypes[c.role], limited: disclosure.For(c.role).Limited()}
	if len(m.Areas) > 0 {
		sub.areas = map[string]bool{}
		for _, a := range m.Areas {
			sub.areas[a] = true
		}
	}
	if len(m.BBox) == 4 {
		b := [4]float64{m.BBox[0], m.BBox[1], m.BBox[2], m.BBox[3]}
		sub.bbox = &b
	}
	if m.Topics != nil {
		sub.topics = map[MessageType]bool{}
		for _, t := range m.Topics {
			if topics[t] {
				sub.topics[t] = true
			}
		}
	}
	return sub
}

// write sends one body now (wmu held).
func (c *client) write(body []byte) error {
	_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
	return c.conn.WriteMessage(websocket.TextMessage, body)
}

// writeOut sends one message (wmu held); a resync stands for a change that
// could not be enriched and ends the client.
func (c *client) writeOut(out *outgoing) (bool, error) {
	if out.resync != "" {
		c.resync(out.resync)
		return false, nil
	}
	_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
	if err := c.conn.WritePreparedMessage(out.prepared()); err != nil {
		return false, err
	}
	return true, nil
}

// subscribe sets the client's subscription and replays what it missed:
// the changes after `since` (after what this connection has already
// been sent, without it), up to the newest the hub has published, from the
// hub's memory, or summarised by one query when they are older than it
// holds. Live messages that arrive meanwhile are kept and follow the replay
// by seq, so the client sees every change once and in order.
func (c *client) subscribe(ctx context.Context, m subscribeMsg) error {
	sub := c.newSubscription(m)
	// The socket is this goroutine's until the replay is written: what
	// the flusher took before goes first, and it takes nothing meanwhile.
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return nil
	}
	wasLive := c.state == stateLive
	from := c.last
	if m.Since != nil && (!wasLive || *m.Since > from) {
		// Before it went live a connection was sent nothing but its
		// hello: the client says where it stands. Once live, only a
		// since ahead of what it was sent moves it (another instance
		// may be ahead of this one).
		from = *m.Since
	}
	var before []*outgoing
	if wasLive {
		before, c.queue = c.queue, nil // queued under the old subscription, all ≤ last
	}
	c.countTopics(-1)
	c.sub = sub
	c.countTopics(1)
	c.state = stateReplaying
	upTo := c.hub.LastSeq()
	c.mu.Unlock()

	for _, out := range before {
		if _, err := c.writeOut(out); err != nil {
			return err
		}
	}
	if from < c.hub.horizon.Load() {
		c.resync(reasonRetention)
		return nil
	}
	sent := 0
	if from < upTo {
		list, floor := c.hub.ring.between(from, upTo)
		if from < floor && c.hub.backfill(ctx, from, floor) {
			list, floor = c.hub.ring.between(from, upTo)
		}
		if from < floor {
			summary, err := c.hub.summary(ctx, from, floor)
			if err != nil {
				c.hub.log.Warn("websocket replay failed", "err", err)
				c.resync(reasonReplayFailed)
				return nil
			}
			list = append(summary, list...)
		}
		for _, out := range list {
			if !sub.matches(out.msg) {
				continue
			}
			ok, err := c.writeOut(out)
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			sent++
		}
		c.hub.stats.replaySize.Observe(float64(sent))
	}
	last := max(from, upTo)
	if m.Since != nil {
		marker, _ := json.Marshal(replayedMessage{Type: messageReplayed, Seq: last, Since: from, Count: sent})
		if err := c.write(marker); err != nil {
			return err
		}
	}
	c.goLive(last)
	return nil
}

// goLive merges what was kept during the replay (or the wait for the first
// subscribe) after last and lets the writer take the queue.
func (c *client) goLive(last int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return
	}
	last = max(last, c.last)
	kept := c.queue[:0]
	for _, out := range c.queue {
		if out.derived {
			if c.sub.matchesTopic(out.msg) {
				kept = append(kept, out)
			}
			continue
		}
		if out.msg.Seq <= last || !c.sub.matches(out.msg) {
			continue
		}
		last = out.msg.Seq
		kept = append(kept, out)
	}
	c.queue, c.last, c.state = kept, last, stateLive
	if len(kept) > 0 && !c.scheduled {
		c.scheduled = true
		c.hub.flushers.schedule(c)
	}
}

// summary is the replay of the changes in (from, upTo] that the hub no
// longer holds: per kind and area, one bulk message (the map reloads the
// layer), from one query.
func (h *Hub) summary(ctx context.Context, from, upTo int64) ([]*outgoing, error) {
	groups, err := h.store.ChangeSummary(ctx, from, upTo)
	if err != nil {
		return nil, err
	}
	idx, err := h.store.Areas(ctx)
	if err != nil {
		return nil, err
	}
	type key struct {
		kind hotspot.ChangeKind
		area string
	}
	merged := map[key]*Message{}
	for _, g := range groups {
		k := key{g.Kind, idx.CodeOf(g.AreaID)}
		m := merged[k]
		if m == nil {
			m = &Message{Type: changeType(g.Kind), Op: hotspot.ChangeBulk, Area: k.area}
			if k.area != "" {
				m.ancestors = idx.Ancestors(k.area)
			}
			merged[k] = m
		}
		m.Seq = max(m.Seq, g.LastSeq)
		m.Rows += g.Rows
	}
	out := make([]*outgoing, 0, len(merged))
	for _, m := range merged {
		body, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		out = append(out, &outgoing{msg: m, body: body})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].msg.Seq < out[j].msg.Seq })
	return out, nil
}

// run is the client's own goroutine, until the socket ends: it writes
// the replays, pings, pongs and the close (the live stream is written by
// the hub's flushers, flush.go). It waits on one channel: subscribes,
// pongs, pings, the end and ctx each leave their mark and signal it.
func (c *client) run(ctx context.Context) {
	defer close(c.done)
	stopCtx := context.AfterFunc(ctx, c.signal)
	defer stopCtx()
	var ping *time.Timer
	ping = time.AfterFunc(pingInterval, func() { c.pingDue.Store(true); c.signal() })
	defer func() { ping.Stop() }()
	grace := time.AfterFunc(subscribeGrace, func() { c.graceDue.Store(true); c.signal() })
	defer grace.Stop()
	for {
		<-c.wake
		for {
			if ctx.Err() != nil {
				return
			}
			select {
			case <-c.endCh:
				c.finish()
				return
			default:
			}
			select {
			case m := <-c.subs:
				if err := c.subscribe(ctx, m); err != nil {
					return
				}
				continue // another may wait
			default:
			}
			break
		}
		if c.graceDue.Swap(false) {
			c.mu.Lock()
			waiting := c.state == stateWaiting
			c.mu.Unlock()
			if waiting {
				c.goLive(0)
			}
		}
		select {
		case data := <-c.pongs:
			c.wmu.Lock()
			err := c.conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeWait))
			c.wmu.Unlock()
			if err != nil {
				return
			}
		default:
		}
		if c.pingDue.Swap(false) {
			c.wmu.Lock()
			err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait))
			c.wmu.Unlock()
			if err != nil {
				return
			}
			ping.Reset(pingInterval)
		}
	}
}

// finish writes what ended the client: a resync, or a goaway, then the
// close frame.
func (c *client) finish() {
	c.wmu.Lock() // after the write in progress, if any
	defer c.wmu.Unlock()
	c.mu.Lock()
	code, reason, resync, last := c.endCode, c.endReason, c.endResync, c.last
	c.mu.Unlock()
	switch {
	case resync != "":
		body, _ := json.Marshal(resyncMessage{Type: messageResync, Reason: resync})
		_ = c.write(body)
	case code == websocket.CloseGoingAway:
		body, _ := json.Marshal(goAwayMessage{Type: messageGoAway, Seq: last, RetryMS: 500 + rand.IntN(2500)})
		_ = c.write(body)
	}
	_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
}

// handleWebsocket serves GET /ws: hello, then what the client subscribes to.
func (s *Server) handleWebsocket(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context()) // the guard has made sure there is one
	var uid int64
	if u != nil {
		uid = u.ID
	}
	<-s.hub.ready
	if err := s.hub.admit(uid); err != nil {
		reason := "total"
		status := http.StatusTooManyRequests
		switch err {
		case errTooManyForUser:
			reason = "user"
		case errShuttingDown:
			reason, status = "shutdown", http.StatusServiceUnavailable
		}
		s.hub.stats.refused.WithLabelValues(reason).Inc()
		w.Header().Set("Retry-After", strconv.Itoa(5+rand.IntN(10)))
		writeJSON(w, status, apiError{Error: err.Error()})
		return nil
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.hub.release(uid)
		return nil // the upgrader has answered
	}
	defer conn.Close()
	var token string
	if p, ok := r.Context().Value(principalKey).(*principal); ok {
		token = p.token
	}
	c := newClient(s.hub, conn, u, token)
	c.last = s.hub.add(c)
	defer s.hub.remove(c)
	hello, _ := json.Marshal(helloMessage{Seq: c.last, Type: messageHello})
	c.wmu.Lock()
	err = c.write(hello)
	c.wmu.Unlock()
	if err != nil {
		return nil
	}
	// Replays read in the system scope; the subscription filters them.
	ctx, cancel := context.WithCancel(store.WithSystemScope(context.Background()))
	defer cancel()
	go func() { // reader: subscriptions and pongs
		defer cancel()
		conn.SetReadLimit(64 << 10)
		_ = conn.SetReadDeadline(time.Now().Add(pongWait))
		conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(pongWait)) })
		conn.SetPingHandler(func(data string) error { // the writer answers: it alone writes
			select {
			case c.pongs <- data:
			default:
			}
			c.signal()
			return nil
		})
		for {
			var m subscribeMsg
			if err := conn.ReadJSON(&m); err != nil {
				return
			}
			if m.Type != "subscribe" {
				continue
			}
			select {
			case c.subs <- m:
				c.signal()
			case <-ctx.Done():
				return
			}
		}
	}()
	c.run(ctx)
	return nil
}

package webmap

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
)

const (
	queueSize    = 256              // messages a client may fall behind before it must resync
	maxReplay    = 10000            // changes replayed on subscribe before asking for a resync instead
	writeWait    = 10 * time.Second // one write to a client
	pingInterval = 30 * time.Second
	pongWait     = 75 * time.Second
)

var upgrader = websocket.Upgrader{
	ReadBufferSize:  4096,
	WriteBufferSize: 16384,
	// Same-origin only: the map is served by this server.
	CheckOrigin: func(r *http.Request) bool {
		o := r.Header.Get("Origin")
		return o == "" || o == "http://"+r.Host || o == "https://"+r.Host
	},
}

// client is one open websocket.
type client struct {
	hub  *Hub
	send chan []byte

	mu        sync.Mutex
	sub       subscription
	replaying bool
	pending   []*outgoing
	gone      bool
	overflow  chan struct{} // closed when the client fell behind
}

// offer queues a message for the client if it matches its subscription.
// It never blocks: a full queue means the client must resync.
func (c *client) offer(out *outgoing) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone || !c.sub.matches(out.msg) {
		return
	}
	if c.replaying {
		if len(c.pending) >= queueSize {
			c.fallBehind()
			return
		}
		c.pending = append(c.pending, out)
		return
	}
	select {
	case c.send <- out.body:
	default:
		c.fallBehind()
	}
}

// fallBehind drops the client from the fan-out; its writer tells it to resync.
// Called with c.mu held.
func (c *client) fallBehind() {
	if c.gone {
		return
	}
	c.gone = true
	close(c.overflow)
	go c.hub.remove(c)
}

// subscribeMsg is what a client sends.
type subscribeMsg struct {
	Type  string    `json:"type"`
	Areas []string  `json:"areas"`
	BBox  []float64 `json:"bbox"`
	Since *int64    `json:"since"`
}

// subscribe sets the client's subscription and, with since, replays what
// came after it. Fan-out that arrives meanwhile waits in pending, so the
// client sees every change once and in order.
func (c *client) subscribe(ctx context.Context, m subscribeMsg) error {
	c.mu.Lock()
	sub := subscription{scope: c.sub.scope, types: c.sub.types}
	c.mu.Unlock()
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
	c.mu.Lock()
	c.sub = sub
	c.replaying = m.Since != nil
	upTo := c.hub.LastSeq()
	c.mu.Unlock()
	if m.Since == nil {
		return nil
	}
	changes, err := c.hub.store.ChangesSince(ctx, *m.Since, maxReplay+1)
	if err != nil {
		return err
	}
	if len(changes) > maxReplay {
		c.mu.Lock()
		c.fallBehind()
		c.mu.Unlock()
		return nil
	}
	for _, ch := range changes {
		if ch.Seq > upTo {
			break
		}
		out, err := c.hub.prepare(ctx, ch)
		if err != nil {
			return err
		}
		if !sub.matches(out.msg) {
			continue
		}
		select {
		case c.send <- out.body:
		case <-c.overflow:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.replaying = false
	for _, out := range c.pending {
		if out.msg.Seq <= upTo {
			continue
		}
		select {
		case c.send <- out.body:
		default:
			c.fallBehind()
			return nil
		}
	}
	c.pending = nil
	return nil
}

// handleWebsocket serves GET /ws: hello, then one message per change.
func (s *Server) handleWebsocket(w http.ResponseWriter, r *http.Request) error {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return nil // the upgrader has answered
	}
	<-s.hub.ready
	c := &client{hub: s.hub, send: make(chan []byte, queueSize), overflow: make(chan struct{})}
	if u := userFrom(r.Context()); u != nil { // the guard has made sure there is one
		c.sub = subscription{scope: u.Scope, types: wsTypes[u.Role]}
	}
	// Replays read in the system scope; the subscription filters them.
	ctx, cancel := context.WithCancel(store.WithSystemScope(context.Background()))
	defer cancel()
	s.hub.add(c)
	defer func() {
		c.mu.Lock()
		c.gone = true
		c.mu.Unlock()
		s.hub.remove(c)
	}()

	hello, _ := json.Marshal(helloMessage{Seq: s.hub.LastSeq(), Type: messageHello})
	c.send <- hello

	go func() { // reader: subscriptions and pongs
		defer cancel()
		conn.SetReadLimit(64 << 10)
		_ = conn.SetReadDeadline(time.Now().Add(pongWait))
		conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(pongWait)) })
		for {
			var m subscribeMsg
			if err := conn.ReadJSON(&m); err != nil {
				return
			}
			if m.Type != "subscribe" {
				continue
			}
			if err := c.subscribe(ctx, m); err != nil {
				s.log.Warn("websocket replay failed", "err", err)
				return
			}
		}
	}()

	ping := time.NewTicker(pingInterval)
	defer ping.Stop()
	// The socket lives only as long as its session: logout, disable and
	// expiry close it within one check.
	var token string
	if p, ok := r.Context().Value(principalKey).(*principal); ok {
		token = p.token
	}
	every := s.cfg.SessionCheck
	if every <= 0 {
		every = DefaultSessionCheck
	}
	sessionCheck := time.NewTicker(every)
	defer sessionCheck.Stop()
	defer conn.Close()
	for {
		select {
		case body := <-c.send:
			_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := conn.WriteMessage(websocket.TextMessage, body); err != nil {
				return nil
			}
		case <-c.overflow:
			_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
			resync, _ := json.Marshal(resyncMessage{Type: messageResync})
			_ = conn.WriteMessage(websocket.TextMessage, resync)
			_ = conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseTryAgainLater, "resync"))
			return nil
		case <-sessionCheck.C:
			checkCtx, cancelCheck := context.WithTimeout(ctx, 5*time.Second)
			_, err := s.store.SessionUser(checkCtx, token)
			cancelCheck()
			if errors.Is(err, hotspot.ErrNotFound) { // ended; a failed lookup keeps the socket
				_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
				_ = conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "session ended"))
				return nil
			}
		case <-ping.C:
			_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return nil
			}
		case <-ctx.Done():
			return nil
		}
	}
}

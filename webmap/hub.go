package webmap

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
)

// Message is what a websocket client receives for one change, or for
// something derived from one (Type "metrics").
type Message struct {
	Seq  int64            `json:"seq"`
	Type MessageType      `json:"type"`
	Op   hotspot.ChangeOp `json:"op"`
	Area string           `json:"area,omitempty"`
	ID   int64            `json:"id,omitempty"`
	Data payload          `json:"data,omitempty"`

	point     *geo.Point // where it happened, for bbox subscriptions
	ancestors []string   // Area and every area above it
}

// outgoing is a message marshalled once and shared by every client.
type outgoing struct {
	msg    *Message
	body   []byte
	change changed // the change it tells of (zero for derived messages)
}

// changed is one change of the feed as the hub's hooks see it once the
// hub has placed it.
type changed struct {
	seq   int64
	kind  hotspot.ChangeKind
	op    hotspot.ChangeOp
	area  string         // the area code it touches; "" for bulk loads (and unplaced changes)
	event *hotspot.Event // the lifecycle event of an event change, when it was read
}

// Hub fans changes out to websocket clients. Subscribers are collected under
// a read lock and sent to after it is released; each has a bounded queue, and
// one that falls behind is told to resync and dropped, never slowing others.
type Hub struct {
	store   *store.Store
	log     *slog.Logger
	mu      sync.RWMutex
	clients map[*client]struct{}
	lastSeq atomic.Int64
	ready   chan struct{}
	after   []func(context.Context, changed)
	before  []func(changed)
}

// beforeBroadcast registers f to run before each change is fanned out (to
// drop caches, so a client that reacts to the message gets fresh data).
// Register before Run.
func (h *Hub) beforeBroadcast(f func(c changed)) {
	h.before = append(h.before, f)
}

// afterChange registers f to run after each change has been fanned out,
// on the feed's goroutine (keep it quick; it may call Publish). Register
// before Run.
func (h *Hub) afterChange(f func(ctx context.Context, c changed)) {
	h.after = append(h.after, f)
}

// Publish fans out a derived message (such as fresh metrics for an area),
// filtered by each client's subscription like any change. m.Seq should be
// the sequence of the change it derives from; m.Area decides who gets it.
func (h *Hub) Publish(ctx context.Context, m *Message) error {
	if m.Area != "" && m.ancestors == nil {
		idx, err := h.store.Areas(ctx)
		if err != nil {
			return err
		}
		m.ancestors = idx.Ancestors(m.Area)
	}
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	h.fanOut(&outgoing{msg: m, body: body})
	return nil
}

func newHub(store *store.Store, log *slog.Logger) *Hub {
	return &Hub{store: store, log: log, clients: map[*client]struct{}{}, ready: make(chan struct{})}
}

// Run follows the change feed from the newest change until ctx ends.
//
// The feed, the enrichment of each change and the pushes run in the system
// scope: what each client receives is filtered by its subscription.
func (h *Hub) Run(ctx context.Context) error {
	ctx = store.WithSystemScope(ctx)
	seq, err := h.store.LatestSeq(ctx)
	if err != nil {
		return err
	}
	h.lastSeq.Store(seq)
	close(h.ready)
	return h.store.Follow(ctx, seq, h.log, func(c store.Change) {
		out, err := h.prepare(ctx, c)
		if err != nil {
			h.log.Warn("change not delivered", "seq", c.Seq, "kind", c.Kind, "err", err)
			h.lastSeq.Store(c.Seq)
			return
		}
		for _, f := range h.before {
			f(out.change)
		}
		h.broadcast(out)
		for _, f := range h.after {
			f(ctx, out.change)
		}
	})
}

// LastSeq is the newest sequence the hub has published.
func (h *Hub) LastSeq() int64 { return h.lastSeq.Load() }

func (h *Hub) broadcast(out *outgoing) {
	h.lastSeq.Store(out.msg.Seq) // before fan-out: see client.subscribe
	h.fanOut(out)
}

func (h *Hub) fanOut(out *outgoing) {
	h.mu.RLock()
	targets := make([]*client, 0, len(h.clients))
	for c := range h.clients {
		targets = append(targets, c)
	}
	h.mu.RUnlock()
	for _, c := range targets {
		c.offer(out)
	}
}

func (h *Hub) add(c *client) {
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
}

func (h *Hub) remove(c *client) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
}

// Clients returns how many websocket clients are connected.
func (h *Hub) Clients() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.clients)
}

// prepare turns a change into a message with what a map needs to draw it.
func (h *Hub) prepare(ctx context.Context, c store.Change) (*outgoing, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	m := &Message{Seq: c.Seq, Type: changeType(c.Kind), Op: c.Op, ID: c.EntityID}
	ch := changed{seq: c.Seq, kind: c.Kind, op: c.Op}
	idx, err := h.store.Areas(ctx)
	if err != nil {
		return nil, err
	}
	if c.AreaID != 0 {
		m.Area = idx.CodeOf(c.AreaID)
	}
	if c.Op != hotspot.ChangeBulk && c.Op != hotspot.ChangeDelete {
		switch c.Kind {
		case hotspot.ChangeHotspot, hotspot.ChangeEvent:
			hotspotID := c.EntityID
			var ev *hotspot.Event
			if c.Kind == hotspot.ChangeEvent {
				e, err := h.store.GetEvent(ctx, c.EntityID)
				if err != nil {
					return nil, err
				}
				hotspotID, ev = e.HotspotID, e
			}
			hs, err := h.store.GetHotspot(ctx, hotspotID)
			if errors.Is(err, hotspot.ErrNotFound) {
				break
			} else if err != nil {
				return nil, err
			}
			hs.Events = nil
			m.Data, m.Area, m.point = &hotspotData{Event: ev, Hotspot: hotspotFeature(hs)}, hs.AreaCode, &hs.Point
			ch.event = ev
		case hotspot.ChangeCamera:
			cam, err := h.store.GetCamera(ctx, c.EntityID)
			if errors.Is(err, hotspot.ErrNotFound) {
				break
			} else if err != nil {
				return nil, err
			}
			m.Data, m.Area, m.point = &cameraData{Camera: cameraFeature(cam, false)}, cam.AreaCode, &cam.Point
		case hotspot.ChangeIncident:
			inc, err := h.store.GetIncident(ctx, c.EntityID)
			if errors.Is(err, hotspot.ErrNotFound) {
				break
			} else if err != nil {
				return nil, err
			}
			m.Data, m.Area, m.point = &incidentData{Incident: incidentFeature(inc)}, inc.AreaCode, &inc.Point
		}
	}
	if m.Area != "" {
		m.ancestors = idx.Ancestors(m.Area)
	}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	ch.area = m.Area
	return &outgoing{msg: m, body: body, change: ch}, nil
}

// subscription is what one client asked to receive, within what its
// user may see.
type subscription struct {
	areas map[string]bool // empty: every area
	bbox  *[4]float64

	// Set from the session when the socket opens; a subscribe message
	// cannot change them.
	scope string               // the user's area code; "" for everywhere (admin)
	types map[MessageType]bool // message types the role may receive; nil: all
}

// allowed reports whether the user behind s may see m at all: its type is
// one the role receives (bulk reload hints without data pass), and it lies
// in the user's scope (a message without an area passes only when it
// carries no data).
func (s subscription) allowed(m *Message) bool {
	if s.types != nil && !s.types[m.Type] && !(m.Op == hotspot.ChangeBulk && m.Data == nil) {
		return false
	}
	if s.scope == "" {
		return true
	}
	if len(m.ancestors) == 0 {
		return m.Data == nil && m.point == nil
	}
	return slices.Contains(m.ancestors, s.scope)
}

// matches reports whether m is allowed for s and falls inside what it
// asked for. Messages without an area or a point (bulk loads) reach every
// allowed client, who then reload that layer.
func (s subscription) matches(m *Message) bool {
	if !s.allowed(m) {
		return false
	}
	if len(s.areas) > 0 && len(m.ancestors) > 0 {
		in := false
		for _, a := range m.ancestors {
			if s.areas[a] {
				in = true
				break
			}
		}
		if !in {
			return false
		}
	}
	if s.bbox != nil && m.point != nil {
		b := s.bbox
		if m.point.Lon < b[0] || m.point.Lon > b[2] || m.point.Lat < b[1] || m.point.Lat > b[3] {
			return false
		}
	}
	return true
}

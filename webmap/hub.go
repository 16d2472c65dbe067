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

	"github.com/gorilla/websocket"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
)

// The delivery guarantee (README, "Live feed"): every committed change is
// delivered to every subscriber in scope, in seq order, exactly once per
// connection (at-least-once across reconnections, deduplicated by seq), or
// the subscriber is told `resync` with the reason. Where it is kept:
//
//   - store.Feed moves past a change only once Hub.handle has returned it as
//     handled, i.e. after it was offered to every client;
//   - an enrichment that fails is retried (the feed reconnects and hands the
//     change over again); after LiveConfig.EnrichBudget the change goes out
//     as a resync to every client it could concern;
//   - the hub keeps the newest changes it published (the replay ring), so a
//     subscribe with `since` replays from memory, filtered per client; a
//     client buffers live messages while it replays and merges them by seq
//     (ws.go);
//   - older replays come from one summary query; a since before the
//     retention horizon is answered with resync at once.

// LiveConfig tunes the live feed; zero fields take the defaults.
type LiveConfig struct {
	// Retention is how long changes are kept for replays (0: 7 days;
	// negative: never pruned).
	Retention time.Duration
	// EnrichBudget is how long a change whose enrichment fails is retried
	// before its subscribers are told to resync (default 15 s).
	EnrichBudget time.Duration
	// RingSize is how many published changes are kept for replays from
	// memory (default 32768).
	RingSize int
	// MaxClients caps open websockets in total (default 20000) and
	// MaxPerUser per user (default 20); beyond them the upgrade gets 429.
	MaxClients, MaxPerUser int
	// EnrichWorkers bounds concurrent enrichment queries (default 4).
	EnrichWorkers int
	// CoalesceAt is how many changes of one kind in one area, within one
	// batch of the feed, are sent as one bulk summary instead (default 50).
	CoalesceAt int
	// SessionCheck is how often all sockets' sessions are checked, in one
	// query (default DefaultSessionCheck).
	SessionCheck time.Duration
	// WriteGap is the least time between two writes to one socket: what
	// arrives meanwhile goes out in the next write, so a client receiving
	// many messages a second costs a few writes (default
	// DefaultWriteGap; negative: every message written at once).
	WriteGap time.Duration
	// MaxLag is the feed lag above which /readyz fails (default 10 s).
	MaxLag time.Duration
	// Recompute is the store the derived recomputations (metrics, coverage,
	// emerging after a change) read from: a pool of their own
	// (store.Store.Sibling; serve --recompute-pool), so that they never
	// hold the connections the API and the feed need. Nil: the server's.
	Recompute *store.Store
	// Recomputes is how many recomputations run at once (default
	// DefaultRecomputes); the keys due wait in one queue, one entry each.
	Recomputes int
	// PingEvery and PingTimeout check the listener (store.FeedOptions).
	PingEvery, PingTimeout time.Duration
	// ListenConnect, when set, opens the listener's connection (tests).
	ListenConnect store.ConnectFunc
}

// DefaultWriteGap is the least time between two writes to one socket
// (LiveConfig.WriteGap).
const DefaultWriteGap = 100 * time.Millisecond

// DefaultFeedRetention is how long changes are kept for replays.
const DefaultFeedRetention = 7 * 24 * time.Hour

func (c LiveConfig) withDefaults() LiveConfig {
	if c.Retention == 0 {
		c.Retention = DefaultFeedRetention
	}
	if c.EnrichBudget <= 0 {
		c.EnrichBudget = 15 * time.Second
	}
	if c.RingSize <= 0 {
		c.RingSize = 32768
	}
	if c.MaxClients <= 0 {
		c.MaxClients = 20000
	}
	if c.MaxPerUser <= 0 {
		c.MaxPerUser = 20
	}
	if c.EnrichWorkers <= 0 {
		c.EnrichWorkers = 4
	}
	if c.CoalesceAt <= 0 {
		c.CoalesceAt = 50
	}
	if c.SessionCheck <= 0 {
		c.SessionCheck = DefaultSessionCheck
	}
	if c.WriteGap == 0 {
		c.WriteGap = DefaultWriteGap
	}
	if c.Recomputes <= 0 {
		c.Recomputes = DefaultRecomputes
	}
	if c.MaxLag <= 0 {
		c.MaxLag = 10 * time.Second
	}
	return c
}

// Message is what a websocket client receives for one change, or for
// something derived from one (Type "metrics").
type Message struct {
	Seq  int64            `json:"seq"`
	Type MessageType      `json:"type"`
	Op   hotspot.ChangeOp `json:"op"`
	Area string           `json:"area,omitempty"`
	ID   int64            `json:"id,omitempty"`
	Rows int              `json:"rows,omitempty"` // for a bulk summary: rows touched
	Data payload          `json:"data,omitempty"`

	point     *geo.Point // where it happened, for bbox subscriptions
	ancestors []string   // Area and every area above it
	// audience, for a message whose data differs by disclosure rule (the
	// live metrics): only clients whose rule is limited (audienceLimited)
	// or exact (audienceExact); zero for every client.
	audience audience
}

// audience says which clients a message is for by their disclosure rule
// (hotspot/disclosure).
type audience uint8

const (
	audienceAll     audience = iota
	audienceExact            // roles that see exact figures
	audienceLimited          // roles under a limited rule (viewers)
)

// outgoing is a message marshalled once and shared by every client.
type outgoing struct {
	msg     *Message
	body    []byte
	change  changed // the change it tells of (zero for derived messages)
	derived bool    // a topic message (metrics, coverage, emerging): not deduplicated by seq
	resync  string  // when set: the change could not be enriched; its subscribers must resync for this reason

	prepOnce  sync.Once
	prep      *websocket.PreparedMessage
	frameOnce sync.Once
	frame     []byte
}

// prepared is the message framed once for every socket.
func (o *outgoing) prepared() *websocket.PreparedMessage {
	o.prepOnce.Do(func() {
		o.prep, _ = websocket.NewPreparedMessage(websocket.TextMessage, o.body)
	})
	return o.prep
}

// frame is the message as one unmasked, uncompressed server text frame
// (RFC 6455 5.2), built once: a client behind by several messages gets
// them in one write.
func (o *outgoing) framed() []byte {
	o.frameOnce.Do(func() {
		n := len(o.body)
		var h []byte
		switch {
		case n < 126:
			h = []byte{0x81, byte(n)}
		case n < 1<<16:
			h = []byte{0x81, 126, byte(n >> 8), byte(n)}
		default:
			h = []byte{0x81, 127, 0, 0, 0, 0, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
		}
		o.frame = append(h, o.body...)
	})
	return o.frame
}

// changed is one change of the feed as the hub's hooks see it once the
// hub has placed it.
type changed struct {
	seq   int64
	kind  hotspot.ChangeKind
	op    hotspot.ChangeOp
	area  string         // the area code it touches; "" for bulk loads (and unplaced changes)
	event *hotspot.Event // the lifecycle event of an event change, when it was read
	id    int64          // the changed row's id (store.Change.EntityID)
	point *geo.Point     // where it is now, when it was read (the vector tiles it touches)
}

// Hub fans changes out to websocket clients. Subscribers are collected under
// a read lock, by scope, and offered each message after it is released;
// each has a queue of its own, and one that falls behind is told to resync
// and dropped, never slowing others.
type Hub struct {
	store *store.Store
	log   *slog.Logger
	cfg   LiveConfig
	stats *liveStats

	mu      sync.RWMutex
	clients map[*client]struct{}
	byScope map[string]map[*client]struct{} // by the user's scope ("" for everywhere)
	perUser map[int64]int
	closing bool

	lastSeq atomic.Int64
	lastAt  atomic.Int64 // commit time (unix ns) of the newest change published
	horizon atomic.Int64 // the newest sequence pruned from the database
	ready   chan struct{}
	feed    atomic.Pointer[store.Feed]
	after   []func(context.Context, changed)
	before  []func(changed)

	ring replayRing

	flushers flushers
	nextID   atomic.Uint64

	backfillMu sync.Mutex // one backfill of the ring at a time

	// recompute is the store of the derived recomputations (LiveConfig.
	// Recompute), recomputes their queue.
	recompute  *store.Store
	recomputes *recomputeQueue

	// areas is the area index the feed last placed changes with (areasFor).
	areas atomic.Pointer[hotspot.AreaIndex]

	// topicSubs counts the clients whose subscription takes each topic.
	topicSubs map[MessageType]*atomic.Int64

	failSeq   int64 // the change whose enrichment keeps failing
	failSince time.Time
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

// Publish fans out a derived message (such as fresh metrics for an area)
// to the clients that subscribed to its topic, filtered by each client's
// subscription like any change. m.Seq is the sequence of the newest change
// it reflects; m.Area decides who gets it.
func (h *Hub) Publish(ctx context.Context, m *Message) error {
	if m.Area != "" && m.ancestors == nil {
		idx, err := h.recompute.Areas(ctx)
		if err != nil {
			return err
		}
		m.ancestors = idx.Ancestors(m.Area)
	}
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	h.fanOut(&outgoing{msg: m, body: body, derived: true})
	return nil
}

func newHub(st *store.Store, log *slog.Logger, cfg LiveConfig) *Hub {
	cfg = cfg.withDefaults()
	h := &Hub{
		store: st, log: log, cfg: cfg, stats: newLiveStats(),
		clients: map[*client]struct{}{}, byScope: map[string]map[*client]struct{}{}, perUser: map[int64]int{},
		ready: make(chan struct{}),
	}
	h.ring.init(cfg.RingSize)
	h.flushers = newFlushers(cfg.WriteGap)
	h.flushers.start(make(chan struct{})) // for the life of the process
	h.recompute = cfg.Recompute
	if h.recompute == nil {
		h.recompute = st
	}
	h.recomputes = newRecomputeQueue(cfg.Recomputes)
	h.recomputes.start(make(chan struct{})) // for the life of the process
	h.topicSubs = map[MessageType]*atomic.Int64{}
	for t := range topics {
		h.topicSubs[t] = new(atomic.Int64)
	}
	h.registerFeed()
	return h
}

// Run follows the change feed from the newest change until ctx ends.
//
// The feed, the enrichment of each change and the pushes run in the system
// scope: what each client receives is filtered by its subscription.
func (h *Hub) Run(ctx context.Context) error {
	ctx = store.WithSystemScope(ctx)
	var seq int64
	for {
		var err error
		if seq, err = h.store.LatestSeq(ctx); err == nil {
			if hz, err := h.store.RetentionHorizon(ctx); err == nil {
				h.horizon.Store(hz)
			}
			break
		}
		h.log.Warn("change feed cannot start; retrying", "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	h.lastSeq.Store(seq)
	h.lastAt.Store(time.Now().UnixNano())
	h.ring.floor = seq
	opts := store.FeedOptions{After: seq, Log: h.log, Handle: h.handle, PingEvery: h.cfg.PingEvery, PingTimeout: h.cfg.PingTimeout}
	if h.cfg.ListenConnect != nil {
		opts.Connect = h.cfg.ListenConnect
	}
	feed := h.store.NewFeed(opts)
	h.feed.Store(feed)
	close(h.ready)
	go h.checkSessions(ctx)
	go h.prune(ctx)
	return feed.Run(ctx)
}

// LastSeq is the newest sequence the hub has published.
func (h *Hub) LastSeq() int64 { return h.lastSeq.Load() }

// handle publishes one batch of the feed, in order: each change enriched
// once (concurrently, bounded), runs of many changes of one kind in one
// area coalesced into one summary, and returns how many it handled. An
// enrichment that fails stops the batch there (the feed retries it) until
// the change has failed for EnrichBudget; then its subscribers get resync.
func (h *Hub) handle(ctx context.Context, batch []store.Change) (int, error) {
	idx, err := h.areasFor(ctx, batch)
	if err != nil {
		idx = nil // placed below per change, or resynced
	}
	// Coalesce: count the changes of each kind and area in the batch.
	type key struct {
		kind hotspot.ChangeKind
		area int64
	}
	counts := map[key]int{}
	lastOf := map[key]int{}
	for i, c := range batch {
		if c.Op == hotspot.ChangeBulk {
			continue
		}
		k := key{c.Kind, c.AreaID}
		counts[k]++
		lastOf[k] = i
	}
	coalesced := func(i int) (key, bool) {
		c := batch[i]
		k := key{c.Kind, c.AreaID}
		return k, c.Op != hotspot.ChangeBulk && counts[k] >= h.cfg.CoalesceAt && idx != nil
	}

	outs, errs := h.prepareAll(ctx, batch, idx, func(i int) bool { _, ok := coalesced(i); return ok })

	for i, c := range batch {
		var out *outgoing
		if k, ok := coalesced(i); ok {
			if lastOf[k] != i {
				continue // told by the summary at the last of them
			}
			area := idx.CodeOf(k.area)
			m := &Message{Seq: c.Seq, Type: changeType(c.Kind), Op: hotspot.ChangeBulk, Area: area, Rows: counts[k], ancestors: idx.Ancestors(area)}
			body, _ := json.Marshal(m)
			out = &outgoing{msg: m, body: body, change: changed{seq: c.Seq, kind: c.Kind, op: hotspot.ChangeBulk, area: area}}
			h.stats.coalesced.Add(float64(counts[k] - 1))
		} else if errs[i] != nil {
			h.stats.enrichFailures.Inc()
			if ctx.Err() != nil {
				return i, ctx.Err()
			}
			if h.failSeq != c.Seq {
				h.failSeq, h.failSince = c.Seq, time.Now()
			}
			if time.Since(h.failSince) < h.cfg.EnrichBudget {
				h.log.Warn("change not enriched; retrying", "seq", c.Seq, "kind", c.Kind, "err", errs[i])
				return i, errs[i]
			}
			h.log.Error("change not enriched in time; its subscribers resync", "seq", c.Seq, "kind", c.Kind, "err", errs[i])
			out = h.unenriched(c, idx)
		}
		if out == nil {
			out = outs[i]
		}
		h.publish(ctx, out, c.At)
	}
	return len(batch), nil
}

// areasFor returns an area index that places the changes of batch: at
// least as new as the areas were when the changes and their rows were read
// (store.Change.AreaVersion, read in the same statement). The hub keeps the
// index it last used and asks the store again only when a batch was read
// after a newer area change (store.Areas, a version query and a reload):
// no round trip for a batch while the areas do not change, and never an
// index older than the rows it places.
func (h *Hub) areasFor(ctx context.Context, batch []store.Change) (*hotspot.AreaIndex, error) {
	need := int64(-1)
	for i, c := range batch {
		if i > 0 && c.AreaVersion != need {
			need = -1 // not read in one statement: ask the store
			break
		}
		need = c.AreaVersion
	}
	// Equal, not newer or equal: the version is the newest area change
	// kept, and pruning may lower it (then the index is read again).
	if idx := h.areas.Load(); idx != nil && need >= 0 && idx.Version == need {
		h.stats.areaIndex.WithLabelValues("kept").Inc()
		return idx, nil
	}
	idx, err := h.store.Areas(ctx)
	if err != nil {
		return nil, err
	}
	h.stats.areaIndex.WithLabelValues("asked").Inc()
	h.areas.Store(idx)
	return idx, nil
}

// unenriched is the resync that stands for a change that could not be
// enriched: it reaches every client the change could concern (all of them,
// when its area is not known either).
func (h *Hub) unenriched(c store.Change, idx *hotspot.AreaIndex) *outgoing {
	m := &Message{Seq: c.Seq, Type: changeType(c.Kind), Op: c.Op}
	if idx != nil && c.AreaID != 0 {
		m.Area = idx.CodeOf(c.AreaID)
		m.ancestors = idx.Ancestors(m.Area)
	}
	body, _ := json.Marshal(resyncMessage{Type: messageResync, Seq: c.Seq, Reason: reasonEnrichment})
	return &outgoing{msg: m, body: body, change: changed{seq: c.Seq, kind: c.Kind, op: c.Op, area: m.Area}, resync: reasonEnrichment}
}

// publish runs the hooks around one change's fan-out and keeps it for replays.
func (h *Hub) publish(ctx context.Context, out *outgoing, at time.Time) {
	for _, f := range h.before {
		f(out.change)
	}
	h.ring.add(out)
	h.lastSeq.Store(out.msg.Seq) // before fan-out: see client.subscribe
	h.lastAt.Store(at.UnixNano())
	h.stats.changes.Inc()
	h.stats.lag.Observe(time.Since(at).Seconds())
	h.fanOut(out)
	for _, f := range h.after {
		f(ctx, out.change)
	}
}

// broadcast fans a change out (tests).
func (h *Hub) broadcast(out *outgoing) {
	h.ring.add(out)
	h.lastSeq.Store(out.msg.Seq)
	h.fanOut(out)
}

// fanOut offers out to every client whose scope could include it: those
// scoped to one of its areas and those scoped everywhere; every client for
// a message without an area.
func (h *Hub) fanOut(out *outgoing) {
	h.mu.RLock()
	var targets []*client
	if len(out.msg.ancestors) == 0 {
		targets = make([]*client, 0, len(h.clients))
		for c := range h.clients {
			targets = append(targets, c)
		}
	} else {
		for _, scope := range append([]string{""}, out.msg.ancestors...) {
			for c := range h.byScope[scope] {
				targets = append(targets, c)
			}
		}
	}
	h.mu.RUnlock()
	for _, c := range targets {
		c.offer(out)
	}
}

// errFull is why an upgrade is refused.
var (
	errTooManyClients = errors.New("too many open websockets")
	errTooManyForUser = errors.New("too many open websockets for this user")
	errShuttingDown   = errors.New("shutting down")
)

// admit counts a socket about to open for user against the caps.
func (h *Hub) admit(user int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closing:
		return errShuttingDown
	case len(h.clients) >= h.cfg.MaxClients:
		return errTooManyClients
	case h.perUser[user] >= h.cfg.MaxPerUser:
		return errTooManyForUser
	}
	h.perUser[user]++
	return nil
}

// release undoes admit for a socket that did not open.
func (h *Hub) release(user int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.perUser[user]--; h.perUser[user] <= 0 {
		delete(h.perUser, user)
	}
}

// add registers an admitted client and returns the sequence it starts
// after, read under the same lock as the registration: every change
// published after that sequence is offered to the client.
func (h *Hub) add(c *client) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.clients[c] = struct{}{}
	m := h.byScope[c.scope]
	if m == nil {
		m = map[*client]struct{}{}
		h.byScope[c.scope] = m
	}
	m[c] = struct{}{}
	c.countTopics(1)
	h.stats.clients.WithLabelValues(string(c.role)).Inc()
	return h.lastSeq.Load()
}

func (h *Hub) remove(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[c]; !ok {
		return
	}
	delete(h.clients, c)
	c.countTopics(-1)
	delete(h.byScope[c.scope], c)
	if len(h.byScope[c.scope]) == 0 {
		delete(h.byScope, c.scope)
	}
	if h.perUser[c.user]--; h.perUser[c.user] <= 0 {
		delete(h.perUser, c.user)
	}
	h.stats.clients.WithLabelValues(string(c.role)).Dec()
}

// Clients returns how many websocket clients are connected.
func (h *Hub) Clients() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.clients)
}

// wants reports whether any client subscribed to topic could receive a
// message for area: a derived view nobody asked for is not recomputed.
func (h *Hub) wants(ctx context.Context, topic MessageType, area string) bool {
	if h.topicSubs[topic].Load() == 0 {
		return false
	}
	var ancestors []string
	if area != "" {
		idx, err := h.recompute.Areas(ctx)
		if err != nil {
			return true
		}
		ancestors = idx.Ancestors(area)
	}
	m := &Message{Type: topic, Area: area, ancestors: ancestors}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.clients {
		if c.wantsTopic(m) {
			return true
		}
	}
	return false
}

// Shutdown closes every socket with 1001 (going away) and a reconnect hint,
// and refuses new ones; it returns when they are closed or ctx ends.
func (h *Hub) Shutdown(ctx context.Context) {
	h.mu.Lock()
	h.closing = true
	all := make([]*client, 0, len(h.clients))
	for c := range h.clients {
		all = append(all, c)
	}
	h.mu.Unlock()
	for _, c := range all {
		c.goAway()
	}
	for _, c := range all {
		select {
		case <-c.done:
		case <-ctx.Done():
			return
		}
	}
}

// checkSessions checks every socket's session in one query per interval:
// logout, disable and expiry close the sockets within one interval. A
// failed query keeps them.
func (h *Hub) checkSessions(ctx context.Context) {
	t := time.NewTicker(h.cfg.SessionCheck)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		h.mu.RLock()
		byToken := map[string][]*client{}
		for c := range h.clients {
			if c.token != "" {
				byToken[c.token] = append(byToken[c.token], c)
			}
		}
		h.mu.RUnlock()
		if len(byToken) == 0 {
			continue
		}
		tokens := make([]string, 0, len(byToken))
		for tok := range byToken {
			tokens = append(tokens, tok)
		}
		for chunk := range slices.Chunk(tokens, 5000) {
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			live, err := h.store.SessionsLive(cctx, chunk)
			cancel()
			if err != nil {
				h.log.Warn("session check failed; sockets kept", "err", err)
				continue
			}
			for _, tok := range chunk {
				if !live[tok] {
					for _, c := range byToken[tok] {
						c.end(websocket.ClosePolicyViolation, "session ended")
					}
				}
			}
		}
	}
}

// prune deletes changes older than the retention, in batches, every
// minute (or every hundredth of the retention, when shorter).
func (h *Hub) prune(ctx context.Context) {
	if h.cfg.Retention < 0 {
		return
	}
	every := min(time.Minute, max(h.cfg.Retention/100, 100*time.Millisecond))
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, hz, err := h.store.PruneChanges(ctx, h.cfg.Retention, 5000)
		if err != nil {
			h.log.Warn("changes not pruned", "err", err)
			continue
		}
		h.horizon.Store(max(h.horizon.Load(), hz))
		if n > 0 {
			h.stats.pruned.Add(float64(n))
			h.log.Info("changes pruned", "rows", n, "horizon", hz)
		}
	}
}

// prepare turns a change into a message with what a map needs to draw it
// (idx: the areas as read for the batch; nil when that failed).
func (h *Hub) prepare(ctx context.Context, c store.Change, idx *hotspot.AreaIndex) (*outgoing, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	m := &Message{Seq: c.Seq, Type: changeType(c.Kind), Op: c.Op, ID: c.EntityID}
	if c.Op == hotspot.ChangeBulk {
		m.Rows = c.Rows
	}
	ch := changed{seq: c.Seq, kind: c.Kind, op: c.Op, id: c.EntityID}
	if idx == nil {
		var err error
		if idx, err = h.store.Areas(ctx); err != nil {
			return nil, err
		}
	}
	if c.AreaID != 0 {
		m.Area = idx.CodeOf(c.AreaID)
	}
	if c.Op != hotspot.ChangeBulk && c.Op != hotspot.ChangeDelete {
		if !c.Enriched {
			// Read without its row (the catch-up's fallback): read it now.
			var err error
			if c, err = h.enrich(ctx, c); err != nil {
				return nil, err
			}
		}
		switch {
		case c.Hotspot != nil && (c.Kind == hotspot.ChangeHotspot || c.Kind == hotspot.ChangeEvent && c.Event != nil):
			hs := *c.Hotspot
			hs.Events = nil
			m.Data, m.Area, m.point = &hotspotData{Event: c.Event, Hotspot: hotspotFeature(&hs)}, hs.AreaCode, &hs.Point
			ch.event = c.Event
		case c.Camera != nil && c.Kind == hotspot.ChangeCamera:
			m.Data, m.Area, m.point = &cameraData{Camera: cameraFeature(c.Camera, false)}, c.Camera.AreaCode, &c.Camera.Point
		case c.Incident != nil && c.Kind == hotspot.ChangeIncident:
			m.Data, m.Area, m.point = &incidentData{Incident: incidentFeature(c.Incident)}, c.Incident.AreaCode, &c.Incident.Point
		}
	}
	if m.Area != "" {
		m.ancestors = idx.Ancestors(m.Area)
	}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	ch.area, ch.point = m.Area, m.point
	return &outgoing{msg: m, body: body, change: ch}, nil
}

// queries reports whether preparing c reads from the database: a change
// read without its row (store.Change.Enriched) whose row the message
// carries.
// prepareAll prepares every change of changes but those skip names (nil:
// none): at once where the change came with its row and the area index is
// known, else on up to EnrichWorkers goroutines, each a round trip.
func (h *Hub) prepareAll(ctx context.Context, changes []store.Change, idx *hotspot.AreaIndex, skip func(int) bool) ([]*outgoing, []error) {
	outs := make([]*outgoing, len(changes))
	errs := make([]error, len(changes))
	sem := make(chan struct{}, h.cfg.EnrichWorkers)
	var wg sync.WaitGroup
	for i, c := range changes {
		if skip != nil && skip(i) {
			continue
		}
		if idx != nil && !queries(c) {
			outs[i], errs[i] = h.prepare(ctx, c, idx) // no round trip
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			outs[i], errs[i] = h.prepare(ctx, c, idx)
		}()
	}
	wg.Wait()
	return outs, errs
}

func queries(c store.Change) bool {
	if c.Enriched || c.Op == hotspot.ChangeBulk || c.Op == hotspot.ChangeDelete {
		return false
	}
	switch c.Kind {
	case hotspot.ChangeHotspot, hotspot.ChangeEvent, hotspot.ChangeCamera, hotspot.ChangeIncident:
		return true
	}
	return false
}

// enrich reads the row of a change read without it (store.Change.Enriched
// false), one query per row, as the catch-up would have: nil when it is gone.
func (h *Hub) enrich(ctx context.Context, c store.Change) (store.Change, error) {
	c.Enriched = true
	var err error
	switch c.Kind {
	case hotspot.ChangeHotspot, hotspot.ChangeEvent:
		hotspotID := c.EntityID
		if c.Kind == hotspot.ChangeEvent {
			if c.Event, err = h.store.GetEvent(ctx, c.EntityID); err != nil {
				break
			}
			hotspotID = c.Event.HotspotID
		}
		c.Hotspot, err = h.store.FeedHotspot(ctx, hotspotID)
	case hotspot.ChangeCamera:
		c.Camera, err = h.store.GetCamera(ctx, c.EntityID)
	case hotspot.ChangeIncident:
		c.Incident, err = h.store.GetIncident(ctx, c.EntityID)
	}
	if errors.Is(err, hotspot.ErrNotFound) {
		err = nil
	}
	return c, err
}

// maxBackfill is how many changes a replay older than the ring may read
// back into it (backfill); an older since is summarised.
const maxBackfill = 20000

// backfill reads the changes in (since, floor] — older than the ring
// holds, as after a restart, when the ring starts empty — from the
// database, enriches each once and puts them in front of the ring, so the
// replays that need them (every client that reconnects to this instance
// after a rolling restart asks for about the same since) replay each
// change from memory. It reports whether the ring now reaches since; when
// not (too far back, the ring too full, a query failed) the replay is
// summarised.
func (h *Hub) backfill(ctx context.Context, since, floor int64) bool {
	if floor-since > maxBackfill {
		return false
	}
	h.backfillMu.Lock()
	defer h.backfillMu.Unlock()
	if floor = h.ring.floorNow(); since >= floor {
		return true // another replay filled it meanwhile
	}
	changes, err := h.store.ChangesSince(ctx, since, int(floor-since))
	if err != nil {
		h.log.Warn("replay backfill failed", "err", err)
		return false
	}
	for len(changes) > 0 && changes[len(changes)-1].Seq > floor {
		changes = changes[:len(changes)-1]
	}
	idx, err := h.areasFor(ctx, changes)
	if err != nil {
		h.log.Warn("replay backfill failed", "err", err)
		return false
	}
	outs, errs := h.prepareAll(ctx, changes, idx, nil)
	for _, err := range errs {
		if err != nil {
			h.log.Warn("replay backfill failed", "err", err)
			return false
		}
	}
	ok := h.ring.prepend(outs, since, floor)
	if ok {
		h.stats.backfilled.Add(float64(len(outs)))
	}
	return ok
}

// replayRing keeps the newest published changes, in seq order, for
// replays from memory. floor is the sequence below which it holds nothing:
// a replay from since ≥ floor is complete from the ring alone.
type replayRing struct {
	mu    sync.RWMutex
	buf   []*outgoing
	start int // index of the oldest
	n     int
	floor int64
}

func (r *replayRing) init(size int) { r.buf = make([]*outgoing, size) }

func (r *replayRing) add(o *outgoing) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == len(r.buf) {
		r.floor = r.buf[r.start].msg.Seq
		r.buf[r.start] = nil
		r.start = (r.start + 1) % len(r.buf)
		r.n--
	}
	r.buf[(r.start+r.n)%len(r.buf)] = o
	r.n++
}

// floorNow is the ring's floor.
func (r *replayRing) floorNow() int64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.floor
}

// prepend puts list (the changes in (since, floor], in order) in front of
// the ring, when its floor is still floor and it has room for them; the
// floor becomes since.
func (r *replayRing) prepend(list []*outgoing, since, floor int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.floor != floor || len(list) > len(r.buf)-r.n {
		return false
	}
	for i := len(list) - 1; i >= 0; i-- {
		r.start = (r.start - 1 + len(r.buf)) % len(r.buf)
		r.buf[r.start] = list[i]
		r.n++
	}
	r.floor = since
	return true
}

// between returns the kept changes with since < seq <= upTo, in order, and
// the ring's floor: what lies between since and the floor is not kept.
func (r *replayRing) between(since, upTo int64) ([]*outgoing, int64) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	// The first kept change after since, by binary search over the ring.
	lo, hi := 0, r.n
	for lo < hi {
		mid := (lo + hi) / 2
		if r.buf[(r.start+mid)%len(r.buf)].msg.Seq <= since {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	var out []*outgoing
	for i := lo; i < r.n; i++ {
		o := r.buf[(r.start+i)%len(r.buf)]
		if o.msg.Seq > upTo {
			break
		}
		out = append(out, o)
	}
	return out, r.floor
}

// subscription is what one client asked to receive, within what its
// user may see.
type subscription struct {
	areas  map[string]bool // empty: every area
	bbox   *[4]float64
	topics map[MessageType]bool // derived messages asked for; nil: all

	// Set from the session when the socket opens; a subscribe message
	// cannot change them.
	scope   string               // the user's area code; "" for everywhere (admin)
	types   map[MessageType]bool // message types the role may receive; nil: all
	limited bool                 // the role's disclosure rule is limited (a viewer)
}

// allowed reports whether the user behind s may see m at all: its type is
// one the role receives (bulk reload hints without data pass), and it lies
// in the user's scope (a message without an area passes only when it
// carries no data).
func (s subscription) allowed(m *Message) bool {
	if m.audience != audienceAll && (m.audience == audienceLimited) != s.limited {
		return false
	}
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

// matchesTopic reports whether a derived message m reaches s: its topic
// was asked for and it matches like a change.
func (s subscription) matchesTopic(m *Message) bool {
	if s.topics != nil && !s.topics[m.Type] {
		return false
	}
	return s.matches(m)
}

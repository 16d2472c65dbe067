package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
)

// ChangeChannel is the PostgreSQL notification channel the triggers use.
const ChangeChannel = "diaban_changes"

// Change is one committed change, as the triggers recorded it in `changes`,
// with what the live feed tells of it read in the same statement (the
// catch-up of the feed and ChangesSince): the entity's row as it is when
// the change is read, and how far the areas had changed then.
type Change struct {
	Seq      int64              `json:"seq"`
	Kind     hotspot.ChangeKind `json:"kind"`
	Op       hotspot.ChangeOp   `json:"op"`
	EntityID int64              `json:"id,omitempty"`
	AreaID   int64              `json:"-"`
	Rows     int                `json:"rows"`
	At       time.Time          `json:"at"`

	// Enriched says that the entity's row below was looked for with the
	// change (insert and update of a hotspot, an event, an incident or a
	// camera): nil then means it is gone. A hotspot comes without its
	// events; an event change has its event and its hotspot.
	Enriched bool              `json:"-"`
	Hotspot  *hotspot.Hotspot  `json:"-"`
	Event    *hotspot.Event    `json:"-"`
	Incident *hotspot.Incident `json:"-"`
	Camera   *hotspot.Camera   `json:"-"`
	// AreaVersion is the sequence of the newest area change committed when
	// the statement read the change and its entity (the version of
	// AreaIndex): an index of this version places what was read; -1 when
	// the change was read without its rows.
	AreaVersion int64 `json:"-"`
}

// sqlChangesSince reads changes after $1, at most $2, with the rows of
// their entities (one index lookup each; a kind's lateral read is skipped
// for changes of another kind) and the area version, in one statement: the
// live feed's catch-up and its enrichment are one round trip. The entity
// columns are those of sqlHotspots, GetEvent, sqlIncidentColumns and
// sqlCameras.
const sqlChangesSince = `
SELECT c.seq, c.kind, c.op, coalesce(c.entity_id, 0), coalesce(c.area_id, 0), c.rows, c.at,
       (SELECT coalesce(max(seq), 0) FROM changes WHERE kind = 'area'),
       h.id, h.ref, h.name, h.kind, h.code, h.x, h.y, h.status,
       e.id, e.hotspot_id, e.event, e.occurred_at, e.recorded_at, e.note,
       i.id, i.ref, i.kind, i.occurred_at, i.code, i.x, i.y,
       k.id, k.ref, k.x, k.y, k.bearing, k.fov, k.range_m, k.owner, k.status, k.code
FROM (SELECT * FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2) c
LEFT JOIN LATERAL (
    SELECT e.id, e.hotspot_id, e.event, e.occurred_at, e.recorded_at, e.note FROM hotspot_events e
    WHERE c.kind = 'event' AND c.op IN ('insert', 'update') AND e.id = c.entity_id) e ON true
LEFT JOIN LATERAL (
    SELECT h.id, h.ref, h.name, h.kind, a.code, ST_X(h.geom) AS x, ST_Y(h.geom) AS y, st.status
    FROM hotspots h JOIN areas a ON a.id = h.area_id JOIN hotspot_status st ON st.hotspot_id = h.id
    WHERE c.kind IN ('hotspot', 'event') AND c.op IN ('insert', 'update')
      AND h.id = CASE c.kind WHEN 'hotspot' THEN c.entity_id ELSE e.hotspot_id END) h ON true
LEFT JOIN LATERAL (
    SELECT i.id, i.ref, i.kind, i.occurred_at, a.code, ST_X(i.geom) AS x, ST_Y(i.geom) AS y
    FROM incidents i JOIN areas a ON a.id = i.area_id
    WHERE c.kind = 'incident' AND c.op IN ('insert', 'update') AND i.id = c.entity_id) i ON true
LEFT JOIN LATERAL (
    SELECT k.id, k.ref, ST_X(k.geom) AS x, ST_Y(k.geom) AS y, k.bearing, k.fov, k.range_m, k.owner, k.status, a.code
    FROM cameras k JOIN areas a ON a.id = k.area_id
    WHERE c.kind = 'camera' AND c.op IN ('insert', 'update') AND k.id = c.entity_id) k ON true
ORDER BY c.seq`

func scanChange(r pgx.CollectableRow) (Change, error) {
	var c Change
	var (
		hID                               *int64
		hRef, hName, hKind, hCode, hState *string
		hX, hY                            *float64
		eID, eHotspot                     *int64
		eKind, eNote                      *string
		eOccurred, eRecorded              *time.Time
		iID                               *int64
		iRef, iKind, iCode                *string
		iOccurred                         *time.Time
		iX, iY                            *float64
		kID                               *int64
		kRef, kOwner, kState, kCode       *string
		kX, kY, kBearing, kFOV, kRange    *float64
	)
	err := r.Scan(&c.Seq, &c.Kind, &c.Op, &c.EntityID, &c.AreaID, &c.Rows, &c.At, &c.AreaVersion,
		&hID, &hRef, &hName, &hKind, &hCode, &hX, &hY, &hState,
		&eID, &eHotspot, &eKind, &eOccurred, &eRecorded, &eNote,
		&iID, &iRef, &iKind, &iOccurred, &iCode, &iX, &iY,
		&kID, &kRef, &kX, &kY, &kBearing, &kFOV, &kRange, &kOwner, &kState, &kCode)
	if err != nil {
		return c, err
	}
	if c.Op != hotspot.ChangeInsert && c.Op != hotspot.ChangeUpdate {
		return c, nil
	}
	switch c.Kind {
	case hotspot.ChangeHotspot, hotspot.ChangeEvent, hotspot.ChangeIncident, hotspot.ChangeCamera:
		c.Enriched = true
	}
	if eID != nil {
		c.Event = &hotspot.Event{ID: *eID, HotspotID: *eHotspot, Kind: hotspot.EventKind(*eKind), OccurredAt: *eOccurred, RecordedAt: *eRecorded, Note: *eNote}
	}
	if hID != nil {
		c.Hotspot = &hotspot.Hotspot{ID: *hID, Ref: *hRef, Name: *hName, Kind: hotspot.HotspotKind(*hKind), AreaCode: *hCode,
			Point: geo.Point{Lon: *hX, Lat: *hY}, Status: hotspot.Status(*hState)}
	}
	if iID != nil {
		c.Incident = &hotspot.Incident{ID: *iID, Ref: *iRef, Kind: hotspot.IncidentKind(*iKind), OccurredAt: *iOccurred, AreaCode: *iCode,
			Point: geo.Point{Lon: *iX, Lat: *iY}}
	}
	if kID != nil {
		c.Camera = &hotspot.Camera{ID: *kID, Ref: *kRef, Point: geo.Point{Lon: *kX, Lat: *kY}, Bearing: *kBearing, FOV: *kFOV, RangeM: *kRange,
			Owner: hotspot.CameraOwner(*kOwner), Status: hotspot.CameraStatus(*kState), AreaCode: *kCode}
	}
	return c, nil
}

// sqlChangesOnly reads the changes without their rows: the catch-up's
// fallback when sqlChangesSince fails on a connection that still answers.
const sqlChangesOnly = `
SELECT seq, kind, op, coalesce(entity_id, 0), coalesce(area_id, 0), rows, at
FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2`

func scanChangeOnly(r pgx.CollectableRow) (Change, error) {
	var c Change
	err := r.Scan(&c.Seq, &c.Kind, &c.Op, &c.EntityID, &c.AreaID, &c.Rows, &c.At)
	c.AreaVersion = -1 // not read
	return c, err
}

// ChangesSince returns up to limit changes after seq, in order, each with
// its entity's row (read in ctx's scope: the system scope sees them all).
func (s *Store) ChangesSince(ctx context.Context, seq int64, limit int) ([]Change, error) {
	rows, err := s.pool.Query(ctx, sqlChangesSince, seq, limit)
	if err != nil {
		return nil, fmt.Errorf("changes since %d: %w", seq, err)
	}
	return pgx.CollectRows(rows, scanChange)
}

// FeedHotspot returns one hotspot as the live feed tells of it: without
// its events (one query; GetHotspot reads them too).
func (s *Store) FeedHotspot(ctx context.Context, id int64) (*hotspot.Hotspot, error) {
	rows, err := s.pool.Query(ctx, sqlHotspots, nil, "", id)
	return oneRow(rows, err, scanHotspot)
}

// LatestSeq returns the sequence of the newest change (0 when none).
func (s *Store) LatestSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM changes`).Scan(&seq)
	return seq, err
}

// OldestUnhandled returns the commit time of the first change after seq
// (zero time when there is none): how far a follower that has handled seq
// lags behind the database.
func (s *Store) OldestUnhandled(ctx context.Context, seq int64) (time.Time, error) {
	var at time.Time
	err := s.pool.QueryRow(ctx, `SELECT at FROM changes WHERE seq > $1 ORDER BY seq LIMIT 1`, seq).Scan(&at)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, nil
	}
	return at, err
}

// ChangeGroup summarises the changes of one kind in one area (AreaID 0:
// none, as for bulk loads) within a range of sequences.
type ChangeGroup struct {
	Kind    hotspot.ChangeKind
	AreaID  int64
	LastSeq int64 // the newest change of the group
	Changes int   // how many changes
	Rows    int   // how many rows they touched
}

// ChangeSummary summarises, in one query, the changes in (after, upTo] by
// kind and area, in the order of their newest change. A replay too old for
// the hub's memory is sent as these summaries: the map reloads those layers.
func (s *Store) ChangeSummary(ctx context.Context, after, upTo int64) ([]ChangeGroup, error) {
	rows, err := s.pool.Query(ctx, `
SELECT kind, coalesce(area_id, 0), max(seq), count(*), sum(rows)
FROM changes WHERE seq > $1 AND seq <= $2
GROUP BY kind, coalesce(area_id, 0) ORDER BY max(seq)`, after, upTo)
	if err != nil {
		return nil, fmt.Errorf("change summary: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ChangeGroup, error) {
		var g ChangeGroup
		err := r.Scan(&g.Kind, &g.AreaID, &g.LastSeq, &g.Changes, &g.Rows)
		return g, err
	})
}

// RetentionHorizon returns the newest sequence pruned from `changes`
// (migration 00007): a replay from before it would have a hole.
func (s *Store) RetentionHorizon(ctx context.Context) (int64, error) {
	var seq int64
	err := s.pool.QueryRow(ctx, `SELECT pruned_through FROM changes_horizon`).Scan(&seq)
	return seq, err
}

// PruneChanges deletes changes older than keep, batch rows per statement
// (each its own short transaction, so writers are never blocked behind a
// long delete), and returns how many it deleted and the new horizon.
func (s *Store) PruneChanges(ctx context.Context, keep time.Duration, batch int) (int64, int64, error) {
	var total int64
	for {
		var n int
		err := s.pool.QueryRow(ctx, `SELECT prune_changes($1::interval, $2)`,
			fmt.Sprintf("%d milliseconds", keep.Milliseconds()), batch).Scan(&n)
		if err != nil {
			return total, 0, fmt.Errorf("prune changes: %w", err)
		}
		total += int64(n)
		if n < batch || ctx.Err() != nil {
			break
		}
	}
	h, err := s.RetentionHorizon(ctx)
	return total, h, err
}

// SessionsLive checks many session tokens in one query and returns those
// that still stand (not logged out, expired or disabled). The websocket
// hub checks all its sockets' sessions this way, once per interval.
func (s *Store) SessionsLive(ctx context.Context, tokens []string) (map[string]bool, error) {
	hashes := make([][]byte, 0, len(tokens))
	byHash := make(map[string]string, len(tokens))
	for _, t := range tokens {
		if t == "" || len(t) > 128 {
			continue
		}
		h := hashToken(t)
		hashes = append(hashes, h)
		byHash[string(h)] = t
	}
	live := make(map[string]bool, len(hashes))
	if len(hashes) == 0 {
		return live, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT s.token_hash FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_hash = ANY($1) AND s.expires_at > now() AND NOT u.disabled`, hashes)
	if err != nil {
		return nil, fmt.Errorf("sessions live: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h []byte
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		live[byHash[string(h)]] = true
	}
	return live, rows.Err()
}

// FeedOptions configures a Feed.
type FeedOptions struct {
	// After is the sequence already handled: the feed starts after it.
	After int64
	Log   *slog.Logger
	// Handle receives the changes in order, in batches, and returns how many
	// of the batch it handled. A change counts as handled (the feed moves
	// past it) only once Handle says so; on an error the feed reconnects
	// after a back-off and hands over the rest again.
	Handle func(ctx context.Context, batch []Change) (int, error)
	// PingEvery is how long the listener may be quiet before it is checked
	// with a query (default 1 s); PingTimeout bounds that query and a
	// reconnection (default 2 s).
	PingEvery, PingTimeout time.Duration
	// Connect, when set, opens the listener's connection instead of a
	// connection like the pool's (tests route it through a proxy).
	Connect ConnectFunc
}

// ConnectFunc opens a connection.
type ConnectFunc = func(ctx context.Context) (*pgx.Conn, error)

// FeedStatus is what a Feed says about itself (for /readyz and metrics).
type FeedStatus struct {
	Last       int64     // the newest change handled
	Contact    time.Time // the last time the listener's connection answered
	Connected  bool      // the listener is connected and LISTENing
	Handling   bool      // a batch is being handled (contact is not expected meanwhile)
	Reconnects int64     // connections lost since the start
	LastError  string    // why the last connection ended
}

// Feed follows the change feed on a LISTEN connection of its own.
type Feed struct {
	s    *Store
	opts FeedOptions

	mu     sync.Mutex
	status FeedStatus
}

// NewFeed returns a feed; Run it.
func (s *Store) NewFeed(opts FeedOptions) *Feed {
	if opts.PingEvery <= 0 {
		opts.PingEvery = time.Second
	}
	if opts.PingTimeout <= 0 {
		opts.PingTimeout = 2 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Feed{s: s, opts: opts, status: FeedStatus{Last: opts.After}}
}

// Status returns the feed's status now.
func (f *Feed) Status() FeedStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}

func (f *Feed) update(fn func(st *FeedStatus)) {
	f.mu.Lock()
	fn(&f.status)
	f.mu.Unlock()
}

// Follow delivers every change after `after`, in order, to handle, until
// ctx ends (a Feed with default options).
func (s *Store) Follow(ctx context.Context, after int64, log *slog.Logger, handle func(Change)) error {
	return s.NewFeed(FeedOptions{After: after, Log: log, Handle: func(_ context.Context, batch []Change) (int, error) {
		for _, c := range batch {
			handle(c)
		}
		return len(batch), nil
	}}).Run(ctx)
}

// Run follows the feed until ctx ends. It LISTENs on a connection of its
// own; a notification carries only a sequence, the rows come from
// `changes`, read on the same connection after the newest one handled.
// The connection is checked whenever it has been quiet for PingEvery (a
// query bounded by PingTimeout, which also catches up on anything whose
// notification was lost); a connection lost or frozen is replaced, after
// a back-off that doubles up to 5 s and starts again at 100 ms once a
// connection has caught up.
func (f *Feed) Run(ctx context.Context) error {
	const minBackoff, maxBackoff = 100 * time.Millisecond, 5 * time.Second
	backoff := minBackoff
	for ctx.Err() == nil {
		err := f.once(ctx, func() { backoff = minBackoff })
		f.update(func(st *FeedStatus) {
			st.Connected = false
			st.Reconnects++
			if err != nil {
				st.LastError = err.Error()
			}
		})
		if ctx.Err() != nil {
			return nil
		}
		f.opts.Log.Warn("change feed lost its connection; reconnecting", "err", err, "last_seq", f.Status().Last, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, maxBackoff)
	}
	return nil
}

func (f *Feed) connect(ctx context.Context) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, f.opts.PingTimeout+3*time.Second)
	defer cancel()
	var conn *pgx.Conn
	var err error
	if f.opts.Connect != nil {
		conn, err = f.opts.Connect(ctx)
	} else {
		cfg := f.s.pool.Config().ConnConfig.Copy()
		cfg.RuntimeParams["application_name"] = cfg.RuntimeParams["application_name"] + " listener"
		conn, err = pgx.ConnectConfig(ctx, cfg)
	}
	if err != nil {
		return nil, err
	}
	if f.s.appRole != "" {
		if _, err := conn.Exec(ctx, "SET ROLE "+pgx.Identifier{f.s.appRole}.Sanitize()); err != nil {
			closeQuickly(conn)
			return nil, err
		}
	}
	// The catch-up reads the changed rows too, of every area: the
	// connection keeps the system scope (it is the feed's own).
	if err := applyScope(ctx, conn, scope{all: true}); err != nil {
		closeQuickly(conn)
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ChangeChannel}.Sanitize()); err != nil {
		closeQuickly(conn)
		return nil, err
	}
	return conn, nil
}

func closeQuickly(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_ = conn.Close(ctx)
}

// once runs one connection until it fails; caughtUp is called after its
// first catch-up.
func (f *Feed) once(ctx context.Context, caughtUp func()) error {
	conn, err := f.connect(ctx)
	if err != nil {
		return err
	}
	defer closeQuickly(conn)
	f.update(func(st *FeedStatus) { st.Connected, st.Contact = true, time.Now() })
	// Anything committed before LISTEN took effect is caught here.
	if err := f.catchUp(ctx, conn); err != nil {
		return err
	}
	caughtUp()
	for {
		wait, cancel := context.WithTimeout(ctx, f.opts.PingEvery)
		n, err := conn.WaitForNotification(wait)
		cancel()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil && errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed():
			// Quiet for PingEvery: check the connection with a query,
			// which catches up too.
			if err := f.catchUp(ctx, conn); err != nil {
				return fmt.Errorf("listener check: %w", err)
			}
			continue
		case err != nil:
			return err
		}
		f.update(func(st *FeedStatus) { st.Contact = time.Now() })
		if seq, err := strconv.ParseInt(n.Payload, 10, 64); err == nil && seq <= f.Status().Last {
			continue
		}
		if err := f.catchUp(ctx, conn); err != nil {
			return err
		}
	}
}

// catchUp reads and hands over every change after the last handled, on the
// listener's own connection (each answer proves it alive), each query
// bounded by PingTimeout.
func (f *Feed) catchUp(ctx context.Context, conn *pgx.Conn) error {
	const batchSize = 1000
	for {
		last := f.Status().Last
		qctx, cancel := context.WithTimeout(ctx, f.opts.PingTimeout)
		rows, err := conn.Query(qctx, sqlChangesSince, last, batchSize)
		var batch []Change
		if err == nil {
			batch, err = pgx.CollectRows(rows, scanChange)
		}
		if err != nil && qctx.Err() == nil && !conn.IsClosed() {
			// The connection is fine but the rows could not be read with
			// their entities: read the changes alone, which Handle then
			// enriches itself (and, failing that, resyncs).
			f.opts.Log.Warn("changes not read with their rows; reading them alone", "after", last, "err", err)
			if rows, err = conn.Query(qctx, sqlChangesOnly, last, batchSize); err == nil {
				batch, err = pgx.CollectRows(rows, scanChangeOnly)
			}
		}
		cancel()
		if err != nil {
			return err
		}
		f.update(func(st *FeedStatus) { st.Contact = time.Now() })
		if len(batch) == 0 {
			return nil
		}
		f.update(func(st *FeedStatus) { st.Handling = true })
		n, err := f.opts.Handle(ctx, batch)
		f.update(func(st *FeedStatus) {
			st.Handling = false
			st.Contact = time.Now()
			if n > 0 {
				st.Last = batch[n-1].Seq
			}
		})
		if err != nil {
			if n < len(batch) {
				return fmt.Errorf("handling change %d: %w", batch[n].Seq, err)
			}
			return err
		}
		if len(batch) < batchSize {
			return nil
		}
	}
}

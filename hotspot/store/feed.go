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

	"github.com/diaban/diaban/hotspot"
)

// ChangeChannel is the PostgreSQL notification channel the triggers use.
const ChangeChannel = "diaban_changes"

// Change is one committed change, as the triggers recorded it in `changes`.
type Change struct {
	Seq      int64              `json:"seq"`
	Kind     hotspot.ChangeKind `json:"kind"`
	Op       hotspot.ChangeOp   `json:"op"`
	EntityID int64              `json:"id,omitempty"`
	AreaID   int64              `json:"-"`
	Rows     int                `json:"rows"`
	At       time.Time          `json:"at"`
}

const sqlChangesSince = `
SELECT seq, kind, op, coalesce(entity_id, 0), coalesce(area_id, 0), rows, at
FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2`

func scanChange(r pgx.CollectableRow) (Change, error) {
	var c Change
	err := r.Scan(&c.Seq, &c.Kind, &c.Op, &c.EntityID, &c.AreaID, &c.Rows, &c.At)
	return c, err
}

// ChangesSince returns up to limit changes after seq, in order.
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

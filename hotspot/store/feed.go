package store

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
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

// ChangesSince returns up to limit changes after seq, in order.
func (s *Store) ChangesSince(ctx context.Context, seq int64, limit int) ([]Change, error) {
	rows, err := s.pool.Query(ctx, sqlChangesSince, seq, limit)
	if err != nil {
		return nil, fmt.Errorf("changes since %d: %w", seq, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Change, error) {
		var c Change
		err := r.Scan(&c.Seq, &c.Kind, &c.Op, &c.EntityID, &c.AreaID, &c.Rows, &c.At)
		return c, err
	})
}

// LatestSeq returns the sequence of the newest change (0 when none).
func (s *Store) LatestSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM changes`).Scan(&seq)
	return seq, err
}

// Follow delivers every change after `after`, in order, to handle, until ctx
// ends. It LISTENs on a connection of its own; when that connection is lost
// it reconnects, LISTENs again and catches up from the last sequence it
// handled, because notifications sent while disconnected are lost. A
// notification carries only a sequence: the rows come from `changes`.
func (s *Store) Follow(ctx context.Context, after int64, log *slog.Logger, handle func(Change)) error {
	last := after
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := s.followOnce(ctx, &last, handle)
		if ctx.Err() != nil {
			return nil
		}
		log.Warn("change feed lost its connection; reconnecting", "err", err, "last_seq", last, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		if backoff < 5*time.Second {
			backoff *= 2
		}
	}
	return nil
}

func (s *Store) followOnce(ctx context.Context, last *int64, handle func(Change)) error {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if s.appRole != "" {
		if _, err := conn.Exec(ctx, "SET ROLE "+pgx.Identifier{s.appRole}.Sanitize()); err != nil {
			return err
		}
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ChangeChannel}.Sanitize()); err != nil {
		return err
	}
	catchUp := func() error {
		for {
			batch, err := s.ChangesSince(ctx, *last, 1000)
			if err != nil {
				return err
			}
			for _, c := range batch {
				handle(c)
				*last = c.Seq
			}
			if len(batch) < 1000 {
				return nil
			}
		}
	}
	// Anything committed before LISTEN took effect is caught here.
	if err := catchUp(); err != nil {
		return err
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if seq, err := strconv.ParseInt(n.Payload, 10, 64); err == nil && seq <= *last {
			continue
		}
		if err := catchUp(); err != nil {
			return err
		}
	}
}

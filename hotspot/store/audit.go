package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditEntry is one row of the append-only audit log.
type AuditEntry struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	User      string    `json:"user"`
	Role      string    `json:"role"`
	Action    string    `json:"action"`
	EntityIDs []int64   `json:"entity_ids"`
	Area      string    `json:"area"`
	Address   string    `json:"address"`
	Detail    string    `json:"detail"`
}

// sqlInsertAudit appends a row through diaban_audit (migrations/00006): the
// server's database role may not insert into audit itself.
const sqlInsertAudit = `SELECT diaban_audit($1, $2, $3, $4, $5, $6, $7)`

// AppendAudit adds an entry on its own (reads such as exports, the CLI). The table refuses updates and deletes.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) error {
	if e.EntityIDs == nil {
		e.EntityIDs = []int64{}
	}
	_, err := s.pool.Exec(ctx, sqlInsertAudit, e.User, e.Role, e.Action, e.EntityIDs, e.Area, e.Address, e.Detail)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditFilter selects audit rows, newest first.
type AuditFilter struct {
	User   string
	Action string
	Before int64 // id; 0 for the newest
	Limit  int
}

// ListAudit returns audit entries, newest first.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	rows, err := s.pool.Query(ctx, `SELECT id, at, username, role, action, entity_ids, area, address, detail FROM audit
WHERE ($1 = '' OR username = $1) AND ($2 = '' OR action = $2) AND ($3 = 0 OR id < $3)
ORDER BY id DESC LIMIT $4`, f.User, f.Action, f.Before, f.Limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		err := r.Scan(&e.ID, &e.At, &e.User, &e.Role, &e.Action, &e.EntityIDs, &e.Area, &e.Address, &e.Detail)
		return e, err
	})
}

// PendingAudit is the audit entry of a request's write. Put it on the
// context with WithAudit: the write's own transaction then appends it,
// with the ids and area the write touched, just before it commits, so a
// write and its audit row land together or not at all.
type PendingAudit struct {
	Entry AuditEntry
	// Written is set once a transaction has appended the entry.
	Written bool
}

type pendingAuditKey struct{}

// WithAudit asks the writes made with ctx to append p in their transaction.
func WithAudit(ctx context.Context, p *PendingAudit) context.Context {
	return context.WithValue(ctx, pendingAuditKey{}, p)
}

// AuditTouch records, inside a write's transaction, the ids and area the
// write touched, for the pending audit entry of ctx (if any).
func AuditTouch(ctx context.Context, area string, ids ...int64) {
	p, ok := ctx.Value(pendingAuditKey{}).(*PendingAudit)
	if !ok {
		return
	}
	p.Entry.EntityIDs = append(p.Entry.EntityIDs, ids...)
	if p.Entry.Area == "" {
		p.Entry.Area = area
	}
}

// WritePendingAudit appends the pending audit entry of ctx inside tx, once.
// Store writes call it last in their transaction; packages that run their
// own transactions over the store's pool (inputs) call it too.
func WritePendingAudit(ctx context.Context, tx pgx.Tx) error {
	p, ok := ctx.Value(pendingAuditKey{}).(*PendingAudit)
	if !ok || p.Written {
		return nil
	}
	e := p.Entry
	if e.EntityIDs == nil {
		e.EntityIDs = []int64{}
	}
	if _, err := tx.Exec(ctx, sqlInsertAudit, e.User, e.Role, e.Action, e.EntityIDs, e.Area, e.Address, e.Detail); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	p.Written = true
	return nil
}

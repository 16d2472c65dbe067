package hotspot

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

// AppendAudit adds an entry. The table refuses updates and deletes.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) error {
	if e.EntityIDs == nil {
		e.EntityIDs = []int64{}
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO audit (username, role, action, entity_ids, area, address, detail)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.User, e.Role, e.Action, e.EntityIDs, e.Area, e.Address, e.Detail)
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

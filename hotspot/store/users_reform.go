package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/diaban/diaban/hotspot"
)

// Users across a reform (issue 13, rule 4): a user's scope is an area, and
// RLS reads the current areas below it, so a user whose area was retired
// sees nothing until moved to a current unit.

// RetiredScope is a user whose area has no current version.
type RetiredScope struct {
	Code       string   `json:"code"`
	Successors []string `json:"successors,omitempty"` // from the crosswalk
}

// RetiredScopes returns, by user name, the users whose area was retired.
func (s *Store) RetiredScopes(ctx context.Context) (map[string]RetiredScope, error) {
	rows, err := s.pool.Query(ctx, `
SELECT u.name, a.code,
       coalesce(array_agg(DISTINCT n.code ORDER BY n.code) FILTER (WHERE n.code IS NOT NULL), '{}')
FROM users u
JOIN areas a ON a.id = u.scope_area_id
LEFT JOIN area_crosswalk c ON c.old_area_id = a.id
LEFT JOIN areas n ON n.id = c.new_area_id AND EXISTS (SELECT 1 FROM area_versions nv WHERE nv.area_id = n.id AND nv.valid_to IS NULL)
WHERE NOT EXISTS (SELECT 1 FROM area_versions v WHERE v.area_id = a.id AND v.valid_to IS NULL)
GROUP BY u.name, a.code`)
	if err != nil {
		return nil, fmt.Errorf("retired scopes: %w", err)
	}
	out := map[string]RetiredScope{}
	var name string
	var r RetiredScope
	_, err = pgx.ForEachRow(rows, []any{&name, &r.Code, &r.Successors}, func() error {
		out[name] = RetiredScope{Code: r.Code, Successors: append([]string(nil), r.Successors...)}
		return nil
	})
	return out, err
}

// RescopeUser moves a user to the current area with code and ends its
// sessions (they carried the old scope).
func (s *Store) RescopeUser(ctx context.Context, name, code string) error {
	if strings.TrimSpace(code) == "" {
		return hotspot.Invalid("area", "required")
	}
	idx, err := s.Areas(ctx)
	if err != nil {
		return err
	}
	a, ok := idx.ByCode(code)
	if !ok {
		return hotspot.Invalid("area", "no current area %q", code)
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `UPDATE users SET scope_area_id = $2 WHERE name = $1 RETURNING id`, name, a.ID).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("user %q: %w", name, hotspot.ErrNotFound)
		} else if err != nil {
			return err
		}
		AuditTouch(ctx, code, id)
		_, err = tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		return err
	})
}

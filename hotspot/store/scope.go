package store

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// A scope is what a use of the database may see and write when the store
// runs as its application role (StoreConfig.AppRole): PostgreSQL's row-level
// security policies (migrations/00003_row_level_security.sql) admit only rows
// of the areas in it. Without a scope in the context nothing is visible.

type scopeKey struct{}

type scope struct {
	all bool
	ids string // a PostgreSQL bigint[] literal
	// free marks a read of tables without row-level security (areas, area
	// versions, changes): it may run in whatever scope its connection has,
	// so acquiring one sets nothing (a round trip saved; see withoutScope).
	free bool
}

// withoutScope returns ctx for a read of tables without row-level security
// only: the pool does not set a scope for it, and leaves the connection's
// as it was. Never for a read of a table with a policy: it would run in the
// scope of the connection's previous use.
func withoutScope(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeKey{}, scope{free: true})
}

// WithScope returns ctx carrying a scope of the given area ids: queries run
// with it see and write only rows of those areas. Give every id the scope
// covers (an area and all below it; see AreaIndex.Descendants).
func WithScope(ctx context.Context, areaIDs []int64) context.Context {
	var b strings.Builder
	b.WriteByte('{')
	for i, id := range areaIDs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte('}')
	return context.WithValue(ctx, scopeKey{}, scope{ids: b.String()})
}

// WithSystemScope returns ctx carrying the scope of everything: for admins
// and for the service's own work (the change feed, pushes, caches), whose
// results are filtered per client afterwards.
func WithSystemScope(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeKey{}, scope{all: true})
}

// sqlSetScope sets the scope for this use of a connection. Session-level
// (is_local false) because a pooled query may run outside a transaction; it
// is set again on every acquire, so it never leaks to the next user.
const sqlSetScope = `SELECT set_config('diaban.scope', $1, false), set_config('diaban.scope_ids', $2, false)`

// ScopeKey names ctx's scope, for caches of what was read in it: "*" for
// the system scope, the list of area ids otherwise, "" for none.
func ScopeKey(ctx context.Context) string {
	if sc := scopeOf(ctx); !sc.all {
		return sc.ids
	}
	return "*"
}

// scopeOf returns ctx's scope; the zero scope denies everything.
func scopeOf(ctx context.Context) scope {
	sc, _ := ctx.Value(scopeKey{}).(scope)
	return sc
}

// applyScope sets the connection's scope.
func applyScope(ctx context.Context, conn *pgx.Conn, sc scope) error {
	all := ""
	if sc.all {
		all = "*"
	}
	_, err := conn.Exec(ctx, sqlSetScope, all, sc.ids)
	return err
}

// ScopeAreaIDs returns the area ids of ctx's scope (WithScope), or all
// true for the system scope: what a handler already put on its request,
// read back without asking the database again.
func ScopeAreaIDs(ctx context.Context) (ids []int64, all bool) { return scopeIDs(ctx) }

// scopeIDs returns the area ids of ctx's scope: nil with all true for the
// system scope, the ids otherwise (none for the zero scope).
func scopeIDs(ctx context.Context) (ids []int64, all bool) {
	sc := scopeOf(ctx)
	if sc.all {
		return nil, true
	}
	s := strings.Trim(sc.ids, "{}")
	if s == "" {
		return []int64{}, false
	}
	for _, f := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids, false
}

// narrowToScope returns the area ids a read should name in its own WHERE
// clause: ids (nil for every area) intersected with the scope of ctx when the
// store runs under the policies. The policies stay the guard; naming the
// ids lets PostgreSQL use the area indexes, since `area_id = ANY($1)` is
// leakproof and may be pushed beneath the policy (migrations/00008). With
// no scope (the zero scope) the result is empty: nothing is visible anyway.
// The owner's store (no AppRole) reads ids unchanged.
func (s *Store) narrowToScope(ctx context.Context, ids []int64) []int64 {
	if s.appRole == "" {
		return ids
	}
	scoped, all := scopeIDs(ctx)
	if all {
		return ids
	}
	if ids == nil {
		return scoped
	}
	in := make(map[int64]bool, len(scoped))
	for _, id := range scoped {
		in[id] = true
	}
	out := []int64{}
	for _, id := range ids {
		if in[id] {
			out = append(out, id)
		}
	}
	return out
}

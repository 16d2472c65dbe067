package store

import (
	"context"
	"fmt"
)

// Sibling returns a Store on a pool of its own of at most maxConns
// connections, configured as s's (database, login, role, the scope set per
// use) and sharing its caches: work given to it never waits for s's
// connections, nor s's users for it. The live feed's derived recomputations
// (metrics, coverage, emerging after a change) run on one (serve
// --recompute-pool). applicationName, when set, names its connections in
// pg_stat_activity. Close it apart from s.
func (s *Store) Sibling(ctx context.Context, maxConns int32, applicationName string) (*Store, error) {
	if maxConns < 1 {
		return nil, fmt.Errorf("sibling pool: %d connections", maxConns)
	}
	pc := s.pool.Config() // a copy, with the password the login got
	pc.MaxConns = maxConns
	pc.MinConns = min(pc.MinConns, maxConns)
	if applicationName != "" {
		pc.ConnConfig.RuntimeParams["application_name"] = applicationName
	}
	pool, err := connect(ctx, pc)
	if err != nil {
		return nil, err
	}
	sib := *s
	sib.pool = pool
	return &sib, nil
}

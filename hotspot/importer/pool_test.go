package importer_test

import (
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/diaban/diaban/hotspot/store"
)

// testPools maps each test's store to its database's pool, for the tests'
// own SQL (the store has no exported pool).
var testPools sync.Map // *store.Store → *pgxpool.Pool

// poolOf returns the pool under a store made by newStore.
func poolOf(s *store.Store) *pgxpool.Pool {
	p, _ := testPools.Load(s)
	return p.(*pgxpool.Pool)
}

package store

import "github.com/jackc/pgx/v5/pgxpool"

// Pool returns the underlying pool, to the store's own tests only (their
// SQL checks what the store wrote); the store exports no pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// DecodeTimeline is decodeTimeline, to the store's own tests.
var DecodeTimeline = decodeTimeline

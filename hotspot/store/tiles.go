package store

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// The vector tiles' access (package tiles keeps its fixed queries and
// hands them here): each runs in the scope its context carries, like every
// other query of the store.

// TileBytes runs a query answering one bytea (a Mapbox Vector Tile made by
// ST_AsMVT) and returns it.
func (s *Store) TileBytes(ctx context.Context, sql string, args ...any) ([]byte, error) {
	var data []byte
	if err := s.pool.QueryRow(ctx, sql, args...).Scan(&data); err != nil {
		return nil, err
	}
	return data, nil
}

// TileRows runs a query and, for each row, scans it into dest and calls fn.
func (s *Store) TileRows(ctx context.Context, sql string, args []any, dest []any, fn func() error) error {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	_, err = pgx.ForEachRow(rows, dest, fn)
	return err
}

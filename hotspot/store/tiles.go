package store

import (
	"context"
	"fmt"
	"time"

	"github.com/diaban/diaban/hotspot"

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

// CellTotals calls fn with the number of incidents, all time, of every H3
// cell at res whose id lies in one of the ranges [lo[i], hi[i]] (the cells
// a tile draws; package tiles makes the ranges), over the areas ids (nil:
// every area) narrowed to the scope of ctx. Whole cells are counted, not the
// part of a cell inside a tile, so a hexagon has one count on every tile
// that draws it. The counts come from incident_cell_months through its
// primary key (res, cell, ...): only leakproof integer comparisons, which
// PostgreSQL applies through the index beneath the row-level security
// policy (migrations/00008).
func (s *Store) CellTotals(ctx context.Context, res int, lo, hi, ids []int64, fn func(cell, n int64) error) error {
	if len(lo) != len(hi) {
		return fmt.Errorf("cell totals: %d lower and %d upper bounds", len(lo), len(hi))
	}
	ids = s.narrowToScope(ctx, ids)
	if ids != nil && len(ids) == 0 {
		return nil
	}
	rows, err := s.pool.Query(ctx, sqlCellTotals, customPlan, int16(res), lo, hi, ids)
	if err != nil {
		return fmt.Errorf("cell totals: %w", err)
	}
	var cell, n int64
	_, err = pgx.ForEachRow(rows, []any{&cell, &n}, func() error { return fn(cell, n) })
	if err != nil {
		return fmt.Errorf("cell totals: %w", err)
	}
	return nil
}

// The ranges are read in a subquery of their own (OFFSET 0: the area
// filter is not pushed into it): given the ids of every area (a province's
// user on today's map), the planner read all of their rows through the
// (area_id, res, month) index instead, 35 ms a tile against 1 ms
// (TestRLSScale, bench/rls/RESULTS.md).
const sqlCellTotals = `
SELECT c.cell, sum(c.n)::bigint
FROM unnest($2::bigint[], $3::bigint[]) r(lo, hi)
CROSS JOIN LATERAL (
    SELECT m.cell, m.n, m.area_id FROM incident_cell_months m
    WHERE m.res = $1 AND m.cell BETWEEN r.lo AND r.hi
    OFFSET 0) c
WHERE ($4::bigint[] IS NULL OR c.area_id = ANY($4))
GROUP BY 1 HAVING sum(c.n) > 0`

// CellCountsIn calls fn with every cell at res and its incidents in the
// window [from, to) (zero: unbounded) of kind ("" for every kind), over the
// areas ids (nil: every area) narrowed to the scope of ctx: CellCounts by
// area ids, for the cells vector tiles with a period or a kind.
func (s *Store) CellCountsIn(ctx context.Context, res int, ids []int64, from, to time.Time, kind string, fn func(cell, n int64) error) error {
	counts, err := s.CellCounts(ctx, CellFilter{AreaIDs: ids, Res: res, From: from, To: to, Kind: hotspot.IncidentKind(kind)})
	if err != nil {
		return err
	}
	for _, c := range counts {
		if err := fn(int64(c.Cell), c.Count); err != nil {
			return err
		}
	}
	return nil
}

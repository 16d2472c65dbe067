package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/emerging"
)

// The emerging loader fills a space-time cube (package emerging) from
// PostGIS: the universe is the H3 cover of the communes and hamlets of an
// area (area_cells, cells whose centres lie inside, zero-count cells
// included), the counts are incidents per cell and time bin, bins cut in
// Asia/Ho_Chi_Minh. Two fixed queries per load: the universe and the counts.

// EmergingCube is a filled cube with what it was built from.
type EmergingCube struct {
	Cube *emerging.Cube
	// Query is the query with its defaults filled and From and To resolved
	// to the instants actually counted.
	Query hotspot.EmergingQuery
	// Area is the area analysed.
	Area *hotspot.AreaShape
	// Starts holds the start of each bin in Asia/Ho_Chi_Minh; Starts[i+1]
	// (or the end of the last bin) ends bin i.
	Starts []time.Time
	// Incidents is the number of incidents counted.
	Incidents int
	// Fringe is the number of cells added to the universe because incidents
	// of the area fell in them although their centres lie outside it (cells
	// along the area's edge).
	Fringe int
}

// sqlEmergingUniverse returns the cover cells of the areas $1 at resolution
// $2: communes and hamlets keep one (see writeAreaCells), parents are the
// union of theirs.
const sqlEmergingUniverse = `
SELECT DISTINCT cell FROM area_cells WHERE area_id = ANY($1::bigint[]) AND res = $2 ORDER BY cell`

// sqlEmergingExtent returns the first and last incident of the areas $1
// (of kind $2 unless empty); NULLs when there is none.
const sqlEmergingExtent = `
SELECT min(occurred_at), max(occurred_at) FROM incidents
WHERE area_id = ANY($1::bigint[]) AND ($2 = '' OR kind = $2)`

// sqlEmergingCounts counts the incidents of the areas $1 in [$2, $3) (of
// kind $5 unless empty) by H3 cell (the column {{cell}}) and bin. $4 holds
// the bins' starts, cut in Go in Asia/Ho_Chi_Minh, so width_bucket gives
// the same bin as date_trunc('month', occurred_at AT TIME ZONE
// 'Asia/Ho_Chi_Minh') without a time-zone conversion per row (which cost
// half the load); bins are numbered from 1.
const sqlEmergingCounts = `
SELECT {{cell}}, width_bucket(occurred_at, $4::timestamptz[]), count(*)::int4
FROM incidents
WHERE area_id = ANY($1::bigint[]) AND occurred_at >= $2 AND occurred_at < $3
  AND ($5 = '' OR kind = $5)
GROUP BY 1, 2`

// emergingCountQueries holds sqlEmergingCounts for each resolution, the
// cell column taken from a fixed whitelist, so each query text is a
// constant for pgx's statement cache.
var emergingCountQueries = func() map[int]string {
	m := map[int]string{}
	for res := geo.MinPointResolution; res <= geo.MaxPointResolution; res++ {
		col := pgx.Identifier{fmt.Sprintf("h3_r%d", res)}.Sanitize()
		m[res] = strings.ReplaceAll(sqlEmergingCounts, "{{cell}}", col)
	}
	return m
}()

// EmergingCube loads the space-time cube of q: the cover cells of the area
// and of every area below it at q.Res by the bins of q.Bin from the bin
// holding From to the bin holding the last instant before To. An unknown
// area is a *ValidationError on "area"; a cube larger than
// MaxEmergingValues one on "res".
func (s *Store) EmergingCube(ctx context.Context, q hotspot.EmergingQuery) (*EmergingCube, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	idx, err := s.Areas(ctx)
	if err != nil {
		return nil, err
	}
	shape, ok := idx.ByCode(q.AreaCode)
	if !ok {
		return nil, hotspot.Invalid("area", "unknown area %q", q.AreaCode)
	}
	ids, _ := idx.Descendants(q.AreaCode)

	if q.From.IsZero() || q.To.IsZero() {
		var first, last *time.Time
		if err := s.pool.QueryRow(ctx, sqlEmergingExtent, ids, string(q.Kind)).Scan(&first, &last); err != nil {
			return nil, fmt.Errorf("emerging extent: %w", err)
		}
		if first == nil {
			if q.From.IsZero() && q.To.IsZero() {
				return nil, hotspot.ErrNoIncidents
			}
			first, last = &q.From, &q.To // the one given fixes the axis
			if q.From.IsZero() {
				first = &q.To
			}
			if q.To.IsZero() {
				last = &q.From
			}
		}
		if q.From.IsZero() {
			q.From = q.Bin.BinStart(hotspot.MonthAt(*first)).Start().In(hotspot.Zone)
		}
		if q.To.IsZero() {
			q.To = (q.Bin.BinStart(hotspot.MonthAt(*last)) + hotspot.Month(q.Bin.Months())).Start().In(hotspot.Zone)
		}
		if !q.To.After(q.From) {
			return nil, hotspot.Invalid("to", "must be after from")
		}
	}
	first := q.Bin.BinStart(hotspot.MonthAt(q.From))
	lastBin := q.Bin.BinStart(hotspot.MonthAt(q.To.Add(-time.Nanosecond)))
	bins := int(lastBin-first)/q.Bin.Months() + 1
	if bins > emerging.MaxBins {
		return nil, hotspot.Invalid("to", "%d %s bins is too many (at most %d)", bins, q.Bin, emerging.MaxBins)
	}
	starts := make([]time.Time, bins)
	for i := range starts {
		starts[i] = (first + hotspot.Month(i*q.Bin.Months())).Start().In(hotspot.Zone)
	}

	rows, err := s.pool.Query(ctx, sqlEmergingUniverse, ids, int16(q.Res))
	if err != nil {
		return nil, fmt.Errorf("emerging universe: %w", err)
	}
	cells, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (geo.Cell, error) {
		var c int64
		err := r.Scan(&c)
		return geo.Cell(c), err
	})
	if err != nil {
		return nil, fmt.Errorf("emerging universe: %w", err)
	}

	type count struct {
		cell  geo.Cell
		bin   int
		count int
	}
	rows, err = s.pool.Query(ctx, emergingCountQueries[q.Res], ids, q.From, q.To, starts, string(q.Kind))
	if err != nil {
		return nil, fmt.Errorf("emerging counts: %w", err)
	}
	counts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (count, error) {
		var c count
		var cell int64
		var bucket int32
		err := r.Scan(&cell, &bucket, &c.count)
		c.cell, c.bin = geo.Cell(cell), int(bucket)-1
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("emerging counts: %w", err)
	}

	// Cells holding incidents of the area whose centres lie outside it
	// join the universe, so that every incident counts.
	nCover := len(cells)
	for _, c := range counts {
		if _, found := slices.BinarySearch(cells[:nCover], c.cell); !found {
			cells = append(cells, c.cell)
		}
	}
	fringe := cells[nCover:]
	slices.Sort(fringe)
	fringe = slices.Compact(fringe)
	cells = cells[:nCover+len(fringe)]
	if len(cells) == 0 {
		return nil, hotspot.Invalid("area", "area %q has no H3 cells at resolution %d", q.AreaCode, q.Res)
	}
	if len(cells) > hotspot.MaxEmergingValues/bins {
		return nil, hotspot.Invalid("res", "%d cells × %d bins is too large; choose a coarser res or bin, or a smaller area", len(cells), bins)
	}
	cube, err := emerging.NewCube(cells, bins)
	if err != nil {
		return nil, err
	}
	total := 0
	for _, c := range counts {
		if err := cube.Add(c.cell, c.bin, float64(c.count)); err != nil {
			return nil, err
		}
		total += c.count
	}
	return &EmergingCube{Cube: cube, Query: q, Area: shape, Starts: starts, Incidents: total, Fringe: len(fringe)}, nil
}

// EmergingVersion returns the newest change sequences of incidents and of
// areas: a cube loaded at the same pair has the same content, so results
// can be cached under it.
func (s *Store) EmergingVersion(ctx context.Context) (incidents, areas int64, err error) {
	err = s.pool.QueryRow(ctx, sqlEmergingVersion).Scan(&incidents, &areas)
	if err != nil {
		err = fmt.Errorf("emerging version: %w", err)
	}
	return incidents, areas, err
}

const sqlEmergingVersion = `
SELECT (SELECT coalesce(max(seq), 0) FROM changes WHERE kind = 'incident'),
       (SELECT coalesce(max(seq), 0) FROM changes WHERE kind = 'area')`

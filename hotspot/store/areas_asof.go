package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/diaban/diaban/geo"
)

// LineageLink is one crosswalk row seen from one side: the unit on the
// other side, the date, and how much of the old unit it carries.
type LineageLink struct {
	Code      string  `json:"code"`
	Name      string  `json:"name"`
	ValidFrom string  `json:"valid_from"`
	MergeType string  `json:"merge_type"`
	Share     float64 `json:"share"`
}

// AreaLineage is an area version with the units it was made of and the
// ones it went into.
type AreaLineage struct {
	*AreaAsOf
	Geometry     orb.MultiPolygon `json:"-"`
	Retired      bool             `json:"retired"` // no longer in force today
	Predecessors []LineageLink    `json:"predecessors"`
	Successors   []LineageLink    `json:"successors"`
}

// sqlLineage: for the versions $1, the crosswalk rows into them (on their
// valid_from) and out of them (on their valid_to), with the other side's
// name on that side of the date.
const sqlLineage = `
SELECT v.id, true, o.code, coalesce((SELECT name FROM area_versions ov WHERE ov.area_id = c.old_area_id AND ov.valid_from < c.valid_from
                                     ORDER BY ov.valid_from DESC LIMIT 1), ''),
       c.valid_from, c.merge_type, c.share::float8
FROM area_versions v
JOIN area_crosswalk c ON c.new_area_id = v.area_id AND c.valid_from = v.valid_from
JOIN areas o ON o.id = c.old_area_id
WHERE v.id = ANY($1::bigint[])
UNION ALL
SELECT v.id, false, n.code, coalesce((SELECT name FROM area_versions nv WHERE nv.area_id = c.new_area_id AND nv.valid_from <= c.valid_from
                                      ORDER BY nv.valid_from DESC LIMIT 1), ''),
       c.valid_from, c.merge_type, c.share::float8
FROM area_versions v
JOIN area_crosswalk c ON c.old_area_id = v.area_id AND c.valid_from = v.valid_to
JOIN areas n ON n.id = c.new_area_id
WHERE v.id = ANY($1::bigint[])
ORDER BY 1, 2, 3`

// AreasWithLineage returns the areas in force on date with their
// boundaries, predecessors and successors (GET /api/areas?as_of=).
func (s *Store) AreasWithLineage(ctx context.Context, date time.Time) ([]*AreaLineage, error) {
	tree, err := s.AreasAsOf(ctx, date)
	if err != nil {
		return nil, err
	}
	out := make([]*AreaLineage, len(tree.list))
	byVer := make(map[int64]*AreaLineage, len(tree.list))
	vers := make([]int64, len(tree.list))
	for i, a := range tree.list {
		out[i] = &AreaLineage{AreaAsOf: a, Retired: !a.Current, Predecessors: []LineageLink{}, Successors: []LineageLink{}}
		byVer[a.VersionID] = out[i]
		vers[i] = a.VersionID
	}
	rows, err := s.pool.Query(ctx, `SELECT id, ST_AsBinary(geom) FROM area_versions WHERE id = ANY($1::bigint[])`, vers)
	if err != nil {
		return nil, fmt.Errorf("area boundaries: %w", err)
	}
	var id int64
	var wkb []byte
	if _, err := pgx.ForEachRow(rows, []any{&id, &wkb}, func() error {
		g, err := geo.DecodeWKB(wkb)
		if err != nil {
			return err
		}
		if mp, ok := g.(orb.MultiPolygon); ok {
			byVer[id].Geometry = mp
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("area boundaries: %w", err)
	}
	rows, err = s.pool.Query(ctx, sqlLineage, vers)
	if err != nil {
		return nil, fmt.Errorf("area lineage: %w", err)
	}
	var pred bool
	var l LineageLink
	var from time.Time
	if _, err := pgx.ForEachRow(rows, []any{&id, &pred, &l.Code, &l.Name, &from, &l.MergeType, &l.Share}, func() error {
		l.ValidFrom = from.Format(time.DateOnly)
		a := byVer[id]
		if pred {
			a.Predecessors = append(a.Predecessors, l)
		} else {
			a.Successors = append(a.Successors, l)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("area lineage: %w", err)
	}
	return out, nil
}

// Lineage returns one area's version on date with its predecessors and
// successors (the scorecard's "made of"), without its boundary.
func (s *Store) Lineage(ctx context.Context, a *AreaAsOf) (*AreaLineage, error) {
	out := &AreaLineage{AreaAsOf: a, Retired: !a.Current, Predecessors: []LineageLink{}, Successors: []LineageLink{}}
	rows, err := s.pool.Query(ctx, sqlLineage, []int64{a.VersionID})
	if err != nil {
		return nil, fmt.Errorf("area lineage: %w", err)
	}
	var id int64
	var pred bool
	var l LineageLink
	var from time.Time
	_, err = pgx.ForEachRow(rows, []any{&id, &pred, &l.Code, &l.Name, &from, &l.MergeType, &l.Share}, func() error {
		l.ValidFrom = from.Format(time.DateOnly)
		if pred {
			out.Predecessors = append(out.Predecessors, l)
		} else {
			out.Successors = append(out.Successors, l)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("area lineage: %w", err)
	}
	return out, nil
}

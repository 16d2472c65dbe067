package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// The reads of a committee's report (hotspot/report) that the metrics
// loaders do not make: the units' boundaries as they stood, simplified for
// a printed map, and the hotspots new or recurred in a period, as places.

// sqlVersionShapes returns area versions' boundaries, simplified to about
// 5 m (a printed map of a province is 165 mm wide: far below a pixel).
const sqlVersionShapes = `
SELECT id, ST_AsBinary(ST_Multi(ST_SimplifyPreserveTopology(geom, 0.00005)))
FROM area_versions WHERE id = ANY($1::bigint[])`

// VersionShapes returns the boundaries of the area versions ids (AreaAsOf.VersionID).
func (s *Store) VersionShapes(ctx context.Context, ids []int64) (map[int64]orb.MultiPolygon, error) {
	rows, err := s.pool.Query(ctx, sqlVersionShapes, ids)
	if err != nil {
		return nil, fmt.Errorf("area shapes: %w", err)
	}
	out := make(map[int64]orb.MultiPolygon, len(ids))
	var (
		id int64
		b  []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &b}, func() error {
		g, err := wkb.Unmarshal(b)
		if err != nil {
			return err
		}
		switch g := g.(type) {
		case orb.MultiPolygon:
			out[id] = g
		case orb.Polygon:
			out[id] = orb.MultiPolygon{g}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("area shapes: %w", err)
	}
	return out, nil
}

// ChangedPlace is a hotspot with a detected or recurred event in a period:
// a place (ref, name, kind, where), never a person.
type ChangedPlace struct {
	Ref, Name, Kind, Event string
	At                     time.Time
	Lon, Lat               float64
}

// MaxChangedPlaces bounds ChangedPlaces: a report lists at most this many.
const MaxChangedPlaces = 2000

// sqlChangedPlaces: the hotspots inside one area version's boundary with a
// detected or recurred event in [$2, $3), in time order.
const sqlChangedPlaces = `
SELECT h.ref, h.name, h.kind, e.event, e.occurred_at, ST_X(h.geom), ST_Y(h.geom)
FROM area_versions v
JOIN hotspots h ON ST_Covers(v.geom, h.geom)
JOIN hotspot_events e ON e.hotspot_id = h.id
WHERE v.id = $1 AND e.event IN ('detected', 'recurred') AND e.occurred_at >= $2 AND e.occurred_at < $3
ORDER BY e.occurred_at, h.ref, e.id
LIMIT $4`

// ChangedPlaces returns the hotspots inside the area version's boundary
// (AreaAsOf.VersionID) detected or recurred in [from, to), at most
// MaxChangedPlaces, in time order. Row-level security narrows them to the
// caller's scope.
func (s *Store) ChangedPlaces(ctx context.Context, versionID int64, from, to time.Time) ([]ChangedPlace, error) {
	rows, err := s.pool.Query(ctx, sqlChangedPlaces, versionID, from, to, MaxChangedPlaces)
	if err != nil {
		return nil, fmt.Errorf("changed places: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ChangedPlace, error) {
		var p ChangedPlace
		err := r.Scan(&p.Ref, &p.Name, &p.Kind, &p.Event, &p.At, &p.Lon, &p.Lat)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("changed places: %w", err)
	}
	return out, nil
}

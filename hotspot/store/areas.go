package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
)

// areaCache keeps one AreaIndex, reloaded when an area change is recorded.
type areaCache struct {
	mu  sync.Mutex
	idx *hotspot.AreaIndex
	// PredecessorIDs' answers for the index of version predsVersion.
	preds        map[string][]int64
	predsVersion int64
}

const sqlAreaVersion = `SELECT coalesce(max(seq), 0) FROM changes WHERE kind = 'area'`

const sqlCurrentAreas = `
SELECT id, code, level, name, coalesce(parent_code, ''), valid_from, ST_AsBinary(geom)
FROM current_areas
ORDER BY array_position(ARRAY['province','district','commune','hamlet'], level), code`

// areaVersionKey holds on a request's context the area version read with
// its session (SessionUserAreaVersion).
type areaVersionKey struct{}

type areaVersionRead struct {
	version int64
	at      time.Time
}

// AreaVersionFresh is how long a version put on a context by
// WithAreaVersion answers for the database: a request's own duration, not
// a websocket's, whose context lives for hours (Areas asks again then).
const AreaVersionFresh = time.Second

// WithAreaVersion returns ctx carrying the area version just read (with
// the request's session, SessionUserAreaVersion): Areas then compares its
// index with it instead of asking the database again, for AreaVersionFresh.
func WithAreaVersion(ctx context.Context, version int64) context.Context {
	return context.WithValue(ctx, areaVersionKey{}, areaVersionRead{version, time.Now()})
}

func areaVersionOf(ctx context.Context) (int64, bool) {
	r, ok := ctx.Value(areaVersionKey{}).(areaVersionRead)
	if !ok || time.Since(r.at) >= AreaVersionFresh {
		return 0, false
	}
	return r.version, true
}

// Areas returns the index of current areas, reloading it if areas changed.
func (s *Store) Areas(ctx context.Context) (*hotspot.AreaIndex, error) {
	// Every request asks this at least once, in the system scope and then
	// the user's: areas, area_versions and changes have no row-level
	// security, so the reads set no scope on their connection (issue 18:
	// a scope switch is a round trip).
	ctx = withoutScope(ctx)
	version, ok := areaVersionOf(ctx)
	if !ok {
		if err := s.pool.QueryRow(ctx, sqlAreaVersion).Scan(&version); err != nil {
			return nil, fmt.Errorf("area version: %w", err)
		}
	}
	s.areas.mu.Lock()
	defer s.areas.mu.Unlock()
	if s.areas.idx != nil && s.areas.idx.Version == version {
		return s.areas.idx, nil
	}
	rows, err := s.pool.Query(ctx, sqlCurrentAreas)
	if err != nil {
		return nil, fmt.Errorf("load areas: %w", err)
	}
	shapes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*hotspot.AreaShape, error) {
		var a hotspot.AreaShape
		var wkb []byte
		if err := r.Scan(&a.ID, &a.Code, &a.Level, &a.Name, &a.ParentCode, &a.ValidFrom, &wkb); err != nil {
			return nil, err
		}
		g, err := geo.DecodeWKB(wkb)
		if err != nil {
			return nil, fmt.Errorf("area %s: %w", a.Code, err)
		}
		mp, ok := g.(orb.MultiPolygon)
		if !ok {
			return nil, fmt.Errorf("area %s: geometry is %s, want MultiPolygon", a.Code, g.GeoJSONType())
		}
		a.Geometry = mp
		return &a, nil
	})
	if err != nil {
		return nil, fmt.Errorf("load areas: %w", err)
	}
	idx := hotspot.NewAreaIndex(shapes)
	idx.Version = version
	s.areas.idx = idx
	return idx, nil
}

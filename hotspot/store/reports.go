package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/diaban/diaban/hotspot"
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

// ScheduledFile is one stored report file of a unit and month.
type ScheduledFile struct {
	Audience string // exact or limited (a viewer's)
	Format   string // pdf, xlsx or csv
	Body     []byte
}

// ScheduledReport describes a stored report (without its body).
type ScheduledReport struct {
	Area   string    `json:"area"`
	Name   string    `json:"name"`
	Period string    `json:"period"`
	Format string    `json:"format"`
	Size   int       `json:"size"`
	MadeAt time.Time `json:"made_at"`
}

// SaveScheduledReports stores a unit's report files for a month, with the
// pending audit entry of ctx (store.WithAudit), in one transaction: all of
// them and their audit row, or nothing. Files already stored for the same
// unit, month, audience and format are kept as they were.
func (s *Store) SaveScheduledReports(ctx context.Context, areaCode, period string, files []ScheduledFile) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		aud, fmts := make([]string, len(files)), make([]string, len(files))
		bodies := make([][]byte, len(files))
		for i, f := range files {
			aud[i], fmts[i], bodies[i] = f.Audience, f.Format, f.Body
		}
		_, err := tx.Exec(ctx, `
INSERT INTO scheduled_reports (area_id, period, audience, format, body)
SELECT a.id, $2, f.audience, f.format, f.body
FROM areas a, unnest($3::text[], $4::text[], $5::bytea[]) AS f(audience, format, body)
WHERE a.code = $1
ON CONFLICT (area_id, period, audience, format) DO NOTHING`, areaCode, period, aud, fmts, bodies)
		if err != nil {
			return fmt.Errorf("save scheduled reports: %w", err)
		}
		AuditTouch(ctx, areaCode)
		return WritePendingAudit(ctx, tx)
	})
}

// ScheduledMonthsDone returns the codes of the areas whose reports for
// period are stored (for both audiences and every format: nfiles of them).
func (s *Store) ScheduledMonthsDone(ctx context.Context, period string, nfiles int) (map[string]bool, error) {
	rows, err := s.pool.Query(ctx, `
SELECT a.code FROM scheduled_reports r JOIN areas a ON a.id = r.area_id
WHERE r.period = $1 GROUP BY a.code HAVING count(*) >= $2`, period, nfiles)
	if err != nil {
		return nil, fmt.Errorf("scheduled reports: %w", err)
	}
	done := map[string]bool{}
	var code string
	_, err = pgx.ForEachRow(rows, []any{&code}, func() error { done[code] = true; return nil })
	if err != nil {
		return nil, fmt.Errorf("scheduled reports: %w", err)
	}
	return done, nil
}

// ListScheduledReports returns the stored reports of the areas ids for one
// audience, newest month first, then by area code and format, at most
// limit (row-level security narrows them to the caller's scope). Names are
// the areas' current ones.
func (s *Store) ListScheduledReports(ctx context.Context, ids []int64, audience string, limit int) ([]ScheduledReport, error) {
	rows, err := s.pool.Query(ctx, `
SELECT a.code, coalesce(c.name, a.code), r.period, r.format, octet_length(r.body), r.made_at
FROM scheduled_reports r JOIN areas a ON a.id = r.area_id LEFT JOIN current_areas c ON c.id = a.id
WHERE r.area_id = ANY($1::bigint[]) AND r.audience = $2
ORDER BY r.period DESC, a.code, r.format LIMIT $3`, ids, audience, limit)
	if err != nil {
		return nil, fmt.Errorf("scheduled reports: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ScheduledReport, error) {
		var x ScheduledReport
		err := r.Scan(&x.Area, &x.Name, &x.Period, &x.Format, &x.Size, &x.MadeAt)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("scheduled reports: %w", err)
	}
	return out, nil
}

// ScheduledReportFile returns one stored report's body and when it was
// made; hotspot.ErrNotFound when there is none (or it is out of scope).
func (s *Store) ScheduledReportFile(ctx context.Context, areaCode, period, audience, format string) ([]byte, time.Time, error) {
	var body []byte
	var at time.Time
	err := s.pool.QueryRow(ctx, `
SELECT r.body, r.made_at FROM scheduled_reports r JOIN areas a ON a.id = r.area_id
WHERE a.code = $1 AND r.period = $2 AND r.audience = $3 AND r.format = $4`, areaCode, period, audience, format).Scan(&body, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, time.Time{}, hotspot.ErrNotFound
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("scheduled report: %w", err)
	}
	return body, at, nil
}

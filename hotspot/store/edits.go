package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
)

// HotspotEdit is a change to a hotspot's name or place made on the map; a
// nil field is left as it is. The lifecycle is changed by events only
// (AddEvent), never here.
type HotspotEdit struct {
	Name  *string
	Point *geo.Point
}

// UpdateHotspot renames or moves a hotspot in one transaction, with the
// pending audit entry of ctx. A move re-locates the hotspot's area and H3
// cells; a point outside every area is a ValidationError and nothing is
// written. inScope, when set, is asked whether the area the hotspot moves
// into may be written by the caller (false: ErrForbiddenArea).
func (s *Store) UpdateHotspot(ctx context.Context, id int64, e HotspotEdit, inScope func(areaCode string) bool) (*hotspot.Hotspot, error) {
	if e.Name == nil && e.Point == nil {
		return nil, hotspot.Invalid("name", "nothing to change: give a name, or lon and lat")
	}
	if e.Name != nil && *e.Name == "" {
		return nil, hotspot.Invalid("name", "is empty")
	}
	var area *hotspot.AreaShape
	if e.Point != nil {
		if err := hotspot.ValidatePoint(*e.Point); err != nil {
			return nil, err
		}
		idx, err := s.Areas(ctx)
		if err != nil {
			return nil, err
		}
		a, ok := idx.Locate(*e.Point)
		if !ok {
			return nil, hotspot.Invalid("lon", "point (%g, %g) lies outside every area", e.Point.Lon, e.Point.Lat)
		}
		if inScope != nil && !inScope(a.Code) {
			return nil, ErrForbiddenArea
		}
		area = a
	}
	var out *hotspot.Hotspot
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var cur int64
		err := tx.QueryRow(ctx, `SELECT id FROM hotspots WHERE id = $1 FOR UPDATE`, id).Scan(&cur)
		if errors.Is(err, pgx.ErrNoRows) {
			return hotspot.ErrNotFound
		}
		if err != nil {
			return err
		}
		if e.Name != nil {
			if _, err := tx.Exec(ctx, `UPDATE hotspots SET name = $2 WHERE id = $1`, id, *e.Name); err != nil {
				return fmt.Errorf("rename hotspot: %w", err)
			}
		}
		if e.Point != nil {
			cells := geo.PointCells(*e.Point)
			if _, err := tx.Exec(ctx, `
UPDATE hotspots SET geom = ST_SetSRID(ST_MakePoint($2, $3), 4326), area_id = $4,
       h3_r7 = $5, h3_r8 = $6, h3_r9 = $7, h3_r10 = $8
WHERE id = $1`, id, e.Point.Lon, e.Point.Lat, area.ID,
				int64(cells[0]), int64(cells[1]), int64(cells[2]), int64(cells[3])); err != nil {
				return fmt.Errorf("move hotspot: %w", err)
			}
		}
		if out, err = getHotspot(ctx, tx, id); err != nil {
			return err
		}
		AuditTouch(ctx, out.AreaCode, id)
		return nil
	})
	return out, err
}

// ErrForbiddenArea is returned by a write whose target area the caller's
// inScope check refused.
var ErrForbiddenArea = errors.New("outside your area")

// SetCameraStatus marks a camera active, offline or planned, in one
// transaction with the pending audit entry of ctx.
func (s *Store) SetCameraStatus(ctx context.Context, id int64, st hotspot.CameraStatus) (*hotspot.Camera, error) {
	if !hotspot.OneOf(st, hotspot.CameraStatuses) {
		return nil, hotspot.Invalid("status", "unknown camera status %q (want active, offline or planned)", st)
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var code string
		err := tx.QueryRow(ctx, `
UPDATE cameras c SET status = $2 FROM areas a
WHERE c.id = $1 AND a.id = c.area_id RETURNING a.code`, id, string(st)).Scan(&code)
		if errors.Is(err, pgx.ErrNoRows) {
			return hotspot.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("set camera status: %w", err)
		}
		AuditTouch(ctx, code, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.GetCamera(ctx, id)
}

// EventsOf returns the lifecycle events of the hotspots ids, oldest first,
// by hotspot id: what the map replays month by month.
func (s *Store) EventsOf(ctx context.Context, ids []int64) (map[int64][]hotspot.Event, error) {
	out := make(map[int64][]hotspot.Event, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, sqlEventsOf, ids)
	if err != nil {
		return nil, fmt.Errorf("events of hotspots: %w", err)
	}
	evs, err := pgx.CollectRows(rows, scanEvent)
	if err != nil {
		return nil, fmt.Errorf("events of hotspots: %w", err)
	}
	for _, e := range evs {
		out[e.HotspotID] = append(out[e.HotspotID], e)
	}
	return out, nil
}

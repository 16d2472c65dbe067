package inputs

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
)

const sqlInsertCamera = `
INSERT INTO cameras (ref, geom, bearing, fov, range_m, owner, status, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
VALUES ($1, ST_SetSRID(ST_MakePoint($2, $3), 4326), $4, $5, $6, $7, 'planned', $8, $9, $10, $11, $12)
RETURNING id`

// MaxAccept is the most cameras one accepted plan may store.
const MaxAccept = 500

// Accept stores a plan's cameras with status planned, all or none, in one
// transaction, and returns them as stored. Each camera is validated as
// POST /api/cameras would; its Status is ignored. A field error names the
// camera: "cameras[2].bearing".
func Accept(ctx context.Context, s *store.Store, cams []hotspot.Camera) ([]hotspot.Camera, error) {
	if len(cams) == 0 {
		return nil, &hotspot.ValidationError{Field: "cameras", Reason: "is empty"}
	}
	if len(cams) > MaxAccept {
		return nil, &hotspot.ValidationError{Field: "cameras", Reason: fmt.Sprintf("holds %d cameras, at most %d may be accepted at once", len(cams), MaxAccept)}
	}
	idx, err := s.Areas(ctx)
	if err != nil {
		return nil, err
	}
	areas := make([]int64, len(cams))
	refs := make(map[string]bool, len(cams))
	for i := range cams {
		c := &cams[i]
		c.Status = hotspot.CameraPlanned
		field := fmt.Sprintf("cameras[%d]", i)
		if c.Ref == "" {
			return nil, &hotspot.ValidationError{Field: field + ".ref", Reason: "is empty"}
		}
		if refs[c.Ref] {
			return nil, &hotspot.ValidationError{Field: field + ".ref", Reason: fmt.Sprintf("%q appears twice", c.Ref)}
		}
		refs[c.Ref] = true
		if err := c.Validate(); err != nil {
			var ve *hotspot.ValidationError
			if errors.As(err, &ve) {
				return nil, &hotspot.ValidationError{Field: field + "." + ve.Field, Reason: ve.Reason}
			}
			return nil, err
		}
		a, ok := idx.Locate(c.Point)
		if !ok {
			return nil, &hotspot.ValidationError{Field: field + ".lon", Reason: fmt.Sprintf("point (%g, %g) lies outside every area", c.Point.Lon, c.Point.Lat)}
		}
		areas[i] = a.ID
	}
	ids := make([]int64, len(cams))
	err = pgx.BeginFunc(ctx, s.Pool(), func(tx pgx.Tx) error {
		for i, c := range cams {
			cells := geo.PointCells(c.Point)
			err := tx.QueryRow(ctx, sqlInsertCamera, c.Ref, c.Point.Lon, c.Point.Lat, c.Bearing, c.FOV, c.RangeM,
				string(c.Owner), areas[i], int64(cells[0]), int64(cells[1]), int64(cells[2]), int64(cells[3])).Scan(&ids[i])
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "23505" {
				return &hotspot.ConflictError{Field: fmt.Sprintf("cameras[%d].ref", i), Reason: fmt.Sprintf("a camera with ref %q already exists", c.Ref)}
			}
			if err != nil {
				return fmt.Errorf("accept plan: camera %d: %w", i, err)
			}
			store.AuditTouch(ctx, idx.CodeOf(areas[i]), ids[i])
		}
		return store.WritePendingAudit(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	out := make([]hotspot.Camera, len(ids))
	for i, id := range ids {
		c, err := s.GetCamera(ctx, id)
		if err != nil {
			return nil, err
		}
		out[i] = *c
	}
	return out, nil
}

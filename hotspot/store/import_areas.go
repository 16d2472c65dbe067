package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
)

// AreaRow is one area feature of an import file.
type AreaRow struct {
	Line       int // the feature's number in the file
	Code, Name string
	Level      hotspot.Level
	ParentCode string
	ValidFrom  *time.Time // nil: keep the current version's, or 1900-01-01 for a new area
	Geom       orb.MultiPolygon
	EWKB       []byte // Geom, encoded
}

// CheckAreas reports what only the database can tell about the areas: an
// invalid polygon, a level that differs from the stored area's, an unknown
// parent or one that is not above its child.
func (w *ImportWriter) CheckAreas(ctx context.Context, rows []*AreaRow) ([]*hotspot.ValidationError, error) {
	tx := w.tx
	var bad []*hotspot.ValidationError
	inFile := map[string]hotspot.Level{}
	for _, row := range rows {
		var reason string
		if err := tx.QueryRow(ctx, `SELECT CASE WHEN ST_IsValid(g) THEN '' ELSE ST_IsValidReason(g) END FROM ST_GeomFromEWKB($1) g`, row.EWKB).Scan(&reason); err != nil {
			return nil, fmt.Errorf("check geometry: %w", err)
		}
		if reason != "" {
			bad = append(bad, &hotspot.ValidationError{Line: row.Line, Field: "geometry", Reason: "invalid polygon: " + reason})
		}
		var level hotspot.Level
		err := tx.QueryRow(ctx, `SELECT level FROM areas WHERE code = $1`, row.Code).Scan(&level)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return nil, err
		case level != row.Level:
			bad = append(bad, &hotspot.ValidationError{Line: row.Line, Field: "level", Reason: fmt.Sprintf("area %s is a %s, not a %s", row.Code, level, row.Level)})
		}
		if row.ParentCode != "" {
			plevel, ok := inFile[row.ParentCode]
			if !ok {
				err := tx.QueryRow(ctx, `SELECT level FROM areas WHERE code = $1`, row.ParentCode).Scan(&plevel)
				if errors.Is(err, pgx.ErrNoRows) {
					bad = append(bad, &hotspot.ValidationError{Line: row.Line, Field: "parent_code", Reason: fmt.Sprintf("unknown parent %q (list parents before their children)", row.ParentCode)})
				} else if err != nil {
					return nil, err
				}
			}
			if plevel != "" && hotspot.LevelRank(plevel) >= hotspot.LevelRank(row.Level) {
				bad = append(bad, &hotspot.ValidationError{Line: row.Line, Field: "parent_code", Reason: fmt.Sprintf("parent %s is a %s, which is not above a %s", row.ParentCode, plevel, row.Level)})
			}
		}
		inFile[row.Code] = row.Level
	}
	return bad, nil
}

// WriteAreas writes the areas in file order (parents first) and returns
// how many were new or changed.
func (w *ImportWriter) WriteAreas(ctx context.Context, rows []*AreaRow, progress func(done, total int)) (int, error) {
	tx := w.tx
	n := 0
	for _, row := range rows {
		changed, err := writeArea(ctx, tx, row)
		if err != nil {
			return n, fmt.Errorf("feature %d (%s): %w", row.Line, row.Code, err)
		}
		if changed {
			n++
		}
		if progress != nil {
			progress(n, len(rows))
		}
	}
	return n, nil
}

// writeArea inserts or updates one area. A valid_from later than the current
// version's closes that version and starts a new one, so history survives a
// boundary change; the same or no valid_from updates the current version.
func writeArea(ctx context.Context, tx pgx.Tx, row *AreaRow) (bool, error) {
	var areaID int64
	err := tx.QueryRow(ctx, `INSERT INTO areas (code, level) VALUES ($1, $2)
		ON CONFLICT (code) DO UPDATE SET level = EXCLUDED.level RETURNING id`, row.Code, string(row.Level)).Scan(&areaID)
	if err != nil {
		return false, err
	}
	var parentID *int64
	if row.ParentCode != "" {
		var pid int64
		if err := tx.QueryRow(ctx, `SELECT id FROM areas WHERE code = $1`, row.ParentCode).Scan(&pid); err != nil {
			return false, err
		}
		parentID = &pid
	}
	var verID int64
	var curFrom time.Time
	var same bool
	err = tx.QueryRow(ctx, `SELECT id, valid_from, (name, parent_id, geom) IS NOT DISTINCT FROM ($2, $3, ST_Multi(ST_GeomFromEWKB($4)))
		FROM area_versions WHERE area_id = $1 AND valid_to IS NULL`, areaID, row.Name, parentID, row.EWKB).Scan(&verID, &curFrom, &same)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		from := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
		if row.ValidFrom != nil {
			from = *row.ValidFrom
		}
		if _, err := tx.Exec(ctx, `INSERT INTO area_versions (area_id, name, parent_id, valid_from, geom)
			VALUES ($1, $2, $3, $4, ST_Multi(ST_GeomFromEWKB($5)))`, areaID, row.Name, parentID, from, row.EWKB); err != nil {
			return false, err
		}
	case err != nil:
		return false, err
	case row.ValidFrom != nil && row.ValidFrom.After(curFrom):
		if _, err := tx.Exec(ctx, `UPDATE area_versions SET valid_to = $2 WHERE id = $1`, verID, *row.ValidFrom); err != nil {
			return false, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO area_versions (area_id, name, parent_id, valid_from, geom)
			VALUES ($1, $2, $3, $4, ST_Multi(ST_GeomFromEWKB($5)))`, areaID, row.Name, parentID, *row.ValidFrom, row.EWKB); err != nil {
			return false, err
		}
	case row.ValidFrom != nil && row.ValidFrom.Before(curFrom):
		return false, &hotspot.ValidationError{Line: row.Line, Field: "valid_from", Reason: fmt.Sprintf("is before the current version's (%s)", curFrom.Format("2006-01-02"))}
	case same:
		return false, nil
	default:
		if _, err := tx.Exec(ctx, `UPDATE area_versions SET name = $2, parent_id = $3, geom = ST_Multi(ST_GeomFromEWKB($4)) WHERE id = $1`,
			verID, row.Name, parentID, row.EWKB); err != nil {
			return false, err
		}
	}
	return true, writeAreaCells(ctx, tx, areaID, row.Level, row.Geom)
}

// writeAreaCells replaces an area's H3 cover set (resolutions 7 to 10).
// Only communes and hamlets keep one: a district's or province's cover is the
// union of its communes', and would cost millions of rows at resolution 10.
func writeAreaCells(ctx context.Context, tx pgx.Tx, areaID int64, level hotspot.Level, mp orb.MultiPolygon) error {
	if _, err := tx.Exec(ctx, `DELETE FROM area_cells WHERE area_id = $1`, areaID); err != nil {
		return err
	}
	if level != hotspot.LevelCommune && level != hotspot.LevelHamlet {
		return nil
	}
	var rows [][]any
	for res := geo.MinPointResolution; res <= geo.MaxPointResolution; res++ {
		for _, c := range geo.MultiPolygonCells(mp, res) {
			rows = append(rows, []any{areaID, int16(res), int64(c)})
		}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"area_cells"}, []string{"area_id", "res", "cell"}, pgx.CopyFromRows(rows))
	return err
}

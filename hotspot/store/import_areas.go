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

// areaRow is one parsed area feature.
type areaRow struct {
	line       int
	code, name string
	level      hotspot.Level
	parentCode string
	validFrom  *time.Time
	geom       orb.MultiPolygon
	ewkb       []byte
}

type areaImporter struct{ rows []*areaRow }

func (*areaImporter) columns() []string { return []string{"code", "name", "level", "parent_code"} }
func (*areaImporter) geojson() bool     { return true }
func (*areaImporter) refKeyed() bool    { return false }

func (ai *areaImporter) parse(r *record, _ *hotspot.AreaIndex) *hotspot.ValidationError {
	if r.geom == nil {
		return r.fail("file", "areas must be a GeoJSON FeatureCollection of Polygons or MultiPolygons")
	}
	row := &areaRow{line: r.line, code: r.get("code"), name: r.get("name"), level: hotspot.Level(r.get("level")), parentCode: r.get("parent_code")}
	switch {
	case row.code == "":
		return r.fail("code", "is empty")
	case row.name == "":
		return r.fail("name", "is empty")
	case hotspot.LevelRank(row.level) < 0:
		return r.fail("level", "unknown level %q (want province, district, commune or hamlet)", row.level)
	case row.parentCode == row.code:
		return r.fail("parent_code", "an area cannot be its own parent")
	}
	for _, prev := range ai.rows {
		if prev.code == row.code {
			return r.fail("code", "%q already appears in feature %d", row.code, prev.line)
		}
	}
	if s := r.get("valid_from"); s != "" {
		t, err := time.ParseInLocation("2006-01-02", s, time.UTC)
		if err != nil {
			return r.fail("valid_from", "%q is not a date (want YYYY-MM-DD)", s)
		}
		row.validFrom = &t
	}
	switch g := r.geom.(type) {
	case orb.Polygon:
		row.geom = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		row.geom = g
	default:
		return r.fail("geometry", "must be a Polygon or MultiPolygon, got %s", r.geom.GeoJSONType())
	}
	for _, poly := range row.geom {
		for _, ring := range poly {
			if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
				return r.fail("geometry", "every ring needs at least 4 positions and must be closed")
			}
			for _, pt := range ring {
				if err := hotspot.ValidatePoint(geo.PointFromOrb(pt)); err != nil {
					return r.fail("geometry", "%s", err.(*hotspot.ValidationError).Reason)
				}
			}
		}
	}
	b, err := geo.EWKB(row.geom)
	if err != nil {
		return r.fail("geometry", "%v", err)
	}
	row.ewkb = b
	ai.rows = append(ai.rows, row)
	return nil
}

func (ai *areaImporter) check(ctx context.Context, tx pgx.Tx) ([]*hotspot.ValidationError, error) {
	var bad []*hotspot.ValidationError
	inFile := map[string]hotspot.Level{}
	for _, row := range ai.rows {
		var reason string
		if err := tx.QueryRow(ctx, `SELECT CASE WHEN ST_IsValid(g) THEN '' ELSE ST_IsValidReason(g) END FROM ST_GeomFromEWKB($1) g`, row.ewkb).Scan(&reason); err != nil {
			return nil, fmt.Errorf("check geometry: %w", err)
		}
		if reason != "" {
			bad = append(bad, &hotspot.ValidationError{Line: row.line, Field: "geometry", Reason: "invalid polygon: " + reason})
		}
		var level hotspot.Level
		err := tx.QueryRow(ctx, `SELECT level FROM areas WHERE code = $1`, row.code).Scan(&level)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return nil, err
		case level != row.level:
			bad = append(bad, &hotspot.ValidationError{Line: row.line, Field: "level", Reason: fmt.Sprintf("area %s is a %s, not a %s", row.code, level, row.level)})
		}
		if row.parentCode != "" {
			plevel, ok := inFile[row.parentCode]
			if !ok {
				err := tx.QueryRow(ctx, `SELECT level FROM areas WHERE code = $1`, row.parentCode).Scan(&plevel)
				if errors.Is(err, pgx.ErrNoRows) {
					bad = append(bad, &hotspot.ValidationError{Line: row.line, Field: "parent_code", Reason: fmt.Sprintf("unknown parent %q (list parents before their children)", row.parentCode)})
				} else if err != nil {
					return nil, err
				}
			}
			if plevel != "" && hotspot.LevelRank(plevel) >= hotspot.LevelRank(row.level) {
				bad = append(bad, &hotspot.ValidationError{Line: row.line, Field: "parent_code", Reason: fmt.Sprintf("parent %s is a %s, which is not above a %s", row.parentCode, plevel, row.level)})
			}
		}
		inFile[row.code] = row.level
	}
	return bad, nil
}

func (ai *areaImporter) write(ctx context.Context, tx pgx.Tx, progress func(int, int)) (int, error) {
	n := 0
	for _, row := range ai.rows {
		changed, err := writeArea(ctx, tx, row)
		if err != nil {
			return n, fmt.Errorf("feature %d (%s): %w", row.line, row.code, err)
		}
		if changed {
			n++
		}
		if progress != nil {
			progress(n, len(ai.rows))
		}
	}
	return n, nil
}

// writeArea inserts or updates one area. A valid_from later than the current
// version's closes that version and starts a new one, so history survives a
// boundary change; the same or no valid_from updates the current version.
func writeArea(ctx context.Context, tx pgx.Tx, row *areaRow) (bool, error) {
	var areaID int64
	err := tx.QueryRow(ctx, `INSERT INTO areas (code, level) VALUES ($1, $2)
		ON CONFLICT (code) DO UPDATE SET level = EXCLUDED.level RETURNING id`, row.code, string(row.level)).Scan(&areaID)
	if err != nil {
		return false, err
	}
	var parentID *int64
	if row.parentCode != "" {
		var pid int64
		if err := tx.QueryRow(ctx, `SELECT id FROM areas WHERE code = $1`, row.parentCode).Scan(&pid); err != nil {
			return false, err
		}
		parentID = &pid
	}
	var verID int64
	var curFrom time.Time
	var same bool
	err = tx.QueryRow(ctx, `SELECT id, valid_from, (name, parent_id, geom) IS NOT DISTINCT FROM ($2, $3, ST_Multi(ST_GeomFromEWKB($4)))
		FROM area_versions WHERE area_id = $1 AND valid_to IS NULL`, areaID, row.name, parentID, row.ewkb).Scan(&verID, &curFrom, &same)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		from := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
		if row.validFrom != nil {
			from = *row.validFrom
		}
		if _, err := tx.Exec(ctx, `INSERT INTO area_versions (area_id, name, parent_id, valid_from, geom)
			VALUES ($1, $2, $3, $4, ST_Multi(ST_GeomFromEWKB($5)))`, areaID, row.name, parentID, from, row.ewkb); err != nil {
			return false, err
		}
	case err != nil:
		return false, err
	case row.validFrom != nil && row.validFrom.After(curFrom):
		if _, err := tx.Exec(ctx, `UPDATE area_versions SET valid_to = $2 WHERE id = $1`, verID, *row.validFrom); err != nil {
			return false, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO area_versions (area_id, name, parent_id, valid_from, geom)
			VALUES ($1, $2, $3, $4, ST_Multi(ST_GeomFromEWKB($5)))`, areaID, row.name, parentID, *row.validFrom, row.ewkb); err != nil {
			return false, err
		}
	case row.validFrom != nil && row.validFrom.Before(curFrom):
		return false, &hotspot.ValidationError{Line: row.line, Field: "valid_from", Reason: fmt.Sprintf("is before the current version's (%s)", curFrom.Format("2006-01-02"))}
	case same:
		return false, nil
	default:
		if _, err := tx.Exec(ctx, `UPDATE area_versions SET name = $2, parent_id = $3, geom = ST_Multi(ST_GeomFromEWKB($4)) WHERE id = $1`,
			verID, row.name, parentID, row.ewkb); err != nil {
			return false, err
		}
	}
	return true, writeAreaCells(ctx, tx, areaID, row.level, row.geom)
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

package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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
	ValidTo    *time.Time // exclusive; nil: open (or as stored, when updating a version)
	Type       hotspot.AreaType
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

// WriteAreas writes the areas in file order (parents first), then
// re-registers every hotspot, incident, tip and camera to the current unit
// that contains it (rule 4 of issue 13), all in the import's transaction. It
// returns how many areas were new or changed.
func (w *ImportWriter) WriteAreas(ctx context.Context, rows []*AreaRow, progress func(done, total int)) (int, error) {
	tx := w.tx
	n := 0
	var touched []int64
	for _, row := range rows {
		id, changed, err := writeArea(ctx, tx, row)
		if err != nil {
			return n, fmt.Errorf("feature %d (%s): %w", row.Line, row.Code, err)
		}
		if changed {
			n++
			touched = append(touched, id)
		}
		if progress != nil {
			progress(n, len(rows))
		}
	}
	if len(touched) > 0 {
		if err := refreshVersionMembers(ctx, tx, touched); err != nil {
			return n, err
		}
		if _, err := ReRegister(ctx, tx, touched); err != nil {
			return n, fmt.Errorf("re-register records: %w", err)
		}
	}
	return n, nil
}

// version is one stored version of an area.
type version struct {
	id   int64
	from time.Time
	to   *time.Time
	same bool // name, parent, geometry and type equal the feature's
}

// writeArea inserts or updates one version of an area:
//   - a feature whose valid_from matches a stored version updates it (with a
//     valid_to, it retires it); without valid_from it updates the version in
//     force the day before its valid_to, else the current one;
//   - a later valid_from adds a version and closes the one in force on that
//     date (history survives a boundary change); a version is never made to
//     overlap another (the table's exclusion constraint).
//
// It returns the area's id and whether anything changed.
func writeArea(ctx context.Context, tx pgx.Tx, row *AreaRow) (int64, bool, error) {
	var areaID int64
	err := tx.QueryRow(ctx, `INSERT INTO areas (code, level) VALUES ($1, $2)
		ON CONFLICT (code) DO UPDATE SET level = EXCLUDED.level RETURNING id`, row.Code, string(row.Level)).Scan(&areaID)
	if err != nil {
		return 0, false, err
	}
	var parentID *int64
	if row.ParentCode != "" {
		var pid int64
		if err := tx.QueryRow(ctx, `SELECT id FROM areas WHERE code = $1`, row.ParentCode).Scan(&pid); err != nil {
			return 0, false, err
		}
		parentID = &pid
	}
	var typ *string
	if row.Type != "" {
		t := string(row.Type)
		typ = &t
	}
	vrows, err := tx.Query(ctx, `SELECT id, valid_from, valid_to,
		(name, parent_id, geom, type) IS NOT DISTINCT FROM ($2, $3, ST_Multi(ST_GeomFromEWKB($4)), $5::text)
		FROM area_versions WHERE area_id = $1 ORDER BY valid_from`, areaID, row.Name, parentID, row.EWKB, typ)
	if err != nil {
		return 0, false, err
	}
	versions, err := pgx.CollectRows(vrows, func(r pgx.CollectableRow) (version, error) {
		var v version
		err := r.Scan(&v.id, &v.from, &v.to, &v.same)
		return v, err
	})
	if err != nil {
		return 0, false, err
	}
	// The version the feature names.
	target := -1
	switch {
	case row.ValidFrom != nil:
		for i, v := range versions {
			if v.from.Equal(*row.ValidFrom) {
				target = i
			}
		}
	case row.ValidTo != nil:
		for i, v := range versions {
			if v.from.Before(*row.ValidTo) {
				target = i // the last one starting before valid_to
			}
		}
	default:
		for i, v := range versions {
			if v.to == nil {
				target = i
			}
		}
		if target < 0 && len(versions) > 0 {
			target = len(versions) - 1
		}
	}
	changed := false
	if target >= 0 {
		v := versions[target]
		retire := row.ValidTo != nil && (v.to == nil || !v.to.Equal(*row.ValidTo))
		if !v.same || retire {
			if row.ValidTo != nil && !row.ValidTo.After(v.from) {
				return 0, false, &hotspot.ValidationError{Line: row.Line, Field: "valid_to", Reason: fmt.Sprintf("is not after the version's valid_from (%s)", v.from.Format("2006-01-02"))}
			}
			to := v.to
			if row.ValidTo != nil {
				to = row.ValidTo
			}
			if _, err := tx.Exec(ctx, `UPDATE area_versions SET name = $2, parent_id = $3, geom = ST_Multi(ST_GeomFromEWKB($4)), type = $5, valid_to = $6 WHERE id = $1`,
				v.id, row.Name, parentID, row.EWKB, typ, to); err != nil {
				return 0, false, versionError(row, err)
			}
			changed = true
		}
	} else {
		from := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
		if row.ValidFrom != nil {
			from = *row.ValidFrom
		}
		to := row.ValidTo
		for _, v := range versions {
			switch {
			case v.from.Before(from) && (v.to == nil || v.to.After(from)):
				// In force on the new version's first day: it ends there.
				if _, err := tx.Exec(ctx, `UPDATE area_versions SET valid_to = $2 WHERE id = $1`, v.id, from); err != nil {
					return 0, false, err
				}
			case v.from.After(from) && (to == nil || to.After(v.from)):
				// A later version exists: the new one ends where it begins.
				t := v.from
				to = &t
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO area_versions (area_id, name, parent_id, valid_from, valid_to, geom, type)
			VALUES ($1, $2, $3, $4, $5, ST_Multi(ST_GeomFromEWKB($6)), $7)`, areaID, row.Name, parentID, from, to, row.EWKB, typ); err != nil {
			return 0, false, versionError(row, err)
		}
		changed = true
	}
	if !changed {
		return areaID, false, nil
	}
	// area_cells cover the current boundary: rebuilt from the current
	// version's geometry, emptied when the area was retired.
	var cur []byte
	err = tx.QueryRow(ctx, `SELECT ST_AsBinary(geom) FROM area_versions WHERE area_id = $1 AND valid_to IS NULL`, areaID).Scan(&cur)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		_, err = tx.Exec(ctx, `DELETE FROM area_cells WHERE area_id = $1`, areaID)
		return areaID, true, err
	case err != nil:
		return 0, false, err
	}
	mp := row.Geom
	if g, err := geo.DecodeWKB(cur); err == nil {
		if m, ok := g.(orb.MultiPolygon); ok {
			mp = m
		}
	}
	return areaID, true, writeAreaCells(ctx, tx, areaID, row.Level, mp)
}

// versionError names the feature's dates when a version would overlap another.
func versionError(row *AreaRow, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23P01" { // exclusion_violation
		return &hotspot.ValidationError{Line: row.Line, Field: "valid_from", Reason: "this version would overlap another version of " + row.Code}
	}
	return err
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

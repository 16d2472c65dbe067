package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// CrosswalkRow is one old → new link of a crosswalk file.
type CrosswalkRow struct {
	Line             int
	OldCode, NewCode string
	Partial          bool
	Share            *float64 // partial rows: the file's share_of_old_area, or the computed one
	ShareFromFile    bool
	OldID, NewID     int64 // set by AreaIDs' caller
}

// AreaIDs returns the ids of the codes the areas table holds.
func (w *ImportWriter) AreaIDs(ctx context.Context, codes []string) (map[string]int64, error) {
	rows, err := w.tx.Query(ctx, `SELECT code, id FROM areas WHERE code = ANY($1::text[])`, codes)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	var code string
	var id int64
	_, err = pgx.ForEachRow(rows, []any{&code, &id}, func() error { out[code] = id; return nil })
	return out, err
}

// sqlOverlapShare is area(old ∩ new) / area(old), for the old unit's
// version in force the day before $3 (else its latest version starting
// before $3) and the new unit's version in force on $3 (else its current
// one). 0 when they do not overlap; NULL when a version is missing.
//
// Areas are measured in an equal-area projection of the ellipsoid (EPSG:6933,
// cylindrical equal-area on WGS 84), so they are true areas of the polygons
// as drawn: edges straight in longitude and latitude, as geometry(4326)
// holds them, where the geography type would join the same vertices by
// great circles, another shape (three quarters of a box bounded by two
// parallels came out as 0.7499997, not 0.75).
const sqlOverlapShare = `
WITH o AS (SELECT geom FROM area_versions WHERE area_id = $1 AND valid_from < $3
           ORDER BY (valid_to IS NULL OR valid_to >= $3) DESC, valid_from DESC LIMIT 1),
     n AS (SELECT geom FROM area_versions WHERE area_id = $2
           ORDER BY (valid_from <= $3 AND (valid_to IS NULL OR valid_to > $3)) DESC, (valid_to IS NULL) DESC, valid_from DESC LIMIT 1)
SELECT CASE WHEN ST_Area(ST_Transform(o.geom, 6933)) = 0 THEN 0
            ELSE ST_Area(ST_Transform(ST_Intersection(o.geom, n.geom), 6933)) / ST_Area(ST_Transform(o.geom, 6933)) END
FROM o, n`

// OverlapShare computes the share of a partial row without one: the part of
// the old unit's area inside the new unit, in PostGIS. ok is false when
// either unit has no version to measure.
func (w *ImportWriter) OverlapShare(ctx context.Context, oldID, newID int64, validFrom time.Time) (share float64, ok bool, err error) {
	var s *float64
	err = w.tx.QueryRow(ctx, sqlOverlapShare, oldID, newID, validFrom).Scan(&s)
	if err == pgx.ErrNoRows || (err == nil && s == nil) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("overlap share: %w", err)
	}
	return *s, true, nil
}

// WriteCrosswalk upserts the rows (ids and shares resolved) for validFrom and
// returns how many were new or changed.
func (w *ImportWriter) WriteCrosswalk(ctx context.Context, rows []CrosswalkRow, validFrom time.Time) (int, error) {
	return stageAndUpsert(ctx, w.tx,
		`CREATE TEMP TABLE stage (old_area_id bigint, new_area_id bigint, merge_type text, share numeric, share_source text) ON COMMIT DROP`,
		[]string{"old_area_id", "new_area_id", "merge_type", "share", "share_source"}, len(rows), func(i int) []any {
			r := &rows[i]
			typ, src, share := "full", "full", 1.0
			if r.Partial {
				typ, src, share = "partial", "computed", *r.Share
			}
			if r.Partial && r.ShareFromFile {
				src = "file"
			}
			return []any{r.OldID, r.NewID, typ, share, src}
		}, fmt.Sprintf(`
INSERT INTO area_crosswalk (old_area_id, new_area_id, valid_from, merge_type, share, share_source)
SELECT old_area_id, new_area_id, DATE '%s', merge_type, share, share_source FROM stage
ON CONFLICT (old_area_id, new_area_id, valid_from) DO UPDATE
SET merge_type = EXCLUDED.merge_type, share = EXCLUDED.share, share_source = EXCLUDED.share_source
WHERE (area_crosswalk.merge_type, area_crosswalk.share, area_crosswalk.share_source)
    IS DISTINCT FROM (EXCLUDED.merge_type, EXCLUDED.share, EXCLUDED.share_source)`, validFrom.Format("2006-01-02")), nil)
}

// RetireReplaced ends on validFrom the open versions of the areas oldIDs that
// began before it (an old unit the crosswalk sends into new ones ceases
// then), except the areas newIDs (a code the reform kept goes on in a new
// version), re-registers the records they held, and returns how many
// versions it ended.
func (w *ImportWriter) RetireReplaced(ctx context.Context, oldIDs, newIDs []int64, validFrom time.Time) (int, error) {
	rows, err := w.tx.Query(ctx, `UPDATE area_versions SET valid_to = $3
		WHERE area_id = ANY($1::bigint[]) AND NOT area_id = ANY($2::bigint[]) AND valid_to IS NULL AND valid_from < $3
		RETURNING area_id`, oldIDs, newIDs, validFrom)
	if err != nil {
		return 0, err
	}
	ended, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ended) == 0 {
		return 0, err
	}
	if _, err := w.tx.Exec(ctx, `DELETE FROM area_cells WHERE area_id = ANY($1::bigint[])`, ended); err != nil {
		return 0, err
	}
	if err := refreshVersionMembers(ctx, w.tx, ended); err != nil {
		return 0, err
	}
	if _, err := ReRegister(ctx, w.tx, ended); err != nil {
		return 0, fmt.Errorf("re-register records: %w", err)
	}
	return len(ended), nil
}

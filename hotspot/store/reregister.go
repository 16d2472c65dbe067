package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Records live in today's units (issue 13, rule 4): after new boundaries are
// written, every hotspot, incident, tip and camera that may have changed unit
// is located again in the current areas, in the same transaction, exactly as
// hotspot.AreaIndex.Locate does it: the deepest current area above hamlet
// level whose boundary covers the point, the first by code among equals. A
// point no current area covers keeps its unit (nothing is lost); a tip
// without a point whose unit is retired is carried through the crosswalk to
// today's unit, remembering the one it was recorded under (carryTips). Histories are untouched: events reference
// hotspots, never areas.

// sqlLocateCurrent is the current unit of the point expression %s.
const sqlLocateCurrent = `(SELECT v.area_id FROM area_versions v JOIN areas a ON a.id = v.area_id
	WHERE v.valid_to IS NULL AND a.level <> 'hamlet' AND ST_Covers(v.geom, %s)
	ORDER BY array_position(ARRAY['province','district','commune'], a.level) DESC, a.code LIMIT 1)`

// reRegisterSQL relocates the candidates of table: rows registered to the
// areas $1 (written by the import: new, redrawn or retired), rows inside the
// current boundary of one of them, and rows whose unit is not current.
func reRegisterSQL(table, extraWhere, touch string) string {
	return fmt.Sprintf(`
WITH cand AS (
    SELECT t.id FROM %[1]s t WHERE t.area_id = ANY($1::bigint[]) %[2]s
    UNION
    SELECT t.id FROM area_versions v JOIN %[1]s t ON ST_Covers(v.geom, t.geom)
    WHERE v.area_id = ANY($1::bigint[]) AND v.valid_to IS NULL %[2]s
    UNION
    SELECT t.id FROM %[1]s t
    WHERE NOT EXISTS (SELECT 1 FROM area_versions v JOIN areas a ON a.id = v.area_id
                      WHERE v.area_id = t.area_id AND v.valid_to IS NULL AND a.level <> 'hamlet') %[2]s
), loc AS (
    SELECT t.id, t.area_id AS old_area, %[3]s AS new_area
    FROM cand JOIN %[1]s t ON t.id = cand.id
)
UPDATE %[1]s t SET area_id = loc.new_area%[4]s
FROM loc
WHERE t.id = loc.id AND loc.new_area IS NOT NULL AND loc.new_area <> loc.old_area`,
		table, extraWhere, fmt.Sprintf(sqlLocateCurrent, "t.geom"), touch)
}

var reRegisterTables = []struct{ table, where, touch string }{
	{"hotspots", "", ", updated_at = now()"},
	{"incidents", "", ""},
	{"tips", "AND t.geom IS NOT NULL", ""},
	{"cameras", "", ", updated_at = now()"},
}

// ReRegistered counts the records moved to another unit, by table.
type ReRegistered map[string]int

// ReRegister moves the records that changed unit after the areas touched
// were written (see above) and returns how many moved.
func ReRegister(ctx context.Context, tx pgx.Tx, touched []int64) (ReRegistered, error) {
	out := ReRegistered{}
	for _, t := range reRegisterTables {
		tag, err := tx.Exec(ctx, reRegisterSQL(t.table, t.where, t.touch), touched)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.table, err)
		}
		out[t.table] = int(tag.RowsAffected())
	}
	n, err := carryTips(ctx, tx)
	if err != nil {
		return nil, err
	}
	out["tips"] += n
	return out, nil
}

// sqlCarryTips moves the tips without a point whose unit is retired to the
// unit of today the crosswalk leads to (diaban_successor, migration 00012),
// keeping the unit they were recorded under in recorded_area_id. A tip
// whose lineage leads nowhere stays where it is.
const sqlCarryTips = `
WITH c AS (
    SELECT t.id, t.area_id AS old_area, diaban_successor(t.area_id) AS new_area
    FROM tips t
    WHERE t.geom IS NULL
      AND NOT EXISTS (SELECT 1 FROM area_versions v WHERE v.area_id = t.area_id AND v.valid_to IS NULL)
)
UPDATE tips t SET area_id = c.new_area, recorded_area_id = coalesce(t.recorded_area_id, c.old_area)
FROM c WHERE t.id = c.id AND c.new_area IS NOT NULL`

// carryTips carries the tips of retired units (sqlCarryTips); the areas and
// crosswalk imports run it in their transaction.
func carryTips(ctx context.Context, tx pgx.Tx) (int, error) {
	tag, err := tx.Exec(ctx, sqlCarryTips)
	if err != nil {
		return 0, fmt.Errorf("tips of retired units: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// CarryTips carries the tips of retired units to today's (after a
// crosswalk import, whose links lead there) and returns how many moved.
func (w *ImportWriter) CarryTips(ctx context.Context) (int, error) { return carryTips(ctx, w.tx) }

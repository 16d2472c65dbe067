package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Where the records lie in retired geography (migration 00009): after a
// version is retired, redrawn or added as history, its members are found
// once with a spatial join and kept in version_hotspots, version_tips and
// version_incident_months; the triggers of 00009 keep them as records are
// written. Metrics on an earlier geography then read them by version id.

var sqlRefreshMembers = []string{
	`DELETE FROM version_hotspots WHERE version_id = ANY($1::bigint[])`,
	`DELETE FROM version_tips WHERE version_id = ANY($1::bigint[])`,
	`DELETE FROM version_incident_months WHERE version_id = ANY($1::bigint[])`,
	`INSERT INTO version_hotspots (version_id, hotspot_id)
	 SELECT v.id, h.id FROM area_versions v JOIN hotspots h ON ST_Covers(v.geom, h.geom) WHERE v.id = ANY($1::bigint[])`,
	`INSERT INTO version_tips (version_id, tip_id)
	 SELECT v.id, t.id FROM area_versions v JOIN tips t ON ST_Covers(v.geom, t.geom) WHERE v.id = ANY($1::bigint[])`,
	`INSERT INTO version_incident_months (version_id, month, kind, n)
	 SELECT v.id, diaban_month(i.occurred_at), i.kind, count(*)
	 FROM area_versions v JOIN incidents i ON ST_Covers(v.geom, i.geom) WHERE v.id = ANY($1::bigint[])
	 GROUP BY 1, 2, 3`,
}

// refreshVersionMembers recomputes the members of the retired versions of
// the areas areaIDs (and forgets those of their current versions).
func refreshVersionMembers(ctx context.Context, tx pgx.Tx, areaIDs []int64) error {
	rows, err := tx.Query(ctx, `SELECT id FROM area_versions WHERE area_id = ANY($1::bigint[])`, areaIDs)
	if err != nil {
		return err
	}
	all, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	rows, err = tx.Query(ctx, `SELECT id FROM area_versions WHERE area_id = ANY($1::bigint[]) AND valid_to IS NOT NULL`, areaIDs)
	if err != nil {
		return err
	}
	retired, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	for i, q := range sqlRefreshMembers {
		ids := all
		if i >= 3 {
			ids = retired
		}
		if len(ids) == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, q, ids); err != nil {
			return fmt.Errorf("version members: %w", err)
		}
	}
	return nil
}

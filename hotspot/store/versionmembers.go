package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/diaban/diaban/geo"
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

// A bulk load of incidents (importer, by the table's owner) pauses the
// members trigger of 00009 as it pauses the counting trigger, and writes
// version_incident_months itself: each copied incident is located in Go
// among the retired versions (RetiredVersions), on a core of its own while
// the server builds the incidents' indexes, and the sums are written in key
// order. The trigger probed area_versions' GiST index once per row and
// upserted in hash order: with four retired polygons, a load of 200,000
// incidents took 54.7 s against 33.7 s without them (BENCHMARKS.md).
//
// Retired versions of one level in force on the same days partition the
// ground as the current areas do, so they are located the same way
// (geo.PolygonIndex, the importer's locating of today's units): a point on
// the border two of them share counts in one, where the trigger's ST_Covers
// counts it in both.

// versionsTrigger is the insert trigger a bulk load pauses (migration 00009).
const versionsTrigger = "incidents_versions_ins"

// RetiredVersions locates points in the retired area versions.
type RetiredVersions struct {
	groups []retiredGroup
}

// retiredGroup is the retired versions of one level in force over the same
// days, which do not overlap.
type retiredGroup struct {
	ids   []int64
	polys *geo.PolygonIndex
}

const sqlRetiredVersions = `
SELECT v.id, a.level, v.valid_from, v.valid_to, ST_AsBinary(v.geom)
FROM area_versions v JOIN areas a ON a.id = v.area_id
WHERE v.valid_to IS NOT NULL
ORDER BY a.level, v.valid_from, v.valid_to, v.id`

// RetiredVersions loads the retired versions to locate points in, or nil
// when there are none (then the trigger has nothing to do either).
func (w *ImportWriter) RetiredVersions(ctx context.Context) (*RetiredVersions, error) {
	rows, err := w.tx.Query(ctx, sqlRetiredVersions)
	if err != nil {
		return nil, fmt.Errorf("retired versions: %w", err)
	}
	type key struct {
		level    string
		from, to time.Time
	}
	var (
		rv    RetiredVersions
		last  key
		ids   []int64
		polys []geo.RankedPolygon
		id    int64
		k     key
		wkb   []byte
		flush = func() {
			if len(ids) > 0 {
				rv.groups = append(rv.groups, retiredGroup{ids: ids, polys: geo.NewPolygonIndex(polys)})
			}
			ids, polys = nil, nil
		}
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &k.level, &k.from, &k.to, &wkb}, func() error {
		g, err := geo.DecodeWKB(wkb)
		if err != nil {
			return fmt.Errorf("version %d: %w", id, err)
		}
		mp, ok := g.(orb.MultiPolygon)
		if !ok {
			if p, isPoly := g.(orb.Polygon); isPoly {
				mp = orb.MultiPolygon{p}
			} else {
				return fmt.Errorf("version %d: %T, not a polygon", id, g)
			}
		}
		if k != last {
			flush()
			last = k
		}
		ids = append(ids, id)
		polys = append(polys, geo.RankedPolygon{Geometry: mp})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("retired versions: %w", err)
	}
	flush()
	if len(rv.groups) == 0 {
		return nil, nil
	}
	return &rv, nil
}

// Locate appends to dst the retired versions that hold p, one per group.
func (rv *RetiredVersions) Locate(p orb.Point, dst []int64) []int64 {
	for _, g := range rv.groups {
		if i, ok := g.polys.Locate(p); ok {
			dst = append(dst, g.ids[i])
		}
	}
	return dst
}

// VersionIncidentCounts are the rows a load adds to version_incident_months.
type VersionIncidentCounts struct {
	m map[areaMonthKey]int32 // area: the version's id
}

// SumVersionTallies locates the tallied incidents in the retired versions
// and counts them by version, month and kind.
func (rv *RetiredVersions) SumVersionTallies(chunks [][]IncidentTally) *VersionIncidentCounts {
	c := &VersionIncidentCounts{m: map[areaMonthKey]int32{}}
	var found []int64
	for _, chunk := range chunks {
		for i := range chunk {
			t := &chunk[i]
			found = rv.Locate(t.Point, found[:0])
			for _, v := range found {
				c.m[areaMonthKey{v, t.Month, t.Kind}]++
			}
		}
	}
	return c
}

// PauseVersionMembers turns the members trigger on incident inserts off for
// the rest of the transaction, for a bulk load that writes the counts with
// WriteVersionIncidentCounts (by the table's owner, as PauseIncidentCounts).
func (w *ImportWriter) PauseVersionMembers(ctx context.Context) error {
	return w.setIncidentTrigger(ctx, versionsTrigger, false, "the retired versions' counts")
}

// WriteVersionIncidentCounts adds c to version_incident_months and turns
// the members trigger back on.
func (w *ImportWriter) WriteVersionIncidentCounts(ctx context.Context, c *VersionIncidentCounts) error {
	if err := writeMonthCounts(ctx, w.tx, "version_incident_months", "version_id", c.m); err != nil {
		return fmt.Errorf("incident counts by retired version: %w", err)
	}
	return w.setIncidentTrigger(ctx, versionsTrigger, true, "the retired versions' counts")
}

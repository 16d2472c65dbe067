package store

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/internal/pgcopy"
)

// The writers of hotspot/importer: it reads and validates a file, then
// hands the typed rows to an ImportWriter, which holds every statement.

// ImportWriter writes the rows of one import, in one transaction.
type ImportWriter struct {
	tx pgx.Tx
}

// ImportTx runs fn in one transaction: everything or nothing is written.
// The pending audit entry of ctx, if any, is appended in the same
// transaction.
func (s *Store) ImportTx(ctx context.Context, fn func(w *ImportWriter) error) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return fn(&ImportWriter{tx: tx}) })
}

// Located is where a point row lies: the point, the area that holds it and
// its H3 cells at resolutions geo.MinPointResolution to geo.MaxPointResolution.
type Located struct {
	Point  geo.Point
	AreaID int64
	Cells  [geo.MaxPointResolution - geo.MinPointResolution + 1]geo.Cell
}

func (l *Located) values() []any {
	return []any{l.Point.Lon, l.Point.Lat, l.AreaID, int64(l.Cells[0]), int64(l.Cells[1]), int64(l.Cells[2]), int64(l.Cells[3])}
}

// HotspotRow is one hotspot of an import file.
type HotspotRow struct {
	Ref  string
	Kind hotspot.HotspotKind
	Name string
	Loc  Located
}

// IncidentRow is one incident of an import file.
type IncidentRow struct {
	Ref        string
	Kind       hotspot.IncidentKind
	OccurredAt time.Time
	Loc        Located
}

// CameraRow is one camera of an import file.
type CameraRow struct {
	Ref                  string
	Bearing, FOV, RangeM float64
	Owner                hotspot.CameraOwner
	Status               hotspot.CameraStatus
	Loc                  Located
}

// TipRow is one tip of an import file: at a point (Loc), or only in an area
// (Loc nil, AreaID set).
type TipRow struct {
	Ref        string
	ReceivedAt time.Time
	HandledAt  *time.Time
	Loc        *Located
	AreaID     int64
	// RecordedAreaID, for a tip without a point, is a retired unit it
	// names: the tip is carried to the unit of today the crosswalk leads to
	// (migration 00012), and counted in the retired one on earlier dates.
	RecordedAreaID int64
}

// IndicatorRow is one indicator value of an import file.
type IndicatorRow struct {
	AreaID      int64
	Period, Key string
	Value       float64
}

// progressSource reports progress while CopyFrom pulls rows.
type progressSource struct {
	n        int
	values   func(i int) []any
	i        int
	progress func(done, total int)
}

func (p *progressSource) Next() bool {
	p.i++
	if p.progress != nil && (p.i%10000 == 0 || p.i == p.n) {
		p.progress(p.i, p.n)
	}
	return p.i <= p.n
}
func (p *progressSource) Values() ([]any, error) { return p.values(p.i - 1), nil }
func (p *progressSource) Err() error             { return nil }

// stageAndUpsert copies n rows (values gives row i) into a temporary table
// shaped like columns, then runs upsert (INSERT ... SELECT FROM stage ON
// CONFLICT ...).
func stageAndUpsert(ctx context.Context, tx pgx.Tx, stageDDL string, columns []string, n int, values func(i int) []any, upsert string, progress func(int, int)) (int, error) {
	if n == 0 {
		return 0, nil
	}
	if _, err := tx.Exec(ctx, stageDDL); err != nil {
		return 0, fmt.Errorf("stage: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"stage"}, columns, &progressSource{n: n, values: values, progress: progress}); err != nil {
		return 0, fmt.Errorf("copy: %w", err)
	}
	tag, err := tx.Exec(ctx, upsert)
	if err != nil {
		return 0, fmt.Errorf("upsert: %w", err)
	}
	_, _ = tx.Exec(ctx, `DROP TABLE stage`)
	return int(tag.RowsAffected()), nil
}

var pointColumns = []string{"lon", "lat", "area_id", "h3_r7", "h3_r8", "h3_r9", "h3_r10"}

const pointStageColumns = `lon float8, lat float8, area_id bigint, h3_r7 bigint, h3_r8 bigint, h3_r9 bigint, h3_r10 bigint`

// ---- hotspots

// UpsertHotspots inserts the hotspots, or updates those whose ref is
// stored, and returns how many were new or changed.
func (w *ImportWriter) UpsertHotspots(ctx context.Context, rows []HotspotRow, progress func(done, total int)) (int, error) {
	return stageAndUpsert(ctx, w.tx,
		`CREATE TEMP TABLE stage (ref text, kind text, name text, `+pointStageColumns+`) ON COMMIT DROP`,
		append([]string{"ref", "kind", "name"}, pointColumns...), len(rows), func(i int) []any {
			h := &rows[i]
			return append([]any{h.Ref, string(h.Kind), h.Name}, h.Loc.values()...)
		}, `
INSERT INTO hotspots (ref, kind, name, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
SELECT ref, kind, name, ST_SetSRID(ST_MakePoint(lon, lat), 4326), area_id, h3_r7, h3_r8, h3_r9, h3_r10 FROM stage
ON CONFLICT (ref) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, geom = EXCLUDED.geom,
    area_id = EXCLUDED.area_id, h3_r7 = EXCLUDED.h3_r7, h3_r8 = EXCLUDED.h3_r8, h3_r9 = EXCLUDED.h3_r9,
    h3_r10 = EXCLUDED.h3_r10, updated_at = now()
WHERE (hotspots.kind, hotspots.name, hotspots.geom) IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.name, EXCLUDED.geom)`, progress)
}

// ---- incidents

// UpsertIncidents inserts the incidents, or updates those whose ref is
// stored, through a staging table, and returns how many were new or changed.
// New incidents in number go faster through CopyIncidents.
func (w *ImportWriter) UpsertIncidents(ctx context.Context, rows []IncidentRow, progress func(done, total int)) (int, error) {
	return stageAndUpsert(ctx, w.tx,
		`CREATE TEMP TABLE stage (ref text, kind text, occurred_at timestamptz, `+pointStageColumns+`) ON COMMIT DROP`,
		append([]string{"ref", "kind", "occurred_at"}, pointColumns...), len(rows), func(i int) []any {
			r := &rows[i]
			return append([]any{r.Ref, string(r.Kind), r.OccurredAt}, r.Loc.values()...)
		}, `
INSERT INTO incidents (ref, kind, occurred_at, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
SELECT ref, kind, occurred_at, ST_SetSRID(ST_MakePoint(lon, lat), 4326), area_id, h3_r7, h3_r8, h3_r9, h3_r10 FROM stage
ON CONFLICT (ref) DO UPDATE SET kind = EXCLUDED.kind, occurred_at = EXCLUDED.occurred_at, geom = EXCLUDED.geom,
    area_id = EXCLUDED.area_id, h3_r7 = EXCLUDED.h3_r7, h3_r8 = EXCLUDED.h3_r8, h3_r9 = EXCLUDED.h3_r9, h3_r10 = EXCLUDED.h3_r10
WHERE (incidents.kind, incidents.occurred_at, incidents.geom) IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.occurred_at, EXCLUDED.geom)`, progress)
}

const sqlCopyIncidents = `COPY incidents (ref, kind, occurred_at, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10) FROM STDIN (FORMAT binary)`

// AppendIncident appends an incident to b as one binary COPY row of
// CopyIncidents, whose column list it follows.
func AppendIncident(b *pgcopy.Buffer, row *IncidentRow) {
	b.BeginRow(9)
	b.Text(row.Ref)
	b.Text(string(row.Kind))
	b.Timestamptz(row.OccurredAt)
	start := b.BeginField()
	b.B = geo.AppendPointEWKB(b.B, row.Loc.Point)
	b.EndField(start)
	b.Int8(row.Loc.AreaID)
	for _, c := range row.Loc.Cells {
		b.Int8(int64(c))
	}
}

// CopyIncidents copies new incidents straight into their table: src is a
// binary COPY stream (pgcopy.Header, rows made by AppendIncident,
// pgcopy.Trailer). It returns the rows the server counted. An error from
// src's Read abandons the copy, and the transaction must be rolled back.
func (w *ImportWriter) CopyIncidents(ctx context.Context, src io.Reader) (int, error) {
	tag, err := w.tx.Conn().PgConn().CopyFrom(ctx, src, sqlCopyIncidents)
	return int(tag.RowsAffected()), err
}

// StoredIncidents returns which of refs the incidents table holds already.
func (w *ImportWriter) StoredIncidents(ctx context.Context, refs []string) (map[string]bool, error) {
	return storedRefs(ctx, w.tx, "incidents", refs)
}

// MayBulkLoadIncidents reports whether a load of rows incidents may become
// a bulk load that builds the table's indexes after the copy, and if so
// keeps other writers out of the table until the import ends (bulkload.go).
// Call it before the import first reads the table.
func (w *ImportWriter) MayBulkLoadIncidents(ctx context.Context, rows int) (bool, error) {
	return mayBulkLoad(ctx, w.tx, "incidents", rows)
}

// DeferredIndexes are the indexes of a table dropped for a bulk load.
type DeferredIndexes struct{ d *deferredIndexes }

// DeferIncidentIndexes, once MayBulkLoadIncidents said yes, drops the
// indexes of the incidents table when loading rows new incidents is a bulk
// load (the table holds no more rows than the load brings), to be built
// again by RebuildIndexes after the copy. It returns nil when it is not.
func (w *ImportWriter) DeferIncidentIndexes(ctx context.Context, rows int) (*DeferredIndexes, error) {
	bulk, err := shouldDeferIndexes(ctx, w.tx, "incidents", rows)
	if err != nil || !bulk {
		return nil, err
	}
	d, err := deferIndexes(ctx, w.tx, "incidents")
	if err != nil {
		return nil, err
	}
	return &DeferredIndexes{d: d}, nil
}

// RebuildIndexes builds the indexes DeferIncidentIndexes dropped.
func (w *ImportWriter) RebuildIndexes(ctx context.Context, d *DeferredIndexes) error {
	return d.d.rebuild(ctx, w.tx)
}

// storedRefs returns which of refs table holds already, by copying the refs
// into a temporary table and joining it with table.
func storedRefs(ctx context.Context, tx pgx.Tx, table string, refs []string) (map[string]bool, error) {
	ident := pgx.Identifier{table}.Sanitize()
	var held bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM `+ident+`)`).Scan(&held); err != nil || !held || len(refs) == 0 {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE stage_refs (ref text COLLATE "C") ON COMMIT DROP`); err != nil {
		return nil, err
	}
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(refs) {
			return nil, nil
		}
		i++
		return []any{refs[i-1]}, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"stage_refs"}, []string{"ref"}, src); err != nil {
		return nil, fmt.Errorf("copy refs: %w", err)
	}
	found, err := tx.Query(ctx, `SELECT s.ref FROM stage_refs s JOIN `+ident+` t ON t.ref = s.ref`)
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(found, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `DROP TABLE stage_refs`); err != nil {
		return nil, err
	}
	stored := make(map[string]bool, len(list))
	for _, r := range list {
		stored[r] = true
	}
	return stored, nil
}

// ---- cameras

// UpsertCameras inserts the cameras, or updates those whose ref is stored,
// and returns how many were new or changed.
func (w *ImportWriter) UpsertCameras(ctx context.Context, rows []CameraRow, progress func(done, total int)) (int, error) {
	return stageAndUpsert(ctx, w.tx,
		`CREATE TEMP TABLE stage (ref text, bearing float8, fov float8, range_m float8, owner text, status text, `+pointStageColumns+`) ON COMMIT DROP`,
		append([]string{"ref", "bearing", "fov", "range_m", "owner", "status"}, pointColumns...), len(rows), func(i int) []any {
			c := &rows[i]
			return append([]any{c.Ref, c.Bearing, c.FOV, c.RangeM, string(c.Owner), string(c.Status)}, c.Loc.values()...)
		}, `
INSERT INTO cameras (ref, bearing, fov, range_m, owner, status, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
SELECT ref, bearing, fov, range_m, owner, status, ST_SetSRID(ST_MakePoint(lon, lat), 4326), area_id, h3_r7, h3_r8, h3_r9, h3_r10 FROM stage
ON CONFLICT (ref) DO UPDATE SET bearing = EXCLUDED.bearing, fov = EXCLUDED.fov, range_m = EXCLUDED.range_m,
    owner = EXCLUDED.owner, status = EXCLUDED.status, geom = EXCLUDED.geom, area_id = EXCLUDED.area_id,
    h3_r7 = EXCLUDED.h3_r7, h3_r8 = EXCLUDED.h3_r8, h3_r9 = EXCLUDED.h3_r9, h3_r10 = EXCLUDED.h3_r10, updated_at = now()
WHERE (cameras.bearing, cameras.fov, cameras.range_m, cameras.owner, cameras.status, cameras.geom)
    IS DISTINCT FROM (EXCLUDED.bearing, EXCLUDED.fov, EXCLUDED.range_m, EXCLUDED.owner, EXCLUDED.status, EXCLUDED.geom)`, progress)
}

// ---- tips

// UpsertTips inserts the tips, or updates those whose ref is stored, and
// returns how many were new or changed.
func (w *ImportWriter) UpsertTips(ctx context.Context, rows []TipRow, progress func(done, total int)) (int, error) {
	return stageAndUpsert(ctx, w.tx,
		`CREATE TEMP TABLE stage (ref text, received_at timestamptz, handled_at timestamptz, recorded_area_id bigint, `+pointStageColumns+`) ON COMMIT DROP`,
		append([]string{"ref", "received_at", "handled_at", "recorded_area_id"}, pointColumns...), len(rows), func(i int) []any {
			t := &rows[i]
			row := []any{t.Ref, t.ReceivedAt, t.HandledAt, nil}
			if t.Loc != nil {
				return append(row, t.Loc.values()...)
			}
			if t.RecordedAreaID != 0 {
				row[3] = t.RecordedAreaID
				return append(row, nil, nil, nil, nil, nil, nil, nil)
			}
			return append(row, nil, nil, t.AreaID, nil, nil, nil, nil)
		}, `
INSERT INTO tips (ref, received_at, handled_at, geom, area_id, recorded_area_id, h3_r7, h3_r8, h3_r9, h3_r10)
SELECT ref, received_at, handled_at, CASE WHEN lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END,
       coalesce(area_id, diaban_successor(recorded_area_id), recorded_area_id),
       CASE WHEN recorded_area_id <> coalesce(diaban_successor(recorded_area_id), recorded_area_id) THEN recorded_area_id END,
       h3_r7, h3_r8, h3_r9, h3_r10 FROM stage
ON CONFLICT (ref) DO UPDATE SET received_at = EXCLUDED.received_at, handled_at = EXCLUDED.handled_at, geom = EXCLUDED.geom,
    area_id = EXCLUDED.area_id, recorded_area_id = EXCLUDED.recorded_area_id,
    h3_r7 = EXCLUDED.h3_r7, h3_r8 = EXCLUDED.h3_r8, h3_r9 = EXCLUDED.h3_r9, h3_r10 = EXCLUDED.h3_r10
WHERE (tips.received_at, tips.handled_at, tips.geom, tips.area_id, tips.recorded_area_id)
    IS DISTINCT FROM (EXCLUDED.received_at, EXCLUDED.handled_at, EXCLUDED.geom, EXCLUDED.area_id, EXCLUDED.recorded_area_id)`, progress)
}

// ---- indicators

// UpsertIndicators inserts the indicator values, or updates those stored
// for the same area, period and key, and returns how many were new or
// changed.
func (w *ImportWriter) UpsertIndicators(ctx context.Context, rows []IndicatorRow, progress func(done, total int)) (int, error) {
	return stageAndUpsert(ctx, w.tx,
		`CREATE TEMP TABLE stage (area_id bigint, period text, key text, value numeric) ON COMMIT DROP`,
		[]string{"area_id", "period", "key", "value"}, len(rows), func(i int) []any {
			r := &rows[i]
			return []any{r.AreaID, r.Period, r.Key, r.Value}
		}, `
INSERT INTO area_indicators (area_id, period, key, value) SELECT area_id, period, key, value FROM stage
ON CONFLICT (area_id, period, key) DO UPDATE SET value = EXCLUDED.value
WHERE area_indicators.value IS DISTINCT FROM EXCLUDED.value`, progress)
}

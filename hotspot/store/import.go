package store

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/internal/pgcopy"
)

// ImportKinds lists what `diaban import KIND FILE` accepts, in load order.
var ImportKinds = []string{"areas", "hotspots", "events", "incidents", "tips", "cameras", "indicators"}

// ImportOptions tunes an import.
type ImportOptions struct {
	// SkipInvalid imports the good rows and reports the bad ones, instead of
	// importing nothing when any row is bad.
	SkipInvalid bool
	// Progress, when set, is called as rows are written, with the count so far
	// and the total to write.
	Progress func(done, total int)
	// Phase, when set, is told when a slow step starts after the rows are
	// written (a bulk load's "building indexes").
	Phase func(what string)
}

// ImportResult tells what an import did.
type ImportResult struct {
	Kind     string                     `json:"kind"`
	Rows     int                        `json:"rows"`
	Imported int                        `json:"imported"`
	Skipped  []*hotspot.ValidationError `json:"skipped,omitempty"`
}

// Import reads one file of the given kind and writes it in one transaction.
// Every row is validated first; when any is bad and opt.SkipInvalid is not
// set, an *ImportError lists them all and nothing is written. Re-importing
// the same refs updates them.
func (s *Store) Import(ctx context.Context, kind string, in io.Reader, opt ImportOptions) (*ImportResult, error) {
	if !slices.Contains(ImportKinds, kind) {
		return nil, hotspot.Invalid("kind", "unknown import kind %q (want one of areas, hotspots, events, incidents, tips, cameras, indicators)", kind)
	}
	var idx *hotspot.AreaIndex
	if kind != "areas" {
		var err error
		if idx, err = s.Areas(ctx); err != nil {
			return nil, err
		}
		if len(idx.Shapes()) == 0 {
			return nil, &hotspot.ImportError{Kind: kind, Rows: []*hotspot.ValidationError{{Field: "areas", Reason: "no areas are loaded yet: import areas first"}}}
		}
	}
	imp, rows, bad, err := parseImport(kind, in, idx)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Kind: kind, Rows: rows}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		more, err := imp.check(ctx, tx)
		if err != nil {
			return err
		}
		bad = append(bad, more...)
		si, streams := imp.(streamImporter)
		if streams { // parses while it writes: bad rows come back from the write
			n, more, err := si.writeStream(ctx, tx, len(bad) == 0 || opt.SkipInvalid, opt)
			if err != nil {
				return err
			}
			bad = append(bad, more...)
			res.Imported = n
		}
		if len(bad) > 0 && !opt.SkipInvalid {
			sort.SliceStable(bad, func(i, j int) bool { return bad[i].Line < bad[j].Line })
			return &hotspot.ImportError{Kind: kind, Rows: bad}
		}
		if streams {
			return nil
		}
		n, err := imp.write(ctx, tx, opt.Progress)
		res.Imported = n
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(bad, func(i, j int) bool { return bad[i].Line < bad[j].Line })
	res.Skipped = bad
	return res, nil
}

// newImporter returns the importer of a kind, or nil for an unknown kind.
func newImporter(kind string) importer {
	switch kind {
	case "areas":
		return &areaImporter{}
	case "hotspots":
		return &hotspotImporter{}
	case "events":
		return &eventImporter{}
	case "incidents":
		return &incidentImporter{}
	case "tips":
		return &tipImporter{}
	case "cameras":
		return &cameraImporter{}
	case "indicators":
		return &indicatorImporter{}
	}
	return nil
}

// parseImport reads and validates a file of a kind without the database:
// the rows it holds, and every bad row. idx locates points (nil for areas).
// A file that cannot be read at all is an *ImportError.
func parseImport(kind string, in io.Reader, idx *hotspot.AreaIndex) (importer, int, []*hotspot.ValidationError, error) {
	imp := newImporter(kind)
	if imp == nil {
		return nil, 0, nil, hotspot.Invalid("kind", "unknown import kind %q", kind)
	}
	recs, err := readRecords(in, imp.columns(), imp.geojson())
	if err != nil {
		if ve, ok := err.(*hotspot.ValidationError); ok {
			return nil, 0, nil, &hotspot.ImportError{Kind: kind, Rows: []*hotspot.ValidationError{ve}}
		}
		return nil, 0, nil, err
	}
	var bad []*hotspot.ValidationError
	good := make([]*record, 0, len(recs))
	seenRef := make(map[string]int, len(recs))
	for _, r := range recs {
		if ve := r.shapeError(); ve != nil {
			bad = append(bad, ve)
			continue
		}
		if ref := r.get("ref"); ref != "" && imp.refKeyed() {
			if prev, dup := seenRef[ref]; dup {
				bad = append(bad, r.fail("ref", "%q already appears on line %d", ref, prev))
				continue
			}
			seenRef[ref] = r.line
		}
		if _, ok := imp.(streamImporter); ok {
			good = append(good, r)
			continue
		}
		if _, ok := imp.(rowParser); ok {
			good = append(good, r)
			continue
		}
		if ve := imp.parse(r, idx); ve != nil {
			bad = append(bad, ve)
		}
	}
	if si, ok := imp.(streamImporter); ok {
		si.setRecords(good, idx)
	} else if rp, ok := imp.(rowParser); ok {
		bad = append(bad, parseParallel(rp, good, idx)...)
	}
	return imp, len(recs), bad, nil
}

// importer is one import kind: it parses records, checks what needs the
// database, and writes the good rows.
type importer interface {
	columns() []string
	geojson() bool
	refKeyed() bool
	parse(r *record, idx *hotspot.AreaIndex) *hotspot.ValidationError
	check(ctx context.Context, tx pgx.Tx) ([]*hotspot.ValidationError, error)
	write(ctx context.Context, tx pgx.Tx, progress func(done, total int)) (int, error)
}

// rowParser is an importer whose rows parse independently of each other,
// so they can be parsed on every core (the point kinds: locating a point and
// computing its H3 cells is most of an import's CPU time).
type rowParser interface {
	parseRow(r *record, idx *hotspot.AreaIndex) ([]any, *hotspot.ValidationError)
	setRows(rows [][]any)
}

// streamImporter is an importer that parses its rows while writing them:
// parseImport hands it the records unparsed, and writeStream parses and
// writes them, returning the bad rows. When write is false (or any bad row
// was found and opt.SkipInvalid is not set) it only parses, and a nil tx is
// allowed; the caller rolls back when bad rows come back without SkipInvalid.
type streamImporter interface {
	setRecords(recs []*record, idx *hotspot.AreaIndex)
	writeStream(ctx context.Context, tx pgx.Tx, write bool, opt ImportOptions) (int, []*hotspot.ValidationError, error)
}

// rowSet holds the parsed rows of a rowParser.
type rowSet struct{ rows [][]any }

func (rs *rowSet) setRows(rows [][]any) { rs.rows = rows }

// parse is never called for a rowParser; it satisfies importer.
func (*rowSet) parse(*record, *hotspot.AreaIndex) *hotspot.ValidationError { return nil }

// parseParallel parses recs with rp on every core, keeping file order.
func parseParallel(rp rowParser, recs []*record, idx *hotspot.AreaIndex) []*hotspot.ValidationError {
	rows := make([][]any, len(recs))
	errs := make([]*hotspot.ValidationError, len(recs))
	workers := runtime.GOMAXPROCS(0)
	chunk := (len(recs) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := 0; w < workers && w*chunk < len(recs); w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(recs))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				rows[i], errs[i] = rp.parseRow(recs[i], idx)
			}
		}()
	}
	wg.Wait()
	var bad []*hotspot.ValidationError
	kept := rows[:0]
	for i, row := range rows {
		if errs[i] != nil {
			bad = append(bad, errs[i])
			continue
		}
		kept = append(kept, row)
	}
	rp.setRows(kept)
	return bad
}

// located is the spatial part shared by every point kind.
type located struct {
	p      geo.Point
	areaID int64
	cells  [geo.MaxPointResolution - geo.MinPointResolution + 1]geo.Cell
}

func locate(r *record, idx *hotspot.AreaIndex, optional bool) (*located, *hotspot.ValidationError) {
	p, ve := r.point(optional)
	if ve != nil || p == nil {
		return nil, ve
	}
	a, ok := idx.Locate(*p)
	if !ok {
		field := "lon"
		if r.geom != nil {
			field = "geometry"
		}
		return nil, r.fail(field, "point (%g, %g) lies outside every area", p.Lon, p.Lat)
	}
	return &located{p: *p, areaID: a.ID, cells: geo.PointCells(*p)}, nil
}

func (l *located) values() []any {
	return []any{l.p.Lon, l.p.Lat, l.areaID, int64(l.cells[0]), int64(l.cells[1]), int64(l.cells[2]), int64(l.cells[3])}
}

// progressSource reports progress while CopyFrom pulls rows.
type progressSource struct {
	rows     [][]any
	i        int
	progress func(done, total int)
}

func (p *progressSource) Next() bool {
	p.i++
	if p.progress != nil && (p.i%10000 == 0 || p.i == len(p.rows)) {
		p.progress(p.i, len(p.rows))
	}
	return p.i <= len(p.rows)
}
func (p *progressSource) Values() ([]any, error) { return p.rows[p.i-1], nil }
func (p *progressSource) Err() error             { return nil }

// stageAndUpsert copies rows into a temporary table shaped like columns,
// then runs upsert (INSERT ... SELECT FROM stage ON CONFLICT ...).
func stageAndUpsert(ctx context.Context, tx pgx.Tx, stageDDL string, columns []string, rows [][]any, upsert string, progress func(int, int)) (int, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	if _, err := tx.Exec(ctx, stageDDL); err != nil {
		return 0, fmt.Errorf("stage: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"stage"}, columns, &progressSource{rows: rows, progress: progress}); err != nil {
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

type hotspotImporter struct{ rowSet }

func (*hotspotImporter) columns() []string { return []string{"ref", "lon", "lat", "kind", "name"} }
func (*hotspotImporter) geojson() bool     { return true }
func (*hotspotImporter) refKeyed() bool    { return true }

func (h *hotspotImporter) parseRow(r *record, idx *hotspot.AreaIndex) ([]any, *hotspot.ValidationError) {
	ref := r.get("ref")
	if ref == "" {
		return nil, r.fail("ref", "is empty")
	}
	kind := hotspot.HotspotKind(r.get("kind"))
	if err := hotspot.ValidateHotspotKind(kind); err != nil {
		return nil, r.fail("kind", "%s", err.(*hotspot.ValidationError).Reason)
	}
	loc, ve := locate(r, idx, false)
	if ve != nil {
		return nil, ve
	}
	return append([]any{ref, string(kind), r.get("name")}, loc.values()...), nil
}

func (*hotspotImporter) check(context.Context, pgx.Tx) ([]*hotspot.ValidationError, error) {
	return nil, nil
}

func (h *hotspotImporter) write(ctx context.Context, tx pgx.Tx, progress func(int, int)) (int, error) {
	return stageAndUpsert(ctx, tx,
		`CREATE TEMP TABLE stage (ref text, kind text, name text, `+pointStageColumns+`) ON COMMIT DROP`,
		append([]string{"ref", "kind", "name"}, pointColumns...), h.rows, `
INSERT INTO hotspots (ref, kind, name, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
SELECT ref, kind, name, ST_SetSRID(ST_MakePoint(lon, lat), 4326), area_id, h3_r7, h3_r8, h3_r9, h3_r10 FROM stage
ON CONFLICT (ref) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, geom = EXCLUDED.geom,
    area_id = EXCLUDED.area_id, h3_r7 = EXCLUDED.h3_r7, h3_r8 = EXCLUDED.h3_r8, h3_r9 = EXCLUDED.h3_r9,
    h3_r10 = EXCLUDED.h3_r10, updated_at = now()
WHERE (hotspots.kind, hotspots.name, hotspots.geom) IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.name, EXCLUDED.geom)`, progress)
}

// ---- incidents

// incidentImporter streams: its rows are parsed on every core while the
// server copies those already parsed (copyStream), the part of a bulk load
// where speed matters.
type incidentImporter struct {
	rowSet // rows of incidents already stored, for the upsert
	recs   []*record
	idx    *hotspot.AreaIndex
}

func (*incidentImporter) columns() []string {
	return []string{"ref", "lon", "lat", "kind", "occurred_at"}
}
func (*incidentImporter) geojson() bool  { return true }
func (*incidentImporter) refKeyed() bool { return true }

func (im *incidentImporter) setRecords(recs []*record, idx *hotspot.AreaIndex) {
	im.recs, im.idx = recs, idx
}

// incidentRow is one parsed incident.
type incidentRow struct {
	ref  string
	kind hotspot.IncidentKind
	at   time.Time
	loc  *located
}

func parseIncident(r *record, idx *hotspot.AreaIndex) (incidentRow, *hotspot.ValidationError) {
	ref := r.get("ref")
	if ref == "" {
		return incidentRow{}, r.fail("ref", "is empty")
	}
	kind := hotspot.IncidentKind(r.get("kind"))
	if err := hotspot.ValidateIncidentKind(kind); err != nil {
		return incidentRow{}, r.fail("kind", "%s", err.(*hotspot.ValidationError).Reason)
	}
	at, err := hotspot.ParseInstant(r.get("occurred_at"))
	if err != nil {
		return incidentRow{}, r.fail("occurred_at", "%v", err)
	}
	loc, ve := locate(r, idx, false)
	if ve != nil {
		return incidentRow{}, ve
	}
	return incidentRow{ref: ref, kind: kind, at: at, loc: loc}, nil
}

// parseRow gives an incident as a staging-table row, for the upsert.
func (im *incidentImporter) parseRow(r *record, idx *hotspot.AreaIndex) ([]any, *hotspot.ValidationError) {
	row, ve := parseIncident(r, idx)
	if ve != nil {
		return nil, ve
	}
	return append([]any{row.ref, string(row.kind), row.at}, row.loc.values()...), nil
}

const sqlCopyIncidents = `COPY incidents (ref, kind, occurred_at, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10) FROM STDIN (FORMAT binary)`

// encodeIncident gives an incident as a binary COPY row of sqlCopyIncidents.
func encodeIncident(r *record, idx *hotspot.AreaIndex, b *pgcopy.Buffer) *hotspot.ValidationError {
	row, ve := parseIncident(r, idx)
	if ve != nil {
		return ve
	}
	b.BeginRow(9)
	b.Text(row.ref)
	b.Text(string(row.kind))
	b.Timestamptz(row.at)
	start := b.BeginField()
	b.B = geo.AppendPointEWKB(b.B, row.loc.p)
	b.EndField(start)
	b.Int8(row.loc.areaID)
	for _, c := range row.loc.cells {
		b.Int8(int64(c))
	}
	return nil
}

func (*incidentImporter) check(context.Context, pgx.Tx) ([]*hotspot.ValidationError, error) {
	return nil, nil
}

// write is never called for a streamImporter; it satisfies importer.
func (*incidentImporter) write(context.Context, pgx.Tx, func(int, int)) (int, error) { return 0, nil }

// writeStream upserts the incidents whose refs are stored already through a
// staging table, then copies the new ones straight into the table while
// parsing them; a load larger than what the table holds builds the indexes
// after the copy instead of row by row (bulkload.go).
func (im *incidentImporter) writeStream(ctx context.Context, tx pgx.Tx, write bool, opt ImportOptions) (int, []*hotspot.ValidationError, error) {
	if !write {
		_, bad, err := copyStream(ctx, nil, "", im.recs, im.idx, encodeIncident, false, nil)
		return 0, bad, err
	}
	bulkable, err := mayBulkLoad(ctx, tx, "incidents", len(im.recs))
	if err != nil {
		return 0, nil, err
	}
	stored, err := storedRefs(ctx, tx, "incidents", im.recs)
	if err != nil {
		return 0, nil, err
	}
	fresh, existing := im.recs, []*record(nil)
	if len(stored) > 0 {
		fresh = nil
		for _, r := range im.recs {
			if stored[r.get("ref")] {
				existing = append(existing, r)
			} else {
				fresh = append(fresh, r)
			}
		}
	}
	stopOnBad := !opt.SkipInvalid
	bad := parseParallel(im, existing, im.idx)
	if len(bad) > 0 && stopOnBad {
		_, more, err := copyStream(ctx, nil, "", fresh, im.idx, encodeIncident, false, nil)
		return 0, append(bad, more...), err
	}
	upserted, err := stageAndUpsert(ctx, tx,
		`CREATE TEMP TABLE stage (ref text, kind text, occurred_at timestamptz, `+pointStageColumns+`) ON COMMIT DROP`,
		append([]string{"ref", "kind", "occurred_at"}, pointColumns...), im.rows, `
INSERT INTO incidents (ref, kind, occurred_at, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
SELECT ref, kind, occurred_at, ST_SetSRID(ST_MakePoint(lon, lat), 4326), area_id, h3_r7, h3_r8, h3_r9, h3_r10 FROM stage
ON CONFLICT (ref) DO UPDATE SET kind = EXCLUDED.kind, occurred_at = EXCLUDED.occurred_at, geom = EXCLUDED.geom,
    area_id = EXCLUDED.area_id, h3_r7 = EXCLUDED.h3_r7, h3_r8 = EXCLUDED.h3_r8, h3_r9 = EXCLUDED.h3_r9, h3_r10 = EXCLUDED.h3_r10
WHERE (incidents.kind, incidents.occurred_at, incidents.geom) IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.occurred_at, EXCLUDED.geom)`, nil)
	if err != nil || len(fresh) == 0 {
		return upserted, bad, err
	}
	var deferred *deferredIndexes
	if bulkable {
		if bulk, err := shouldDeferIndexes(ctx, tx, "incidents", len(fresh)); err != nil {
			return 0, bad, err
		} else if bulk {
			if deferred, err = deferIndexes(ctx, tx, "incidents"); err != nil {
				return 0, bad, err
			}
		}
	}
	copied, more, err := copyStream(ctx, tx.Conn().PgConn(), sqlCopyIncidents, fresh, im.idx, encodeIncident, stopOnBad, opt.Progress)
	bad = append(bad, more...)
	if err != nil {
		return 0, bad, fmt.Errorf("copy incidents: %w", err)
	}
	if len(bad) > 0 && stopOnBad {
		return 0, bad, nil
	}
	if deferred != nil {
		if opt.Phase != nil {
			opt.Phase("building indexes")
		}
		if err := deferred.rebuild(ctx, tx); err != nil {
			return 0, bad, err
		}
	}
	return upserted + copied, bad, nil
}

// storedRefs returns which of the records' refs table holds already, by
// copying the refs into a temporary table and joining it with table.
func storedRefs(ctx context.Context, tx pgx.Tx, table string, recs []*record) (map[string]bool, error) {
	ident := pgx.Identifier{table}.Sanitize()
	var held bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM `+ident+`)`).Scan(&held); err != nil || !held || len(recs) == 0 {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE stage_refs (ref text COLLATE "C") ON COMMIT DROP`); err != nil {
		return nil, err
	}
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(recs) {
			return nil, nil
		}
		i++
		return []any{recs[i-1].get("ref")}, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"stage_refs"}, []string{"ref"}, src); err != nil {
		return nil, fmt.Errorf("copy refs: %w", err)
	}
	found, err := tx.Query(ctx, `SELECT s.ref FROM stage_refs s JOIN `+ident+` t ON t.ref = s.ref`)
	if err != nil {
		return nil, err
	}
	refs, err := pgx.CollectRows(found, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `DROP TABLE stage_refs`); err != nil {
		return nil, err
	}
	stored := make(map[string]bool, len(refs))
	for _, r := range refs {
		stored[r] = true
	}
	return stored, nil
}

// ---- cameras

type cameraImporter struct{ rowSet }

func (*cameraImporter) columns() []string {
	return []string{"ref", "lon", "lat", "bearing", "fov", "range_m", "owner", "status"}
}
func (*cameraImporter) geojson() bool  { return true }
func (*cameraImporter) refKeyed() bool { return true }

func (c *cameraImporter) parseRow(r *record, idx *hotspot.AreaIndex) ([]any, *hotspot.ValidationError) {
	cam := hotspot.Camera{Ref: r.get("ref"), Owner: hotspot.CameraOwner(r.get("owner")), Status: hotspot.CameraStatus(r.get("status"))}
	if cam.Ref == "" {
		return nil, r.fail("ref", "is empty")
	}
	var ve *hotspot.ValidationError
	if cam.Bearing, ve = r.float("bearing"); ve != nil {
		return nil, ve
	}
	if cam.FOV, ve = r.float("fov"); ve != nil {
		return nil, ve
	}
	if cam.RangeM, ve = r.float("range_m"); ve != nil {
		return nil, ve
	}
	loc, ve := locate(r, idx, false)
	if ve != nil {
		return nil, ve
	}
	cam.Point = loc.p
	if err := cam.Validate(); err != nil {
		e := err.(*hotspot.ValidationError)
		return nil, r.fail(e.Field, "%s", e.Reason)
	}
	return append([]any{cam.Ref, cam.Bearing, cam.FOV, cam.RangeM, string(cam.Owner), string(cam.Status)}, loc.values()...), nil
}

func (*cameraImporter) check(context.Context, pgx.Tx) ([]*hotspot.ValidationError, error) {
	return nil, nil
}

func (c *cameraImporter) write(ctx context.Context, tx pgx.Tx, progress func(int, int)) (int, error) {
	return stageAndUpsert(ctx, tx,
		`CREATE TEMP TABLE stage (ref text, bearing float8, fov float8, range_m float8, owner text, status text, `+pointStageColumns+`) ON COMMIT DROP`,
		append([]string{"ref", "bearing", "fov", "range_m", "owner", "status"}, pointColumns...), c.rows, `
INSERT INTO cameras (ref, bearing, fov, range_m, owner, status, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
SELECT ref, bearing, fov, range_m, owner, status, ST_SetSRID(ST_MakePoint(lon, lat), 4326), area_id, h3_r7, h3_r8, h3_r9, h3_r10 FROM stage
ON CONFLICT (ref) DO UPDATE SET bearing = EXCLUDED.bearing, fov = EXCLUDED.fov, range_m = EXCLUDED.range_m,
    owner = EXCLUDED.owner, status = EXCLUDED.status, geom = EXCLUDED.geom, area_id = EXCLUDED.area_id,
    h3_r7 = EXCLUDED.h3_r7, h3_r8 = EXCLUDED.h3_r8, h3_r9 = EXCLUDED.h3_r9, h3_r10 = EXCLUDED.h3_r10, updated_at = now()
WHERE (cameras.bearing, cameras.fov, cameras.range_m, cameras.owner, cameras.status, cameras.geom)
    IS DISTINCT FROM (EXCLUDED.bearing, EXCLUDED.fov, EXCLUDED.range_m, EXCLUDED.owner, EXCLUDED.status, EXCLUDED.geom)`, progress)
}

// ---- tips

type tipImporter struct{ rowSet }

func (*tipImporter) columns() []string {
	return []string{"ref", "received_at", "handled_at", "lon", "lat", "area_code"}
}
func (*tipImporter) geojson() bool  { return false }
func (*tipImporter) refKeyed() bool { return true }

func (t *tipImporter) parseRow(r *record, idx *hotspot.AreaIndex) ([]any, *hotspot.ValidationError) {
	ref := r.get("ref")
	if ref == "" {
		return nil, r.fail("ref", "is empty")
	}
	received, err := hotspot.ParseInstant(r.get("received_at"))
	if err != nil {
		return nil, r.fail("received_at", "%v", err)
	}
	var handled *time.Time
	if s := r.get("handled_at"); s != "" {
		h, err := hotspot.ParseInstant(s)
		if err != nil {
			return nil, r.fail("handled_at", "%v", err)
		}
		if h.Before(received) {
			return nil, r.fail("handled_at", "is before received_at")
		}
		handled = &h
	}
	loc, ve := locate(r, idx, true)
	if ve != nil {
		return nil, ve
	}
	code := r.get("area_code")
	row := []any{ref, received, handled}
	switch {
	case loc != nil:
		if code != "" && !contains(idx.Ancestors(codeOf(idx, loc.areaID)), code) {
			return nil, r.fail("area_code", "the point lies in area %s, not in %s", codeOf(idx, loc.areaID), code)
		}
		row = append(row, loc.values()...)
	case code != "":
		a, ok := idx.ByCode(code)
		if !ok {
			return nil, r.fail("area_code", "unknown area %q", code)
		}
		row = append(row, nil, nil, a.ID, nil, nil, nil, nil)
	default:
		return nil, r.fail("area_code", "a tip needs a point (lon, lat) or an area_code")
	}
	return row, nil
}

func codeOf(idx *hotspot.AreaIndex, id int64) string {
	for _, s := range idx.Shapes() {
		if s.ID == id {
			return s.Code
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (*tipImporter) check(context.Context, pgx.Tx) ([]*hotspot.ValidationError, error) {
	return nil, nil
}

func (t *tipImporter) write(ctx context.Context, tx pgx.Tx, progress func(int, int)) (int, error) {
	return stageAndUpsert(ctx, tx,
		`CREATE TEMP TABLE stage (ref text, received_at timestamptz, handled_at timestamptz, `+pointStageColumns+`) ON COMMIT DROP`,
		append([]string{"ref", "received_at", "handled_at"}, pointColumns...), t.rows, `
INSERT INTO tips (ref, received_at, handled_at, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
SELECT ref, received_at, handled_at, CASE WHEN lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END,
       area_id, h3_r7, h3_r8, h3_r9, h3_r10 FROM stage
ON CONFLICT (ref) DO UPDATE SET received_at = EXCLUDED.received_at, handled_at = EXCLUDED.handled_at, geom = EXCLUDED.geom,
    area_id = EXCLUDED.area_id, h3_r7 = EXCLUDED.h3_r7, h3_r8 = EXCLUDED.h3_r8, h3_r9 = EXCLUDED.h3_r9, h3_r10 = EXCLUDED.h3_r10
WHERE (tips.received_at, tips.handled_at, tips.geom, tips.area_id) IS DISTINCT FROM (EXCLUDED.received_at, EXCLUDED.handled_at, EXCLUDED.geom, EXCLUDED.area_id)`, progress)
}

// ---- indicators

var (
	periodPattern = regexp.MustCompile(`^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$`)
	keyPattern    = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

type indicatorImporter struct {
	rows [][]any
	seen map[string]int
}

func (*indicatorImporter) columns() []string { return []string{"area_code", "period", "key", "value"} }
func (*indicatorImporter) geojson() bool     { return false }
func (*indicatorImporter) refKeyed() bool    { return false }

func (in *indicatorImporter) parse(r *record, idx *hotspot.AreaIndex) *hotspot.ValidationError {
	code := r.get("area_code")
	a, ok := idx.ByCode(code)
	if !ok {
		return r.fail("area_code", "unknown area %q", code)
	}
	period := r.get("period")
	if !periodPattern.MatchString(period) {
		return r.fail("period", "%q is not a period (want YYYY, YYYY-Qn or YYYY-MM)", period)
	}
	key := r.get("key")
	if !keyPattern.MatchString(key) {
		return r.fail("key", "%q is not a key (lower-case letters, digits and _)", key)
	}
	v, err := strconv.ParseFloat(r.get("value"), 64)
	if err != nil || !hotspot.Finite(v) || v < 0 {
		return r.fail("value", "%q is not a count (a number ≥ 0)", r.get("value"))
	}
	if in.seen == nil {
		in.seen = map[string]int{}
	}
	k := code + "\x00" + period + "\x00" + key
	if prev, dup := in.seen[k]; dup {
		return r.fail("key", "%s %s %s already appears on line %d", code, period, key, prev)
	}
	in.seen[k] = r.line
	in.rows = append(in.rows, []any{a.ID, period, key, v})
	return nil
}

func (*indicatorImporter) check(context.Context, pgx.Tx) ([]*hotspot.ValidationError, error) {
	return nil, nil
}

func (in *indicatorImporter) write(ctx context.Context, tx pgx.Tx, progress func(int, int)) (int, error) {
	return stageAndUpsert(ctx, tx,
		`CREATE TEMP TABLE stage (area_id bigint, period text, key text, value numeric) ON COMMIT DROP`,
		[]string{"area_id", "period", "key", "value"}, in.rows, `
INSERT INTO area_indicators (area_id, period, key, value) SELECT area_id, period, key, value FROM stage
ON CONFLICT (area_id, period, key) DO UPDATE SET value = EXCLUDED.value
WHERE area_indicators.value IS DISTINCT FROM EXCLUDED.value`, progress)
}

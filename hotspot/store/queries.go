package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
)

// areaScope turns an optional area code into the ids it covers (nil = all).
func (s *Store) areaScope(ctx context.Context, code string) ([]int64, error) {
	if code == "" {
		return nil, nil
	}
	idx, err := s.Areas(ctx)
	if err != nil {
		return nil, err
	}
	ids, ok := idx.Descendants(code)
	if !ok {
		return nil, hotspot.Invalid("area", "unknown area %q", code)
	}
	return ids, nil
}

// HotspotFilter selects hotspots. Empty fields select everything.
type HotspotFilter struct {
	AreaCode string
	Status   hotspot.Status
}

// sqlHotspots reads each hotspot's status from the view hotspot_status,
// the one SQL definition of the rule (hotspot.EventKind.StatusAfter).
const sqlHotspots = `
SELECT h.id, h.ref, h.name, h.kind, a.code, ST_X(h.geom), ST_Y(h.geom), st.status
FROM hotspots h
JOIN areas a ON a.id = h.area_id
JOIN hotspot_status st ON st.hotspot_id = h.id
WHERE ($1::bigint[] IS NULL OR h.area_id = ANY($1))
  AND ($2 = '' OR st.status = $2)
  AND ($3::bigint IS NULL OR h.id = $3)
ORDER BY h.id`

func scanHotspot(r pgx.CollectableRow) (hotspot.Hotspot, error) {
	var h hotspot.Hotspot
	err := r.Scan(&h.ID, &h.Ref, &h.Name, &h.Kind, &h.AreaCode, &h.Point.Lon, &h.Point.Lat, &h.Status)
	return h, err
}

// ListHotspots returns hotspots with their derived status.
func (s *Store) ListHotspots(ctx context.Context, f HotspotFilter) ([]hotspot.Hotspot, error) {
	if f.Status != "" && f.Status != hotspot.StatusActive && f.Status != hotspot.StatusEliminated {
		return nil, hotspot.Invalid("status", "unknown status %q (want active or eliminated)", f.Status)
	}
	ids, err := s.areaScope(ctx, f.AreaCode)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, sqlHotspots, ids, string(f.Status), nil)
	if err != nil {
		return nil, fmt.Errorf("list hotspots: %w", err)
	}
	return pgx.CollectRows(rows, scanHotspot)
}

// GetHotspot returns one hotspot with its events, oldest first.
func (s *Store) GetHotspot(ctx context.Context, id int64) (*hotspot.Hotspot, error) {
	return getHotspot(ctx, s.pool, id)
}

// oneRow collects the single row of a lookup by id: ErrNotFound when there
// is none.
func oneRow[T any](rows pgx.Rows, err error, scan pgx.RowToFunc[T]) (*T, error) {
	if err != nil {
		return nil, err
	}
	v, err := pgx.CollectExactlyOneRow(rows, scan)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, hotspot.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func getHotspot(ctx context.Context, q querier, id int64) (*hotspot.Hotspot, error) {
	rows, err := q.Query(ctx, sqlHotspots, nil, "", id)
	h, err := oneRow(rows, err, scanHotspot)
	if err != nil {
		if errors.Is(err, hotspot.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("get hotspot: %w", err)
	}
	rows, err = q.Query(ctx, sqlEventsOf, []int64{id})
	if err != nil {
		return nil, fmt.Errorf("get events: %w", err)
	}
	if h.Events, err = pgx.CollectRows(rows, scanEvent); err != nil {
		return nil, err
	}
	return h, nil
}

// NewHotspot is what a user records for a newly found hotspot.
type NewHotspot struct {
	Ref        string
	Name       string
	Kind       hotspot.HotspotKind
	Point      geo.Point
	DetectedAt time.Time // zero means now
	Note       string
}

// CreateHotspot records a new hotspot and its detection, in one transaction.
func (s *Store) CreateHotspot(ctx context.Context, n NewHotspot) (*hotspot.Hotspot, error) {
	if n.Ref == "" {
		return nil, hotspot.Invalid("ref", "is empty")
	}
	if err := hotspot.ValidateHotspotKind(n.Kind); err != nil {
		return nil, err
	}
	if err := hotspot.ValidatePoint(n.Point); err != nil {
		return nil, err
	}
	if n.DetectedAt.IsZero() {
		n.DetectedAt = time.Now()
	}
	if n.DetectedAt.After(time.Now().Add(5 * time.Minute)) {
		return nil, hotspot.Invalid("detected_at", "is in the future")
	}
	idx, err := s.Areas(ctx)
	if err != nil {
		return nil, err
	}
	area, ok := idx.Locate(n.Point)
	if !ok {
		return nil, hotspot.Invalid("lon", "point (%g, %g) lies outside every area", n.Point.Lon, n.Point.Lat)
	}
	cells := geo.PointCells(n.Point)
	var out *hotspot.Hotspot
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `
INSERT INTO hotspots (ref, kind, name, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326), $6, $7, $8, $9, $10) RETURNING id`,
			n.Ref, string(n.Kind), n.Name, n.Point.Lon, n.Point.Lat, area.ID,
			int64(cells[0]), int64(cells[1]), int64(cells[2]), int64(cells[3])).Scan(&id)
		if pgCode(err) == "23505" {
			return &hotspot.ConflictError{Field: "ref", Reason: fmt.Sprintf("a hotspot with ref %q already exists", n.Ref)}
		}
		if err != nil {
			return fmt.Errorf("create hotspot: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO hotspot_events (hotspot_id, event, occurred_at, note) VALUES ($1, 'detected', $2, $3)`,
			id, n.DetectedAt, n.Note); err != nil {
			return fmt.Errorf("record detection: %w", err)
		}
		AuditTouch(ctx, area.Code, id)
		out, err = getHotspot(ctx, tx, id)
		return err
	})
	return out, err
}

// AddEvent appends one lifecycle event to a hotspot. The whole timeline is
// replayed with the new event in place, so an illegal transition — or a
// backdated event that would make a later one illegal — is refused and
// nothing is written.
func (s *Store) AddEvent(ctx context.Context, hotspotID int64, e hotspot.Event) (*hotspot.Hotspot, error) {
	if !hotspot.OneOf(e.Kind, hotspot.EventKinds) {
		return nil, hotspot.Invalid("event", "unknown event %q (want detected, eliminated, recurred or note)", e.Kind)
	}
	if e.OccurredAt.IsZero() {
		e.OccurredAt = time.Now()
	}
	if e.OccurredAt.After(time.Now().Add(5 * time.Minute)) {
		return nil, hotspot.Invalid("occurred_at", "is in the future")
	}
	var out *hotspot.Hotspot
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM hotspots WHERE id = $1 FOR UPDATE`, hotspotID).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return hotspot.ErrNotFound
		}
		if err != nil {
			return err
		}
		e.HotspotID = hotspotID
		keep, bad, err := timelineCheck(ctx, tx, []pendingEvent{{Event: e}})
		if err != nil {
			return err
		}
		if len(bad) > 0 {
			return &hotspot.TransitionError{Event: e.Kind, Reason: strings.TrimPrefix(bad[0].Reason, "illegal lifecycle transition: ")}
		}
		if len(keep) == 0 {
			return &hotspot.ConflictError{Field: "occurred_at", Reason: "this event is already recorded"}
		}
		if _, err := insertEvents(ctx, tx, keep); err != nil {
			return fmt.Errorf("record event: %w", err)
		}
		if out, err = getHotspot(ctx, tx, hotspotID); err != nil {
			return err
		}
		AuditTouch(ctx, out.AreaCode, hotspotID)
		return nil
	})
	return out, err
}

// IncidentFilter selects incidents. Zero fields select everything.
type IncidentFilter struct {
	BBox     *[4]float64 // west, south, east, north
	From, To time.Time   // [From, To)
	Kind     hotspot.IncidentKind
	AreaCode string
	Limit    int // 0 means 50,000
}

// sqlIncidentColumns is what an Incident is read from (scanIncident).
const sqlIncidentColumns = `
SELECT i.id, i.ref, i.kind, i.occurred_at, a.code, ST_X(i.geom), ST_Y(i.geom)
FROM incidents i JOIN areas a ON a.id = i.area_id`

const sqlIncidents = sqlIncidentColumns + `
WHERE ($1::float8[] IS NULL OR i.geom && ST_MakeEnvelope($1[1], $1[2], $1[3], $1[4], 4326))
  AND ($2::timestamptz IS NULL OR i.occurred_at >= $2)
  AND ($3::timestamptz IS NULL OR i.occurred_at < $3)
  AND ($4 = '' OR i.kind = $4)
  AND ($5::bigint[] IS NULL OR i.area_id = ANY($5))
ORDER BY i.occurred_at DESC, i.id DESC
LIMIT $6`

// ListIncidents returns incidents, newest first.
func (s *Store) ListIncidents(ctx context.Context, f IncidentFilter) ([]hotspot.Incident, error) {
	if f.Kind != "" {
		if err := hotspot.ValidateIncidentKind(f.Kind); err != nil {
			return nil, err
		}
	}
	ids, err := s.areaScope(ctx, f.AreaCode)
	if err != nil {
		return nil, err
	}
	var bbox []float64
	if f.BBox != nil {
		bbox = f.BBox[:]
	}
	if f.Limit <= 0 {
		f.Limit = 50000
	}
	rows, err := s.pool.Query(ctx, sqlIncidents, bbox, nullTime(f.From), nullTime(f.To), string(f.Kind), ids, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	return pgx.CollectRows(rows, scanIncident)
}

func scanIncident(r pgx.CollectableRow) (hotspot.Incident, error) {
	var i hotspot.Incident
	err := r.Scan(&i.ID, &i.Ref, &i.Kind, &i.OccurredAt, &i.AreaCode, &i.Point.Lon, &i.Point.Lat)
	return i, err
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

const sqlCameras = `
SELECT c.id, c.ref, ST_X(c.geom), ST_Y(c.geom), c.bearing, c.fov, c.range_m, c.owner, c.status, a.code
FROM cameras c JOIN areas a ON a.id = c.area_id
WHERE ($1::bigint[] IS NULL OR c.area_id = ANY($1)) AND ($2::bigint IS NULL OR c.id = $2)
ORDER BY c.id`

func scanCamera(r pgx.CollectableRow) (hotspot.Camera, error) {
	var c hotspot.Camera
	err := r.Scan(&c.ID, &c.Ref, &c.Point.Lon, &c.Point.Lat, &c.Bearing, &c.FOV, &c.RangeM, &c.Owner, &c.Status, &c.AreaCode)
	return c, err
}

// ListCameras returns the cameras in an area (all when areaCode is "").
func (s *Store) ListCameras(ctx context.Context, areaCode string) ([]hotspot.Camera, error) {
	ids, err := s.areaScope(ctx, areaCode)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, sqlCameras, ids, nil)
	if err != nil {
		return nil, fmt.Errorf("list cameras: %w", err)
	}
	return pgx.CollectRows(rows, scanCamera)
}

// GetCamera returns one camera.
func (s *Store) GetCamera(ctx context.Context, id int64) (*hotspot.Camera, error) {
	rows, err := s.pool.Query(ctx, sqlCameras, nil, id)
	return oneRow(rows, err, scanCamera)
}

// CreateCamera stores one camera, with the pending audit entry of ctx, and
// returns it as stored.
func (s *Store) CreateCamera(ctx context.Context, c hotspot.Camera) (*hotspot.Camera, error) {
	out, err := s.CreateCameras(ctx, []hotspot.Camera{c}, nil)
	if err != nil {
		return nil, err
	}
	return &out[0], nil
}

// CreateCameras stores cams in one transaction, all or none, with the
// pending audit entry of ctx, and returns them as stored. Each is validated
// (a ref, not repeated in cams, hotspot.Camera.Validate, a point inside an
// area); a field error of
// camera i is named prefix(i)+field ("cameras[2].bearing"), or field alone
// when prefix is nil. The one writer of cameras.
func (s *Store) CreateCameras(ctx context.Context, cams []hotspot.Camera, prefix func(i int) string) ([]hotspot.Camera, error) {
	name := func(i int, field string) string {
		if prefix == nil {
			return field
		}
		return prefix(i) + field
	}
	idx, err := s.Areas(ctx)
	if err != nil {
		return nil, err
	}
	areas := make([]*hotspot.AreaShape, len(cams))
	refs := make(map[string]bool, len(cams))
	for i, c := range cams {
		if c.Ref == "" {
			return nil, hotspot.Invalid(name(i, "ref"), "is empty")
		}
		if refs[c.Ref] {
			return nil, hotspot.Invalid(name(i, "ref"), "%q appears twice", c.Ref)
		}
		refs[c.Ref] = true
		if err := c.Validate(); err != nil {
			var ve *hotspot.ValidationError
			if errors.As(err, &ve) {
				return nil, &hotspot.ValidationError{Field: name(i, ve.Field), Reason: ve.Reason}
			}
			return nil, err
		}
		area, ok := idx.Locate(c.Point)
		if !ok {
			return nil, hotspot.Invalid(name(i, "lon"), "point (%g, %g) lies outside every area", c.Point.Lon, c.Point.Lat)
		}
		areas[i] = area
	}
	ids := make([]int64, len(cams))
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		for i, c := range cams {
			cells := geo.PointCells(c.Point)
			err := tx.QueryRow(ctx, sqlInsertCamera,
				c.Ref, c.Point.Lon, c.Point.Lat, c.Bearing, c.FOV, c.RangeM, string(c.Owner), string(c.Status), areas[i].ID,
				int64(cells[0]), int64(cells[1]), int64(cells[2]), int64(cells[3])).Scan(&ids[i])
			if pgCode(err) == "23505" {
				return &hotspot.ConflictError{Field: name(i, "ref"), Reason: fmt.Sprintf("a camera with ref %q already exists", c.Ref)}
			}
			if err != nil {
				return fmt.Errorf("create camera: %w", err)
			}
			AuditTouch(ctx, areas[i].Code, ids[i])
		}
		return nil
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

const sqlInsertCamera = `
INSERT INTO cameras (ref, geom, bearing, fov, range_m, owner, status, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
VALUES ($1, ST_SetSRID(ST_MakePoint($2, $3), 4326), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
RETURNING id`

// CellCount is the number of incidents in one H3 cell.
type CellCount struct {
	Cell  geo.Cell
	Count int64
}

// CellFilter selects incidents to count per cell.
type CellFilter struct {
	AreaCode string
	// AreaIDs, when not nil, are the areas asked by id instead of AreaCode
	// (the cells vector tiles: the ids of the caller's scope).
	AreaIDs  []int64
	Res      int // 7..10
	From, To time.Time
	Kind     hotspot.IncidentKind
}

// CellCounts counts incidents per H3 cell at resolution 7 to 10, over
// whole cells: a cell on an area's border counts the incidents of the areas
// asked (and in scope) only. Whole months of the window are read from the
// counts kept per cell and month (incident_cell_months, migration 00008);
// the part of a month at either end of the window, and any window with a
// kind, from the incidents, through the (area_id, occurred_at) index.
func (s *Store) CellCounts(ctx context.Context, f CellFilter) ([]CellCount, error) {
	if f.Res < geo.MinPointResolution || f.Res > geo.MaxPointResolution {
		return nil, hotspot.Invalid("res", "must be between %d and %d, got %d", geo.MinPointResolution, geo.MaxPointResolution, f.Res)
	}
	if f.Kind != "" {
		if err := hotspot.ValidateIncidentKind(f.Kind); err != nil {
			return nil, err
		}
	}
	ids, err := s.areaScope(ctx, f.AreaCode)
	if err != nil {
		return nil, err
	}
	if f.AreaIDs != nil {
		ids = f.AreaIDs
	}
	ids = s.narrowToScope(ctx, ids)
	if ids != nil && len(ids) == 0 {
		return []CellCount{}, nil
	}
	// The column is chosen from a fixed whitelist, never from input text.
	col := pgx.Identifier{fmt.Sprintf("h3_r%d", f.Res)}.Sanitize()
	var rows pgx.Rows
	if f.Kind != "" {
		rows, err = s.pool.Query(ctx, `
SELECT `+col+`, count(*) FROM incidents
WHERE ($1::bigint[] IS NULL OR area_id = ANY($1))
  AND ($2::timestamptz IS NULL OR occurred_at >= $2)
  AND ($3::timestamptz IS NULL OR occurred_at < $3)
  AND kind = $4
GROUP BY 1 ORDER BY 1`, customPlan, ids, nullTime(f.From), nullTime(f.To), string(f.Kind))
	} else {
		w := splitMonths(f.From, f.To)
		rows, err = s.pool.Query(ctx, `
SELECT cell, sum(n)::bigint FROM (
    SELECT cell, n::bigint AS n FROM incident_cell_months
    WHERE res = $1 AND ($2::bigint[] IS NULL OR area_id = ANY($2)) AND month >= $3 AND month < $4
    UNION ALL
    SELECT `+col+`, count(*) FROM incidents
    WHERE ($2::bigint[] IS NULL OR area_id = ANY($2)) AND occurred_at >= $5 AND occurred_at < $6 GROUP BY 1
    UNION ALL
    SELECT `+col+`, count(*) FROM incidents
    WHERE ($2::bigint[] IS NULL OR area_id = ANY($2)) AND occurred_at >= $7 AND occurred_at < $8 GROUP BY 1) x
GROUP BY 1 HAVING sum(n) > 0 ORDER BY 1`, customPlan, int16(f.Res), ids, w.first, w.end,
			w.headFrom, w.headTo, w.tailFrom, w.tailTo)
	}
	if err != nil {
		return nil, fmt.Errorf("cell counts: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (CellCount, error) {
		var c CellCount
		var cell int64
		err := r.Scan(&cell, &c.Count)
		c.Cell = geo.Cell(cell)
		return c, err
	})
}

// monthSplit cuts a window [from, to) into whole months [first, end) (as
// hotspot.Month integers, read from the kept counts) and a head and a tail
// shorter than a month, read from the incidents (empty ranges when none).
type monthSplit struct {
	first, end                         int32
	headFrom, headTo, tailFrom, tailTo time.Time
}

var (
	farPast   = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
)

// splitMonths splits [from, to); a zero from or to is unbounded.
func splitMonths(from, to time.Time) monthSplit {
	w := monthSplit{first: math.MinInt32, end: math.MaxInt32,
		headFrom: farPast, headTo: farPast, tailFrom: farPast, tailTo: farPast}
	if !from.IsZero() {
		m := hotspot.MonthAt(from)
		if !m.Start().Equal(from) {
			m++
		}
		w.first = int32(m)
		w.headFrom, w.headTo = from, m.Start()
	}
	if !to.IsZero() {
		m := hotspot.MonthAt(to)
		w.end = int32(m)
		w.tailFrom, w.tailTo = m.Start(), to
	}
	if w.first >= w.end { // within one month, or two partial ones: all from the incidents
		w.first, w.end = 0, 0
		w.headFrom, w.headTo = from, to
		if from.IsZero() {
			w.headFrom = farPast
		}
		if to.IsZero() {
			w.headTo = farFuture
		}
		w.tailFrom, w.tailTo = farPast, farPast
		return w
	}
	if !w.headTo.After(w.headFrom) {
		w.headFrom, w.headTo = farPast, farPast
	}
	if !w.tailTo.After(w.tailFrom) {
		w.tailFrom, w.tailTo = farPast, farPast
	}
	return w
}

// GetEvent returns one lifecycle event.
func (s *Store) GetEvent(ctx context.Context, id int64) (*hotspot.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, hotspot_id, event, occurred_at, recorded_at, note FROM hotspot_events WHERE id = $1`, id)
	return oneRow(rows, err, scanEvent)
}

// GetIncident returns one incident.
func (s *Store) GetIncident(ctx context.Context, id int64) (*hotspot.Incident, error) {
	rows, err := s.pool.Query(ctx, sqlIncidentColumns+` WHERE i.id = $1`, id)
	return oneRow(rows, err, scanIncident)
}

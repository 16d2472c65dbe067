package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/metrics"
)

// Geography chosen by a date (issue 13, rule 1): the metrics of an area for a
// period count the hotspots, events, incidents and tips inside the area's
// polygon as it stood on as_of, whatever unit they were recorded under; the
// period only chooses the time window.
//
// Records are registered to today's units (rule 4, reregister.go), so for an
// area whose version on as_of is still its current one, "inside its polygon"
// is "registered to it or to a current area below it": the indexed
// area_id = ANY(ids) reads of metricsload.go. Only a version that has since
// been retired or redrawn is read through its polygon, with one spatial join
// against the points' SP-GiST indexes (an indexed join, as the issue asks); a
// point on the border of two such versions counts once. Hamlets hold no
// records (points are registered above hamlet level), so they are always read
// through their polygon.

// AreaAsOf is an area's version in force on a date.
type AreaAsOf struct {
	hotspot.Area
	Type      hotspot.AreaType `json:"type,omitempty"`
	ValidTo   *time.Time       `json:"valid_to,omitempty"` // exclusive
	VersionID int64            `json:"-"`
	Current   bool             `json:"current"` // the area's current version (valid_to NULL)
	parentID  int64
}

// AreasAsOf is the tree of the areas in force on Date.
type AreasAsOf struct {
	Date     time.Time
	list     []*AreaAsOf
	byCode   map[string]*AreaAsOf
	children map[int64][]*AreaAsOf
}

// List returns the areas, parents first (by level, then code).
func (t *AreasAsOf) List() []*AreaAsOf { return t.list }

// ByCode returns the area with code in force on the date.
func (t *AreasAsOf) ByCode(code string) (*AreaAsOf, bool) {
	a, ok := t.byCode[code]
	return a, ok
}

// Children returns the areas whose parent on the date is a.
func (t *AreasAsOf) Children(a *AreaAsOf) []*AreaAsOf { return t.children[a.ID] }

// Below returns every area below a on the date, depth first.
func (t *AreasAsOf) Below(a *AreaAsOf) []*AreaAsOf {
	var out []*AreaAsOf
	stack := slices.Clone(t.children[a.ID])
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, x)
		stack = append(stack, t.children[x.ID]...)
	}
	return out
}

const sqlAreasAsOf = `
SELECT a.id, v.id, a.code, v.name, a.level, coalesce(v.type, ''), coalesce(v.parent_id, 0), coalesce(p.code, ''),
       v.valid_from, v.valid_to
FROM area_versions v
JOIN areas a ON a.id = v.area_id
LEFT JOIN areas p ON p.id = v.parent_id
WHERE daterange(v.valid_from, v.valid_to) @> $1::date
ORDER BY array_position(ARRAY['province','district','commune','hamlet'], a.level), a.code`

// AreasAsOf returns the areas in force on date (a calendar date; its time
// of day is ignored).
func (s *Store) AreasAsOf(ctx context.Context, date time.Time) (*AreasAsOf, error) {
	return areasAsOf(ctx, s.pool, date)
}

func areasAsOf(ctx context.Context, q querier, date time.Time) (*AreasAsOf, error) {
	d := DateOf(date)
	rows, err := q.Query(ctx, sqlAreasAsOf, d)
	if err != nil {
		return nil, fmt.Errorf("areas as of %s: %w", d.Format(time.DateOnly), err)
	}
	t := &AreasAsOf{Date: d, byCode: map[string]*AreaAsOf{}, children: map[int64][]*AreaAsOf{}}
	var typ string
	a := &AreaAsOf{}
	_, err = pgx.ForEachRow(rows, []any{&a.ID, &a.VersionID, &a.Code, &a.Name, &a.Level, &typ, &a.parentID, &a.ParentCode, &a.ValidFrom, &a.ValidTo}, func() error {
		x := *a
		x.Type = hotspot.AreaType(typ)
		x.Current = x.ValidTo == nil
		t.list = append(t.list, &x)
		t.byCode[x.Code] = &x
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("areas as of %s: %w", d.Format(time.DateOnly), err)
	}
	for _, x := range t.list {
		if x.parentID != 0 {
			t.children[x.parentID] = append(t.children[x.parentID], x)
		}
	}
	return t, nil
}

// DateOf is the calendar date of t (in Asia/Ho_Chi_Minh for an instant with
// a zone other than UTC), at midnight UTC, as the date columns hold it.
func DateOf(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now().In(hotspot.Zone)
	}
	if t.Location() != time.UTC {
		t = t.In(hotspot.Zone)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// dayStart is the first instant of a calendar date in Asia/Ho_Chi_Minh.
func dayStart(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, hotspot.Zone)
}

// IndicatorNote says why an indicator of an area has no value for a period
// (null, never zero), or how it was apportioned.
type IndicatorNote struct {
	Key    string `json:"key,omitempty"`
	Period string `json:"period"`
	Reason string `json:"reason"`
}

// MetricsAsOf is what MetricsInputAsOf loads.
type MetricsAsOf struct {
	Input metrics.AreaInput
	Area  *AreaAsOf
	// Notes explain the indicators that are null for the period asked (no
	// lineage leads there, or a unit of it reported nothing) and those
	// apportioned through the crosswalk.
	Notes []IndicatorNote
}

// metricsGroups says where the rows of each input come from.
type metricsGroups struct {
	codes    []string
	targets  []*AreaAsOf
	ids      []int64 // areas read by id (current versions): rows registered to them
	idGroup  map[int64]int
	vers     []int64       // versions read through their polygon (hamlets)
	members  []int64       // retired versions, read through their kept members (version_*)
	verGroup map[int64]int // group of a version of vers or members
	// Tips without a point are known by the unit they were recorded under:
	// a group read through polygons takes those of its own version and of
	// the versions below it on the date (sqlTipsAreaOnly).
	areaOnly      []int64
	areaOnlyGroup map[int64]int
	kids          map[string][]*hotspot.AreaShape // today's children by parent code
}

func (g *metricsGroups) add(target *AreaAsOf) int {
	g.codes = append(g.codes, target.Code)
	g.targets = append(g.targets, target)
	return len(g.codes) - 1
}

// addArea puts the rows of area a (as it stood) into group i: by id when a
// is current (with the current areas below it, from idx), else through its
// polygon.
func (g *metricsGroups) addArea(i int, a *AreaAsOf, idx *hotspot.AreaIndex, tree *AreasAsOf) {
	if a.Current && a.Level != hotspot.LevelHamlet {
		if g.kids == nil { // today's tree, built once (idx.Descendants walks every area per call)
			g.kids = map[string][]*hotspot.AreaShape{}
			for _, s := range idx.Shapes() {
				g.kids[s.ParentCode] = append(g.kids[s.ParentCode], s)
			}
		}
		root, ok := idx.ByCode(a.Code)
		if !ok {
			return
		}
		stack := []*hotspot.AreaShape{root}
		for len(stack) > 0 {
			s := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if _, dup := g.idGroup[s.ID]; !dup {
				g.ids = append(g.ids, s.ID)
				g.idGroup[s.ID] = i
			}
			stack = append(stack, g.kids[s.Code]...)
		}
		return
	}
	if a.Current {
		g.vers = append(g.vers, a.VersionID)
	} else {
		g.members = append(g.members, a.VersionID)
	}
	g.verGroup[a.VersionID] = i
	for _, x := range append([]*AreaAsOf{a}, tree.Below(a)...) {
		if _, dup := g.areaOnlyGroup[x.VersionID]; !dup {
			g.areaOnly = append(g.areaOnly, x.VersionID)
			g.areaOnlyGroup[x.VersionID] = i
		}
	}
}

func newMetricsGroups() *metricsGroups {
	return &metricsGroups{idGroup: map[int64]int{}, verGroup: map[int64]int{}, areaOnlyGroup: map[int64]int{}}
}

// MetricsInputAsOf loads the inputs of the area with code, on the geography
// of asOf (zero: today), for the periods ps: every hotspot, event, incident
// and tip inside the area's polygon as it stood on asOf, and its indicators
// (its own while it existed, apportioned through the crosswalk for the
// periods it did not). An area above commune level counts everything below
// it as one area, with its own indicators. A code not in force on asOf is a
// *ValidationError on "area".
func (s *Store) MetricsInputAsOf(ctx context.Context, code string, asOf time.Time, cfg metrics.Config, ps ...hotspot.Period) (*MetricsAsOf, error) {
	if len(ps) == 0 {
		return nil, hotspot.Invalid("period", "no period")
	}
	tree, idx, err := s.geographies(ctx, asOf)
	if err != nil {
		return nil, err
	}
	a, ok := tree.ByCode(code)
	if !ok {
		return nil, unknownAsOf("area", code, tree)
	}
	since, end := inputWindow(ps, cfg)
	g := newMetricsGroups()
	i := g.add(a)
	g.addArea(i, a, idx, tree)
	ins, notes, err := loadMetricsAsOf(ctx, s.pool, g, since, end, ps)
	if err != nil {
		return nil, err
	}
	in := ins[0]
	if hotspot.LevelRank(a.Level) < hotspot.LevelRank(hotspot.LevelCommune) {
		// A district's or province's indicators roll up over its children as
		// they stood on asOf, each with its lineage (metricsload.go does the
		// same over today's children).
		if in.Children, err = childIndicatorsAsOf(ctx, s.pool, tree, a, end, ps); err != nil {
			return nil, err
		}
		in.Indicators = metrics.RollUpIndicators(in.Indicators, in.Children)
	}
	return &MetricsAsOf{Input: in, Area: a, Notes: notes[0]}, nil
}

// childIndicatorsAsOf returns the indicators of root's children on the
// tree's date (districts rolled up from their communes), sorted by code.
func childIndicatorsAsOf(ctx context.Context, q querier, tree *AreasAsOf, root *AreaAsOf, end time.Time, ps []hotspot.Period) ([]metrics.ChildIndicators, error) {
	var kids []*AreaAsOf
	for _, x := range tree.Below(root) {
		if x.Level != hotspot.LevelHamlet {
			kids = append(kids, x)
		}
	}
	if len(kids) == 0 {
		return nil, nil
	}
	tmp := make([]metrics.AreaInput, len(kids))
	if _, err := loadIndicatorsAsOf(ctx, q, tmp, kids, end, ps); err != nil {
		return nil, err
	}
	own := make(map[int64][]metrics.IndicatorValue, len(kids))
	for i, k := range kids {
		own[k.ID] = tmp[i].Indicators
	}
	var children func(x *AreaAsOf) []metrics.ChildIndicators
	children = func(x *AreaAsOf) []metrics.ChildIndicators {
		if hotspot.LevelRank(x.Level) >= hotspot.LevelRank(hotspot.LevelCommune) {
			return nil
		}
		var out []metrics.ChildIndicators
		for _, k := range tree.Children(x) {
			if k.Level != hotspot.LevelHamlet {
				out = append(out, metrics.ChildIndicators{Code: k.Code, Indicators: metrics.RollUpIndicators(own[k.ID], children(k))})
			}
		}
		slices.SortFunc(out, func(a, b metrics.ChildIndicators) int { return cmp.Compare(a.Code, b.Code) })
		return out
	}
	return children(root), nil
}

// ChildMetricsInputsAsOf loads one input per commune below the parent area on
// the geography of asOf (a province today holds its communes directly; a
// district exists only before 1 July 2025), sorted by code, for period p,
// with the notes on each commune's indicators.
func (s *Store) ChildMetricsInputsAsOf(ctx context.Context, parent string, asOf time.Time, p hotspot.Period, cfg metrics.Config) ([]metrics.AreaInput, [][]IndicatorNote, error) {
	tree, idx, err := s.geographies(ctx, asOf)
	if err != nil {
		return nil, nil, err
	}
	root, ok := tree.ByCode(parent)
	if !ok {
		return nil, nil, unknownAsOf("parent", parent, tree)
	}
	if hotspot.LevelRank(root.Level) >= hotspot.LevelRank(hotspot.LevelCommune) {
		return nil, nil, hotspot.Invalid("parent", "%q is a %s; want a district or a province", parent, root.Level)
	}
	var communes []*AreaAsOf
	for _, x := range tree.Below(root) {
		if x.Level == hotspot.LevelCommune {
			communes = append(communes, x)
		}
	}
	slices.SortFunc(communes, func(a, b *AreaAsOf) int { return cmp.Compare(a.Code, b.Code) })
	g := newMetricsGroups()
	for _, c := range communes {
		g.addArea(g.add(c), c, idx, tree)
	}
	since, end := metrics.InputWindow(p, cfg)
	return loadMetricsAsOf(ctx, s.pool, g, since, end, []hotspot.Period{p})
}

func unknownAsOf(field, code string, tree *AreasAsOf) error {
	return hotspot.Invalid(field, "no area %q in force on %s (as_of)", code, tree.Date.Format(time.DateOnly))
}

// geographies returns the tree of asOf and the index of current areas.
func (s *Store) geographies(ctx context.Context, asOf time.Time) (*AreasAsOf, *hotspot.AreaIndex, error) {
	idx, err := s.Areas(ctx)
	if err != nil {
		return nil, nil, err
	}
	tree, err := s.AreasAsOf(ctx, asOf)
	return tree, idx, err
}

func inputWindow(ps []hotspot.Period, cfg metrics.Config) (since, end time.Time) {
	since, end = metrics.InputWindow(ps[0], cfg)
	for _, p := range ps[1:] {
		si, e := metrics.InputWindow(p, cfg)
		if si.Before(since) {
			since = si
		}
		if e.After(end) {
			end = e
		}
	}
	return since, end
}

// loadMetricsAsOf loads the groups' inputs: rows by id and through polygons,
// then the indicators with their lineage.
func loadMetricsAsOf(ctx context.Context, q querier, g *metricsGroups, since, end time.Time, ps []hotspot.Period) ([]metrics.AreaInput, [][]IndicatorNote, error) {
	ins := make([]metrics.AreaInput, len(g.codes))
	if len(g.ids) > 0 {
		var err error
		ins, err = loadMetricsInputs(ctx, q, g.codes, g.ids, nil, g.idGroup, since, end)
		if err != nil {
			return nil, nil, err
		}
	}
	for i, c := range g.codes {
		ins[i].Code = c
	}
	var notes [][]IndicatorNote
	var errs [8]error
	// The loads run at once on the pool's connections, but two loads never
	// append to the same field of ins at once: those of one field (the
	// tips of the polygons, of the kept members and of area-only records;
	// the incidents; the hotspots' events) run one after another in one
	// chain. (They ran all at once before, and appends to the same slice
	// were lost: the tips of a retired unit came out short now and then.)
	var indicators, incidents, events, tips []func()
	indicators = append(indicators, func() { notes, errs[0] = loadIndicatorsAsOf(ctx, q, ins, g.targets, end, ps) })
	// Under a scope narrower than everything, version_incident_months is
	// not readable (00009): its incidents are read through the polygons.
	sc := scopeOf(ctx)
	kept := sc.all || sc.ids == ""
	polygons := g.vers
	if len(g.members) > 0 {
		m0, m1 := hotspot.MonthAt(since), hotspot.MonthAt(end)
		if kept && m0.Start().Equal(since) && m1.Start().Equal(end) {
			incidents = append(incidents, func() { errs[4] = loadIncidentsKept(ctx, q, ins, g.members, g.verGroup, int32(m0), int32(m1)) })
		} else {
			incidents = append(incidents, func() { errs[4] = loadIncidentsByPolygon(ctx, q, ins, g.members, g.verGroup, since, end) })
		}
		events = append(events, func() { errs[5] = loadEventsSQL(ctx, q, sqlEventsByMembers, ins, g.members, g.verGroup, end) })
		tips = append(tips, func() { errs[6] = loadTipsSQL(ctx, q, sqlTipsByMembers, ins, g.members, g.verGroup, since, end) })
	}
	if len(polygons) > 0 {
		events = append(events, func() { errs[1] = loadEventsSQL(ctx, q, sqlEventsByPolygon, ins, polygons, g.verGroup, end) })
		incidents = append(incidents, func() { errs[2] = loadIncidentsByPolygon(ctx, q, ins, polygons, g.verGroup, since, end) })
		tips = append(tips, func() { errs[3] = loadTipsSQL(ctx, q, sqlTipsByPolygon, ins, polygons, g.verGroup, since, end) })
	}
	if len(g.areaOnly) > 0 {
		tips = append(tips, func() { errs[7] = loadTipsSQL(ctx, q, sqlTipsAreaOnly, ins, g.areaOnly, g.areaOnlyGroup, since, end) })
	}
	chains := [][]func(){indicators, incidents, events, tips}
	run := func(chain []func()) {
		for _, f := range chain {
			f()
		}
	}
	if _, pooled := q.(*pgxpool.Pool); pooled {
		var wg sync.WaitGroup
		for _, chain := range chains {
			wg.Go(func() { run(chain) })
		}
		wg.Wait()
	} else {
		for _, chain := range chains {
			run(chain)
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	if len(g.vers) > 0 || len(g.members) > 0 {
		for i := range ins {
			hs := ins[i].Hotspots
			slices.SortFunc(hs, func(a, b metrics.Hotspot) int { return cmp.Compare(a.ID, b.ID) })
			ins[i].Hotspots = slices.CompactFunc(hs, func(a, b metrics.Hotspot) bool { return a.ID == b.ID })
			mergeIncidentCounts(&ins[i])
		}
	}
	return ins, notes, nil
}

// mergeIncidentCounts adds up the counts of one month and kind that came
// from both reads (tips' rows add up as they are).
func mergeIncidentCounts(in *metrics.AreaInput) {
	slices.SortFunc(in.Incidents, func(a, b metrics.IncidentCount) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.Kind, b.Kind))
	})
	out := in.Incidents[:0]
	for _, c := range in.Incidents {
		if n := len(out); n > 0 && out[n-1].Month == c.Month && out[n-1].Kind == c.Kind {
			out[n-1].N += c.N
			continue
		}
		out = append(out, c)
	}
	in.Incidents = out
}

// sqlEventsByPolygon: the timelines of the hotspots inside the versions $1,
// packed (decodeTimeline). A hotspot on the border of two comes once per
// version; Go keeps the first version by id.
const sqlEventsByPolygon = `
SELECT v.id, t.hotspot_id, t.packed
FROM area_versions v
JOIN hotspots h ON ST_Covers(v.geom, h.geom)
JOIN hotspot_timelines t ON t.hotspot_id = h.id
WHERE v.id = ANY($1::bigint[])`

// sqlEventsByMembers: the timelines of the hotspots kept as lying inside the
// retired versions $1: two equi-joins, as the indexed path's sqlMetricsEvents
// (the timelines' policy is the hotspots', so hotspots need not be joined).
const sqlEventsByMembers = `
SELECT vh.version_id, t.hotspot_id, t.packed
FROM version_hotspots vh
JOIN hotspot_timelines t ON t.hotspot_id = vh.hotspot_id
WHERE vh.version_id = ANY($1::bigint[])`

// loadEventsSQL reads the timelines query (version, hotspot, packed
// timeline) into the groups of the versions; a hotspot in two versions (on
// their border) counts in the one of lower id. Like loadEvents, a large set
// of versions is read in eventShards parts on as many connections, each
// decoding into its own arena.
func loadEventsSQL(ctx context.Context, q querier, query string, ins []metrics.AreaInput, vers []int64, group map[int64]int, end time.Time) error {
	shards := 1
	if _, pooled := q.(*pgxpool.Pool); pooled && len(vers) >= eventShardMinAreas {
		shards = eventShards
	}
	parts := make([][]versionTimeline, shards)
	errs := make([]error, shards)
	var wg sync.WaitGroup
	for i := range shards {
		part := vers[i*len(vers)/shards : (i+1)*len(vers)/shards]
		wg.Go(func() { parts[i], errs[i] = loadVersionTimelines(ctx, q, query, part, end) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// A hotspot is usually in one version: keep the lowest version of each.
	var all []versionTimeline
	if shards == 1 {
		all = parts[0]
	} else {
		all = slices.Concat(parts...)
	}
	slices.SortFunc(all, func(a, b versionTimeline) int {
		return cmp.Or(cmp.Compare(a.h.ID, b.h.ID), cmp.Compare(a.ver, b.ver))
	})
	for k, f := range all {
		if k > 0 && all[k-1].h.ID == f.h.ID {
			continue
		}
		if len(f.h.Events) > 0 { // else detected after the period: no number changes
			in := &ins[group[f.ver]]
			in.Hotspots = append(in.Hotspots, f.h)
		}
	}
	return nil
}

// versionTimeline is a hotspot's timeline up to the period's end, found in a
// version.
type versionTimeline struct {
	ver int64
	h   metrics.Hotspot
}

func loadVersionTimelines(ctx context.Context, q querier, query string, vers []int64, end time.Time) ([]versionTimeline, error) {
	rows, err := q.Query(ctx, query, customPlan, vers)
	if err != nil {
		return nil, fmt.Errorf("metrics events as of: %w", err)
	}
	defer rows.Close()
	var (
		out              []versionTimeline
		verID, hotspotID int64
		packed           []byte
		arena            []metrics.Event
	)
	for rows.Next() {
		if err := rows.Scan(&verID, &hotspotID, &packed); err != nil {
			return nil, fmt.Errorf("metrics events as of: %w", err)
		}
		n := len(packed) / timelineEventSize
		if cap(arena)-len(arena) < n {
			arena = make([]metrics.Event, 0, max(n, 1<<16))
		}
		start := len(arena)
		if arena, err = decodeTimeline(arena, packed, end); err != nil {
			return nil, fmt.Errorf("metrics events as of: hotspot %d: %w", hotspotID, err)
		}
		out = append(out, versionTimeline{ver: verID, h: metrics.Hotspot{ID: hotspotID, Events: arena[start:len(arena):len(arena)]}})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("metrics events as of: %w", err)
	}
	return out, nil
}

// sqlIncidentsByPolygon counts the incidents inside the versions $1 in
// [$2, $3) by version, month and kind, each incident once (the version of
// lowest id where two share a border).
const sqlIncidentsByPolygon = `
SELECT vid, month, kind, count(*)::int4
FROM (SELECT DISTINCT ON (i.id) v.id AS vid, diaban_month(i.occurred_at) AS month, i.kind
      FROM area_versions v
      JOIN incidents i ON ST_Covers(v.geom, i.geom)
      WHERE v.id = ANY($1::bigint[]) AND i.occurred_at >= $2 AND i.occurred_at < $3
      ORDER BY i.id, v.id) x
GROUP BY 1, 2, 3`

func loadIncidentsByPolygon(ctx context.Context, q querier, ins []metrics.AreaInput, vers []int64, group map[int64]int, since, end time.Time) error {
	return addIncidentCounts(ctx, q, ins, group, sqlIncidentsByPolygon, vers, since, end)
}

// sqlTipsByPolygon returns the tips inside the versions $1 received or
// handled in [$2, $3), each once (tips without a point: sqlTipsAreaOnly).
const sqlTipsByPolygon = `
(SELECT DISTINCT ON (t.id) v.id, t.received_at, t.handled_at
 FROM area_versions v
 JOIN tips t ON ST_Covers(v.geom, t.geom)
 WHERE v.id = ANY($1::bigint[]) AND t.geom IS NOT NULL
   AND ((t.received_at >= $2 AND t.received_at < $3) OR (t.handled_at >= $2 AND t.handled_at < $3))
 ORDER BY t.id, v.id)`

// sqlTipsAreaOnly: the tips without a point recorded under the version's
// area while the version was in force: recorded_area_id when a reform
// carried them to today's unit (migration 00012), else area_id. Two
// equi-joins, not one join on an OR (which no index or hash serves).
const sqlTipsAreaOnly = `
SELECT v.id, t.received_at, t.handled_at
FROM area_versions v
JOIN tips t ON t.recorded_area_id = v.area_id
WHERE v.id = ANY($1::bigint[]) AND t.geom IS NULL` + sqlTipsAreaOnlyWhen + `
UNION ALL
SELECT v.id, t.received_at, t.handled_at
FROM area_versions v
JOIN tips t ON t.area_id = v.area_id AND t.recorded_area_id IS NULL
WHERE v.id = ANY($1::bigint[]) AND t.geom IS NULL` + sqlTipsAreaOnlyWhen

const sqlTipsAreaOnlyWhen = `
  AND t.received_at >= (v.valid_from::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
  AND (v.valid_to IS NULL OR t.received_at < (v.valid_to::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'))
  AND ((t.received_at >= $2 AND t.received_at < $3) OR (t.handled_at >= $2 AND t.handled_at < $3))`

// sqlTipsByMembers is sqlTipsByPolygon for retired versions, through the
// tips kept as lying inside them.
const sqlTipsByMembers = `
SELECT vt.version_id, t.received_at, t.handled_at
FROM version_tips vt
JOIN tips t ON t.id = vt.tip_id
WHERE vt.version_id = ANY($1::bigint[])
  AND ((t.received_at >= $2 AND t.received_at < $3) OR (t.handled_at >= $2 AND t.handled_at < $3))`

// sqlIncidentsKept counts the incidents of the retired versions $1 in the
// months [$2, $3) from version_incident_months: one row per key (the
// table's primary key), so nothing to add up; a count a delete left at zero
// is skipped.
const sqlIncidentsKept = `
SELECT version_id, month, kind, n FROM version_incident_months
WHERE version_id = ANY($1::bigint[]) AND month >= $2 AND month < $3 AND n > 0`

func loadIncidentsKept(ctx context.Context, q querier, ins []metrics.AreaInput, vers []int64, group map[int64]int, m0, m1 int32) error {
	return addIncidentCounts(ctx, q, ins, group, sqlIncidentsKept, vers, m0, m1)
}

// addIncidentCounts runs a query answering (version id, month, kind, count)
// and adds each row to the input of the version's group.
func addIncidentCounts(ctx context.Context, q querier, ins []metrics.AreaInput, group map[int64]int, sql string, args ...any) error {
	rows, err := q.Query(ctx, sql, append([]any{customPlan}, args...)...)
	if err != nil {
		return fmt.Errorf("metrics incidents as of: %w", err)
	}
	var (
		verID    int64
		month, n int32
		kind     string
	)
	_, err = pgx.ForEachRow(rows, []any{&verID, &month, &kind, &n}, func() error {
		in := &ins[group[verID]]
		in.Incidents = append(in.Incidents, metrics.IncidentCount{Month: hotspot.Month(month), Kind: hotspot.IncidentKind(kind), N: int(n)})
		return nil
	})
	if err != nil {
		return fmt.Errorf("metrics incidents as of: %w", err)
	}
	return nil
}

// sqlTipsGrouped counts the rows of a tips query (version, received,
// handled) by version, month received and month handled before $3 (0: not
// handled before $3), as sqlMetricsTips counts them per area: a few rows per
// version and month instead of one per tip.
const sqlTipsGrouped = `
SELECT vid, diaban_month(received_at), coalesce(diaban_month(CASE WHEN handled_at < $3 THEN handled_at END), 0),
       count(*)::int4, count(CASE WHEN handled_at < $3 THEN 1 END)::int4
FROM (%s) x (vid, received_at, handled_at)
GROUP BY 1, 2, 3`

// loadTipsSQL reads the tips query (version, received, handled) into the
// groups of the versions, counted by month (sqlTipsGrouped).
func loadTipsSQL(ctx context.Context, q querier, query string, ins []metrics.AreaInput, vers []int64, group map[int64]int, since, end time.Time) error {
	rows, err := q.Query(ctx, fmt.Sprintf(sqlTipsGrouped, query), customPlan, vers, since, end)
	if err != nil {
		return fmt.Errorf("metrics tips as of: %w", err)
	}
	var (
		verID                               int64
		month, handledIn, received, handled int32
	)
	_, err = pgx.ForEachRow(rows, []any{&verID, &month, &handledIn, &received, &handled}, func() error {
		in := &ins[group[verID]]
		in.Tips = append(in.Tips, metrics.TipCount{Month: hotspot.Month(month), HandledIn: hotspot.Month(handledIn), Received: int(received), Handled: int(handled)})
		return nil
	})
	if err != nil {
		return fmt.Errorf("metrics tips as of: %w", err)
	}
	return nil
}

package store

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/metrics"
)

// The metrics loader reads what package metrics computes from: every
// lifecycle event of the hotspots of a set of areas up to a period's end,
// incident and tip counts by month (Asia/Ho_Chi_Minh) and the area
// indicators. Each table is read with one fixed, set-based query for the
// whole set of areas, so a province of 10,000 communes costs four round trips,
// not 40,000. An area's history survives a boundary change because every row
// references the stable areas.id, never an area version.

// sqlMetricsEvents returns the timelines of the hotspots of the areas $1:
// per hotspot its state-changing events sorted by (occurred_at, id), kept by
// a trigger in hotspot_timelines (migrations 00004 and 00011) and read as
// one bytea a hotspot (decodeTimeline), by the hotspot's area kept on the
// timeline (00014: no join to hotspots, and under the policies a check of
// the row's own area_id). Notes change no status and the store
// refuses a note before a detection, so they are not in the timelines. One
// row per hotspot: a province-year reads 100,000 rows instead of millions
// (BENCHMARKS.md).
const sqlMetricsEvents = `
SELECT t.area_id, t.hotspot_id, t.packed
FROM hotspot_timelines t
WHERE t.area_id = ANY($1::bigint[])`

// sqlMetricsIncidents counts the incidents of the areas $1 in [$2, $3) by
// area, month and kind. The month is cut in Asia/Ho_Chi_Minh,
// date_trunc('month', occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh'), and sent
// as the integer metrics.Month counts by (year×12 + month − 1).
const sqlMetricsIncidents = `
SELECT area_id, (extract(year FROM m) * 12 + extract(month FROM m) - 1)::int4, kind, count(*)::int4
FROM (SELECT area_id, kind, date_trunc('month', occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh') AS m
      FROM incidents
      WHERE area_id = ANY($1::bigint[]) AND occurred_at >= $2 AND occurred_at < $3) i
GROUP BY area_id, m, kind`

// sqlMetricsTips counts the tips of the areas $1 received or handled in
// [$2, $3) by area, month received and month handled (Asia/Ho_Chi_Minh;
// null: not handled before $3): metrics.TipCount's pairs. A tip received
// before $2 and handled in the window is a row too (the handling of older
// tips, reported apart from the period's handled share).
const sqlMetricsTips = `
SELECT area_id, (extract(year FROM rm) * 12 + extract(month FROM rm) - 1)::int4,
       coalesce((extract(year FROM hm) * 12 + extract(month FROM hm) - 1)::int4, 0),
       count(*)::int4, count(hm)::int4
FROM (SELECT area_id, date_trunc('month', received_at AT TIME ZONE 'Asia/Ho_Chi_Minh') AS rm,
             CASE WHEN handled_at < $3 THEN date_trunc('month', handled_at AT TIME ZONE 'Asia/Ho_Chi_Minh') END AS hm
      FROM tips
      WHERE area_id = ANY($1::bigint[])
        AND ((received_at >= $2 AND received_at < $3) OR (handled_at >= $2 AND handled_at < $3))) t
GROUP BY area_id, rm, hm`

// sqlMetricsIndicators returns the indicators of the areas $1. Periods are
// text (2025, 2025-Q3, 2025-07); those starting at or after the end asked
// for are dropped in Go after parsing.
const sqlMetricsIndicators = `
SELECT area_id, period, key, value::float8
FROM area_indicators
WHERE area_id = ANY($1::bigint[])`

// customPlan runs the metrics queries as unnamed statements (with their
// descriptions cached), so PostgreSQL plans each execution for its actual
// area list. A named prepared statement switches to a generic plan after five
// runs, which cannot know whether $1 holds one commune or 10,000 and picks
// 100,000 index probes where a hash join over one scan is 3× faster.
const customPlan = pgx.QueryExecModeCacheDescribe

// eventKindCodes decodes the kind codes of a packed timeline.
var eventKindCodes = [...]hotspot.EventKind{
	1: hotspot.EventDetected, 2: hotspot.EventEliminated, 3: hotspot.EventRecurred, 4: hotspot.EventNote,
}

// timelineEventSize is the bytes of one event in hotspot_timelines.packed:
// int8 (microseconds since 1970-01-01 UTC × 4 + kind code 1–3), then int8
// (the event's id), both big-endian (migration 00011).
const timelineEventSize = 16

// decodeTimeline appends to dst the events of a packed timeline that
// occurred before end (the timeline is sorted, so it stops at the first
// that did not).
func decodeTimeline(dst []metrics.Event, packed []byte, end time.Time) ([]metrics.Event, error) {
	if len(packed)%timelineEventSize != 0 {
		return dst, fmt.Errorf("packed timeline of %d bytes is not a whole number of events", len(packed))
	}
	endUS := end.UnixMicro()
	for i := 0; i < len(packed); i += timelineEventSize {
		v := int64(binary.BigEndian.Uint64(packed[i:]))
		us := v >> 2 // arithmetic: floors, so times before 1970 decode too
		if us >= endUS {
			break
		}
		k := hotspot.EventNote
		if c := v & 3; c > 0 {
			k = eventKindCodes[c]
		}
		dst = append(dst, metrics.Event{Kind: k, OccurredAt: time.UnixMicro(us), Seq: int64(binary.BigEndian.Uint64(packed[i+8:]))})
	}
	return dst, nil
}

// MetricsInput loads the inputs of the area with code for the periods ps
// (at least one): one load covers every period asked, so the live feed
// recomputes a month and its year from one round trip per table. For a
// parent area (district, province) the input covers every area below it, as
// if it were one area: its hotspots, incidents and tips together, and its
// indicators rolled up over its children (metrics.RollUpIndicators: the sum
// of the children's latest values, missing while a child lacks one, with
// Children kept for the note naming it). The area is returned too; an
// unknown code is a *ValidationError on "area".
func (s *Store) MetricsInput(ctx context.Context, code string, cfg metrics.Config, ps ...hotspot.Period) (metrics.AreaInput, *hotspot.AreaShape, error) {
	idx, err := s.Areas(ctx)
	if err != nil {
		return metrics.AreaInput{}, nil, err
	}
	shape, ok := idx.ByCode(code)
	if !ok {
		return metrics.AreaInput{}, nil, hotspot.Invalid("area", "unknown area %q", code)
	}
	if len(ps) == 0 {
		return metrics.AreaInput{}, nil, hotspot.Invalid("period", "no period")
	}
	ids, _ := idx.Descendants(code)
	group := make(map[int64]int, len(ids))
	for _, id := range ids {
		group[id] = 0
	}
	since, end := metrics.InputWindow(ps[0], cfg)
	for _, p := range ps[1:] {
		si, e := metrics.InputWindow(p, cfg)
		if si.Before(since) {
			since = si
		}
		if e.After(end) {
			end = e
		}
	}
	ins, err := loadMetricsInputs(ctx, s.pool, []string{code}, ids, []int64{shape.ID}, group, since, end)
	if err != nil {
		return metrics.AreaInput{}, nil, err
	}
	// A district's or province's indicators are its children's summed
	// (Children, for the notes on a missing one), its own where no child
	// reports a key; Indicators holds the result for callers that read it.
	in := ins[0]
	if in.Children, err = childIndicators(ctx, s.pool, idx, shape, end); err != nil {
		return metrics.AreaInput{}, nil, err
	}
	in.Indicators = metrics.RollUpIndicators(in.Indicators, in.Children)
	return in, shape, nil
}

// ChildMetricsInputs loads one input per commune below the parent area with
// code (every commune of a district, of a province through its districts),
// sorted by code, for period p. A commune's hamlets count in the commune. The
// parent must be above commune level; an unknown or commune code is a
// *ValidationError on "parent".
func (s *Store) ChildMetricsInputs(ctx context.Context, parent string, p hotspot.Period, cfg metrics.Config) ([]metrics.AreaInput, error) {
	idx, err := s.Areas(ctx)
	if err != nil {
		return nil, err
	}
	root, ok := idx.ByCode(parent)
	if !ok {
		return nil, hotspot.Invalid("parent", "unknown area %q", parent)
	}
	if hotspot.LevelRank(root.Level) >= hotspot.LevelRank(hotspot.LevelCommune) {
		return nil, hotspot.Invalid("parent", "%q is a %s; want a district or a province", parent, root.Level)
	}
	codes, ids, group := childGroups(idx, parent)
	since, end := metrics.InputWindow(p, cfg)
	// Indicators are each commune's own: ids lists the communes first.
	return loadMetricsInputs(ctx, s.pool, codes, ids, ids[:len(codes)], group, since, end)
}

// childGroups returns the communes below parent sorted by code, the ids of
// every area whose rows count (the communes and their hamlets) and which
// commune each id counts in.
func childGroups(idx *hotspot.AreaIndex, parent string) (codes []string, ids []int64, group map[int64]int) {
	var communes []*hotspot.AreaShape
	for _, s := range idx.Shapes() {
		if s.Level == hotspot.LevelCommune && s.Code != parent && slices.Contains(idx.Ancestors(s.ParentCode), parent) {
			communes = append(communes, s)
		}
	}
	slices.SortFunc(communes, func(a, b *hotspot.AreaShape) int { return cmp.Compare(a.Code, b.Code) })
	group = make(map[int64]int, len(communes))
	byCode := make(map[string]int, len(communes))
	for i, c := range communes {
		codes = append(codes, c.Code)
		group[c.ID] = i
		byCode[c.Code] = i
		ids = append(ids, c.ID)
	}
	for _, s := range idx.Shapes() {
		if s.Level == hotspot.LevelHamlet {
			if i, ok := byCode[s.ParentCode]; ok {
				group[s.ID] = i
				ids = append(ids, s.ID)
			}
		}
	}
	return codes, ids, group
}

// loadMetricsInputs runs the four queries concurrently (each on its own
// connection) and sorts their rows into one input per code: events,
// incidents and tips of the areas ids, indicators of the areas indIDs; group
// maps an area id to its index in codes.
func loadMetricsInputs(ctx context.Context, q querier, codes []string, ids, indIDs []int64, group map[int64]int, since, end time.Time) ([]metrics.AreaInput, error) {
	ins := make([]metrics.AreaInput, len(codes))
	for i, c := range codes {
		ins[i].Code = c
	}
	var errs [4]error
	loads := [4]func(){
		func() { errs[0] = loadEvents(ctx, q, ins, ids, group, end) },
		func() { errs[1] = loadIncidents(ctx, q, ins, ids, group, since, end) },
		func() { errs[2] = loadTips(ctx, q, ins, ids, group, since, end) },
		func() { errs[3] = loadIndicators(ctx, q, ins, indIDs, group, end) },
	}
	if _, pooled := q.(*pgxpool.Pool); pooled {
		var wg sync.WaitGroup
		for _, f := range loads {
			wg.Go(f)
		}
		wg.Wait()
	} else { // one connection (a transaction) runs one query at a time
		for _, f := range loads {
			f()
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return ins, nil
}

// eventShards is how many connections read the events of a large set of
// areas at once; a few areas are read in one.
const (
	eventShards        = 2
	eventShardMinAreas = 256
)

// loadEvents reads the events of the areas ids into ins, one hotspot with
// its events sorted per entry. When q is a pool and the set is large, the
// areas are split into eventShards parts read on as many connections (a
// hotspot is in one area, so in one part). Splitting the id list, rather
// than filtering on hotspot id modulo n, keeps the planner's row estimate
// and so its hash join: a modulo filter looks selective and turns the plan
// into 100,000 index scans.
func loadEvents(ctx context.Context, q querier, ins []metrics.AreaInput, ids []int64, group map[int64]int, end time.Time) error {
	shards := 1
	if _, pooled := q.(*pgxpool.Pool); pooled && len(ids) >= eventShardMinAreas {
		shards = eventShards
	}
	parts := make([][][]metrics.Hotspot, shards)
	errs := make([]error, shards)
	var wg sync.WaitGroup
	for i := range shards {
		part := ids[i*len(ids)/shards : (i+1)*len(ids)/shards]
		wg.Go(func() { parts[i], errs[i] = loadEventShard(ctx, q, len(ins), part, group, end) })
	}
	wg.Wait()
	for i := range shards {
		if errs[i] != nil {
			return errs[i]
		}
		for g, hs := range parts[i] {
			ins[g].Hotspots = append(ins[g].Hotspots, hs...)
		}
	}
	for i := range ins {
		slices.SortFunc(ins[i].Hotspots, func(a, b metrics.Hotspot) int { return cmp.Compare(a.ID, b.ID) })
	}
	return nil
}

// loadEventShard reads the timelines of the areas ids into hotspots by
// group, keeping the events before end. Each hotspot's events are already
// sorted; they share one arena per shard.
func loadEventShard(ctx context.Context, q querier, groups int, ids []int64, group map[int64]int, end time.Time) ([][]metrics.Hotspot, error) {
	rows, err := q.Query(ctx, sqlMetricsEvents, customPlan, ids)
	if err != nil {
		return nil, fmt.Errorf("metrics events: %w", err)
	}
	defer rows.Close()
	out := make([][]metrics.Hotspot, groups)
	var (
		areaID, hotspotID int64
		packed            []byte
		arena             []metrics.Event
	)
	for rows.Next() {
		if err := rows.Scan(&areaID, &hotspotID, &packed); err != nil {
			return nil, fmt.Errorf("metrics events: %w", err)
		}
		n := len(packed) / timelineEventSize
		if cap(arena)-len(arena) < n {
			arena = make([]metrics.Event, 0, max(n, 1<<16))
		}
		start := len(arena)
		var err error
		if arena, err = decodeTimeline(arena, packed, end); err != nil {
			return nil, fmt.Errorf("metrics events: hotspot %d: %w", hotspotID, err)
		}
		if len(arena) == start {
			continue // detected after the period: no number changes
		}
		g := group[areaID]
		out[g] = append(out[g], metrics.Hotspot{ID: hotspotID, Events: arena[start:len(arena):len(arena)]})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("metrics events: %w", err)
	}
	return out, nil
}

// sqlMetricsIncidentMonths is sqlMetricsIncidents read from the counts kept
// per area, month and kind (migration 00008), for a window of whole months
// [$2, $3): a few rows per area and month instead of every incident, through
// the primary key with leakproof quals only, so as fast under the policies
// as for the owner.
const sqlMetricsIncidentMonths = `
SELECT area_id, month, kind, sum(n)::int4 FROM incident_area_months
WHERE area_id = ANY($1::bigint[]) AND month >= $2 AND month < $3
GROUP BY 1, 2, 3 HAVING sum(n) > 0`

func loadIncidents(ctx context.Context, q querier, ins []metrics.AreaInput, ids []int64, group map[int64]int, since, end time.Time) error {
	var rows pgx.Rows
	var err error
	if m0, m1 := hotspot.MonthAt(since), hotspot.MonthAt(end); m0.Start().Equal(since) && m1.Start().Equal(end) {
		rows, err = q.Query(ctx, sqlMetricsIncidentMonths, customPlan, ids, int32(m0), int32(m1))
	} else {
		rows, err = q.Query(ctx, sqlMetricsIncidents, customPlan, ids, since, end)
	}
	if err != nil {
		return fmt.Errorf("metrics incidents: %w", err)
	}
	defer rows.Close()
	var (
		areaID   int64
		month, n int32
		kind     string
	)
	for rows.Next() {
		if err := rows.Scan(&areaID, &month, &kind, &n); err != nil {
			return fmt.Errorf("metrics incidents: %w", err)
		}
		in := &ins[group[areaID]]
		in.Incidents = append(in.Incidents, metrics.IncidentCount{Month: hotspot.Month(month), Kind: hotspot.IncidentKind(kind), N: int(n)})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("metrics incidents: %w", err)
	}
	return nil
}

func loadTips(ctx context.Context, q querier, ins []metrics.AreaInput, ids []int64, group map[int64]int, since, end time.Time) error {
	rows, err := q.Query(ctx, sqlMetricsTips, customPlan, ids, since, end)
	if err != nil {
		return fmt.Errorf("metrics tips: %w", err)
	}
	defer rows.Close()
	var (
		areaID                              int64
		month, handledIn, received, handled int32
	)
	for rows.Next() {
		if err := rows.Scan(&areaID, &month, &handledIn, &received, &handled); err != nil {
			return fmt.Errorf("metrics tips: %w", err)
		}
		in := &ins[group[areaID]]
		in.Tips = append(in.Tips, metrics.TipCount{Month: hotspot.Month(month), HandledIn: hotspot.Month(handledIn), Received: int(received), Handled: int(handled)})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("metrics tips: %w", err)
	}
	return nil
}

func loadIndicators(ctx context.Context, q querier, ins []metrics.AreaInput, ids []int64, group map[int64]int, end time.Time) error {
	return readIndicators(ctx, q, ids, end, func(areaID int64, v metrics.IndicatorValue) {
		in := &ins[group[areaID]]
		in.Indicators = append(in.Indicators, v)
	})
}

// readIndicators hands each indicator of the areas ids whose period starts
// before end to add.
func readIndicators(ctx context.Context, q querier, ids []int64, end time.Time, add func(areaID int64, v metrics.IndicatorValue)) error {
	rows, err := q.Query(ctx, sqlMetricsIndicators, customPlan, ids)
	if err != nil {
		return fmt.Errorf("metrics indicators: %w", err)
	}
	defer rows.Close()
	var (
		areaID      int64
		period, key string
		value       float64
	)
	for rows.Next() {
		if err := rows.Scan(&areaID, &period, &key, &value); err != nil {
			return fmt.Errorf("metrics indicators: %w", err)
		}
		p, err := hotspot.ParsePeriod(period)
		if err != nil || !p.Start().Before(end) {
			continue // the table's CHECK admits only valid periods
		}
		add(areaID, metrics.IndicatorValue{Key: key, Period: p, Value: value})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("metrics indicators: %w", err)
	}
	return nil
}

// childIndicators returns the indicators of the children of root (a
// district's communes, a province's districts), sorted by code, each
// child above commune level rolled up from its own children in turn
// (metrics.RollUpIndicators). Hamlets are not rolled up: a commune's
// indicators are its own.
func childIndicators(ctx context.Context, q querier, idx *hotspot.AreaIndex, root *hotspot.AreaShape, end time.Time) ([]metrics.ChildIndicators, error) {
	kids := map[string][]*hotspot.AreaShape{}
	var ids []int64
	var walk func(s *hotspot.AreaShape)
	all := idx.Shapes()
	for _, s := range all {
		if s.Level != hotspot.LevelHamlet {
			kids[s.ParentCode] = append(kids[s.ParentCode], s)
		}
	}
	walk = func(s *hotspot.AreaShape) {
		if hotspot.LevelRank(s.Level) >= hotspot.LevelRank(hotspot.LevelCommune) {
			return
		}
		for _, k := range kids[s.Code] {
			if k.Code != s.Code {
				ids = append(ids, k.ID)
				walk(k)
			}
		}
	}
	walk(root)
	if len(ids) == 0 {
		return nil, nil
	}
	own := make(map[int64][]metrics.IndicatorValue, len(ids))
	if err := readIndicators(ctx, q, ids, end, func(id int64, v metrics.IndicatorValue) { own[id] = append(own[id], v) }); err != nil {
		return nil, err
	}
	var children func(s *hotspot.AreaShape) []metrics.ChildIndicators
	children = func(s *hotspot.AreaShape) []metrics.ChildIndicators {
		if hotspot.LevelRank(s.Level) >= hotspot.LevelRank(hotspot.LevelCommune) {
			return nil
		}
		var out []metrics.ChildIndicators
		for _, k := range kids[s.Code] {
			if k.Code == s.Code {
				continue
			}
			out = append(out, metrics.ChildIndicators{Code: k.Code, Indicators: metrics.RollUpIndicators(own[k.ID], children(k))})
		}
		slices.SortFunc(out, func(a, b metrics.ChildIndicators) int { return cmp.Compare(a.Code, b.Code) })
		return out
	}
	return children(root), nil
}

// AreaAndChildMetricsAsOf loads what the area metrics API answers for an
// area on the geography of asOf (zero: today) and period p: the area's input
// (as MetricsInputAsOf) and, for a district or province, its communes'
// inputs (as ChildMetricsInputsAsOf, sorted by code; nil for a commune or a
// hamlet). When the area and its communes are current, each row is read
// once: the communes' rows by commune, the area's own rows (those below it
// but in no commune) apart, and the area's input is their sum. Otherwise
// (an area or commune read through its polygon) the two loads run as
// before.
func (s *Store) AreaAndChildMetricsAsOf(ctx context.Context, code string, asOf time.Time, cfg metrics.Config, p hotspot.Period) (*MetricsAsOf, []metrics.AreaInput, error) {
	tree, idx, err := s.geographies(ctx, asOf)
	if err != nil {
		return nil, nil, err
	}
	a, ok := tree.ByCode(code)
	if !ok {
		return nil, nil, unknownAsOf("area", code, tree)
	}
	if hotspot.LevelRank(a.Level) >= hotspot.LevelRank(hotspot.LevelCommune) {
		got, err := s.MetricsInputAsOf(ctx, code, asOf, cfg, p)
		return got, nil, err
	}
	var communes []*AreaAsOf
	current := a.Current
	for _, x := range tree.Below(a) {
		if x.Level == hotspot.LevelCommune {
			communes = append(communes, x)
			current = current && x.Current
		}
	}
	if !current {
		got, err := s.MetricsInputAsOf(ctx, code, asOf, cfg, p)
		if err != nil {
			return nil, nil, err
		}
		kids, _, err := s.ChildMetricsInputsAsOf(ctx, code, asOf, p, cfg)
		return got, kids, err
	}
	slices.SortFunc(communes, func(x, y *AreaAsOf) int { return cmp.Compare(x.Code, y.Code) })
	g := newMetricsGroups()
	for _, c := range communes {
		g.addArea(g.add(c), c, idx, tree)
	}
	own := g.add(a)
	g.addArea(own, a, idx, tree) // only what no commune took: the area itself, rows above its communes
	since, end := metrics.InputWindow(p, cfg)
	ins, notes, err := loadMetricsAsOf(ctx, s.pool, g, since, end, []hotspot.Period{p})
	if err != nil {
		return nil, nil, err
	}
	kids := ins[:len(communes)]
	in := ins[own]
	for _, k := range kids {
		in.Hotspots = append(in.Hotspots, k.Hotspots...)
		in.Incidents = append(in.Incidents, k.Incidents...)
		in.Tips = append(in.Tips, k.Tips...)
	}
	slices.SortFunc(in.Hotspots, func(x, y metrics.Hotspot) int { return cmp.Compare(x.ID, y.ID) })
	mergeIncidentCounts(&in)
	if in.Children, err = childIndicatorsAsOf(ctx, s.pool, tree, a, end, []hotspot.Period{p}); err != nil {
		return nil, nil, err
	}
	in.Indicators = metrics.RollUpIndicators(in.Indicators, in.Children)
	return &MetricsAsOf{Input: in, Area: a, Notes: notes[own]}, slices.Clip(kids), nil
}

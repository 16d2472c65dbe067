package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/metrics"
)

// Area-level numbers across the reform (issue 13, rule 2). An indicator
// (registered users, households reached...) is a number an area reports for
// itself, so it cannot be located like a point. An area version has its own
// values for the periods it was in force; for a period before it began, its
// values are apportioned from its predecessors through the crosswalk (a
// 'full' row carries the old unit's whole value, a 'partial' row its share),
// and for a period after it was retired, from its successors when each of
// them came from it alone (a merged unit's value cannot be split back). A
// value is apportioned only when every unit of the lineage reported it; else,
// and where no lineage leads, it is null with a note saying why, never zero.

// link is one crosswalk row with its codes.
type link struct {
	oldID, newID     int64
	oldCode, newCode string
	from             time.Time
	partial          bool
	share            float64
	preds            int // how many old units went into newID on that date
}

const sqlLinks = `
SELECT c.old_area_id, oa.code, c.new_area_id, na.code, c.valid_from, c.merge_type = 'partial', c.share::float8,
       (SELECT count(*) FROM area_crosswalk c2 WHERE c2.new_area_id = c.new_area_id AND c2.valid_from = c.valid_from)::int
FROM area_crosswalk c
JOIN areas oa ON oa.id = c.old_area_id
JOIN areas na ON na.id = c.new_area_id
WHERE c.old_area_id = ANY($1::bigint[]) OR c.new_area_id = ANY($1::bigint[])
ORDER BY c.valid_from, oa.code, na.code`

type indKey struct {
	key    string
	period string
}

type indValue struct {
	p hotspot.Period
	v float64
}

// loadIndicatorsAsOf sets each input's indicators: its target's own values
// while in force, and the values apportioned through the crosswalk outside
// that time; it returns the notes on the periods ps.
func loadIndicatorsAsOf(ctx context.Context, q querier, ins []metrics.AreaInput, targets []*AreaAsOf, end time.Time, ps []hotspot.Period) ([][]IndicatorNote, error) {
	notes := make([][]IndicatorNote, len(targets))
	if len(targets) == 0 {
		return notes, nil
	}
	ids := make([]int64, len(targets))
	for i, t := range targets {
		ids[i] = t.ID
	}
	rows, err := q.Query(ctx, sqlLinks, customPlan, ids)
	if err != nil {
		return nil, fmt.Errorf("crosswalk: %w", err)
	}
	var links []link
	var l link
	_, err = pgx.ForEachRow(rows, []any{&l.oldID, &l.oldCode, &l.newID, &l.newCode, &l.from, &l.partial, &l.share, &l.preds}, func() error {
		links = append(links, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("crosswalk: %w", err)
	}
	need := slices.Clone(ids)
	for _, l := range links {
		need = append(need, l.oldID, l.newID)
	}
	values, err := loadIndicatorValues(ctx, q, need, end)
	if err != nil {
		return nil, err
	}
	askFrom, askTo := ps[0].Start(), ps[0].End()
	for _, p := range ps[1:] {
		askFrom, askTo = minTime(askFrom, p.Start()), maxTime(askTo, p.End())
	}
	asked := func(p hotspot.Period) bool { return p.Start().Before(askTo) && p.End().After(askFrom) }
	// The links by the area they lead to and from: a province's 10,000
	// communes each looked through every link was 10⁸ comparisons.
	byNew, byOld := map[int64][]link{}, map[int64][]link{}
	for _, l := range links {
		byNew[l.newID] = append(byNew[l.newID], l)
		byOld[l.oldID] = append(byOld[l.oldID], l)
	}
	for i, t := range targets {
		from := dayStart(t.ValidFrom)
		var to time.Time // zero: still in force
		if t.ValidTo != nil {
			to = dayStart(*t.ValidTo)
		}
		inForce := func(p hotspot.Period) bool { return p.End().After(from) && (to.IsZero() || p.Start().Before(to)) }
		own := map[indKey]bool{}
		for k, v := range values[t.ID] {
			if inForce(v.p) {
				ins[i].Indicators = append(ins[i].Indicators, metrics.IndicatorValue{Key: k.key, Period: v.p, Value: v.v})
				own[k] = true
			}
		}
		var preds, succs []link
		for _, l := range byNew[t.ID] {
			if l.from.Equal(t.ValidFrom) {
				preds = append(preds, l)
			}
		}
		for _, l := range byOld[t.ID] {
			if t.ValidTo != nil && l.from.Equal(*t.ValidTo) {
				succs = append(succs, l)
			}
		}
		var n []IndicatorNote
		// Before the version began.
		if askFrom.Before(from) && t.ValidFrom.Year() > 1900 {
			if len(preds) == 0 {
				n = append(n, IndicatorNote{Period: periodsBefore(ps, from), Reason: fmt.Sprintf("%s was formed on %s and no crosswalk row leads to it: its indicators before then are null",
					t.Code, t.ValidFrom.Format(time.DateOnly))})
			} else {
				got, gaps := apportion(preds, values, own, func(p hotspot.Period) bool { return p.Start().Before(from) },
					func(l link) int64 { return l.oldID }, func(l link) string { return l.oldCode }, func(l link) float64 {
						if l.partial {
							return l.share
						}
						return 1
					})
				ins[i].Indicators = append(ins[i].Indicators, got...)
				for _, g := range gaps {
					if asked(g.p) {
						n = append(n, IndicatorNote{Key: g.key, Period: g.p.String(), Reason: g.reason})
					}
				}
				n = append(n, IndicatorNote{Period: periodsBefore(ps, from), Reason: "before " + t.ValidFrom.Format(time.DateOnly) + ", apportioned from " + describeLinks(preds, true)})
			}
		}
		// After the version was retired.
		if !to.IsZero() && askTo.After(to) {
			merged := slices.IndexFunc(succs, func(l link) bool { return l.preds > 1 })
			if (len(succs) == 0 || merged >= 0) && !askFrom.Before(to) {
				// Every period asked is after the unit's end: its last own
				// value must not be carried on as if it still reported.
				ins[i].Indicators = nil
			}
			switch {
			case len(succs) == 0:
				n = append(n, IndicatorNote{Period: periodsAfter(ps, to), Reason: fmt.Sprintf("%s was retired on %s and no crosswalk row leads from it: its indicators after then are null",
					t.Code, t.ValidTo.Format(time.DateOnly))})
			case merged >= 0:
				n = append(n, IndicatorNote{Period: periodsAfter(ps, to), Reason: fmt.Sprintf("%s was merged into %s with %d other units on %s: its indicators after then cannot be split back and are null",
					t.Code, succs[merged].newCode, succs[merged].preds-1, t.ValidTo.Format(time.DateOnly))})
			default:
				got, gaps := apportion(succs, values, own, func(p hotspot.Period) bool { return !p.Start().Before(to) },
					func(l link) int64 { return l.newID }, func(l link) string { return l.newCode }, func(link) float64 { return 1 })
				ins[i].Indicators = append(ins[i].Indicators, got...)
				for _, g := range gaps {
					if asked(g.p) {
						n = append(n, IndicatorNote{Key: g.key, Period: g.p.String(), Reason: g.reason})
					}
				}
				n = append(n, IndicatorNote{Period: periodsAfter(ps, to), Reason: "after " + t.ValidTo.Format(time.DateOnly) + ", the sum of its successors " + describeLinks(succs, false)})
			}
		}
		notes[i] = n
	}
	return notes, nil
}

type gap struct {
	key    string
	p      hotspot.Period
	reason string
}

// apportion sums, per key and period (those era admits, not held by the
// area itself), the values of the linked units times their weight; a key
// and period that one of them did not report is a gap.
func apportion(links []link, values map[int64]map[indKey]indValue, own map[indKey]bool, era func(hotspot.Period) bool,
	idOf func(link) int64, codeOf func(link) string, weight func(link) float64) ([]metrics.IndicatorValue, []gap) {
	cand := map[indKey]hotspot.Period{}
	for _, l := range links {
		for k, v := range values[idOf(l)] {
			if era(v.p) && !own[k] {
				cand[k] = v.p
			}
		}
	}
	keys := make([]indKey, 0, len(cand))
	for k := range cand {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].period < keys[j].period || (keys[i].period == keys[j].period && keys[i].key < keys[j].key)
	})
	var out []metrics.IndicatorValue
	var gaps []gap
	for _, k := range keys {
		sum := 0.0
		var missing []string
		for _, l := range links {
			v, ok := values[idOf(l)][k]
			if !ok {
				missing = append(missing, codeOf(l))
				continue
			}
			sum += v.v * weight(l)
		}
		if len(missing) > 0 {
			gaps = append(gaps, gap{key: k.key, p: cand[k], reason: fmt.Sprintf("null: %s reported no %s for %s", strings.Join(missing, ", "), k.key, k.period)})
			continue
		}
		out = append(out, metrics.IndicatorValue{Key: k.key, Period: cand[k], Value: sum})
	}
	return out, gaps
}

// loadIndicatorValues reads the indicators of the areas ids whose periods
// start before end, by area and (key, period).
func loadIndicatorValues(ctx context.Context, q querier, ids []int64, end time.Time) (map[int64]map[indKey]indValue, error) {
	rows, err := q.Query(ctx, sqlMetricsIndicators, customPlan, ids)
	if err != nil {
		return nil, fmt.Errorf("metrics indicators: %w", err)
	}
	out := map[int64]map[indKey]indValue{}
	var (
		areaID      int64
		period, key string
		value       float64
	)
	_, err = pgx.ForEachRow(rows, []any{&areaID, &period, &key, &value}, func() error {
		p, err := hotspot.ParsePeriod(period)
		if err != nil || !p.Start().Before(end) {
			return nil
		}
		m := out[areaID]
		if m == nil {
			m = map[indKey]indValue{}
			out[areaID] = m
		}
		m[indKey{key, period}] = indValue{p, value}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("metrics indicators: %w", err)
	}
	return out, nil
}

func describeLinks(ls []link, pred bool) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		code := l.newCode
		if pred {
			code = l.oldCode
		}
		switch {
		case !pred:
			parts[i] = code
		case l.partial:
			parts[i] = fmt.Sprintf("%s (partial, share %.4g)", code, l.share)
		default:
			parts[i] = code + " (full)"
		}
	}
	return strings.Join(parts, ", ")
}

func periodsBefore(ps []hotspot.Period, t time.Time) string {
	var out []string
	for _, p := range ps {
		if p.Start().Before(t) {
			out = append(out, p.String())
		}
	}
	return strings.Join(out, ",")
}

func periodsAfter(ps []hotspot.Period, t time.Time) string {
	var out []string
	for _, p := range ps {
		if p.End().After(t) {
			out = append(out, p.String())
		}
	}
	return strings.Join(out, ",")
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// sqlReachedToday follows the crosswalk links that took effect after $2
// from each area $1 and returns, per starting area, the units of today it
// reaches (itself when it is one).
const sqlReachedToday = `
WITH RECURSIVE walk (root, id, depth) AS (
    SELECT x, x, 0 FROM unnest($1::bigint[]) x
    UNION
    SELECT w.root, c.new_area_id, w.depth + 1
    FROM walk w JOIN area_crosswalk c ON c.old_area_id = w.id AND c.valid_from > $2::date
    WHERE w.depth < 10
)
SELECT DISTINCT w.root, w.id FROM walk w
WHERE EXISTS (SELECT 1 FROM area_versions v WHERE v.area_id = w.id AND v.valid_to IS NULL)`

// InsideAsOf reports whether the area with code, as it stood on asOf, lies
// inside the areas within today (the ids at or below a user's area of
// today), by lineage (issue 13): every commune it held on asOf (itself, for
// a commune or hamlet) leads through the crosswalk only to units of today
// inside within, and to at least one. A code not in force on asOf is not
// inside. This is what lets a user scoped to a new unit read its
// predecessors on an earlier map, and nothing else.
func (s *Store) InsideAsOf(ctx context.Context, code string, asOf time.Time, within []int64) (bool, error) {
	tree, err := s.AreasAsOf(ctx, asOf)
	if err != nil {
		return false, err
	}
	a, ok := tree.ByCode(code)
	if !ok {
		return false, nil
	}
	roots := []int64{a.ID}
	if hotspot.LevelRank(a.Level) < hotspot.LevelRank(hotspot.LevelCommune) {
		roots = roots[:0]
		for _, x := range tree.Below(a) {
			if x.Level == hotspot.LevelCommune {
				roots = append(roots, x.ID)
			}
		}
		if len(roots) == 0 {
			return false, nil
		}
	}
	rows, err := s.pool.Query(ctx, sqlReachedToday, roots, DateOf(asOf))
	if err != nil {
		return false, fmt.Errorf("lineage of %s: %w", code, err)
	}
	reached := map[int64]bool{}
	var root, id int64
	inside := true
	_, err = pgx.ForEachRow(rows, []any{&root, &id}, func() error {
		reached[root] = true
		if !slices.Contains(within, id) {
			inside = false
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("lineage of %s: %w", code, err)
	}
	return inside && len(reached) == len(roots), nil
}

// sqlPredecessors: every area that went, whole or in part, into one of the
// areas $1, through any number of reforms.
const sqlPredecessors = `
WITH RECURSIVE back (id, depth) AS (
    SELECT c.old_area_id, 1 FROM area_crosswalk c WHERE c.new_area_id = ANY($1::bigint[])
    UNION
    SELECT c.old_area_id, b.depth + 1 FROM back b JOIN area_crosswalk c ON c.new_area_id = b.id WHERE b.depth < 10
)
SELECT DISTINCT id FROM back WHERE NOT id = ANY($1::bigint[]) ORDER BY id`

// PredecessorIDs returns the areas not among ids that went into one of them
// (issue 13): a user's scope holds its units of today and their lineage, so
// that the numbers the old units reported can be apportioned to the new.
//
// The answer is kept per set of ids for the version of the area index last
// loaded (Areas: a crosswalk's rows are recorded as area changes), so that
// a request, which loads the index first, does not ask it again while no
// area or crosswalk changed (issue 18: a round trip on every request of a
// user with an area).
func (s *Store) PredecessorIDs(ctx context.Context, ids []int64) ([]int64, error) {
	key := fmt.Sprint(ids)
	s.areas.mu.Lock()
	version := int64(-1)
	if s.areas.idx != nil {
		version = s.areas.idx.Version
		if p, ok := s.areas.preds[key]; ok && s.areas.predsVersion == version {
			s.areas.mu.Unlock()
			return slices.Clone(p), nil
		}
	}
	s.areas.mu.Unlock()
	rows, err := s.pool.Query(ctx, sqlPredecessors, ids)
	if err != nil {
		return nil, fmt.Errorf("predecessors: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("predecessors: %w", err)
	}
	if version >= 0 {
		s.areas.mu.Lock()
		if s.areas.predsVersion != version || s.areas.preds == nil {
			s.areas.preds, s.areas.predsVersion = map[string][]int64{}, version
		}
		if len(s.areas.preds) < 1024 {
			s.areas.preds[key] = slices.Clone(out)
		}
		s.areas.mu.Unlock()
	}
	return out, nil
}

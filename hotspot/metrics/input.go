package metrics

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/diaban/diaban/hotspot"
)

// Event is one lifecycle event of a hotspot.
type Event struct {
	Kind       hotspot.EventKind
	OccurredAt time.Time // counts in the period containing it, whenever it was recorded
	Seq        int64     // orders events that occurred at the same instant (the event id)
}

// Hotspot is a hotspot the caller assigned to an area, with its whole
// history. Events should be sorted by OccurredAt, ties by Seq; unsorted
// events are sorted on a copy (slower, never wrong).
type Hotspot struct {
	ID     int64
	Events []Event
}

// IncidentCount is the number of incidents of one kind in one month, as
// `count(*) ... group by area, month, kind` returns it. Several rows for the
// same month and kind add up.
type IncidentCount struct {
	Month hotspot.Month
	Kind  hotspot.IncidentKind
	N     int
}

// TipCount counts tips by the month they were received (Month, by
// received_at) and the month they were handled (HandledIn, by handled_at):
// Received tips were received in Month, and Handled of them were handled in
// HandledIn (a zero HandledIn means Month). Several rows for the same months
// add up. A period's handled share counts only the tips received in it and
// handled by its end; tips received before the period and handled in it
// are reported apart (AreaMetrics.TipsHandledEarlier), so the share never
// exceeds 1 for rows with Handled ≤ Received.
type TipCount struct {
	Month     hotspot.Month
	HandledIn hotspot.Month
	Received  int
	Handled   int
}

// handledMonth returns the month the row's handled tips were handled in.
func (t TipCount) handledMonth() hotspot.Month {
	if t.HandledIn == 0 {
		return t.Month
	}
	return t.HandledIn
}

// IndicatorValue is an area indicator (a row of area_indicators, such as
// registered_users) as reported for a period. The indicators used here are
// stocks, read as of the end of the period they were reported for: a period
// uses the latest value whose period ends in or before its own last month
// (the shorter period wins between two that end together: 2025-12 over
// 2025).
type IndicatorValue struct {
	Key    string
	Period hotspot.Period
	Value  float64
}

// AreaInput is everything Compute needs about one area. The caller decides
// which hotspots belong to the area: when a boundary is replaced, the new
// area carries its hotspots' whole history, and nothing here assumes the
// area existed for the whole period.
type AreaInput struct {
	Code       string
	Hotspots   []Hotspot
	Incidents  []IncidentCount
	Tips       []TipCount
	Indicators []IndicatorValue
	// Children, when set, are the indicators of the area's children (its
	// communes, or its districts with their communes rolled up): the area's
	// indicators are then RollUpIndicators(Indicators, Children), and a
	// rolled-up indicator missing for the period gets a note naming the
	// children that lack it. Hotspots, incidents and tips are not taken
	// from Children: the caller puts the whole area's in the fields above.
	Children []ChildIndicators
	// DataSince, when set, is the first instant the inputs cover (recording
	// began, or a new area's history was not carried over). Trend points of
	// periods starting before it are dropped and a score change against such
	// a period is null. Zero means the inputs cover all history.
	DataSince time.Time
}

// Incident is one incident with its time, for callers that hold rows rather
// than counts.
type Incident struct {
	Kind       hotspot.IncidentKind
	OccurredAt time.Time
}

// CountIncidents groups incidents by month (Asia/Ho_Chi_Minh) and kind.
func CountIncidents(incs []Incident) []IncidentCount {
	type key struct {
		m hotspot.Month
		k hotspot.IncidentKind
	}
	n := map[key]int{}
	for _, in := range incs {
		n[key{hotspot.MonthAt(in.OccurredAt), in.Kind}]++
	}
	out := make([]IncidentCount, 0, len(n))
	for k, c := range n {
		out = append(out, IncidentCount{Month: k.m, Kind: k.k, N: c})
	}
	slices.SortFunc(out, func(a, b IncidentCount) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.Kind, b.Kind))
	})
	return out
}

// Tip is one tip's received and (if handled) handled times.
type Tip struct {
	ReceivedAt time.Time
	HandledAt  *time.Time
}

// CountTips groups tips by the month of ReceivedAt and the month of
// HandledAt: one row per pair of months, unhandled tips in rows with
// Handled 0 and no HandledIn.
func CountTips(tips []Tip) []TipCount {
	type key struct{ r, h hotspot.Month }
	n := map[key]*TipCount{}
	for _, t := range tips {
		k := key{r: hotspot.MonthAt(t.ReceivedAt)}
		if t.HandledAt != nil {
			k.h = hotspot.MonthAt(*t.HandledAt)
		}
		c := n[k]
		if c == nil {
			c = &TipCount{Month: k.r, HandledIn: k.h}
			n[k] = c
		}
		c.Received++
		if t.HandledAt != nil {
			c.Handled++
		}
	}
	out := make([]TipCount, 0, len(n))
	for _, c := range n {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b TipCount) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.HandledIn, b.HandledIn))
	})
	return out
}

// ChildIndicators is the indicators of one child of an area (a commune of
// a district, a district of a province), for RollUpIndicators.
type ChildIndicators struct {
	Code       string
	Indicators []IndicatorValue
}

// RollUpIndicators returns the indicators of a parent area from its own
// and its children's. The indicators are stocks (registered users,
// households), so a parent's value at a month is the sum of its children's
// latest values at that month (each read as latestIndicator reads them),
// defined from the first month every child has one: it is missing while a
// child lacks the value (MissingIndicator names which). A key no child
// reports keeps the parent's own rows; for a key some child reports, the
// parent's own rows are left out (the children's sum replaces them, so a
// rolled-up list rolls up to itself). The sums are month periods, sorted
// by key and month.
func RollUpIndicators(own []IndicatorValue, children []ChildIndicators) []IndicatorValue {
	if len(children) == 0 {
		return own
	}
	// Each child's steps per key: (month, value) where its latest value changes.
	steps := map[string][][]monthValue{} // key → per child
	for ci, c := range children {
		for key, vs := range childSteps(c.Indicators) {
			if steps[key] == nil {
				steps[key] = make([][]monthValue, len(children))
			}
			steps[key][ci] = vs
		}
	}
	var out []IndicatorValue
	for _, x := range own {
		if steps[x.Key] == nil {
			out = append(out, x)
		}
	}
	keys := make([]string, 0, len(steps))
	for k := range steps {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		per := steps[key]
		var months []hotspot.Month
		for _, st := range per {
			for _, x := range st {
				months = append(months, x.m)
			}
		}
		slices.Sort(months)
		months = slices.Compact(months)
		cur := make([]float64, len(per))
		have := make([]bool, len(per))
		next := make([]int, len(per))
		nHave := 0
		for _, m := range months {
			for ci, st := range per {
				for next[ci] < len(st) && st[next[ci]].m <= m {
					if !have[ci] {
						have[ci] = true
						nHave++
					}
					cur[ci] = st[next[ci]].v
					next[ci]++
				}
			}
			if nHave < len(per) {
				continue
			}
			sum := 0.0
			for _, v := range cur {
				sum += v
			}
			out = append(out, IndicatorValue{Key: key, Period: hotspot.MonthPeriod(m.Year(), m.Month()), Value: sum})
		}
	}
	return out
}

// monthValue is an indicator's value from a month on.
type monthValue struct {
	m hotspot.Month
	v float64
}

// childSteps returns, per key, the months at which latestIndicator's answer
// changes and the value from then on, in order.
func childSteps(ind []IndicatorValue) map[string][]monthValue {
	byKey := map[string][]IndicatorValue{}
	for _, x := range ind {
		if x.Period.IsZero() || math.IsNaN(x.Value) || math.IsInf(x.Value, 0) {
			continue
		}
		byKey[x.Key] = append(byKey[x.Key], x)
	}
	out := make(map[string][]monthValue, len(byKey))
	for key, xs := range byKey {
		var ends []hotspot.Month
		for _, x := range xs {
			ends = append(ends, x.Period.LastMonth())
		}
		slices.Sort(ends)
		ends = slices.Compact(ends)
		for _, m := range ends {
			v, _ := latestIndicator(xs, key, m)
			out[key] = append(out[key], monthValue{m, v})
		}
	}
	return out
}

// MissingIndicator returns the codes of the children without a value of
// key in or before month m, when at least one child reports key at all
// (else nil: the parent's own rows are used).
func MissingIndicator(children []ChildIndicators, key string, m hotspot.Month) []string {
	var missing []string
	reported := false
	for _, c := range children {
		has, any := false, false
		for _, x := range c.Indicators {
			if x.Key != key || x.Period.IsZero() || math.IsNaN(x.Value) || math.IsInf(x.Value, 0) {
				continue
			}
			any = true
			if x.Period.LastMonth() <= m {
				has = true
				break
			}
		}
		reported = reported || any
		if !has {
			missing = append(missing, c.Code)
		}
	}
	if !reported {
		return nil
	}
	return missing
}

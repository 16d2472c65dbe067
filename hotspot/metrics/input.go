package metrics

import (
	"cmp"
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

// TipCount is the number of tips received (by received_at) and handled (by
// handled_at) in one month. A tip received in one month and handled in a
// later one counts in each month once, so a period's handled count may
// exceed its received count when a backlog is cleared.
type TipCount struct {
	Month    hotspot.Month
	Received int
	Handled  int
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

// CountTips groups tips into received counts by the month of ReceivedAt and
// handled counts by the month of HandledAt.
func CountTips(tips []Tip) []TipCount {
	n := map[hotspot.Month]*TipCount{}
	get := func(m hotspot.Month) *TipCount {
		c := n[m]
		if c == nil {
			c = &TipCount{Month: m}
			n[m] = c
		}
		return c
	}
	for _, t := range tips {
		get(hotspot.MonthAt(t.ReceivedAt)).Received++
		if t.HandledAt != nil {
			get(hotspot.MonthAt(*t.HandledAt)).Handled++
		}
	}
	out := make([]TipCount, 0, len(n))
	for _, c := range n {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b TipCount) int { return cmp.Compare(a.Month, b.Month) })
	return out
}

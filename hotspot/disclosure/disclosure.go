// Package disclosure is the one rule for what an aggregate may show a
// role (issue 12, "disclosure control for aggregates"). Viewers see
// aggregates that cannot be taken apart into single incidents:
//
//   - resolution: H3 cells no finer than ViewerMaxRes (8, about 0.74 km²);
//     the cells tiles coarsen to it past ViewerMaxZoom (13), where the
//     tiles' own resolution would become finer (Rule.Res);
//   - time: windows of whole months in Asia/Ho_Chi_Minh (a window or a
//     custom period of days is widened outward to the months that hold
//     it: Rule.Window, Rule.Period);
//   - small counts: a count of incidents, tips or people from 1 to
//     MinCount-1 (5) is not sent; it is shown as SuppressedText ("< 5").
//     A zero is shown: it counts nobody.
//
// Officers, planners and admins see exact figures (the zero Rule). Every
// answer built from incidents, tips or people passes through the Rule of
// its caller's role (For), in one place per kind of answer:
//
//	cells API, cells tiles   Rule.Res, Rule.Window, Rule.Properties
//	emerging layer           Rule.Res, Rule.Window; cell counts and the
//	                         per-bin chart through Rule.Value/Properties
//	metrics (API, CSV, live  Rule.Period, Rule.Metrics, Rule.MetricsTable,
//	push), reports           Rule.RollUp, Rule.Criteria, WriteMetricsCSV
//
// What is a count of people and what is not, and the secondary
// suppression that keeps a suppressed figure from being recovered by
// subtraction, are in metrics.go. Hotspots are places: their counts are
// exact for everyone (viewers never get a hotspot's point).
//
// For a report (a document of metrics for a role), call, with the role of
// the user the report is made for:
//
//	rule := disclosure.For(role)
//	p = rule.Period(p)                 // before computing
//	area := rule.Metrics(m)            // one area's metrics.AreaMetrics
//	rows := rule.MetricsTable(ms)      // a parent's children, one table
//	ru := rule.RollUp(r)               // metrics.RollUpMetrics
//	cs := rule.Criteria(c)             // metrics.Criteria
//
// and print the values they hold (a number, or "< 5"; nil is "—"):
// AreaMetrics.IsSuppressed(col) names what was hidden. Never print the
// embedded metrics.AreaMetrics' own counts.
//
// JSON shape: a count is a JSON number for every role; for a viewer a
// suppressed count is the string "< 5" and the feature carries
// "suppressed": true (Properties), or the metrics object lists it in
// "suppressed". Clients that draw counts test "suppressed" (or
// Number.isFinite) before using the number.
//
// Limits: the rule holds within one answer and one table; a viewer who
// subtracts answers for overlapping periods (a year minus its months) or
// for levels between a table's parent and its rows can still narrow a
// small count; Gi* z-scores of the emerging layer are statistics of a
// neighbourhood's counts and are sent as they are.
package disclosure

import (
	"time"

	"github.com/diaban/diaban/hotspot"
)

// The rule's constants.
const (
	// ViewerMaxRes is the finest H3 resolution a viewer sees.
	ViewerMaxRes = 8
	// ViewerMaxZoom is the deepest tile zoom whose cells are drawn at the
	// tiles' own resolution for a viewer (package tiles maps zoom 12–13 to
	// res 8); deeper tiles are drawn with ViewerMaxRes cells.
	ViewerMaxZoom = 13
	// MinCount is the smallest count shown to a viewer.
	MinCount = 5
	// SuppressedText stands for a count below MinCount.
	SuppressedText = "< 5"
)

// Rule is what one role may be shown. The zero Rule shows everything.
type Rule struct {
	MaxRes      int  // 0: any resolution
	WholeMonths bool // windows widened to whole months
	MinCount    int  // counts below are suppressed; 0: none
}

// For returns the rule of role: the viewer's limits, none for the others.
// An unknown role gets the viewer's.
func For(role hotspot.Role) Rule {
	switch role {
	case hotspot.RoleAdmin, hotspot.RoleOfficer, hotspot.RolePlanner:
		return Rule{}
	}
	return Rule{MaxRes: ViewerMaxRes, WholeMonths: true, MinCount: MinCount}
}

// Limited reports whether the rule changes anything.
func (r Rule) Limited() bool { return r != Rule{} }

// Res returns the resolution to use for one asked: res, or the rule's
// floor when res is finer.
func (r Rule) Res(res int) int {
	if r.MaxRes > 0 && res > r.MaxRes {
		return r.MaxRes
	}
	return res
}

// Window widens [from, to) to whole months in Asia/Ho_Chi_Minh when the
// rule asks for it; a zero bound stays open.
func (r Rule) Window(from, to time.Time) (time.Time, time.Time) {
	if !r.WholeMonths {
		return from, to
	}
	if !from.IsZero() {
		from = hotspot.MonthAt(from).Start()
	}
	if !to.IsZero() {
		m := hotspot.MonthAt(to)
		if !m.Start().Equal(to) {
			m++
		}
		to = m.Start()
	}
	return from, to
}

// Suppressed reports whether a count n is hidden: 1 to MinCount-1. A zero
// is shown: it counts nobody.
func (r Rule) Suppressed(n int64) bool { return n > 0 && n < int64(r.MinCount) }

// Value is the count to send: n itself (a JSON number), or SuppressedText
// when the rule hides it.
func (r Rule) Value(n int64) any {
	if r.Suppressed(n) {
		return SuppressedText
	}
	return n
}

// Properties adds the count n to props under key, and "suppressed": true
// when it is hidden.
func (r Rule) Properties(props map[string]any, key string, n int64) {
	props[key] = r.Value(n)
	if r.Suppressed(n) {
		props["suppressed"] = true
	}
}

// Period returns the period to compute for one asked: p itself, or, when
// the rule asks for whole months and p is a custom window of days that
// does not begin on a month's first day and end on a month's last, the
// window widened outward to the months that hold its first and last days.
// Years, halves, quarters and months are whole months already.
func (r Rule) Period(p hotspot.Period) hotspot.Period {
	if !r.WholeMonths || p.Kind() != hotspot.PeriodCustom {
		return p
	}
	first, last := p.FirstDay(), p.LastDay()
	f := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
	l := time.Date(last.Year(), last.Month()+1, 0, 0, 0, 0, 0, time.UTC)
	if f.Equal(first) && l.Equal(last) {
		return p
	}
	return hotspot.WindowPeriod(f, l)
}

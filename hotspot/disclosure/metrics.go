package disclosure

import (
	"encoding/csv"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/metrics"
)

// The metrics under the rule. Hotspots are places, not people: every
// hotspot figure (active, new, eliminated, recurred, the elimination rate
// and target, the class, the roll-up's classes, affected and key communes)
// is exact for every role. Incidents and tips are about people, and so is
// the registered_users indicator: for a viewer these counts are suppressed
// below MinCount, and every figure computed from them is withheld when one
// of its counts is:
//
//	counts (a number, or "< 5")   incidents.KIND, incidents_total,
//	                              tips_received, tips_handled,
//	                              tips_handled_earlier, registered_users;
//	                              roll-up cases, previous_cases;
//	                              criteria values of these counts
//	withheld (null) when a count  tips_handled_share (tips received or
//	it is computed from is        handled), complexity_score (an incident
//	suppressed                    kind or registered_users), the roll-up's
//	                              cases_growth value (cases or previous)
//	always withheld for a viewer  trend.series, trend.score_change,
//	                              trend.sen_slope (earlier periods' scores,
//	                              whose counts this answer does not show)
//
// A zero is shown: it counts nobody. Parts are not left to be subtracted
// from a shown total (secondary suppression): when a total is shown and
// exactly one of its parts is suppressed, the smallest shown part is
// suppressed too — within an area (incident kinds against
// incidents_total) and down each column of a table of areas whose sum is
// the parent's figure (MetricsTable). The trend's direction, n, s, var_s,
// z and p are rank statistics and the class a band: they stay.
//
// Every answer that carries metrics (the metrics API, its CSV, the live
// "metrics" push, the reports) passes them through Metrics, MetricsTable,
// RollUp and Criteria of the caller's rule, whatever the role: exact roles
// get the same shape with numbers everywhere.

// Suppressed-field names are the CSV column names (metrics.CSVHeader):
// JSON names, nested ones joined with "_".
const (
	colIncidentsTotal = "incidents_total"
	colTipsReceived   = "tips_received"
	colTipsHandled    = "tips_handled"
	colTipsEarlier    = "tips_handled_earlier"
	colRegistered     = "registered_users"
	colTipsShare      = "tips_handled_share"
	colScore          = "complexity_score"
	colTrendSeries    = "trend_series"
	colTrendChange    = "trend_score_change"
	colTrendSen       = "trend_sen_slope"
	colCases          = "cases"
	colPreviousCases  = "previous_cases"
	colCasesGrowth    = "cases_growth_value"
)

func kindCol(k hotspot.IncidentKind) string { return "incidents_" + string(k) }

// countCols are the columns of AreaMetrics that are counts of people, in
// CSV order of their kinds first.
func countCols() []string {
	cols := make([]string, 0, hotspot.NumIncidentKinds+5)
	for _, k := range hotspot.IncidentKinds {
		cols = append(cols, kindCol(k))
	}
	return append(cols, colIncidentsTotal, colTipsReceived, colTipsHandled, colTipsEarlier, colRegistered)
}

// AreaMetrics is metrics.AreaMetrics as a role may see it. Its JSON is
// that of metrics.AreaMetrics with the fields below in place of the
// embedded ones, plus incidents_total and suppressed.
type AreaMetrics struct {
	metrics.AreaMetrics
	Incidents          map[hotspot.IncidentKind]any `json:"incidents"`
	IncidentsTotal     any                          `json:"incidents_total"`
	TipsReceived       any                          `json:"tips_received"`
	TipsHandled        any                          `json:"tips_handled"`
	TipsHandledShare   *float64                     `json:"tips_handled_share"`
	TipsHandledEarlier any                          `json:"tips_handled_earlier"`
	RegisteredUsers    any                          `json:"registered_users"`
	ComplexityScore    *float64                     `json:"complexity_score"`
	Trend              Trend                        `json:"trend"`
	// Suppressed lists, by CSV column name, the counts shown as "< 5" and
	// the figures withheld (null); empty for an exact role.
	Suppressed []string `json:"suppressed,omitempty"`
}

// Trend is metrics.Trend with the figures a viewer does not get as
// pointers (null when withheld).
type Trend struct {
	metrics.Trend
	Series      []float64 `json:"series"`
	ScoreChange *float64  `json:"score_change"`
	SenSlope    *float64  `json:"sen_slope"`
}

// IsSuppressed reports whether the column (a CSV column name) is
// suppressed or withheld in m.
func (m AreaMetrics) IsSuppressed(col string) bool { return slices.Contains(m.Suppressed, col) }

// row is one area's counts and which of them are suppressed.
type row struct {
	n    map[string]int64
	hide map[string]bool
}

func (r Rule) newRow(m metrics.AreaMetrics) row {
	x := row{n: map[string]int64{}, hide: map[string]bool{}}
	var total int64
	for _, k := range hotspot.IncidentKinds {
		x.n[kindCol(k)] = int64(m.Incidents[k])
		total += int64(m.Incidents[k])
	}
	x.n[colIncidentsTotal] = total
	x.n[colTipsReceived] = int64(m.TipsReceived)
	x.n[colTipsHandled] = int64(m.TipsHandled)
	x.n[colTipsEarlier] = int64(m.TipsHandledEarlier)
	if m.RegisteredUsers != nil {
		x.n[colRegistered] = int64(math.Round(*m.RegisteredUsers))
	}
	for c, n := range x.n {
		x.hide[c] = r.Suppressed(n)
	}
	return x
}

// complement suppresses, when the total is shown and exactly one part is
// hidden, the smallest shown part too; it reports whether it changed
// anything.
func complement(totalShown bool, parts []int64, hidden []bool) (int, bool) {
	if !totalShown {
		return -1, false
	}
	nHidden, best := 0, -1
	for i := range parts {
		if hidden[i] {
			nHidden++
		} else if best < 0 || parts[i] < parts[best] {
			best = i
		}
	}
	if nHidden != 1 || best < 0 {
		return -1, false
	}
	return best, true
}

// kindsAgainstTotal applies complement to a row's kinds.
func (x row) kindsAgainstTotal() bool {
	parts, hidden := make([]int64, len(hotspot.IncidentKinds)), make([]bool, len(hotspot.IncidentKinds))
	for i, k := range hotspot.IncidentKinds {
		parts[i], hidden[i] = x.n[kindCol(k)], x.hide[kindCol(k)]
	}
	i, ok := complement(!x.hide[colIncidentsTotal], parts, hidden)
	if ok {
		x.hide[kindCol(hotspot.IncidentKinds[i])] = true
	}
	return ok
}

// Metrics returns one area's metrics under the rule.
func (r Rule) Metrics(m metrics.AreaMetrics) AreaMetrics {
	x := r.newRow(m)
	if r.Limited() {
		x.kindsAgainstTotal()
	}
	return r.view(m, x)
}

// MetricsTable returns the metrics of a parent's areas under the rule:
// each row as Metrics does, and down every count column whose sum (the
// parent's figure) is shown, no single suppressed cell (secondary
// suppression). Rows are in the order given.
func (r Rule) MetricsTable(ms []metrics.AreaMetrics) []AreaMetrics {
	rows := make([]row, len(ms))
	for i, m := range ms {
		rows[i] = r.newRow(m)
	}
	if r.Limited() {
		cols := countCols()
		for changed, pass := true, 0; changed && pass < 20; pass++ {
			changed = false
			for _, x := range rows {
				changed = x.kindsAgainstTotal() || changed
			}
			for _, c := range cols {
				parts, hidden := make([]int64, len(rows)), make([]bool, len(rows))
				var sum int64
				for i, x := range rows {
					parts[i], hidden[i] = x.n[c], x.hide[c]
					sum += x.n[c]
				}
				if i, ok := complement(!r.Suppressed(sum), parts, hidden); ok {
					rows[i].hide[c], changed = true, true
				}
			}
		}
	}
	out := make([]AreaMetrics, len(ms))
	for i, m := range ms {
		out[i] = r.view(m, rows[i])
	}
	return out
}

// view builds the answer of m from its row's decisions.
func (r Rule) view(m metrics.AreaMetrics, x row) AreaMetrics {
	v := AreaMetrics{AreaMetrics: m, Incidents: make(map[hotspot.IncidentKind]any, len(hotspot.IncidentKinds)),
		TipsHandledShare: m.TipsHandledShare, Trend: Trend{Trend: m.Trend, Series: m.Trend.Series, ScoreChange: m.Trend.ScoreChange}}
	count := func(col string) any {
		if x.hide[col] {
			v.Suppressed = append(v.Suppressed, col)
			return SuppressedText
		}
		return x.n[col]
	}
	kindHidden := false
	for _, k := range hotspot.IncidentKinds {
		v.Incidents[k] = count(kindCol(k))
		kindHidden = kindHidden || x.hide[kindCol(k)]
	}
	v.IncidentsTotal = count(colIncidentsTotal)
	v.TipsReceived, v.TipsHandled, v.TipsHandledEarlier = count(colTipsReceived), count(colTipsHandled), count(colTipsEarlier)
	if m.RegisteredUsers != nil {
		if x.hide[colRegistered] {
			v.RegisteredUsers = count(colRegistered)
		} else {
			v.RegisteredUsers = *m.RegisteredUsers
		}
	}
	withhold := func(col string) { v.Suppressed = append(v.Suppressed, col) }
	if x.hide[colTipsReceived] || x.hide[colTipsHandled] {
		v.TipsHandledShare = nil
		withhold(colTipsShare)
	}
	if !kindHidden && !x.hide[colRegistered] {
		s := m.ComplexityScore
		v.ComplexityScore = &s
	} else {
		withhold(colScore)
	}
	if r.Limited() {
		v.Trend.Series, v.Trend.ScoreChange = nil, nil
		withhold(colTrendSeries)
		withhold(colTrendChange)
		withhold(colTrendSen)
	} else {
		s := m.Trend.SenSlope
		v.Trend.SenSlope = &s
	}
	return v
}

// RollUpMetrics is metrics.RollUpMetrics as a role may see it: the case
// counts under the rule and their growth withheld when either is
// suppressed. Every other figure counts hotspots or areas.
type RollUpMetrics struct {
	metrics.RollUpMetrics
	Cases         any                `json:"cases"`
	PreviousCases any                `json:"previous_cases"`
	CasesGrowth   metrics.GoalMetric `json:"cases_growth"`
	Suppressed    []string           `json:"suppressed,omitempty"`
}

// RollUp returns a parent's roll-up under the rule.
func (r Rule) RollUp(ru metrics.RollUpMetrics) RollUpMetrics {
	v := RollUpMetrics{RollUpMetrics: ru, Cases: int64(ru.Cases), PreviousCases: int64(ru.PreviousCases), CasesGrowth: ru.CasesGrowth}
	if r.Suppressed(int64(ru.Cases)) {
		v.Cases = SuppressedText
		v.Suppressed = append(v.Suppressed, colCases)
	}
	if r.Suppressed(int64(ru.PreviousCases)) {
		v.PreviousCases = SuppressedText
		v.Suppressed = append(v.Suppressed, colPreviousCases)
	}
	if len(v.Suppressed) > 0 {
		v.CasesGrowth.Value = nil
		v.Suppressed = append(v.Suppressed, colCasesGrowth)
	}
	return v
}

// Criterion is metrics.Criterion with its values under the rule: a value
// that counts people (anything but the hotspot counts and the plant areas
// in m²) below MinCount is "< 5". The status stays: it says met or not,
// not how many.
type Criterion struct {
	metrics.Criterion
	Values map[string]any `json:"values"`
}

// exactCriterionValues are the criteria values that are not counts of
// people.
var exactCriterionValues = map[string]bool{
	"active_end": true, "recurred": true, "new": true,
	hotspot.IndPlantAreaFoundM2: true, hotspot.IndPlantAreaDestroyedM2: true,
	hotspot.IndHouseholdsTotal: true, hotspot.IndHouseholdsReached: true,
}

// Criteria returns the criteria under the rule.
func (r Rule) Criteria(cs []metrics.Criterion) []Criterion {
	out := make([]Criterion, len(cs))
	for i, c := range cs {
		vals := make(map[string]any, len(c.Values))
		for k, v := range c.Values {
			switch {
			case v == nil:
				vals[k] = nil
			case !exactCriterionValues[k] && r.Suppressed(int64(math.Round(*v))):
				vals[k] = SuppressedText
			default:
				vals[k] = *v
			}
		}
		out[i] = Criterion{Criterion: c, Values: vals}
	}
	return out
}

// countColumn reports whether a CSV column is a count (written "< 5" when
// suppressed) rather than a figure withheld (written empty).
func countColumn(col string) bool {
	return slices.Contains(countCols(), col) || col == colCases || col == colPreviousCases
}

// WriteMetricsCSV writes ms as metrics.WriteCSV writes theirs, with the
// columns of metrics.CSVHeader plus incidents_total, and each suppressed
// count written "< 5" and each withheld figure left empty.
func WriteMetricsCSV(w io.Writer, ms []AreaMetrics) error {
	cw := csv.NewWriter(w)
	header := append(metrics.CSVHeader(), colIncidentsTotal)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, m := range ms {
		rec := append(m.AreaMetrics.CSVRecord(), "")
		rec[len(rec)-1] = csvCell(m.IncidentsTotal)
		for i, col := range header {
			if m.IsSuppressed(col) {
				if countColumn(col) {
					rec[i] = SuppressedText
				} else {
					rec[i] = ""
				}
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvCell(v any) string {
	switch x := v.(type) {
	case int64:
		return itoa(x)
	case string:
		return x
	}
	return ""
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

package report

import (
	"math"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
	"github.com/diaban/diaban/hotspot/metrics"
)

// kind says how a cell is written.
type kind int

const (
	kText   kind = iota
	kInt         // a count: 1.234
	kScore       // one decimal: 12,5
	kSigned      // a change with its sign, one decimal: +1,5
	kPct         // a share, one decimal: 22,2 %
)

// cell is one value of a table as every format needs it: the number (for
// XLSX) and the text as the map writes it (CSV, PDF).
type cell struct {
	text   string
	num    float64
	isNum  bool
	kind   kind
	hidden bool // withheld from the reader (a small count, or derived from one)
}

// column is one column of a table: its heading, and how its total is made
// (a sum, a ratio of two other columns' totals, a given value, or none).
type column struct {
	vi, en string
	kind   kind
	people bool   // counts people: under the disclosure rule
	sum    bool   // total = the column's sum
	ratio  [2]int // total = total of column ratio[0] / total of column ratio[1], when ratio[1] > 0
}

func (d *Data) heading(c column) string { return d.tr(c.vi, c.en) }

// table is a table of cells with an optional totals row.
type table struct {
	cols  []column
	rows  [][]cell
	total []cell // nil: no totals row
}

func (d *Data) text(s string) cell { return cell{text: s, kind: kText} }

func (d *Data) intCell(n int, _ bool) cell {
	return cell{num: float64(n), isNum: true, kind: kInt, text: d.num(float64(n), 0)}
}

func (d *Data) pctCell(v *float64) cell {
	if v == nil {
		return cell{text: "—", kind: kPct}
	}
	r := math.Round(*v*1000) / 1000 // rounded as shown: one decimal of a percentage
	return cell{num: r, isNum: true, kind: kPct, text: d.pct(v)}
}

func (d *Data) scoreCell(v *float64, signed bool) cell {
	k := kScore
	if signed {
		k = kSigned
	}
	if v == nil {
		return cell{text: "—", kind: k}
	}
	r := math.Round(*v*10) / 10
	c := cell{num: r, isNum: true, kind: k, text: d.num(*v, 1)}
	if signed {
		c.text = d.signed(*v, 1)
	}
	return c
}

func withheld(k kind) cell { return cell{text: "—", kind: k, hidden: true} }

// The columns of the per-unit table, in order.
const (
	colCode = iota
	colName
	colClass
	colScore
	colScoreChange
	colActiveStart
	colActiveDuring
	colActiveEnd
	colNew
	colEliminated
	colRecurred
	colRate
	colIncidents
	colIncidentsPrev
	colTipsReceived
	colTipsHandled
	colTipsShare
)

var unitColumns = []column{
	colCode:          {vi: "Mã", en: "Code", kind: kText},
	colName:          {vi: "Tên đơn vị", en: "Name", kind: kText},
	colClass:         {vi: "Phân loại", en: "Class", kind: kText},
	colScore:         {vi: "Điểm phức tạp", en: "Complexity score", kind: kScore},
	colScoreChange:   {vi: "Điểm: thay đổi so với kỳ trước", en: "Score: change on the previous period", kind: kSigned},
	colActiveStart:   {vi: "Điểm hoạt động đầu kỳ", en: "Hotspots active at the start", kind: kInt, sum: true},
	colActiveDuring:  {vi: "Điểm hoạt động trong kỳ", en: "Hotspots active during", kind: kInt, sum: true},
	colActiveEnd:     {vi: "Điểm hoạt động cuối kỳ", en: "Hotspots active at the end", kind: kInt, sum: true},
	colNew:           {vi: "Điểm mới", en: "New", kind: kInt, sum: true},
	colEliminated:    {vi: "Điểm đã triệt xóa", en: "Eliminated", kind: kInt, sum: true},
	colRecurred:      {vi: "Điểm phức tạp trở lại", en: "Recurred", kind: kInt, sum: true},
	colRate:          {vi: "Tỷ lệ triệt xóa", en: "Elimination rate", kind: kPct, ratio: [2]int{colEliminated, colActiveDuring}},
	colIncidents:     {vi: "Vụ án, vụ việc", en: "Incidents", kind: kInt, people: true, sum: true},
	colIncidentsPrev: {vi: "Vụ án, vụ việc kỳ trước", en: "Incidents, previous period", kind: kInt, people: true, sum: true},
	colTipsReceived:  {vi: "Tin báo tiếp nhận", en: "Tips received", kind: kInt, people: true, sum: true},
	colTipsHandled:   {vi: "Tin báo đã xử lý", en: "Tips handled", kind: kInt, people: true, sum: true},
	colTipsShare:     {vi: "Tỷ lệ xử lý tin báo", en: "Tips handled %", kind: kPct, ratio: [2]int{colTipsHandled, colTipsReceived}},
}

// views returns the units' metrics this period and the previous one,
// and the area's, as the reader's disclosure rule lets it see them
// (hotspot/disclosure: the same decisions as the metrics API, secondary
// suppression down each column included).
func (d *Data) views() (cur, prev []disclosure.AreaMetrics, total, prevTotal disclosure.AreaMetrics) {
	cs, ps := make([]metrics.AreaMetrics, len(d.Units)), make([]metrics.AreaMetrics, len(d.Units))
	for i, u := range d.Units {
		cs[i], ps[i] = u.Cur, u.Prev
	}
	return d.Rule.MetricsTable(cs), d.Rule.MetricsTable(ps), d.Rule.Metrics(d.Total), d.Rule.Metrics(d.Previous)
}

// The disclosure package's names of the columns a report shows.
const (
	dIncidents   = "incidents_total"
	dTipsRecv    = "tips_received"
	dTipsHandled = "tips_handled"
	dTipsShare   = "tips_handled_share"
	dScore       = "complexity_score"
	dScoreChange = "trend_score_change"
)

// countCell is a count of people as v shows it: "< 5" when suppressed.
func (d *Data) countCell(v disclosure.AreaMetrics, col string, n int) cell {
	c := d.intCell(n, false)
	if v.IsSuppressed(col) {
		c.hidden, c.text = true, disclosure.SuppressedText
	}
	return c
}

// countText is countCell's text.
func (d *Data) countText(v disclosure.AreaMetrics, col string, n int) string {
	return d.countCell(v, col, n).text
}

func (d *Data) unitRow(u UnitRow, v, pv disclosure.AreaMetrics) []cell {
	m := u.Cur
	row := make([]cell, len(unitColumns))
	row[colCode] = d.text(u.Code)
	row[colName] = d.text(u.Name)
	row[colClass] = d.text(d.className(m.Class))
	if v.IsSuppressed(dScore) {
		row[colScore] = withheld(kScore)
	} else {
		row[colScore] = d.scoreCell(&m.ComplexityScore, false)
	}
	if v.IsSuppressed(dScoreChange) {
		row[colScoreChange] = withheld(kSigned) // earlier periods' scores are not shown to a viewer
	} else {
		row[colScoreChange] = d.scoreCell(m.Trend.ScoreChange, true)
	}
	row[colActiveStart] = d.intCell(m.ActiveStart, false)
	row[colActiveDuring] = d.intCell(m.ActiveDuring, false)
	row[colActiveEnd] = d.intCell(m.ActiveEnd, false)
	row[colNew] = d.intCell(m.New, false)
	row[colEliminated] = d.intCell(m.Eliminated, false)
	row[colRecurred] = d.intCell(m.Recurred, false)
	row[colRate] = d.pctCell(m.EliminationRate)
	row[colIncidents] = d.countCell(v, dIncidents, m.IncidentTotal())
	row[colIncidentsPrev] = d.countCell(pv, dIncidents, u.Prev.IncidentTotal())
	row[colTipsReceived] = d.countCell(v, dTipsRecv, m.TipsReceived)
	row[colTipsHandled] = d.countCell(v, dTipsHandled, m.TipsHandled)
	row[colTipsShare] = d.pctCell(m.TipsHandledShare)
	if v.IsSuppressed(dTipsShare) {
		row[colTipsShare] = withheld(kPct)
	}
	return row
}

// unitTable is the per-unit table with its totals row. The totals are the
// area's own figures (Total), which are the sums of the units' counts; the
// rates are the ratios of the totals.
func (d *Data) unitTable() table {
	t := table{cols: unitColumns}
	cur, prev, tot, ptot := d.views()
	for i, u := range d.Units {
		t.rows = append(t.rows, d.unitRow(u, cur[i], prev[i]))
	}
	t.total = d.unitRow(UnitRow{Unit: Unit{Name: d.tr("Tổng cộng", "Total")}, Cur: d.Total, Prev: d.Previous}, tot, ptot)
	t.total[colClass] = d.text("")
	return t
}

// targetRow is one line of the targets table.
type targetRow struct {
	name     string
	value    cell
	band     string // the target as text: 1,3 %–2,5 %, < -1 %
	status   string
	rawState string // met, below, exceeded, not_met, undefined
}

// targets returns the plans' targets against the results: the elimination
// rate and the elimination growth in the period against the band prorated
// to its months (both readings, DOMAIN.md), the configured measure's
// year-end projection against the yearly band, and for a district or
// province the roll-up's goals.
func (d *Data) targets() []targetRow {
	m := d.Total
	yearly := metrics.TargetConfig{Measure: m.Target.Measure, Min: m.Target.Projection.Min, Max: m.Target.Projection.Max}
	band := func(measure metrics.Measure) (float64, float64) {
		tc := yearly
		tc.Measure = measure
		return metrics.ProratedBand(tc, d.Period.Months())
	}
	row := func(name string, v *float64, lo, hi float64) targetRow {
		st := bandOf(v, lo, hi)
		return targetRow{name: name, value: d.pctCell(v), band: d.pct(&lo) + " – " + d.pct(&hi), status: d.statusName(st), rawState: st}
	}
	loR, hiR := band(metrics.MeasureRate)
	loG, hiG := band(metrics.MeasureGrowth)
	mark := func(measure metrics.Measure, s string) string {
		if m.Target.Measure == measure {
			return s + d.tr(" (chỉ tiêu áp dụng)", " (the target applied)")
		}
		return s
	}
	out := []targetRow{
		row(mark(metrics.MeasureRate, d.tr("Tỷ lệ triệt xóa trong kỳ (điểm triệt xóa / điểm hoạt động)", "Elimination rate in the period (eliminated / active)")), m.EliminationRate, loR, hiR),
		row(mark(metrics.MeasureGrowth, d.tr("Tăng số điểm triệt xóa so với kỳ trước", "Growth of eliminations on the previous period")), m.EliminationGrowth, loG, hiG),
	}
	p := m.Target.Projection
	pr := row(d.tr("Dự báo cả năm theo nhịp từ đầu năm", "Year-end projection at the year-to-date pace"), p.Value, p.Min, p.Max)
	pr.status, pr.rawState = d.statusName(string(p.Status)), string(p.Status)
	out = append(out, pr)
	if ru := d.RollUp; ru != nil {
		goal := func(name string, g metrics.GoalMetric, asCount bool) targetRow {
			ops := map[string]string{"below": "<", "at_most": "≤", "above": ">", "at_least": "≥"}
			r := targetRow{name: name, status: d.statusName(string(g.Status)), rawState: string(g.Status)}
			if asCount {
				r.band = ops[g.Target.Op] + " " + d.num(g.Target.Threshold, 0)
				if g.Value != nil {
					r.value = d.intCell(int(*g.Value), false)
				} else {
					r.value = cell{text: "—", kind: kInt}
				}
			} else {
				th := g.Target.Threshold
				r.band = ops[g.Target.Op] + " " + d.pct(&th)
				r.value = d.pctCell(g.Value)
			}
			return r
		}
		out = append(out,
			goal(d.tr("Thay đổi số xã có tệ nạn ma túy", "Change in communes with drug problems"), ru.AffectedShareChange, false),
			goal(d.tr("Xã trọng điểm giảm mức độ phức tạp", "Key communes lowering their complexity"), ru.KeyImprovedShare, false),
		)
		cg := goal(d.tr("Tăng số vụ phát hiện", "Growth of detected cases"), ru.CasesGrowth, false)
		if d.Rule.RollUp(*ru).CasesGrowth.Value == nil && ru.CasesGrowth.Value != nil {
			cg.value = withheld(kPct) // computed from a suppressed count; its status stays
		}
		out = append(out, cg,
			goal(d.tr("Điểm phát sinh mới", "New hotspots"), ru.New, true),
			goal(d.tr("Điểm phức tạp trở lại", "Recurred hotspots"), ru.Recurred, true))
	}
	return out
}

// bandOf places v against [lo, hi] as the metrics package does.
func bandOf(v *float64, lo, hi float64) string {
	const eps = 1e-9
	switch {
	case v == nil:
		return "undefined"
	case *v < lo-eps:
		return "below"
	case *v > hi+eps:
		return "exceeded"
	}
	return "met"
}

// criterionEvidence returns criterion c's values as "name: value" text
// under the reader's rule (disclosure.Rule.Criteria), in reading order.
func (d *Data) criterionEvidence(c metrics.Criterion) []string {
	var out []string
	for _, kv := range d.criterionValues(c) {
		out = append(out, d.valueName(kv.key)+": "+kv.text)
	}
	return out
}

// criterionValue is one value of a criterion under the reader's rule.
type criterionValue struct {
	key, text string
	num       *float64 // nil when not reported or suppressed
}

func (d *Data) criterionValues(c metrics.Criterion) []criterionValue {
	shown := d.Rule.Criteria([]metrics.Criterion{c})[0].Values
	var out []criterionValue
	for _, k := range criterionValueOrder[c.ID] {
		v, ok := shown[k]
		if !ok {
			continue
		}
		x := criterionValue{key: k, text: d.tr("chưa có", "none reported")}
		switch v := v.(type) {
		case float64:
			x.num = &v
			x.text = d.num(v, 0)
			if v != math.Trunc(v) {
				x.text = d.num(v, 1)
			}
		case string:
			x.text = v
		}
		out = append(out, x)
	}
	return out
}

// trendPoints returns the trend's periods and scores, oldest first; nil
// for a reader the rule withholds them from.
func (d *Data) trendPoints() ([]hotspot.Period, []float64) {
	tr := d.Total.Trend
	if d.Rule.Limited() || len(tr.Series) == 0 {
		return nil, nil
	}
	ps := make([]hotspot.Period, len(tr.Series))
	p := tr.From
	for i := range ps {
		ps[i] = p
		p = p.Next()
	}
	return ps, tr.Series
}

// trendWords describes the trend in one sentence.
func (d *Data) trendWords() string {
	tr := d.Total.Trend
	dir := map[metrics.Direction][2]string{
		metrics.DirectionRising:  {"tăng (xấu đi)", "rising (worse)"},
		metrics.DirectionFalling: {"giảm (chuyển biến tốt)", "falling (better)"},
		metrics.DirectionNone:    {"không rõ xu hướng", "no clear trend"},
	}[tr.Direction]
	s := d.tr("Xu hướng mức độ phức tạp: ", "Complexity trend: ") + d.tr(dir[0], dir[1])
	if tr.N > 0 {
		s += d.tr(" (kiểm định Mann–Kendall trên ", " (Mann–Kendall test over ") + d.num(float64(tr.N), 0) +
			d.tr(" kỳ, p = ", " periods, p = ") + d.num(tr.P, 3) + ")"
	}
	return s + "."
}

package webmap

import (
	"maps"
	"net/http"
	"strconv"
	"strings"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
	"github.com/diaban/diaban/hotspot/metrics"
)

// The monthly trend behind the scorecard's chart (issue 14).
//
//	GET /api/areas/{code}/trend?period=P[&months=36][&as_of=D]
//
// answers the complexity score of the area for each of the months (default
// 36, 12 to 120) ending with P's last month, oldest first, and the
// Mann–Kendall test with Sen's slope over them:
//
//	{"area", "period", "months": ["2023-11", ...], "scores": [...],
//	 "trend": metrics.Trend}
//
// A committee's yearly period has five points behind its own trend, which
// nearly always reads "no clear trend"; 36 months tell more. Months before
// the area's data begin are dropped, as the period's own trend drops them.
// Role and scope are those of GET /api/areas/{code}/metrics, and so is the
// disclosure rule (hotspot/disclosure): a viewer's custom window is widened
// to whole months, and a viewer gets the months and the test's rank
// statistics (direction, n, s, var_s, z, p) but not the scores or Sen's
// slope ("scores" and trend.series null, "withheld": true) — earlier
// months' scores rest on counts of people the answer does not show.

// Trend series lengths accepted, in months.
const (
	trendMonthsDefault = 36
	trendMonthsMin     = 12
	trendMonthsMax     = 120
)

// trendAnswer is the body of GET /api/areas/{code}/trend.
type trendAnswer struct {
	Area     string           `json:"area"`
	Period   string           `json:"period"`
	Months   []string         `json:"months"`
	Scores   []float64        `json:"scores"`
	Trend    disclosure.Trend `json:"trend"`
	Withheld bool             `json:"withheld"`
}

// queryTrendMonths reads the optional months parameter.
func queryTrendMonths(r *http.Request) (int, error) {
	v := strings.TrimSpace(r.URL.Query().Get("months"))
	if v == "" {
		return trendMonthsDefault, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < trendMonthsMin || n > trendMonthsMax {
		return 0, errBad("months", "want a whole number of months from "+strconv.Itoa(trendMonthsMin)+" to "+strconv.Itoa(trendMonthsMax))
	}
	return n, nil
}

func (s *Server) handleAreaTrend(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPeriod(r)
	if err != nil {
		return err
	}
	n, err := queryTrendMonths(r)
	if err != nil {
		return err
	}
	asOf, err := queryAsOf(r)
	if err != nil {
		return err
	}
	rule := disclosure.For(roleOf(userFrom(r.Context())))
	p = rule.Period(p) // a viewer's custom window: whole months
	// The month that ends P, computed as a month with an n-month trend: one
	// Compute over one input window gives the series and its test.
	last := p.LastMonth()
	month := hotspot.MonthPeriod(last.Year(), last.Month())
	cfg := s.metricsConfig()
	cfg.Trend.Periods = maps.Clone(cfg.Trend.Periods)
	if cfg.Trend.Periods == nil {
		cfg.Trend.Periods = map[hotspot.PeriodKind]int{}
	}
	cfg.Trend.Periods[hotspot.PeriodMonth] = n
	got, err := s.store.MetricsInputAsOf(r.Context(), r.PathValue("code"), asOf, cfg, month)
	if err != nil {
		return err
	}
	m := metrics.Compute(got.Input, month, cfg)
	n = len(m.Trend.Series)
	ans := trendAnswer{Area: got.Area.Code, Period: p.String(), Months: make([]string, n)}
	for i := range n {
		ans.Months[i] = (last - hotspot.Month(n-1-i)).String()
	}
	if rule.Limited() {
		ans.Withheld = true
		ans.Trend = disclosure.Trend{Trend: m.Trend}
	} else {
		slope := m.Trend.SenSlope
		ans.Scores = append([]float64{}, m.Trend.Series...)
		ans.Trend = disclosure.Trend{Trend: m.Trend, Series: m.Trend.Series, ScoreChange: m.Trend.ScoreChange, SenSlope: &slope}
	}
	writeJSON(w, http.StatusOK, ans)
	return nil
}

package webmap

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
	"github.com/diaban/diaban/hotspot/metrics"
	"github.com/diaban/diaban/hotspot/store"
)

// The metrics API: how an area is transforming (issue 3).
//
//	GET /api/areas/{code}/metrics?period=P
//
// answers one object: every field of metrics.AreaMetrics at the top level
// with the package's names (area, period, active_start, ..., target, trend),
// plus
//
//	name, level   the area's current name and level
//	criteria      seed 001's six recognition criteria (metrics.Criteria)
//	rollup        for a district or province only: metrics.RollUpMetrics
//	              over its communes (children, classes, affected_share_change,
//	              key_improved_share, cases_growth, new, recurred, ...)
//
// For a district or province the AreaMetrics fields describe the parent as
// one area (all the hotspots, incidents and tips below it), and rollup the
// committee's view over its communes.
//
//	GET /api/metrics?parent=CODE&period=P[&format=csv]
//
// answers {"parent", "period", "rollup", "areas": [AreaMetrics, ...]} with
// one entry per commune below the parent, sorted by code; format=csv sends
// the same rows as metrics.WriteCSV writes them, as an attachment.
//
// Both answer under the caller's disclosure rule (hotspot/disclosure): a
// viewer's counts of incidents and tips below 5 are "< 5", the figures
// computed from them null, each named in "suppressed"; incidents_total is
// added for every role.
//
// P is any hotspot.ParsePeriod form (hotspot.PeriodForms), cut in Asia/Ho_Chi_Minh.
// A bad period is a 400 on "period", an unknown area on "area" or "parent".

// areaMetricsAnswer is the body of GET /api/areas/{code}/metrics.
type areaMetricsAnswer struct {
	disclosure.AreaMetrics
	Name     string                    `json:"name"`
	Level    hotspot.Level             `json:"level"`
	Criteria []disclosure.Criterion    `json:"criteria"`
	RollUp   *disclosure.RollUpMetrics `json:"rollup,omitempty"`
	// The geography (issue 13): the date the area is taken as of, its type,
	// whether it is retired today, what it was made of and went into, and
	// why an indicator is null or how it was apportioned.
	AsOf           string                `json:"as_of"`
	Type           string                `json:"type,omitempty"`
	Retired        bool                  `json:"retired"`
	Predecessors   []store.LineageLink   `json:"predecessors"`
	Successors     []store.LineageLink   `json:"successors"`
	IndicatorNotes []store.IndicatorNote `json:"indicator_notes,omitempty"`
}

// childMetricsAnswer is the JSON body of GET /api/metrics.
type childMetricsAnswer struct {
	Parent string                   `json:"parent"`
	Period hotspot.Period           `json:"period"`
	RollUp disclosure.RollUpMetrics `json:"rollup"`
	Areas  []disclosure.AreaMetrics `json:"areas"`
}

// metricsConfig returns the configured metrics settings, or the defaults
// when the server was built without them.
func (s *Server) metricsConfig() metrics.Config {
	if s.cfg.Metrics.Target.Measure == "" {
		return metrics.DefaultConfig()
	}
	return s.cfg.Metrics
}

// queryPeriod reads the required period parameter.
func queryPeriod(r *http.Request) (hotspot.Period, error) {
	v := strings.TrimSpace(r.URL.Query().Get("period"))
	if v == "" {
		return hotspot.Period{}, errBad("period", "required: "+hotspot.PeriodForms)
	}
	p, err := hotspot.ParsePeriod(v)
	if err != nil {
		return hotspot.Period{}, errBad("period", err.Error())
	}
	return p, nil
}

func (s *Server) handleAreaMetrics(w http.ResponseWriter, r *http.Request) error {
	p, err := queryPeriod(r)
	if err != nil {
		return err
	}
	rule := disclosure.For(roleOf(userFrom(r.Context())))
	p = rule.Period(p) // a viewer's custom window: whole months
	asOf, err := queryAsOf(r)
	if err != nil {
		return err
	}
	cfg := s.metricsConfig()
	code := r.PathValue("code")
	// One load for the area and, above commune level, its communes' roll-up
	// (each row read once when the geography is today's).
	got, children, err := s.store.AreaAndChildMetricsAsOf(r.Context(), code, asOf, cfg, p)
	if err != nil {
		return err
	}
	in, shape := got.Input, got.Area
	lineage, err := s.store.Lineage(r.Context(), shape)
	if err != nil {
		return err
	}
	m := metrics.Compute(in, p, cfg)
	ans := areaMetricsAnswer{AreaMetrics: rule.Metrics(m), Name: shape.Name, Level: shape.Level,
		AsOf: asOf.Format("2006-01-02"), Type: string(shape.Type), Retired: lineage.Retired,
		Predecessors: lineage.Predecessors, Successors: lineage.Successors, IndicatorNotes: got.Notes}
	ans.Criteria = rule.Criteria(metrics.Criteria(m, in.Indicators, p))
	if shape.Level == hotspot.LevelProvince || shape.Level == hotspot.LevelDistrict {
		ru, _ := metrics.ComputeRollUp(code, children, p, cfg, 0)
		v := rule.RollUp(ru)
		ans.RollUp = &v
	}
	writeJSON(w, http.StatusOK, ans)
	return nil
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p, err := queryPeriod(r)
	if err != nil {
		return err
	}
	rule := disclosure.For(roleOf(userFrom(r.Context())))
	p = rule.Period(p) // a viewer's custom window: whole months
	format := q.Get("format")
	if format != "" && format != "json" && format != "csv" {
		return errBad("format", "want json or csv")
	}
	parent := q.Get("parent")
	if parent == "" {
		return errBad("parent", "required: the code of a district or province")
	}
	asOf, err := queryAsOf(r)
	if err != nil {
		return err
	}
	cfg := s.metricsConfig()
	children, _, err := s.store.ChildMetricsInputsAsOf(r.Context(), parent, asOf, p, cfg)
	if err != nil {
		return err
	}
	ru, all := metrics.ComputeRollUp(parent, children, p, cfg, 0)
	ms := rule.MetricsTable(all)
	if format == "csv" {
		var raw, buf bytes.Buffer
		if err := disclosure.WriteMetricsCSV(&raw, ms); err != nil {
			return err
		}
		if err := writeSafeCSV(&buf, &raw); err != nil {
			return err
		}
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="metrics-`+safeFileName(parent)+"-"+p.String()+`.csv"`)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(buf.Bytes())
		return nil
	}
	writeJSON(w, http.StatusOK, childMetricsAnswer{Parent: parent, Period: p, RollUp: rule.RollUp(ru), Areas: ms})
	return nil
}

// safeFileName keeps letters, digits, '-' and '_' of an area code for a
// Content-Disposition file name.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, s)
}

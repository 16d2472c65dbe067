package metrics

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"os"

	"github.com/diaban/diaban/hotspot"
)

// defaultsJSON is the default configuration. Every number in it is argued
// in the comments of Config and its parts below.
//
//go:embed defaults.json
var defaultsJSON []byte

// Config holds the targets, weights and thresholds of the metrics. Build it
// with DefaultConfig or LoadConfig; a zero Config is not valid.
type Config struct {
	Target     TargetConfig     `json:"target"`
	Complexity ComplexityConfig `json:"complexity"`
	Trend      TrendConfig      `json:"trend"`
	RollUp     RollUpConfig     `json:"rollup"`
}

// Measure names the quantity the elimination target is set on.
type Measure string

// The two elimination measures the plans use (DOMAIN.md): Cần Thơ (seed 004)
// eliminates 5–10% of its hotspots each year (a rate on the stock); Hội An
// (seed 000) raises the number of hotspots dismantled 5–10% over the year
// before (a growth of the flow).
const (
	MeasureRate   Measure = "elimination_rate"
	MeasureGrowth Measure = "elimination_growth"
)

// TargetConfig is the yearly elimination band, min ≤ value ≤ max.
//
// Default: elimination_rate in [0.05, 0.10], "triệt xóa từ 5 - 10% số điểm
// mỗi năm" (seed 004, items 2 and the 2016–2020 targets). A deployment that
// follows Hội An (seed 000: "triệt xóa ... tăng từ 05-10% so với năm trước")
// sets measure to elimination_growth with the same band.
type TargetConfig struct {
	Measure Measure `json:"measure"`
	Min     float64 `json:"min"`
	Max     float64 `json:"max"`
}

// ComplexityConfig weighs what makes a commune complex (mức độ phức tạp).
//
//	score = active_hotspot_weight × hotspots active at the period's end
//	      + Σ_kind incident_weights[kind] × incidents of that kind per month
//	      + registered_users_per_1000_weight × registered users per 1,000 inhabitants
//
// Incidents are divided by the months in the period, so a month, a quarter
// and a year score on the same scale; hotspots and registered users are
// stocks at the period's end and need no scaling.
//
// Defaults and why:
//   - active_hotspot_weight 3: hotspots are what the plans count first and
//     most (seed 004: eliminate 5–10% a year and let none form; seed 001
//     criterion 3: 100% eliminated, none recurring), and a hotspot is a
//     standing place, not a single event: one hotspot weighs as much as two
//     trafficking cases every month.
//   - incident_weights per incident per month: 2 for trafficking, production
//     and organised use, 1.5 for storage and transport, 1 for cultivation,
//     0.5 for use and other. Seeds 003 and 004 single out production,
//     trafficking, storage and transport as the cases to detect; seed 001
//     criterion 4 adds organising and harbouring use; seed 002 makes
//     "điểm tổ chức, chứa chấp sử dụng" what a ward must not let form. Use
//     is an administrative matter (criterion 6 asks only that it not be
//     public), hence the lowest weight. Cultivation is found and destroyed
//     (100% in every seed) but is rare in towns; it sits in the middle.
//   - registered_users_per_1000_weight 0.5: the register measures demand
//     (seeds 000, 003, 004 set their targets on it) but says nothing of
//     dealing in the commune; 12 registered users per 1,000 inhabitants
//     alone, several times a usual rate, then count as two active hotspots.
//   - population_key "population", default_population 10000: the indicator
//     vocabulary has no population yet; when the key is absent the register
//     is scaled by a commune of 10,000 inhabitants, the order of a
//     Vietnamese commune or ward (configurable, e.g. after the 2025 mergers).
//   - key_min_score 6: a commune is key (trọng điểm) from two active
//     hotspots, or one hotspot and one and a half trafficking cases a month
//     (18 a year), or three trafficking or production cases a month with no
//     standing hotspot. Below it a commune that is not clear is affected.
//   - clear_requires_registered_users false: a commune is clear (không có tệ
//     nạn) when no hotspot is active at the period's end, no incident
//     happened in it and the register holds no one; an absent
//     registered_users indicator counts as 0, because the class is the
//     police's hotspot-and-case judgement and a missing yearly return should
//     not turn a clean commune "affected". The metrics show
//     registered_users as null so the gap is visible; set the flag to true
//     to demand the report.
type ComplexityConfig struct {
	ActiveHotspotWeight          float64                          `json:"active_hotspot_weight"`
	IncidentWeights              map[hotspot.IncidentKind]float64 `json:"incident_weights"`
	RegisteredUsersPer1000Weight float64                          `json:"registered_users_per_1000_weight"`
	PopulationKey                string                           `json:"population_key"`
	DefaultPopulation            float64                          `json:"default_population"`
	KeyMinScore                  float64                          `json:"key_min_score"`
	ClearRequiresRegisteredUsers bool                             `json:"clear_requires_registered_users"`
}

// TrendConfig sets the Mann–Kendall test on the complexity score.
//
// Defaults: alpha 0.05 (the brief); 12 months for a month (a full seasonal
// cycle, the monthly committee rhythm of seed 001), 8 quarters for a
// quarter (two years: with fewer than 8 points Mann–Kendall can hardly
// reach p < 0.05 with ties) and 5 years for a year (the span of the
// 2016–2020 and 2021–2025 plans, seed 004); 6 halves for a half (three
// years of sơ kết and tổng kết). A custom window takes the length of the
// calendar kind nearest its months (Length).
type TrendConfig struct {
	Alpha   float64                    `json:"alpha"`
	Periods map[hotspot.PeriodKind]int `json:"periods"`
}

// Length returns the number of periods of p's kind a trend tests: Periods
// for a calendar kind; for a custom window, that of the month, quarter,
// half or year nearest its length in months.
func (t TrendConfig) Length(p hotspot.Period) int {
	k := p.Kind()
	if k == hotspot.PeriodCustom {
		switch m := p.Months(); {
		case m <= 1:
			k = hotspot.PeriodMonth
		case m <= 4:
			k = hotspot.PeriodQuarter
		case m <= 8:
			k = hotspot.PeriodHalf
		default:
			k = hotspot.PeriodYear
		}
	}
	return t.Periods[k]
}

// RollUpConfig holds the yearly goals of a district or province (seeds 000,
// 003, 004): communes with drug problems fall by more than 1%
// (affected_share_change below −0.01), more than 5% of key communes lower
// their complexity (key_improved_share above 0.05), detected cases grow by
// at least 5% (cases_growth at_least 0.05), no new hotspot and none
// recurring (at_most 0).
// case_kinds are the incident kinds counted as cases: production,
// trafficking, storage and transport, as seeds 003 and 004 word the 5%
// target ("sản xuất, mua bán, tàng trữ, vận chuyển").
type RollUpConfig struct {
	AffectedShareChange Goal                   `json:"affected_share_change"`
	KeyImprovedShare    Goal                   `json:"key_improved_share"`
	CasesGrowth         Goal                   `json:"cases_growth"`
	New                 Goal                   `json:"new"`
	Recurred            Goal                   `json:"recurred"`
	CaseKinds           []hotspot.IncidentKind `json:"case_kinds"`
}

// Goal is a one-sided target: the value must be below (<), at_most (≤),
// above (>) or at_least (≥) the threshold. Words rather than symbols, so
// JSON encoders do not escape them.
type Goal struct {
	Op        string  `json:"op"`
	Threshold float64 `json:"threshold"`
}

// ConfigError names the configuration field that is wrong.
type ConfigError struct {
	Field  string
	Reason string
}

func (e *ConfigError) Error() string { return fmt.Sprintf("metrics config: %s: %s", e.Field, e.Reason) }

// DefaultConfig returns the embedded defaults (defaults.json).
func DefaultConfig() Config {
	var c Config
	if err := decodeStrict(defaultsJSON, &c); err != nil {
		panic("metrics: embedded defaults.json: " + err.Error())
	}
	if err := c.Validate(); err != nil {
		panic("metrics: embedded defaults.json: " + err.Error())
	}
	return c
}

// LoadConfig returns the defaults overridden by the JSON file at path (an
// empty path gives the defaults). The file need only name what it changes:
// {"target": {"measure": "elimination_growth"}} keeps every other default;
// a map such as incident_weights is merged key by key. Unknown fields are
// errors, so a typo cannot silently fall back to a default.
func LoadConfig(path string) (Config, error) {
	c := DefaultConfig()
	if path == "" {
		return c, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("metrics config: %w", err)
	}
	if err := decodeStrict(b, &c); err != nil {
		return Config{}, fmt.Errorf("metrics config %s: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func decodeStrict(b []byte, c *Config) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	return d.Decode(c)
}

// Validate checks every field; errors are *ConfigError.
func (c Config) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &ConfigError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	t := c.Target
	if t.Measure != MeasureRate && t.Measure != MeasureGrowth {
		return bad("target.measure", "%q is neither %q nor %q", t.Measure, MeasureRate, MeasureGrowth)
	}
	if !finite(t.Min) || !finite(t.Max) || t.Min > t.Max {
		return bad("target", "min %v and max %v must be finite with min ≤ max", t.Min, t.Max)
	}
	if t.Measure == MeasureRate && (t.Min < 0 || t.Max > 1) {
		return bad("target", "an elimination rate band must lie within [0, 1]")
	}
	if t.Measure == MeasureGrowth && t.Min <= -1 {
		return bad("target.min", "a growth below −100%% is impossible")
	}
	x := c.Complexity
	for name, v := range map[string]float64{
		"complexity.active_hotspot_weight":            x.ActiveHotspotWeight,
		"complexity.registered_users_per_1000_weight": x.RegisteredUsersPer1000Weight,
		"complexity.key_min_score":                    x.KeyMinScore,
	} {
		if !finite(v) || v < 0 {
			return bad(name, "%v must be a finite number ≥ 0", v)
		}
	}
	for k, v := range x.IncidentWeights {
		if k.Index() == 7 && k != hotspot.IncOther {
			return bad("complexity.incident_weights", "unknown incident kind %q", k)
		}
		if !finite(v) || v < 0 {
			return bad("complexity.incident_weights."+string(k), "%v must be a finite number ≥ 0", v)
		}
	}
	if !finite(x.DefaultPopulation) || x.DefaultPopulation <= 0 {
		return bad("complexity.default_population", "%v must be > 0", x.DefaultPopulation)
	}
	if !(c.Trend.Alpha > 0 && c.Trend.Alpha < 1) {
		return bad("trend.alpha", "%v must lie in (0, 1)", c.Trend.Alpha)
	}
	for _, k := range []hotspot.PeriodKind{hotspot.PeriodMonth, hotspot.PeriodQuarter, hotspot.PeriodHalf, hotspot.PeriodYear} {
		if n := c.Trend.Periods[k]; n < 3 || n > 120 {
			return bad("trend.periods."+string(k), "%d must be between 3 and 120", n)
		}
	}
	r := c.RollUp
	for name, g := range map[string]Goal{
		"rollup.affected_share_change": r.AffectedShareChange,
		"rollup.key_improved_share":    r.KeyImprovedShare,
		"rollup.cases_growth":          r.CasesGrowth,
		"rollup.new":                   r.New,
		"rollup.recurred":              r.Recurred,
	} {
		switch g.Op {
		case "below", "at_most", "above", "at_least":
		default:
			return bad(name+".op", "%q is not one of below, at_most, above, at_least", g.Op)
		}
		if !finite(g.Threshold) {
			return bad(name+".threshold", "must be finite")
		}
	}
	for _, k := range r.CaseKinds {
		if k.Index() == 7 && k != hotspot.IncOther {
			return bad("rollup.case_kinds", "unknown incident kind %q", k)
		}
	}
	return nil
}

// incidentWeights returns the weights by incident index.
func (x ComplexityConfig) incidentWeights() (w [hotspot.NumIncidentKinds]float64) {
	for k, v := range x.IncidentWeights {
		w[k.Index()] = v
	}
	return w
}

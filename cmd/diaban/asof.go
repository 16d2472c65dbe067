package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/metrics"
	"github.com/diaban/diaban/hotspot/store"
)

// parseAsOf reads --as-of (a date; "" is today in Asia/Ho_Chi_Minh).
func parseAsOf(s string) (time.Time, error) {
	if s == "" {
		return store.DateOf(time.Time{}), nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: --as-of: %q is not a date (YYYY-MM-DD)", errUsage, s)
	}
	return d, nil
}

// metricsAsOfAnswer is an area's metrics with the geography they were
// computed on and the notes on its indicators.
type metricsAsOfAnswer struct {
	metrics.AreaMetrics
	AsOf           string                 `json:"as_of"`
	Name           string                 `json:"name"`
	Level          string                 `json:"level"`
	Type           string                 `json:"type,omitempty"`
	IndicatorNotes []store.IndicatorNote  `json:"indicator_notes,omitempty"`
	Criteria       []metrics.Criterion    `json:"criteria,omitempty"`
	RollUp         *metrics.RollUpMetrics `json:"rollup,omitempty"`
}

func asOfAnswer(m metrics.AreaMetrics, got *store.MetricsAsOf, asOf time.Time) metricsAsOfAnswer {
	return metricsAsOfAnswer{AreaMetrics: m, AsOf: asOf.Format(time.DateOnly), Name: got.Area.Name, Level: string(got.Area.Level),
		Type: string(got.Area.Type), IndicatorNotes: got.Notes}
}

// areaQuestion is the flags of a question about one area for one period,
// asked by metrics and report alike: --area, --period, --as-of and
// --config.
type areaQuestion struct {
	area, period, asOf, config *string
}

// register adds the four flags to fs; areaHelp says what --area may be.
func (q *areaQuestion) register(fs *flag.FlagSet, env *environment, areaHelp string) {
	q.area = fs.String("area", "", areaHelp)
	q.period = fs.String("period", "", hotspot.PeriodForms+" (Asia/Ho_Chi_Minh)")
	q.asOf = fs.String("as-of", "", "the geography: areas as they stood on this date (default today); the period chooses only the time window")
	q.config = fs.String("config", env.getenv("DIABAN_METRICS_CONFIG"), "metrics configuration JSON overriding the defaults (env DIABAN_METRICS_CONFIG)")
}

// parse checks the flags once fs is parsed: the area is given, the period
// and the date are well formed, the configuration loads.
func (q *areaQuestion) parse() (area string, p hotspot.Period, asOf time.Time, cfg metrics.Config, err error) {
	if *q.area == "" {
		return "", p, asOf, cfg, fmt.Errorf("%w: --area is required", errUsage)
	}
	if p, err = hotspot.ParsePeriod(*q.period); err != nil {
		return "", p, asOf, cfg, fmt.Errorf("%w: --period: %v", errUsage, err)
	}
	if asOf, err = parseAsOf(*q.asOf); err != nil {
		return "", p, asOf, cfg, err
	}
	if cfg, err = metrics.LoadConfig(*q.config); err != nil {
		return "", p, asOf, cfg, fmt.Errorf("--config: %w", err)
	}
	return *q.area, p, asOf, cfg, nil
}

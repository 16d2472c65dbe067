package main

import (
	"fmt"
	"time"

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

package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/metrics"
)

// cmdMetrics prints an area's transformation metrics for a period, read
// from the database: one JSON object (target and trend nested, the six
// criteria, and for a district or province its roll-up over its communes),
// or a CSV header and the area's row with the same names, nested ones
// joined with "_", followed for a district or province by its communes' rows.
func cmdMetrics(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "metrics", "metrics --area CODE --period 2025|2025-H1|2025-Q3|2025-07|2024-04-15..2025-04-14 [--as-of YYYY-MM-DD] [--format json|csv] [--config FILE] [--db URL]")
	var db dbFlags
	db.register(fs, env)
	area := fs.String("area", "", "area code (a commune; a district or province counts everything below it)")
	period := fs.String("period", "", hotspot.PeriodForms+" (Asia/Ho_Chi_Minh)")
	format := fs.String("format", "json", "json or csv")
	asOfFlag := fs.String("as-of", "", "the geography: areas as they stood on this date (default today); the period chooses only the time window")
	config := fs.String("config", env.getenv("DIABAN_METRICS_CONFIG"), "metrics configuration JSON overriding the defaults (env DIABAN_METRICS_CONFIG)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *area == "" {
		return fmt.Errorf("%w: --area is required", errUsage)
	}
	p, err := hotspot.ParsePeriod(*period)
	if err != nil {
		return fmt.Errorf("%w: --period: %v", errUsage, err)
	}
	if *format != "json" && *format != "csv" {
		return fmt.Errorf("%w: --format must be json or csv", errUsage)
	}
	cfg, err := metrics.LoadConfig(*config)
	if err != nil {
		return fmt.Errorf("--config: %w", err)
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	asOf, err := parseAsOf(*asOfFlag)
	if err != nil {
		return err
	}
	got, err := st.MetricsInputAsOf(ctx, *area, asOf, cfg, p)
	if err != nil {
		return err
	}
	m := metrics.Compute(got.Input, p, cfg)
	ans := asOfAnswer(m, got, asOf)
	// As GET /api/areas/{code}/metrics: the six criteria (a parent's on its
	// children's indicators), and for a district or province the roll-up
	// over its communes.
	ans.Criteria = metrics.AreaCriteria(m, got.Input)
	var children []metrics.AreaMetrics
	if hotspot.LevelRank(got.Area.Level) < hotspot.LevelRank(hotspot.LevelCommune) {
		ins, _, err := st.ChildMetricsInputsAsOf(ctx, *area, asOf, p, cfg)
		if err != nil {
			return err
		}
		ru, ms := metrics.ComputeRollUp(*area, ins, p, cfg, 0)
		ans.RollUp, children = &ru, ms
	}
	if *format == "csv" {
		// the area's row, then its communes' (as GET /api/metrics?format=csv)
		return metrics.WriteCSV(env.stdout, append([]metrics.AreaMetrics{m}, children...))
	}
	enc := json.NewEncoder(env.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(ans)
}

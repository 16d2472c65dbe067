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
	var q areaQuestion
	q.register(fs, env, "area code (a commune; a district or province counts everything below it)")
	format := fs.String("format", "json", "json or csv")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *format != "json" && *format != "csv" {
		return fmt.Errorf("%w: --format must be json or csv", errUsage)
	}
	area, p, asOf, cfg, err := q.parse()
	if err != nil {
		return err
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	got, err := st.MetricsInputAsOf(ctx, area, asOf, cfg, p)
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
		ins, _, err := st.ChildMetricsInputsAsOf(ctx, area, asOf, p, cfg)
		if err != nil {
			return err
		}
		ru, ms := metrics.ComputeRollUp(area, ins, p, cfg, 0)
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

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/inputs"
	"github.com/diaban/diaban/hotspot/metrics"
	"github.com/diaban/diaban/hotspot/report"
	"github.com/diaban/diaban/hotspot/store"
)

// cmdReport writes a committee's report (báo cáo) of an area for a period
// as PDF, XLSX or CSV: to --out, or to standard output. The report is
// audited (report.generate, user cli) before it is written.
func cmdReport(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "report", "report --area CODE --period P [--as-of YYYY-MM-DD] --format pdf|xlsx|csv [--out FILE] [--lang vi|en] [--config FILE] [--db URL]")
	var db dbFlags
	db.register(fs, env)
	area := fs.String("area", "", "area code: a commune, or a district or province (its communes in the table)")
	period := fs.String("period", "", hotspot.PeriodForms+" (Asia/Ho_Chi_Minh)")
	format := fs.String("format", "pdf", "pdf, xlsx or csv")
	out := fs.String("out", "", "the file to write (default: standard output)")
	lang := fs.String("lang", "vi", "vi or en")
	asOfFlag := fs.String("as-of", "", "the geography: areas as they stood on this date (default today)")
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
	f, err := report.ParseFormat(*format)
	if err != nil {
		return fmt.Errorf("%w: --format: %v", errUsage, err)
	}
	if *lang != "vi" && *lang != "en" {
		return fmt.Errorf("%w: --lang must be vi or en", errUsage)
	}
	asOf, err := parseAsOf(*asOfFlag)
	if err != nil {
		return err
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
	d, err := inputs.LoadReport(ctx, st, inputs.ReportRequest{Area: *area, Period: p, AsOf: asOf, Config: cfg, Role: hotspot.RoleAdmin, English: *lang == "en"})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, d, f); err != nil {
		return err
	}
	if err := st.AppendAudit(ctx, store.AuditEntry{User: "cli", Role: "cli", Action: "report.generate", Area: *area,
		Detail: strings.Join([]string{"period " + p.String(), "as_of " + asOf.Format("2006-01-02"), "format " + string(f)}, ", ")}); err != nil {
		return err
	}
	if *out == "" {
		_, err = env.stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o640); err != nil {
		return err
	}
	fmt.Fprintf(env.stderr, "wrote %s (%s, %d bytes)\n", *out, f, buf.Len())
	return nil
}

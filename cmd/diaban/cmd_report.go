package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/inputs"
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
	var q areaQuestion
	q.register(fs, env, "area code: a commune, or a district or province (its communes in the table)")
	format := fs.String("format", "pdf", "pdf, xlsx or csv")
	out := fs.String("out", "", "the file to write (default: standard output)")
	lang := fs.String("lang", "vi", "vi or en")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	area, p, asOf, cfg, err := q.parse()
	if err != nil {
		return err
	}
	f, err := report.ParseFormat(*format)
	if err != nil {
		return fmt.Errorf("%w: --format: %v", errUsage, err)
	}
	if *lang != "vi" && *lang != "en" {
		return fmt.Errorf("%w: --lang must be vi or en", errUsage)
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := inputs.LoadReport(ctx, st, inputs.ReportRequest{Area: area, Period: p, AsOf: asOf, Config: cfg, Role: hotspot.RoleAdmin, English: *lang == "en"})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, d, f); err != nil {
		return err
	}
	if err := st.AppendAudit(ctx, store.AuditEntry{User: "cli", Role: "cli", Action: "report.generate", Area: area,
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

package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/emerging"
)

// emergingConfig is what "emerging" was asked. The cube comes from a CSV
// file (--cube) or from the database (--area and its filters); loadCube
// reads either, apart from the analysis.
type emergingConfig struct {
	cubePath string // CSV cell,bin,count; "-" for standard input
	bins     int    // number of bins; 0: from the file
	binsOut  string // optional per-bin CSV output
	opts     emerging.Options

	// The database source.
	area, kind, from, to, bin string
	res                       int
	db                        dbFlags
}

func parseEmergingFlags(env *environment, args []string) (emergingConfig, error) {
	var cfg emergingConfig
	fs := newFlagSet(env, "emerging", "emerging (--area CODE | --cube FILE) [flags]")
	fs.StringVar(&cfg.cubePath, "cube", "", "space-time cube CSV `file` (cell,bin,count; cell in H3 hex); - for standard input")
	fs.IntVar(&cfg.bins, "bins", 0, "number of time bins (0: the largest bin in the file + 1)")
	fs.StringVar(&cfg.binsOut, "bins-out", "", "also write per-bin Gi* to this CSV `file` (cell,bin,z,p)")
	fs.IntVar(&cfg.opts.Ring, "ring", 1, "H3 grid distance of spatial neighbours")
	fs.IntVar(&cfg.opts.TimeStep, "time-step", 0, "earlier bins in each neighbourhood (τ)")
	fs.Float64Var(&cfg.opts.Alpha, "alpha", emerging.DefaultAlpha, "significance level")
	fs.BoolVar(&cfg.opts.FDR, "fdr", false, "adjust each bin's p-values for the false discovery rate (Benjamini–Hochberg)")
	fs.BoolVar(&cfg.opts.WholeCubeStats, "whole-cube", false, "take Gi*'s mean and variance over the whole cube, not per bin")
	fs.StringVar(&cfg.area, "area", "", "read the cube from the database: incidents of the area with this `code` and every area below it")
	fs.StringVar(&cfg.kind, "kind", "", "with --area: keep one incident `kind`")
	fs.StringVar(&cfg.from, "from", "", "with --area: first `instant` counted (YYYY-MM-DD in Asia/Ho_Chi_Minh, or RFC 3339); default the first incident's bin")
	fs.StringVar(&cfg.to, "to", "", "with --area: last `day` counted, inclusive (YYYY-MM-DD), or an RFC 3339 instant excluded; default the last incident's bin")
	fs.IntVar(&cfg.res, "res", 9, "with --area: H3 resolution, 7..10")
	fs.StringVar(&cfg.bin, "bin", "month", "with --area: time bin, month, quarter or year (cut in Asia/Ho_Chi_Minh)")
	cfg.db.register(fs, env)
	if err := parseStatsFlags(fs, args); err != nil {
		return cfg, err
	}
	switch {
	case (cfg.cubePath == "") == (cfg.area == ""):
		return cfg, fmt.Errorf("%w: give one of --cube or --area", errUsage)
	case cfg.area != "" && cfg.bins != 0:
		return cfg, fmt.Errorf("%w: --bins is for --cube; with --area the range sets the bins", errUsage)
	case cfg.opts.Ring < 1:
		return cfg, fmt.Errorf("%w: --ring must be at least 1", errUsage)
	case cfg.opts.TimeStep < 0:
		return cfg, fmt.Errorf("%w: --time-step must not be negative", errUsage)
	case !emerging.AlphaValid(cfg.opts.Alpha):
		return cfg, fmt.Errorf("%w: --alpha must be a significance level in (0, %g]", errUsage, emerging.MaxAlpha)
	case cfg.bins < 0 || cfg.bins > emerging.MaxBins:
		return cfg, fmt.Errorf("%w: --bins must be 0..%d", errUsage, emerging.MaxBins)
	}
	return cfg, nil
}

// cmdEmerging runs the emerging-hot-spot analysis on a cube and writes one
// row per cell: cell,category,mk_z,mk_p.
func cmdEmerging(ctx context.Context, env *environment, args []string) error {
	cfg, err := parseEmergingFlags(env, args)
	if err != nil {
		return err
	}
	cube, err := loadCube(ctx, env, cfg)
	if err != nil {
		return err
	}
	r, err := emerging.Analyze(ctx, cube, cfg.opts)
	if err != nil {
		return err
	}
	if err := writeCategories(env.stdout, r); err != nil {
		return err
	}
	if cfg.binsOut == "" {
		return nil
	}
	f, err := os.Create(cfg.binsOut)
	if err != nil {
		return err
	}
	if err := writeBins(f, r); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", cfg.binsOut, err)
	}
	return f.Close()
}

// loadCube reads the cube the configuration names.
func loadCube(ctx context.Context, env *environment, cfg emergingConfig) (*emerging.Cube, error) {
	if cfg.area != "" {
		return loadCubeFromDB(ctx, env, cfg)
	}
	var cube *emerging.Cube
	err := readInput(env, cfg.cubePath, func(r io.Reader) (err error) {
		cube, err = emerging.ReadCube(bufio.NewReaderSize(r, 1<<16), cfg.bins)
		return err
	})
	return cube, err
}

// loadCubeFromDB builds the cube of --area from the database and reports
// its extent on standard error.
func loadCubeFromDB(ctx context.Context, env *environment, cfg emergingConfig) (*emerging.Cube, error) {
	q := hotspot.EmergingQuery{AreaCode: cfg.area, Kind: hotspot.IncidentKind(cfg.kind), Res: cfg.res, Bin: hotspot.TimeBin(cfg.bin)}
	var err error
	if q.From, err = parseCLIInstant("from", cfg.from, false); err != nil {
		return nil, err
	}
	if q.To, err = parseCLIInstant("to", cfg.to, true); err != nil {
		return nil, err
	}
	if q, err = q.Normalize(); err != nil {
		return nil, fmt.Errorf("%w: --%v", errUsage, err)
	}
	st, err := cfg.db.open(ctx)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	ec, err := st.EmergingCube(ctx, q)
	var ve *hotspot.ValidationError
	if errors.As(err, &ve) {
		return nil, fmt.Errorf("%w: --%v", errUsage, ve)
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(env.stderr, "area %s: %d cells at res %d (%d at the edge), %d %s bins %s..%s, %d incidents\n",
		ec.Area.Code, len(ec.Cube.Cells()), ec.Query.Res, ec.Fringe, ec.Cube.Bins(), ec.Query.Bin,
		ec.Query.Bin.BinLabel(ec.Starts[0]), ec.Query.Bin.BinLabel(ec.Starts[len(ec.Starts)-1]), ec.Incidents)
	return ec.Cube, nil
}

// parseCLIInstant reads --from or --to; --to ends its range by
// hotspot.ParseRangeEnd (a bare date is inclusive), as in the HTTP API.
func parseCLIInstant(name, s string, dayEnd bool) (time.Time, error) {
	parse := hotspot.ParseInstant
	if dayEnd {
		parse = hotspot.ParseRangeEnd
	}
	if s == "" {
		return time.Time{}, nil
	}
	t, err := parse(s)
	if err != nil {
		return t, fmt.Errorf("%w: --%s: %v", errUsage, name, err)
	}
	return t, nil
}

func writeCategories(out io.Writer, r *emerging.Result) error {
	w := csv.NewWriter(out)
	w.Write([]string{"cell", "category", "mk_z", "mk_p"})
	for i, c := range r.Cells {
		w.Write([]string{c.String(), string(r.Category[i]), formatFloat(r.Trend[i].Z), formatFloat(r.Trend[i].P)})
	}
	w.Flush()
	return w.Error()
}

func writeBins(out io.Writer, r *emerging.Result) error {
	bw := bufio.NewWriterSize(out, 1<<16)
	w := csv.NewWriter(bw)
	w.Write([]string{"cell", "bin", "z", "p"})
	for i, c := range r.Cells {
		hex := c.String()
		for t := 0; t < r.Bins; t++ {
			k := i*r.Bins + t
			z, p := "", ""
			if r.Defined[k] {
				z, p = formatFloat(r.Z[k]), formatFloat(r.P[k])
			}
			w.Write([]string{hex, strconv.Itoa(t), z, p})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

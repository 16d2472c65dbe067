package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/diaban/diaban/hotspot/emerging"
)

// emergingConfig is what "emerging" was asked. Loading the cube
// (loadCube) is kept apart from the analysis so that a database source can
// be added beside --cube.
type emergingConfig struct {
	cubePath string // CSV cell,bin,count; "-" for standard input
	bins     int    // number of bins; 0: from the file
	binsOut  string // optional per-bin CSV output
	opts     emerging.Options
}

func parseEmergingFlags(env *environment, args []string) (emergingConfig, error) {
	var cfg emergingConfig
	fs := flag.NewFlagSet("emerging", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.StringVar(&cfg.cubePath, "cube", "", "space-time cube CSV `file` (cell,bin,count; cell in H3 hex); - for standard input")
	fs.IntVar(&cfg.bins, "bins", 0, "number of time bins (0: the largest bin in the file + 1)")
	fs.StringVar(&cfg.binsOut, "bins-out", "", "also write per-bin Gi* to this CSV `file` (cell,bin,z,p)")
	fs.IntVar(&cfg.opts.Ring, "ring", 1, "H3 grid distance of spatial neighbours")
	fs.IntVar(&cfg.opts.TimeStep, "time-step", 0, "earlier bins in each neighbourhood (τ)")
	fs.Float64Var(&cfg.opts.Alpha, "alpha", emerging.DefaultAlpha, "significance level")
	fs.BoolVar(&cfg.opts.FDR, "fdr", false, "adjust each bin's p-values for the false discovery rate (Benjamini–Hochberg)")
	fs.BoolVar(&cfg.opts.WholeCubeStats, "whole-cube", false, "take Gi*'s mean and variance over the whole cube, not per bin")
	if err := parseStatsFlags(fs, args); err != nil {
		return cfg, err
	}
	switch {
	case cfg.cubePath == "":
		return cfg, fmt.Errorf("%w: --cube is required", errUsage)
	case cfg.opts.Ring < 1:
		return cfg, fmt.Errorf("%w: --ring must be at least 1", errUsage)
	case cfg.opts.TimeStep < 0:
		return cfg, fmt.Errorf("%w: --time-step must not be negative", errUsage)
	case !(cfg.opts.Alpha > 0 && cfg.opts.Alpha < 1):
		return cfg, fmt.Errorf("%w: --alpha must be between 0 and 1", errUsage)
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
func loadCube(_ context.Context, env *environment, cfg emergingConfig) (*emerging.Cube, error) {
	var cube *emerging.Cube
	err := readInput(env, cfg.cubePath, func(r io.Reader) (err error) {
		cube, err = emerging.ReadCube(bufio.NewReaderSize(r, 1<<16), cfg.bins)
		return err
	})
	return cube, err
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

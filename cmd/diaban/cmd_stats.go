package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/diaban/diaban/hotspot/stats"
)

const statsUsage = `usage: diaban stats SUBCOMMAND [flags]

subcommands:
  gistar --values values.csv --neighbors neighbors.csv
         Getis-Ord Gi* with binary weights including self → CSV id,z,p
  mk     --series series.csv
         Mann–Kendall trend test and Sen's slope → CSV id,n,s,var_s,z,p,sen_slope

Files are UTF-8 CSV with a header row; "-" reads standard input.`

// cmdStats runs the offline statistics tools on CSV files.
func cmdStats(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.stderr, statsUsage)
		return fmt.Errorf("%w: stats needs a subcommand", errUsage)
	}
	switch args[0] {
	case "gistar":
		return cmdStatsGiStar(ctx, env, args[1:])
	case "mk":
		return cmdStatsMK(ctx, env, args[1:])
	}
	if isHelp(args[0]) || helpRequested(args) {
		fmt.Fprintln(env.stdout, statsUsage)
		return nil
	}
	fmt.Fprintln(env.stderr, statsUsage)
	return fmt.Errorf("%w: unknown stats subcommand %q", errUsage, args[0])
}

func cmdStatsGiStar(_ context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "stats gistar", "stats gistar --values FILE --neighbors FILE")
	valuesPath := fs.String("values", "", "values CSV `file` (id,value)")
	neighborsPath := fs.String("neighbors", "", "neighbours CSV `file` (id,neighbor), one row per ordered pair")
	if err := parseStatsFlags(fs, args); err != nil {
		return err
	}
	if *valuesPath == "" || *neighborsPath == "" {
		return fmt.Errorf("%w: --values and --neighbors are required", errUsage)
	}
	var v *stats.Values
	err := readInput(env, *valuesPath, func(r io.Reader) (err error) { v, err = stats.ReadValues(r); return err })
	if err != nil {
		return err
	}
	var nb *stats.Neighbors
	err = readInput(env, *neighborsPath, func(r io.Reader) (err error) { nb, err = stats.ReadNeighbors(r, v.Index); return err })
	if err != nil {
		return err
	}
	g, err := stats.GiStar(v.X, nb)
	if err != nil {
		return err
	}
	w := csv.NewWriter(env.stdout)
	w.Write([]string{"id", "z", "p"})
	for i, l := range g {
		z, p := "", ""
		if l.Defined {
			z, p = formatFloat(l.Z), formatFloat(l.P)
		}
		w.Write([]string{v.IDs[i], z, p})
	}
	w.Flush()
	return w.Error()
}

func cmdStatsMK(_ context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "stats mk", "stats mk --series FILE")
	seriesPath := fs.String("series", "", "series CSV `file` (id,t,value), t consecutive integers per id")
	if err := parseStatsFlags(fs, args); err != nil {
		return err
	}
	if *seriesPath == "" {
		return fmt.Errorf("%w: --series is required", errUsage)
	}
	var series []stats.Series
	err := readInput(env, *seriesPath, func(r io.Reader) (err error) { series, err = stats.ReadSeries(r); return err })
	if err != nil {
		return err
	}
	w := csv.NewWriter(env.stdout)
	w.Write([]string{"id", "n", "s", "var_s", "z", "p", "sen_slope"})
	for _, s := range series {
		r := stats.MannKendall(s.X)
		w.Write([]string{s.ID, strconv.Itoa(r.N), formatFloat(r.S), formatFloat(r.VarS),
			formatFloat(r.Z), formatFloat(r.P), formatFloat(r.SenSlope)})
	}
	w.Flush()
	return w.Error()
}

// parseStatsFlags parses the flags of a command that takes no argument; a
// bad flag or a stray argument is a usage error, -h prints the flags and
// succeeds.
func parseStatsFlags(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return noArgs(fs)
}

// readInput opens path ("-" for standard input) and hands it to read;
// errors name the file.
func readInput(env *environment, path string, read func(io.Reader) error) error {
	if path == "-" {
		if err := read(env.stdin); err != nil {
			return fmt.Errorf("standard input: %w", err)
		}
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := read(f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// formatFloat spells v with the fewest digits that read back exactly.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"

	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
)

func cmdImport(ctx context.Context, env *environment, args []string) error {
	if isCrosswalkImport(args) {
		return cmdImportCrosswalk(ctx, env, args)
	}
	fs := newFlagSet(env, "import", "import KIND FILE [--skip-invalid] [--json] [--db URL]\n  KIND: "+strings.Join(importer.Kinds, ", ")+"\n  FILE: a path, or - for standard input")
	db := dbFlags{batch: true}
	db.register(fs, env)
	skip := fs.Bool("skip-invalid", false, "import the good rows and report the bad ones (default: a file with any bad row imports nothing)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return fmt.Errorf("%w: want KIND FILE", errUsage)
	}
	kind, path := fs.Arg(0), fs.Arg(1)
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := importFile(ctx, env, st, kind, path, *skip)
	if err != nil {
		return err
	}
	// Audited as user "cli" right after the import's transaction commits.
	if err := st.AppendAudit(ctx, store.AuditEntry{User: "cli", Role: "cli", Action: "import." + kind,
		Detail: fmt.Sprintf("%s: %d of %d rows", filepath.Base(path), res.Imported, res.Rows)}); err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(res)
	}
	printImportResult(env, res)
	return nil
}

// importFile imports one file, with a progress bar when stderr is a terminal.
func importFile(ctx context.Context, env *environment, st *store.Store, kind, path string, skip bool) (*importer.Result, error) {
	in := env.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		in = f
	}
	opt := importer.Options{SkipInvalid: skip}
	if isTerminal(env.stderr) {
		var bar *progressbar.ProgressBar
		opt.Progress = func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(env.stderr),
					progressbar.OptionSetDescription(kind), progressbar.OptionShowCount(), progressbar.OptionThrottle(100_000_000),
					progressbar.OptionOnCompletion(func() { fmt.Fprintln(env.stderr) }))
			}
			_ = bar.Set(done)
		}
		opt.Phase = func(what string) { fmt.Fprintf(env.stderr, "%s: %s…\n", kind, what) }
	}
	res, err := importer.Import(ctx, st, kind, in, opt)
	if err != nil && opt.Progress != nil {
		fmt.Fprintln(env.stderr) // end a progress bar cut short, before the error
	}
	return res, err
}

func printImportResult(env *environment, res *importer.Result) {
	fmt.Fprintf(env.stdout, "%s: %d rows read, %d written (new or changed)", res.Kind, res.Rows, res.Imported)
	if len(res.Skipped) > 0 {
		fmt.Fprintf(env.stdout, ", %d skipped:\n", len(res.Skipped))
		for _, s := range res.Skipped {
			fmt.Fprintf(env.stdout, "  %v\n", s)
		}
		return
	}
	fmt.Fprintln(env.stdout)
}

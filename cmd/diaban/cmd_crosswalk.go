package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
)

// isCrosswalkImport tells whether `diaban import ARGS` imports a crosswalk
// (its own flags: --valid-from): whether its KIND, the first argument that
// is neither a flag nor a flag's value, is exactly "crosswalk". A file
// named crosswalk (`import areas crosswalk`) or a flag's value (`--db
// crosswalk`) is not. Flags are read as both commands read them; args that
// do not parse are left to the areas-and-records import, which says what is
// wrong.
func isCrosswalkImport(args []string) bool {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var db dbFlags
	db.register(fs, &environment{getenv: func(string) string { return "" }})
	fs.Bool("skip-invalid", false, "")
	fs.Bool("json", false, "")
	fs.String("valid-from", "", "")
	// Parsing stops at the first argument that is not a flag: the KIND.
	if err := fs.Parse(args); err != nil {
		return false
	}
	return fs.NArg() > 0 && fs.Arg(0) == "crosswalk"
}

// cmdImportCrosswalk is `diaban import crosswalk FILE [--valid-from 2025-07-01]`.
func cmdImportCrosswalk(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "import crosswalk", "import crosswalk FILE [--valid-from 2025-07-01] [--json] [--db URL]\n"+
		"  FILE: CSV with old_code,new_code,merge_type (full|partial)[,share_of_old_area]; other columns are ignored")
	db := dbFlags{batch: true}
	db.register(fs, env)
	from := fs.String("valid-from", hotspot.ReformDate.Format("2006-01-02"), "the day the new units began (the old ones' valid_to)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	pos := fs.Args()
	if len(pos) > 0 && pos[0] == "crosswalk" {
		pos = pos[1:]
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("%w: want crosswalk FILE", errUsage)
	}
	validFrom, err := time.ParseInLocation("2006-01-02", *from, time.UTC)
	if err != nil {
		return fmt.Errorf("%w: --valid-from: %q is not a date (YYYY-MM-DD)", errUsage, *from)
	}
	path := pos[0]
	in := env.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := importer.ImportCrosswalk(ctx, st, in, validFrom)
	if err != nil {
		return err
	}
	if err := st.AppendAudit(ctx, store.AuditEntry{User: "cli", Role: "cli", Action: "import.crosswalk",
		Detail: fmt.Sprintf("%s: %d of %d rows, %d skipped", filepath.Base(path), res.Known, res.Rows, res.Skipped)}); err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(res)
	}
	fmt.Fprintf(env.stdout, "crosswalk (from %s): %d rows read, %d links between known units (%d new or changed, %d shares measured in PostGIS), %d skipped (both codes unknown), %d old units retired on that date\n",
		validFrom.Format("2006-01-02"), res.Rows, res.Known, res.Imported, res.Computed, res.Skipped, res.Retired)
	return nil
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
)

// isCrosswalkImport tells whether `diaban import ARGS` imports a crosswalk
// (its own flags: --valid-from).
func isCrosswalkImport(args []string) bool { return slices.Contains(args, "crosswalk") }

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
	pos := slices.DeleteFunc(fs.Args(), func(a string) bool { return a == "crosswalk" })
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

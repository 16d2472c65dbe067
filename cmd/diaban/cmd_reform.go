package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/diaban/diaban/hotspot"
)

const reformUsage = `reform check [--province CODE] [--valid-from 2025-07-01] [--json] [--db URL]
Lists, for the reform that took effect on --valid-from: old communes with no
successor, new ones with no predecessor, new units whose predecessors' union
leaves a gap in them or spills out of them (% of the new unit's area), and
crosswalk rows that look wrong.`

// cmdReform checks the lineage of the areas across a reform.
func cmdReform(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "reform", reformUsage)
	var db dbFlags
	db.register(fs, env)
	province := fs.String("province", "", "only the communes of this province (its new units and the old ones linked into them)")
	from := fs.String("valid-from", hotspot.ReformDate.Format(time.DateOnly), "the day the new units began")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || fs.Arg(0) != "check" {
		fs.Usage()
		return fmt.Errorf("%w: want reform check", errUsage)
	}
	d, err := time.ParseInLocation(time.DateOnly, *from, time.UTC)
	if err != nil {
		return fmt.Errorf("%w: --valid-from: %q is not a date (YYYY-MM-DD)", errUsage, *from)
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := st.ReformCheck(ctx, *province, d)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	w := env.stdout
	where := "everywhere"
	if rep.Province != "" {
		where = "province " + rep.Province
	}
	fmt.Fprintf(w, "reform of %s, %s: %d old communes retired, %d new units\n", rep.ValidFrom, where, rep.OldUnits, rep.NewUnits)
	fmt.Fprintf(w, "old units with no successor: %d\n", len(rep.NoSuccessor))
	for _, u := range rep.NoSuccessor {
		fmt.Fprintf(w, "  %s %s\n", u.Code, u.Name)
	}
	fmt.Fprintf(w, "new units with no predecessor: %d\n", len(rep.NoPredecessor))
	for _, u := range rep.NoPredecessor {
		fmt.Fprintf(w, "  %s %s\n", u.Code, u.Name)
	}
	fmt.Fprintf(w, "new units and the union of their predecessors (gap: part of the unit none covers; spill: part of them outside it): %d\n", len(rep.Mismatches))
	for _, m := range rep.Mismatches {
		fmt.Fprintf(w, "  %s %s: %d predecessors, gap %.1f%%, spill %.1f%%\n", m.Code, m.Name, m.Predecessors, m.GapPct, m.ExcessPct)
	}
	fmt.Fprintf(w, "crosswalk rows that look wrong: %d\n", len(rep.SuspiciousRows))
	for _, r := range rep.SuspiciousRows {
		if r.NewCode != "" {
			fmt.Fprintf(w, "  %s → %s: %s\n", r.OldCode, r.NewCode, r.Reason)
		} else {
			fmt.Fprintf(w, "  %s: %s\n", r.OldCode, r.Reason)
		}
	}
	return nil
}

package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/demo"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
)

func cmdSeed(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "seed", "seed demo [--db URL] [--seed N] [--out DIR]")
	db := dbFlags{batch: true}
	db.register(fs, env)
	seed := fs.Int64("seed", demo.DefaultSeed, "random seed of the generated district (same seed, same data)")
	out := fs.String("out", "", "also keep the generated import files in DIR")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || fs.Arg(0) != "demo" {
		fs.Usage()
		return fmt.Errorf("%w: want \"seed demo\" (the only data set)", errUsage)
	}
	ds, err := demo.Generate(*seed)
	if err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		if dir, err = os.MkdirTemp("", "diaban-demo-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	if err := ds.WriteFiles(dir); err != nil {
		return err
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	for _, f := range demo.Files {
		path := filepath.Join(dir, f.Name)
		if f.Kind == "crosswalk" {
			if err := seedCrosswalk(ctx, env, st, path); err != nil {
				return err
			}
			continue
		}
		res, err := importFile(ctx, env, st, f.Kind, path, false)
		if err != nil {
			return fmt.Errorf("demo %s: %w", f.Kind, err)
		}
		printImportResult(env, res)
	}
	return seedDemoUsers(ctx, env, st)
}

// seedCrosswalk loads Đà Nẵng's hand-checked crosswalk (the demo's units
// take their links from it; the other rows name units the demo lacks and
// are skipped).
func seedCrosswalk(ctx context.Context, env *environment, st *store.Store, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := importer.ImportCrosswalk(ctx, st, f, hotspot.ReformDate)
	if err != nil {
		return fmt.Errorf("demo crosswalk: %w", err)
	}
	fmt.Fprintf(env.stdout, "crosswalk (Đà Nẵng, from %s): %d rows read, %d links between the demo's units, %d skipped (units the demo lacks)\n",
		hotspot.ReformDate.Format("02/01/2006"), res.Rows, res.Known, res.Skipped)
	return nil
}

// demoAdmin is the account seed demo creates for the administrator.
const demoAdmin = "demo-admin"

// demoUsers are the accounts seed demo creates, one per role, scoped to the
// units of today: the officer and the planner to wards of Hội An, the
// committee viewer to the province.
var demoUsers = []struct {
	name  string
	role  hotspot.Role
	scope string
}{
	{demoAdmin, hotspot.RoleAdmin, ""},
	{"demo-officer", hotspot.RoleOfficer, "20410"},
	{"demo-planner", hotspot.RolePlanner, "20413"},
	{"demo-viewer", hotspot.RoleViewer, demo.NewProvinceCode},
}

// seedDemoUsers creates the demo accounts, each with a fresh random
// password printed once; a second seed leaves existing accounts alone.
func seedDemoUsers(ctx context.Context, env *environment, st *store.Store) error {
	var lines []string
	for _, u := range demoUsers {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		pw := base64.RawURLEncoding.EncodeToString(b)
		_, err := st.CreateUser(cliAudit(ctx, "user.add", u.name), store.NewUser{Name: u.name, Role: u.role, Scope: u.scope, Password: pw})
		var ce *hotspot.ConflictError
		if errors.As(err, &ce) {
			fmt.Fprintf(env.stdout, "demo user %q exists already (change its password with: diaban user passwd %s)\n", u.name, u.name)
			continue
		}
		if err != nil {
			return err
		}
		scope := u.scope
		if scope == "" {
			scope = "all"
		}
		lines = append(lines, fmt.Sprintf("  user %s  password %s   (%s, %s)", u.name, pw, u.role, scope))
	}
	if len(lines) > 0 {
		fmt.Fprintf(env.stdout, "\nĐăng nhập / log in:\n%s\n(shown only now; change one with: diaban user passwd NAME)\n\n", strings.Join(lines, "\n"))
	}
	return nil
}

package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/demo"
	"github.com/diaban/diaban/hotspot/store"
)

// demoFiles pairs each import kind with the demo file that holds it, in load order.
var demoFiles = []struct{ kind, file string }{
	{"areas", demo.FileAreas}, {"hotspots", demo.FileHotspots}, {"events", demo.FileEvents},
	{"incidents", demo.FileIncidents}, {"tips", demo.FileTips}, {"cameras", demo.FileCameras},
	{"indicators", demo.FileIndicators},
}

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
	for _, f := range demoFiles {
		res, err := importFile(ctx, env, st, f.kind, filepath.Join(dir, f.file), false)
		if err != nil {
			return fmt.Errorf("demo %s: %w", f.kind, err)
		}
		printImportResult(env, res)
	}
	return seedDemoAdmin(ctx, env, st)
}

// demoAdmin is the account seed demo creates.
const demoAdmin = "demo-admin"

// seedDemoAdmin creates the demo admin with a fresh random password and
// prints it once; a second seed leaves an existing account alone.
func seedDemoAdmin(ctx context.Context, env *environment, st *store.Store) error {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	pw := base64.RawURLEncoding.EncodeToString(b)
	_, err := st.CreateUser(cliAudit(ctx, "user.add", demoAdmin), store.NewUser{Name: demoAdmin, Role: hotspot.RoleAdmin, Password: pw})
	var ce *hotspot.ConflictError
	if errors.As(err, &ce) {
		fmt.Fprintf(env.stdout, "demo admin %q exists already (change its password with: diaban user passwd %s)\n", demoAdmin, demoAdmin)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "\nĐăng nhập / log in:  user %s  password %s\n(shown only now; change it with: diaban user passwd %s)\n\n", demoAdmin, pw, demoAdmin)
	return nil
}

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/demo"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

func runWithStdin(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &environment{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	err := run(context.Background(), env, args)
	return out.String() + errOut.String(), err
}

func TestUserCommands(t *testing.T) {
	db := pgtest.New(t)
	st := store.NewStore(db.Pool)
	ctx := context.Background()
	areas, err := os.ReadFile("../../hotspot/testdata/areas.geojson")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importer.Import(ctx, st, "areas", bytes.NewReader(areas), importer.Options{}); err != nil {
		t.Fatal(err)
	}
	if out, err := runWithStdin(t, "first-password\n", "user", "add", "ward1", "--role", "officer", "--area", "20530", "--db", db.URL); err != nil {
		t.Fatalf("add: %v %s", err, out)
	}
	if _, err := runWithStdin(t, "first-password\n", "user", "add", "nowhere", "--role", "officer", "--db", db.URL); err == nil {
		t.Error("an officer without --area was added")
	}
	if _, err := runWithStdin(t, "short\n", "user", "add", "weak", "--role", "admin", "--db", db.URL); err == nil {
		t.Error("a short password was accepted")
	}
	if _, err := runWithStdin(t, "x-password-1\n", "user", "add", "ward2", "--role", "chief", "--area", "20530", "--db", db.URL); !errors.Is(err, errUsage) {
		t.Errorf("unknown role: %v", err)
	}
	if _, err := st.Authenticate(ctx, "ward1", "first-password"); err != nil {
		t.Fatalf("login with the stdin password: %v", err)
	}
	if out, err := runWithStdin(t, "second-password\n", "user", "passwd", "ward1", "--db", db.URL); err != nil {
		t.Fatalf("passwd: %v %s", err, out)
	}
	if _, err := st.Authenticate(ctx, "ward1", "first-password"); !errors.Is(err, hotspot.ErrBadCredentials) {
		t.Errorf("old password still works: %v", err)
	}
	u, err := st.Authenticate(ctx, "ward1", "second-password")
	if err != nil {
		t.Fatal(err)
	}
	tok, _, _ := st.CreateSession(ctx, u, 3600e9)
	if out, err := runWithStdin(t, "", "user", "disable", "ward1", "--db", db.URL); err != nil {
		t.Fatalf("disable: %v %s", err, out)
	}
	if _, err := st.SessionUser(ctx, tok); !errors.Is(err, hotspot.ErrNotFound) {
		t.Errorf("session of a disabled user: %v", err)
	}
	out, err := runWithStdin(t, "", "user", "list", "--db", db.URL)
	if err != nil || !strings.Contains(out, "ward1") || !strings.Contains(out, "disabled") || !strings.Contains(out, "20530") {
		t.Errorf("list: %v\n%s", err, out)
	}
	var n int
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM audit WHERE username = 'cli'`).Scan(&n)
	if n != 3 { // add, passwd, disable
		t.Errorf("%d cli audit rows, want 3", n)
	}
}

// TestSeedDemoUsersPrintPasswordsOnce: seed demo's accounts, one per role,
// scoped to today's units, each password printed once and logging in.
func TestSeedDemoUsersPrintPasswordsOnce(t *testing.T) {
	db := pgtest.New(t)
	st := store.NewStore(db.Pool)
	ctx := context.Background()
	var out bytes.Buffer
	env := &environment{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(string) string { return "" }}
	ds, err := demo.Generate(demo.DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := ds.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := importFile(ctx, env, st, "areas", filepath.Join(dir, demo.FileAreas), false); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := seedDemoUsers(ctx, env, st); err != nil {
		t.Fatal(err)
	}
	printed := regexp.MustCompile(`user (\S+)\s+password (\S+)`).FindAllStringSubmatch(out.String(), -1)
	if len(printed) != len(demoUsers) {
		t.Fatalf("printed %d passwords, want %d:\n%s", len(printed), len(demoUsers), out.String())
	}
	roles := map[hotspot.Role]bool{}
	for i, m := range printed {
		u, err := st.Authenticate(ctx, m[1], m[2])
		if err != nil {
			t.Fatalf("printed password of %s does not log in: %v", m[1], err)
		}
		if u.Name != demoUsers[i].name || u.Role != demoUsers[i].role || u.Scope != demoUsers[i].scope {
			t.Errorf("%s: %+v", m[1], u)
		}
		roles[u.Role] = true
	}
	if len(roles) != 4 {
		t.Errorf("roles %v, want one of each", roles)
	}
	out.Reset()
	if err := seedDemoUsers(ctx, env, st); err != nil || regexp.MustCompile(`user \S+\s+password \S+`).MatchString(out.String()) {
		t.Errorf("second seed: %v %s", err, out.String())
	}
}

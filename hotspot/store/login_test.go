package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

// The server's database login (issue 12, finding 9): diaban_server owns
// nothing, cannot get the owner back with RESET ROLE, and as diaban_app
// cannot create or promote users, start sessions but through its function,
// read password hashes, or touch the audit log but by appending.
func TestServerLoginIsConfined(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	db.ImportFile(t, "areas", "../testdata/areas.geojson")
	owner := store.NewStore(db.Pool)
	u, err := owner.CreateUser(ctx, store.NewUser{Name: "viewer1", Role: hotspot.RoleViewer, Scope: "20530", Password: "viewer-password-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.CreateUser(ctx, store.NewUser{Name: "gone", Role: hotspot.RoleViewer, Scope: "20530", Password: "viewer-password-1"}); err != nil {
		t.Fatal(err)
	}
	if err := owner.DisableUser(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	app, err := store.Open(ctx, store.StoreConfig{URL: db.URL, AppRole: "diaban_app", Login: "diaban_server"})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	pool := app.Pool()
	sys := store.WithSystemScope(ctx)

	var who string
	if err := pool.QueryRow(sys, `SELECT session_user || '/' || current_user`).Scan(&who); err != nil || who != "diaban_server/diaban_app" {
		t.Fatalf("logged in as %q (%v), want diaban_server/diaban_app", who, err)
	}
	// What the service needs works, through the functions.
	if _, err := app.Authenticate(sys, "viewer1", "viewer-password-1"); err != nil {
		t.Fatalf("login: %v", err)
	}
	tok, _, err := app.CreateSession(sys, u, time.Hour)
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	if _, err := app.SessionUser(sys, tok); err != nil {
		t.Fatalf("session user: %v", err)
	}
	if err := app.AppendAudit(sys, store.AuditEntry{User: "viewer1", Action: "test"}); err != nil {
		t.Fatalf("audit: %v", err)
	}
	if err := app.EndSession(sys, tok); err != nil {
		t.Fatalf("logout: %v", err)
	}
	// Everything else is refused, as the application role and after RESET ROLE.
	conn, err := pool.Acquire(sys)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	for _, sql := range []string{
		`INSERT INTO users (name, role, password_hash) VALUES ('evil', 'admin', 'x')`,
		`UPDATE users SET role = 'admin' WHERE name = 'viewer1'`,
		`SELECT password_hash FROM users`,
		`INSERT INTO sessions (token_hash, user_id, expires_at) SELECT sha256('x'), id, now() + interval '1 year' FROM users`,
		`DELETE FROM sessions`,
		`INSERT INTO audit (username, role, action) VALUES ('x', 'x', 'x')`,
		`SELECT diaban_session_start((SELECT id FROM users WHERE name = 'gone'), sha256('y'), interval '1 hour')`,
		`SELECT diaban_session_start((SELECT id FROM users WHERE name = 'viewer1'), sha256('z'), interval '1 year')`,
		`SET ROLE postgres`,
		`RESET ROLE; SELECT count(*) FROM hotspots`,
		`RESET ROLE; SELECT diaban_login('viewer1')`,
		`RESET ROLE; SET ROLE postgres`,
	} {
		if _, err := conn.Exec(sys, sql); err == nil {
			t.Errorf("%s: allowed", sql)
		} else if !strings.Contains(err.Error(), "denied") && !strings.Contains(err.Error(), "no enabled user") && !strings.Contains(err.Error(), "ttl") {
			t.Logf("%s: %v", sql, err)
		}
		_, _ = conn.Exec(sys, `SET ROLE diaban_app`)
	}
	conn.Conn().Close(ctx) // its role was played with

	// The owner itself is refused as the server's login.
	if _, err := store.Open(ctx, store.StoreConfig{URL: db.URL, AppRole: "diaban_app", Login: "postgres"}); err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Errorf("the owner as the server's login: %v, want refused", err)
	}
}

// Package pgtest gives each integration test a fresh, migrated PostGIS
// database of its own, cloned from a template that is migrated once per
// schema version. Tests find the server through DIABAN_TEST_DATABASE_URL or
// DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
package pgtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/migrations"
)

// AdminURL is the maintenance database URL tests connect to first.
func AdminURL() string {
	for _, k := range []string{"DIABAN_TEST_DATABASE_URL", "DATABASE_URL"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
	counter      atomic.Int64
)

// schemaHash names the template after the migrations' content, so a changed
// schema gets a new template.
func schemaHash() string {
	h := sha256.New()
	_ = fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(migrations.FS, path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// urlFor returns AdminURL with the database name replaced.
func urlFor(db string) (string, error) {
	cfg, err := pgx.ParseConfig(AdminURL())
	if err != nil {
		return "", err
	}
	dsn := fmt.Sprintf("host=%s port=%d user=%s dbname=%s", cfg.Host, cfg.Port, cfg.User, db)
	if cfg.Password != "" {
		dsn += " password=" + cfg.Password
	}
	if cfg.TLSConfig == nil {
		dsn += " sslmode=disable"
	}
	return dsn, nil
}

func ensureTemplate(ctx context.Context) (string, error) {
	templateOnce.Do(func() {
		templateName = "diaban_tpl_" + schemaHash()
		admin, err := pgx.Connect(ctx, AdminURL())
		if err != nil {
			templateErr = fmt.Errorf("pgtest: connect %s: %w", AdminURL(), err)
			return
		}
		defer admin.Close(ctx)
		// Serialise template creation across test binaries running in parallel.
		if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(727001)`); err != nil {
			templateErr = err
			return
		}
		defer admin.Exec(ctx, `SELECT pg_advisory_unlock(727001)`)
		var exists bool
		if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, templateName).Scan(&exists); err != nil {
			templateErr = err
			return
		}
		if exists {
			markTemplateUsed(ctx, admin, templateName)
			return
		}
		_, _ = admin.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{templateName}.Sanitize())
		if _, err := admin.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{templateName}.Sanitize()); err != nil {
			templateErr = err
			return
		}
		u, err := urlFor(templateName)
		if err != nil {
			templateErr = err
			return
		}
		pool, err := pgxpool.New(ctx, u)
		if err != nil {
			templateErr = err
			return
		}
		_, err = store.Migrate(ctx, pool)
		pool.Close()
		if err != nil {
			templateErr = fmt.Errorf("pgtest: migrate template: %w", err)
			return
		}
		if _, templateErr = admin.Exec(ctx, `UPDATE pg_database SET datistemplate = true WHERE datname = $1`, templateName); templateErr != nil {
			return
		}
		markTemplateUsed(ctx, admin, templateName)
		dropStaleTemplates(ctx, admin, templateName)
	})
	return templateName, templateErr
}

// keptTemplates is how many schemas' templates stay whatever their age:
// the newest few. Older ones go once no test binary has started on them for
// templateIdle, so that test runs of several checkouts on one server (branches
// beside main, each with its own migrations) never drop a template another
// run is still creating databases from.
const (
	keptTemplates = 4
	templateIdle  = 2 * time.Hour
)

// markTemplateUsed records, as the template's comment, when a test binary
// last started on it (Unix seconds).
func markTemplateUsed(ctx context.Context, admin *pgx.Conn, name string) {
	_, _ = admin.Exec(ctx, fmt.Sprintf(`COMMENT ON DATABASE %s IS 'pgtest %d'`, pgx.Identifier{name}.Sanitize(), time.Now().Unix()))
}

// dropStaleTemplates removes the templates of older schemas beyond the
// newest keptTemplates that no test binary started on for templateIdle (the
// caller holds the advisory lock, and every test binary of one run shares a
// schema).
func dropStaleTemplates(ctx context.Context, admin *pgx.Conn, keep string) {
	rows, err := admin.Query(ctx, `SELECT datname FROM (
    SELECT datname, coalesce(substring(shobj_description(oid, 'pg_database') FROM '^pgtest ([0-9]+)$')::bigint, 0) AS used
    FROM pg_database WHERE datname LIKE 'diaban\_tpl\_%' AND datname <> $1
    ORDER BY oid DESC OFFSET $2) t
WHERE used < $3`, keep, keptTemplates-1, time.Now().Add(-templateIdle).Unix())
	if err != nil {
		return
	}
	stale, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, name := range stale {
		_, _ = admin.Exec(ctx, `UPDATE pg_database SET datistemplate = false WHERE datname = $1`, name)
		_, _ = admin.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize())
	}
}

// DB is a test's own database.
type DB struct {
	Name string
	URL  string
	Pool *pgxpool.Pool
}

// New creates a fresh migrated database for t, dropped when t ends.
func New(t testing.TB) *DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tpl, err := ensureTemplate(ctx)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	name := fmt.Sprintf("diaban_t_%d_%d_%s", os.Getpid(), counter.Add(1), sanitize(t.Name()))
	if len(name) > 60 {
		name = name[:60]
	}
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()+` TEMPLATE `+pgx.Identifier{tpl}.Sanitize()); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	u, err := urlFor(name)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, u)
	if err != nil {
		t.Fatalf("pgtest: pool: %v", err)
	}
	t.Cleanup(func() {
		pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if admin, err := pgx.Connect(ctx, AdminURL()); err == nil {
			_, _ = admin.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`)
			admin.Close(ctx)
		}
	})
	return &DB{Name: name, URL: u, Pool: pool}
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// Import loads text of a kind (areas, hotspots, events, ...) into the
// database through the real importer, failing t on any error.
func (db *DB) Import(t testing.TB, kind, text string) {
	t.Helper()
	st := store.NewStore(db.Pool)
	if _, err := importer.Import(context.Background(), st, kind, strings.NewReader(text), importer.Options{}); err != nil {
		t.Fatalf("pgtest: import %s: %v", kind, err)
	}
}

// ImportFile loads a file of a kind, as Import does.
func (db *DB) ImportFile(t testing.TB, kind, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Import(t, kind, string(b))
}

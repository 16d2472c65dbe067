package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/diaban/diaban/migrations"
)

// Store is diaban's PostgreSQL store. It is safe for concurrent use.
type Store struct {
	pool    *pgxpool.Pool
	areas   *areaCache
	appRole string // the role every connection runs as; "" is the login user
}

// StoreConfig says how to reach the database.
type StoreConfig struct {
	URL              string        // a libpq URL or key=value string
	StatementTimeout time.Duration // per statement; 0 leaves the server default
	ApplicationName  string        // shown in pg_stat_activity
	MaxConns         int32         // 0 keeps pgxpool's default
	// AppRole, when set, is the role every connection takes (SET ROLE) right
	// after connecting: diaban serve uses "diaban_app", which is subject to
	// row-level security, and every use of a connection then sets the
	// scope carried by its context (WithScope, WithSystemScope; none sees
	// nothing). CLI commands and tests' setup leave it empty and act as
	// the owner, with full access.
	AppRole string
	// Login, when set, is the role the store logs in as instead of the
	// URL's user: diaban serve uses "diaban_server" (migrations/00006), a
	// login that owns nothing and can only SET ROLE AppRole, so that no
	// RESET ROLE gets the owner back. Open refuses a login that is a
	// superuser, may bypass row-level security, owns a relation of the
	// schema or is a member of its owner.
	Login string
	// LoginPassword is Login's password ("" for trust, peer or certificate
	// authentication).
	LoginPassword string
	// ProvisionLogin, when the URL is the owner's (a development database,
	// the demo), first sets a fresh random password on Login through it so
	// that the store can log in as Login; the owner's connection is closed
	// before Open returns. A deployment gives Login's own credentials instead
	// (README, Security) and leaves this off.
	ProvisionLogin bool
}

// Open connects to the database and pings it (pgxpool connects lazily, so
// a bad URL would otherwise surface only at the first query).
func Open(ctx context.Context, cfg StoreConfig) (*Store, error) {
	pc, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	if cfg.ApplicationName != "" {
		pc.ConnConfig.RuntimeParams["application_name"] = cfg.ApplicationName
	}
	if cfg.StatementTimeout > 0 {
		pc.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprint(cfg.StatementTimeout.Milliseconds())
	}
	pc.ConnConfig.RuntimeParams["timezone"] = "UTC"
	// No JIT compilation: the service's statements are short, and PostGIS's
	// high function costs (ST_Transform, ST_AsMVTGeom) push a tile's plan
	// past jit_above_cost, where compiling took 100–300 ms for a query that
	// runs in 5–20 ms (issue 18, bench/rls/RESULTS.md).
	pc.ConnConfig.RuntimeParams["jit"] = "off"
	if cfg.MaxConns > 0 {
		pc.MaxConns = cfg.MaxConns
	}
	if cfg.AppRole != "" {
		setAppRole(pc, cfg.AppRole)
	}
	var pool *pgxpool.Pool
	if cfg.Login != "" && cfg.Login != pc.ConnConfig.User {
		pool, err = openLogin(ctx, pc, cfg)
	} else {
		pool, err = connect(ctx, pc)
	}
	if err != nil {
		return nil, err
	}
	if cfg.Login != "" {
		if err := checkConfined(ctx, pool); err != nil {
			pool.Close()
			return nil, err
		}
	}
	st := NewStore(pool)
	st.appRole = cfg.AppRole
	return st, nil
}

// connect opens a pool and pings it.
func connect(ctx context.Context, pc *pgxpool.Config) (*pgxpool.Pool, error) {
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database ping: %w", err)
	}
	return pool, nil
}

// openLogin connects as cfg.Login rather than the URL's user: with
// LoginPassword (or none: trust, peer); failing that, with ProvisionLogin,
// after setting a fresh random password on the login through the URL's
// (owner's) connection, and over TCP to localhost when the URL named a
// Unix socket (where peer authentication admits only the OS user's role).
func openLogin(ctx context.Context, owner *pgxpool.Config, cfg StoreConfig) (*pgxpool.Pool, error) {
	pc := owner.Copy()
	pc.ConnConfig.User, pc.ConnConfig.Password = cfg.Login, cfg.LoginPassword
	pool, err := connect(ctx, pc)
	if err == nil || !cfg.ProvisionLogin {
		if err != nil {
			err = fmt.Errorf("log in as %s: %w (README, Security: creating the server's login)", cfg.Login, err)
		}
		return pool, err
	}
	first := err
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	password := base64.RawURLEncoding.EncodeToString(b) // [A-Za-z0-9_-]: safe in a literal
	conn, err := pgx.ConnectConfig(ctx, owner.ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("log in as %s: %w; and the owner's URL does not connect: %v", cfg.Login, first, err)
	}
	_, err = conn.Exec(ctx, "ALTER ROLE "+pgx.Identifier{cfg.Login}.Sanitize()+" WITH LOGIN PASSWORD '"+password+"'")
	conn.Close(ctx)
	if err != nil {
		return nil, fmt.Errorf("log in as %s: %w; setting its password as the owner failed: %v (README, Security)", cfg.Login, first, err)
	}
	pc.ConnConfig.Password = password
	if pool, err = connect(ctx, pc); err == nil {
		return pool, nil
	}
	if strings.HasPrefix(pc.ConnConfig.Host, "/") {
		pc.ConnConfig.Host, pc.ConnConfig.Fallbacks = "127.0.0.1", nil
		if pool, err2 := connect(ctx, pc); err2 == nil {
			return pool, nil
		}
	}
	return nil, fmt.Errorf("log in as %s: %w (README, Security)", cfg.Login, err)
}

// checkConfined refuses a login that could reach past row-level security:
// a superuser, a role with BYPASSRLS, one that owns a relation here, or a
// member of the schema's owner (RESET ROLE; SET ROLE owner).
func checkConfined(ctx context.Context, pool *pgxpool.Pool) error {
	var who string
	var super, bypass, owns, member bool
	err := pool.QueryRow(ctx, `
SELECT r.rolname, r.rolsuper, r.rolbypassrls,
       EXISTS (SELECT FROM pg_class c WHERE c.relowner = r.oid),
       coalesce((SELECT pg_has_role(r.oid, c.relowner, 'MEMBER') FROM pg_class c
                 WHERE c.relname = 'hotspots' AND c.relnamespace = 'public'::regnamespace), false)
FROM pg_roles r WHERE r.rolname = session_user`).Scan(&who, &super, &bypass, &owns, &member)
	if err != nil {
		return fmt.Errorf("database login check: %w", err)
	}
	if super || bypass || owns || member {
		return fmt.Errorf("database login %s may reach past row-level security (superuser %v, bypassrls %v, owns relations %v, member of the owner %v): log in as diaban_server (README, Security)", who, super, bypass, owns, member)
	}
	return nil
}

// setAppRole makes every connection of the pool take role, and set the
// scope of its context each time it is acquired. The scope is remembered
// per connection so that a connection reused in the same scope (the common
// case: background work, or one user's burst) costs no extra round trip.
func setAppRole(pc *pgxpool.Config, role string) {
	var last sync.Map // *pgx.Conn → scope last set on it
	setRole := "SET ROLE " + pgx.Identifier{role}.Sanitize()
	pc.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		if _, err := conn.Exec(ctx, setRole); err != nil {
			return fmt.Errorf("database role %s: %w", role, err)
		}
		return nil
	}
	pc.PrepareConn = func(ctx context.Context, conn *pgx.Conn) (bool, error) {
		sc := scopeOf(ctx)
		if sc.free {
			return true, nil // reads no table with a policy (withoutScope)
		}
		if prev, ok := last.Load(conn); ok && prev.(scope) == sc {
			return true, nil
		}
		if err := applyScope(ctx, conn, sc); err != nil {
			// The connection's scope is now unknown: drop it.
			last.Delete(conn)
			return false, fmt.Errorf("set scope: %w", err)
		}
		last.Store(conn, sc)
		return true, nil
	}
	pc.BeforeClose = func(conn *pgx.Conn) { last.Delete(conn) }
}

// NewStore wraps an open pool.
func NewStore(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool, areas: &areaCache{}}
}

// Close closes the pool.
func (s *Store) Close() { s.pool.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Migrate applies every pending migration in migrations.FS through goose and
// reports the versions applied.
func Migrate(ctx context.Context, pool *pgxpool.Pool) ([]int64, error) {
	return migratePool(ctx, pool)
}

// Migrate applies every pending migration over the store's connection
// (which must be the schema's owner) and reports the versions applied.
func (s *Store) Migrate(ctx context.Context) ([]int64, error) { return migratePool(ctx, s.pool) }

func migratePool(ctx context.Context, pool *pgxpool.Pool) ([]int64, error) {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	return migrateDB(ctx, db)
}

func migrateDB(ctx context.Context, db *sql.DB) ([]int64, error) {
	// Out of order: a migration numbered below one already applied (two
	// branches that each added one) is applied rather than refused; each of
	// ours stands alone.
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithAllowOutofOrder(true))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var applied []int64
	for _, r := range results {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// inTx runs fn in one transaction: everything or nothing is written. The
// pending audit entry of ctx, if any, is appended in the same transaction.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return WritePendingAudit(ctx, tx)
	})
}

// pgCode returns the SQLSTATE of a PostgreSQL error, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/jackc/pgx/v5"
)

var userNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// NewUser is what CreateUser needs.
type NewUser struct {
	Name     string
	Role     hotspot.Role
	Scope    string // area code; "" only for an admin
	Password string
}

// CreateUser adds an account.
func (s *Store) CreateUser(ctx context.Context, n NewUser) (*hotspot.User, error) {
	if !userNameRE.MatchString(n.Name) {
		return nil, hotspot.Invalid("name", "use 1–63 lower-case letters, digits, '.', '_' or '-'")
	}
	if !n.Role.Valid() {
		return nil, hotspot.Invalid("role", "want admin, officer, planner or viewer")
	}
	var areaID *int64
	if n.Scope != "" {
		idx, err := s.Areas(ctx)
		if err != nil {
			return nil, err
		}
		a, ok := idx.ByCode(n.Scope)
		if !ok {
			return nil, hotspot.Invalid("area", "unknown area %q", n.Scope)
		}
		areaID = &a.ID
	} else if n.Role != hotspot.RoleAdmin {
		return nil, hotspot.Invalid("area", "required for the %s role", n.Role)
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return nil, err
	}
	u := &hotspot.User{Name: n.Name, Role: n.Role, Scope: n.Scope}
	// The pending audit entry of ctx (the CLI's) is written in the same transaction.
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO users (name, role, scope_area_id, password_hash) VALUES ($1, $2, $3, $4)
RETURNING id, created_at`, n.Name, n.Role, areaID, hash).Scan(&u.ID, &u.CreatedAt)
		if err == nil {
			AuditTouch(ctx, n.Scope, u.ID)
		}
		return err
	})
	if pgCode(err) == "23505" {
		return nil, &hotspot.ConflictError{Field: "name", Reason: fmt.Sprintf("user %q exists", n.Name)}
	}
	if err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

const userColumns = `u.id, u.name, u.role, coalesce(a.code, '') AS scope, u.disabled, u.created_at`

func scanUser(r pgx.CollectableRow) (hotspot.User, error) {
	var u hotspot.User
	err := r.Scan(&u.ID, &u.Name, &u.Role, &u.Scope, &u.Disabled, &u.CreatedAt)
	return u, err
}

// ListUsers returns every account by name.
func (s *Store) ListUsers(ctx context.Context) ([]hotspot.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users u LEFT JOIN areas a ON a.id = u.scope_area_id ORDER BY u.name`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanUser)
}

// SetPassword replaces a user's password and ends its sessions.
func (s *Store) SetPassword(ctx context.Context, name, password string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `UPDATE users SET password_hash = $2 WHERE name = $1 RETURNING id`, name, hash).Scan(&id); errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("user %q: %w", name, hotspot.ErrNotFound)
		} else if err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		return err
	})
}

// DisableUser disables an account and ends its sessions.
func (s *Store) DisableUser(ctx context.Context, name string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `UPDATE users SET disabled = true WHERE name = $1 RETURNING id`, name).Scan(&id); errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("user %q: %w", name, hotspot.ErrNotFound)
		} else if err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		return err
	})
}

// Authenticate checks a user name and password. Every failure is
// ErrBadCredentials, and an unknown name costs one hash like a known one.
func (s *Store) Authenticate(ctx context.Context, name, password string) (*hotspot.User, error) {
	var (
		u    hotspot.User
		hash string
	)
	// diaban_login (migrations/00006) is the only reader of password hashes
	// the server's database role has.
	err := s.pool.QueryRow(ctx, `SELECT id, name, role, scope, disabled, created_at, password_hash FROM diaban_login($1)`, name).
		Scan(&u.ID, &u.Name, &u.Role, &u.Scope, &u.Disabled, &u.CreatedAt, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		_, _ = CheckPassword(dummyHash, password)
		return nil, hotspot.ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return nil, err
	}
	if !ok || u.Disabled {
		return nil, hotspot.ErrBadCredentials
	}
	return &u, nil
}

// hashToken is how a session token is stored.
func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CreateSession starts a session for u lasting ttl (at most 7 days) and
// returns its token (32 random bytes, base64url). Only the token's hash is
// stored, through diaban_session_start (an enabled user only), in one
// transaction with the pending audit entry of ctx (the login's).
func (s *Store) CreateSession(ctx context.Context, u *hotspot.User, ttl time.Duration) (string, time.Time, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", time.Time{}, err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	var exp time.Time
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT diaban_session_start($1, $2, $3::interval)`,
			u.ID, hashToken(token), fmt.Sprintf("%d milliseconds", ttl.Milliseconds())).Scan(&exp)
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("create session: %w", err)
	}
	return token, exp, nil
}

// SessionUser returns the user of a live session, or ErrNotFound for an
// unknown, expired or disabled one.
func (s *Store) SessionUser(ctx context.Context, token string) (*hotspot.User, error) {
	if token == "" || len(token) > 128 {
		return nil, hotspot.ErrNotFound
	}
	// Sessions, users and areas have no row-level security: every request
	// asks this first, and a scope switch on the connection would cost it
	// a round trip (issue 18).
	ctx = withoutScope(ctx)
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM sessions s JOIN users u ON u.id = s.user_id
LEFT JOIN areas a ON a.id = u.scope_area_id
WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled`, hashToken(token))
	return oneRow(rows, err, scanUser)
}

// SessionUserAreaVersion is SessionUser that also reads, in the same
// statement, the version of the areas (what Areas compares its index
// with): a request that starts with its session lookup and then asks for
// the area index, as every API and tile request does, makes one round
// trip for both (issue 18: the two lookups were half the cost of a cold,
// empty tile). Put the version on the request's context with
// WithAreaVersion.
func (s *Store) SessionUserAreaVersion(ctx context.Context, token string) (*hotspot.User, int64, error) {
	if token == "" || len(token) > 128 {
		return nil, 0, hotspot.ErrNotFound
	}
	ctx = withoutScope(ctx)
	var version int64
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+`, (`+sqlAreaVersion+`) FROM sessions s JOIN users u ON u.id = s.user_id
LEFT JOIN areas a ON a.id = u.scope_area_id
WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled`, hashToken(token))
	u, err := oneRow(rows, err, func(r pgx.CollectableRow) (hotspot.User, error) {
		var u hotspot.User
		err := r.Scan(&u.ID, &u.Name, &u.Role, &u.Scope, &u.Disabled, &u.CreatedAt, &version)
		return u, err
	})
	return u, version, err
}

// EndSession deletes a session (logout); unknown tokens are ignored.
// Expired sessions are swept at the same time. The pending audit entry of
// ctx (the logout's) is written in the same transaction.
func (s *Store) EndSession(ctx context.Context, token string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT diaban_session_end($1)`, hashToken(token))
		return err
	})
}

package hotspot

import (
	"errors"
	"time"
)

// Role is what a user may do; Scope says where.
type Role string

// The roles (issue 6).
const (
	RoleAdmin   Role = "admin"   // everything, users included
	RoleOfficer Role = "officer" // hotspots, events, incidents, tips, cameras in scope
	RolePlanner Role = "planner" // cameras, coverage, plans; hotspots read-only; no incident or tip points
	RoleViewer  Role = "viewer"  // aggregates and metrics only
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleOfficer, RolePlanner, RoleViewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// User is an account. Scope is the code of the area it covers (with
// everything below); "" for an admin means everywhere.
type User struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Scope     string    `json:"scope"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

// ErrBadCredentials is the one answer to a wrong user name, a wrong
// password and a disabled account alike.
var ErrBadCredentials = errors.New("wrong user name or password")

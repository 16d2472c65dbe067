package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/diaban/diaban/hotspot/store"
)

// userRescope is `diaban user rescope NAME --area CODE`: moves a user whose
// area was retired by a reform to a current unit.
func userRescope(ctx context.Context, env *environment, st *store.Store, name, area string) error {
	if area == "" {
		return fmt.Errorf("%w: user rescope needs --area CODE", errUsage)
	}
	if err := st.RescopeUser(cliAudit(ctx, "user.rescope", name), name, area); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "user %s now covers area %s; its sessions ended\n", name, area)
	return nil
}

// retiredText is what `user list` adds to the state of a user whose area
// was retired.
func retiredText(r store.RetiredScope, ok bool) string {
	if !ok {
		return ""
	}
	s := ", area retired"
	if len(r.Successors) > 0 {
		s += " → " + strings.Join(r.Successors, "/")
	}
	return s + " (diaban user rescope)"
}

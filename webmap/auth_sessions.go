package webmap

import (
	"context"
	"crypto/sha256"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/diaban/diaban/hotspot"
)

// sessionLookups shares one session query among the requests that present
// the same token at the same moment (issue 12, finding 4: 2,000 upgrades
// of one viewer, 100 at a time, each looked its session up and took the
// database pool from every other user). Nothing is cached beyond the
// query in flight, so a logout, an expiry or a disabled user is seen by
// the next request as before. Each caller gets its own copy of the user.
type sessionLookups struct{ g singleflight.Group }

// sessionLookupTimeout bounds a shared session query.
const sessionLookupTimeout = 10 * time.Second

// sessionLookup is what a request learns with its session in one round
// trip: the user, and the version of the areas (store.WithAreaVersion).
type sessionLookup struct {
	user        *hotspot.User
	areaVersion int64
}

// user returns the session's user and the area version read with it,
// sharing an identical lookup in flight. The shared query runs without the
// first caller's cancellation, so one caller leaving does not fail the
// others.
func (l *sessionLookups) user(ctx context.Context, lookup func(context.Context, string) (*hotspot.User, int64, error), token string) (*hotspot.User, int64, error) {
	sum := sha256.Sum256([]byte(token))
	v, err, _ := l.g.Do(string(sum[:]), func() (any, error) {
		qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sessionLookupTimeout)
		defer cancel()
		u, version, err := lookup(qctx, token)
		if err != nil {
			return nil, err
		}
		return sessionLookup{u, version}, nil
	})
	if err != nil {
		return nil, 0, err
	}
	found := v.(sessionLookup)
	u := *found.user
	return &u, found.areaVersion, nil
}

package store_test

import (
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
)

// A request's session lookup also reads the areas' version
// (SessionUserAreaVersion), and the area index is checked against it: after
// an area import the next request's version is the new one and its index
// holds the new area; a version older than AreaVersionFresh is not trusted,
// so a websocket's hours-old context asks the database again.
func TestSessionReadsTheAreaVersion(t *testing.T) {
	s, ctx := newStore(t)
	u, err := s.CreateUser(ctx, store.NewUser{Name: "officer1", Role: hotspot.RoleOfficer, Scope: "20530", Password: "officer-password-1"})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := s.CreateSession(ctx, u, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	areaVersion := func() int64 {
		var v int64
		if err := s.Pool().QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM changes WHERE kind = 'area'`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	got, v1, err := s.SessionUserAreaVersion(ctx, tok)
	if err != nil || got.Name != "officer1" || got.Scope != "20530" {
		t.Fatalf("session user: %+v %v", got, err)
	}
	if want := areaVersion(); v1 != want || v1 == 0 {
		t.Fatalf("area version read with the session: %d, want %d (non-zero)", v1, want)
	}
	idx, err := s.Areas(store.WithAreaVersion(ctx, v1))
	if err != nil || idx.Version != v1 {
		t.Fatalf("index of version %d: %v %v", v1, idx, err)
	}
	if _, ok := idx.ByCode("20599"); ok {
		t.Fatal("area 20599 before its import")
	}

	// A new hamlet: the next request's lookup carries the new version
	// and its index the new area.
	const newArea = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"20599","name":"Tổ dân phố Mới","level":"hamlet","parent_code":"20530"},"geometry":{"type":"Polygon","coordinates":[[[108.21,15.85],[108.22,15.85],[108.22,15.86],[108.21,15.86],[108.21,15.85]]]}}]}`
	if _, err := importString(t, s, ctx, "areas", newArea, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	_, v2, err := s.SessionUserAreaVersion(ctx, tok)
	if err != nil || v2 <= v1 || v2 != areaVersion() {
		t.Fatalf("after an area import: version %d (was %d, table %d), %v", v2, v1, areaVersion(), err)
	}
	idx, err = s.Areas(store.WithAreaVersion(ctx, v2))
	if err != nil || idx.Version != v2 {
		t.Fatalf("index of version %d: %v", v2, err)
	}
	if _, ok := idx.ByCode("20599"); !ok {
		t.Fatal("the index read with the new version lacks area 20599")
	}

	// A stale version on a context older than AreaVersionFresh is not
	// trusted: Areas asks the database and keeps the current index.
	old := store.WithAreaVersion(ctx, v1)
	time.Sleep(store.AreaVersionFresh + 50*time.Millisecond)
	idx, err = s.Areas(old)
	if err != nil || idx.Version != v2 {
		t.Fatalf("an hours-old context's version was trusted: index version %d, want %d (%v)", idx.Version, v2, err)
	}
	if _, ok := idx.ByCode("20599"); !ok {
		t.Fatal("area 20599 lost")
	}

	// No session, no version.
	if _, _, err := s.SessionUserAreaVersion(ctx, "no-such-token"); err != hotspot.ErrNotFound {
		t.Fatalf("unknown token: %v", err)
	}
}

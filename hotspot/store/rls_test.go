package store_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

// rlsFixture holds one row of every scoped kind in each of communes 20530
// (lon 108.2–108.3) and 20533 (108.3–108.4), loaded as the owner.
func rlsFixture(t *testing.T) (*pgtest.DB, context.Context, map[string]int64) {
	t.Helper()
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	db.ImportFile(t, "areas", "../testdata/areas.geojson")
	db.Import(t, "hotspots", "ref,lon,lat,kind,name\nHA,108.25,15.9,dealing,A\nHB,108.35,15.9,storage,B\n")
	db.Import(t, "events", "hotspot_ref,event,occurred_at,note\nHA,detected,2025-01-10T08:00:00+07:00,\nHB,detected,2025-01-10T08:00:00+07:00,\n")
	db.Import(t, "incidents", "ref,lon,lat,kind,occurred_at\nIA,108.25,15.9,use,2025-01-01\nIB,108.35,15.9,use,2025-01-01\n")
	db.Import(t, "tips", "ref,received_at,handled_at,lon,lat,area_code\nTA,2025-01-01,,,,20530\nTB,2025-01-01,,,,20533\n")
	db.Import(t, "cameras", "ref,lon,lat,bearing,fov,range_m,owner,status\nCA,108.25,15.9,90,90,120,police,active\nCB,108.35,15.9,90,90,120,police,active\n")
	db.Import(t, "indicators", "area_code,period,key,value\n20530,2025-Q3,registered_users,4\n20533,2025-Q3,registered_users,5\n")
	ids := map[string]int64{}
	rows, err := db.Pool.Query(ctx, `SELECT code, id FROM areas`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var code string
		var id int64
		if err := rows.Scan(&code, &id); err != nil {
			t.Fatal(err)
		}
		ids[code] = id
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return db, ctx, ids
}

// appConn is a connection acting as the service's role.
func appConn(t *testing.T, ctx context.Context, db *pgtest.DB) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, `SET ROLE diaban_app`); err != nil {
		t.Fatal(err)
	}
	return conn
}

func setScope(t *testing.T, ctx context.Context, conn *pgx.Conn, all, ids string) {
	t.Helper()
	if _, err := conn.Exec(ctx, `SELECT set_config('diaban.scope', $1, false), set_config('diaban.scope_ids', $2, false)`, all, ids); err != nil {
		t.Fatal(err)
	}
}

// visible returns, per scoped table, the refs (or area ids) the connection sees.
func visible(t *testing.T, ctx context.Context, conn *pgx.Conn) map[string][]string {
	t.Helper()
	queries := map[string]string{
		"hotspots":        `SELECT ref FROM hotspots ORDER BY ref`,
		"hotspot_events":  `SELECT h.ref FROM hotspot_events e JOIN hotspots h ON h.id = e.hotspot_id ORDER BY 1`,
		"hotspot_status":  `SELECT hotspot_id::text FROM hotspot_status ORDER BY 1`,
		"incidents":       `SELECT ref FROM incidents ORDER BY ref`,
		"tips":            `SELECT ref FROM tips ORDER BY ref`,
		"cameras":         `SELECT ref FROM cameras ORDER BY ref`,
		"area_indicators": `SELECT value::text FROM area_indicators ORDER BY 1`,
		"events_alone":    `SELECT count(*)::text FROM hotspot_events`,
	}
	out := map[string][]string{}
	for name, q := range queries {
		rows, err := conn.Query(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = got
	}
	return out
}

func TestRowLevelSecurityDirectSQL(t *testing.T) {
	db, ctx, areas := rlsFixture(t)
	conn := appConn(t, ctx, db)
	var ha int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM hotspots WHERE ref = 'HA'`).Scan(&ha); err != nil {
		t.Fatal(err)
	}

	// Commune 20530 only.
	setScope(t, ctx, conn, "", "{"+itoa(areas["20530"])+"}")
	got := visible(t, ctx, conn)
	want := map[string][]string{
		"hotspots": {"HA"}, "hotspot_events": {"HA"}, "hotspot_status": {itoa(ha)}, "incidents": {"IA"},
		"tips": {"TA"}, "cameras": {"CA"}, "area_indicators": {"4"}, "events_alone": {"1"},
	}
	for k, w := range want {
		if !slices.Equal(got[k], w) {
			t.Errorf("scope 20530, %s: got %v, want %v", k, got[k], w)
		}
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM hotspots WHERE diaban_in_scope(area_id)`).Scan(&n); err != nil || n != 1 {
		t.Errorf("diaban_in_scope: %d, %v", n, err)
	}

	// Writing into commune 20533 is refused; into 20530 allowed.
	insert := `INSERT INTO hotspots (ref, kind, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
VALUES ($1, 'dealing', ST_SetSRID(ST_MakePoint(108.35, 15.9), 4326), $2, 0, 0, 0, 0)`
	_, err := conn.Exec(ctx, insert, "HX", areas["20533"])
	wantRLS(t, "insert out of scope", err)
	if _, err := conn.Exec(ctx, insert, "HY", areas["20530"]); err != nil {
		t.Errorf("insert in scope: %v", err)
	}
	// Moving a row out of scope is refused too, and rows out of scope are not updated.
	_, err = conn.Exec(ctx, `UPDATE hotspots SET area_id = $1 WHERE ref = 'HA'`, areas["20533"])
	wantRLS(t, "update out of scope", err)
	if tag, err := conn.Exec(ctx, `UPDATE cameras SET status = 'offline' WHERE ref = 'CB'`); err != nil || tag.RowsAffected() != 0 {
		t.Errorf("update of an unseen camera: %v rows, %v", tag.RowsAffected(), err)
	}
	var hb int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM hotspots WHERE ref = 'HB'`).Scan(&hb); err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `INSERT INTO hotspot_events (hotspot_id, event, occurred_at) VALUES ($1, 'note', now())`, hb)
	wantRLS(t, "event on an unseen hotspot", err)
	_, err = conn.Exec(ctx, `INSERT INTO incidents (ref, kind, occurred_at, geom, area_id, h3_r7, h3_r8, h3_r9, h3_r10)
VALUES ('IX', 'use', now(), ST_SetSRID(ST_MakePoint(108.35, 15.9), 4326), $1, 0, 0, 0, 0)`, areas["20533"])
	wantRLS(t, "incident out of scope", err)

	// Append-only and read-only tables stay so for the role.
	for _, q := range []string{`DELETE FROM audit`, `UPDATE audit SET role = 'x'`, `DELETE FROM hotspot_events`, `INSERT INTO changes (kind, op) VALUES ('hotspot', 'insert')`, `DELETE FROM hotspots`} {
		if _, err := conn.Exec(ctx, q); pgCode(err) != "42501" {
			t.Errorf("%s: got %v, want permission denied", q, err)
		}
	}

	// No scope: nothing.
	setScope(t, ctx, conn, "", "")
	for k, v := range visible(t, ctx, conn) {
		if k == "events_alone" {
			if !slices.Equal(v, []string{"0"}) {
				t.Errorf("no scope, %s: %v", k, v)
			}
		} else if len(v) != 0 {
			t.Errorf("no scope, %s: got %v, want nothing", k, v)
		}
	}
	_, err = conn.Exec(ctx, insert, "HZ", areas["20530"])
	wantRLS(t, "insert without scope", err)

	// Everything.
	setScope(t, ctx, conn, "*", "")
	got = visible(t, ctx, conn)
	if !slices.Equal(got["hotspots"], []string{"HA", "HB", "HY"}) || !slices.Equal(got["incidents"], []string{"IA", "IB"}) ||
		!slices.Equal(got["events_alone"], []string{"2"}) || len(got["area_indicators"]) != 2 {
		t.Errorf("scope *: %v", got)
	}
	// The province covers both communes when all its descendants are given.
	setScope(t, ctx, conn, "", "{"+itoa(areas["49"])+","+itoa(areas["503"])+","+itoa(areas["20530"])+","+itoa(areas["20533"])+"}")
	if got := visible(t, ctx, conn); !slices.Equal(got["cameras"], []string{"CA", "CB"}) {
		t.Errorf("province scope: %v", got["cameras"])
	}
	// The change triggers still record the role's writes.
	var changes int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM changes WHERE kind = 'hotspot' AND entity_id = (SELECT id FROM hotspots WHERE ref = 'HY')`).Scan(&changes); err != nil || changes != 1 {
		t.Errorf("change of HY: %d, %v", changes, err)
	}
}

func TestStoreWithAppRoleIsScoped(t *testing.T) {
	db, ctx, _ := rlsFixture(t)
	s, err := store.Open(ctx, store.StoreConfig{URL: db.URL, AppRole: "diaban_app"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	idx, err := s.Areas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := idx.Descendants("20530")
	inA := store.WithScope(ctx, a)
	refs := func(ctx context.Context) []string {
		t.Helper()
		hs, err := s.ListHotspots(ctx, store.HotspotFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range hs {
			out = append(out, h.Ref)
		}
		slices.Sort(out)
		return out
	}
	// The same pooled connection switches scope with each use.
	for range 3 {
		if got := refs(inA); !slices.Equal(got, []string{"HA"}) {
			t.Errorf("scope 20530: %v", got)
		}
		if got := refs(store.WithSystemScope(ctx)); !slices.Equal(got, []string{"HA", "HB"}) {
			t.Errorf("system scope: %v", got)
		}
		if got := refs(ctx); len(got) != 0 {
			t.Errorf("no scope: %v", got)
		}
	}
	if _, err := s.CreateHotspot(inA, store.NewHotspot{Ref: "HX", Kind: "dealing", Point: geo.Point{Lon: 108.35, Lat: 15.9}}); pgCode(err) != "42501" {
		t.Errorf("create out of scope: got %v, want a row-level security refusal", err)
	}
	if _, err := s.CreateHotspot(inA, store.NewHotspot{Ref: "HY", Kind: "dealing", Point: geo.Point{Lon: 108.25, Lat: 15.9}}); err != nil {
		t.Errorf("create in scope: %v", err)
	}
	var hb int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM hotspots WHERE ref = 'HB'`).Scan(&hb); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetHotspot(inA, hb); !errors.Is(err, hotspot.ErrNotFound) {
		t.Errorf("get out of scope: %v", err)
	}
	if _, err := s.GetHotspot(store.WithSystemScope(ctx), hb); err != nil {
		t.Errorf("get in system scope: %v", err)
	}
}

func wantRLS(t *testing.T, what string, err error) {
	t.Helper()
	if pgCode(err) != "42501" {
		t.Errorf("%s: got %v, want SQLSTATE 42501 (row-level security)", what, err)
	}
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The reads that skip the scope switch (withoutScope: the area index and a
// session's user) must only touch tables without row-level security; a
// policy added to one of them later must move its read back into a scope.
func TestTablesReadWithoutScopeHaveNoPolicies(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	for _, table := range []string{"areas", "area_versions", "changes", "sessions", "users"} {
		var rls bool
		if err := db.Pool.QueryRow(context.Background(), `SELECT relrowsecurity FROM pg_class WHERE oid = $1::regclass`, table).Scan(&rls); err != nil {
			t.Fatal(err)
		}
		if rls {
			t.Errorf("%s has row-level security, but the store reads it without setting a scope (withoutScope)", table)
		}
	}
}

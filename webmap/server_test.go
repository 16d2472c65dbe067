package webmap_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
	"github.com/diaban/diaban/webmap"
)

// testServer is a real server on a fresh database, listening on a free port.
type testServer struct {
	*httptest.Server
	store *store.Store
	db    *pgtest.DB // the owner's pool, for tests' own SQL
	srv   *webmap.Server
	// token is the session of the test admin (testAdmin) that do, dial and
	// http use; http is a client that sends it as a Bearer token.
	token string
	http  *http.Client
}

// The account every test server starts with.
const (
	testAdmin    = "test-admin"
	testPassword = "test-password-1"
)

// bearer adds a session token to every request without one.
type bearer struct {
	token string
	base  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Authorization") == "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+b.token)
	}
	return b.base.RoundTrip(r)
}

// addUser creates an account with testPassword and returns a session token.
func (ts *testServer) addUser(t testing.TB, name string, role hotspot.Role, scope string) string {
	t.Helper()
	ctx := context.Background()
	u, err := ts.store.CreateUser(ctx, store.NewUser{Name: name, Role: role, Scope: scope, Password: testPassword})
	if err != nil {
		t.Fatalf("add user %s: %v", name, err)
	}
	token, _, err := ts.store.CreateSession(ctx, u, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// newTestServer starts a server over a fresh database holding the small
// fixture district (province 49 > district 503 > communes 20530, 20533) and
// two hotspots: H1 (active, in 20530) and H2 (active, in 20533).
func newTestServer(t *testing.T) *testServer {
	t.Helper()
	return newBenchServer(t)
}

// newBenchServer is newTestServer for tests and benchmarks alike.
func newBenchServer(t testing.TB) *testServer {
	t.Helper()
	ts := newEmptyServer(t)
	importFile(t, ts.store, "areas", "../hotspot/testdata/areas.geojson")
	importText(t, ts.store, "hotspots", "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,Quán cà phê\nH2,108.35,15.9,storage,Nhà kho\n")
	importText(t, ts.store, "events", "hotspot_ref,event,occurred_at,note\nH1,detected,2025-01-10,\nH2,detected,2025-02-01,\n")
	ts.settle(t)
	return ts
}

// settle waits until the hub has published every change made so far, so a
// client connecting now sees only what comes next.
func (ts *testServer) settle(t testing.TB) {
	t.Helper()
	want, err := ts.store.LatestSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for ts.srv.Hub().LastSeq() < want {
		if time.Now().After(deadline) {
			t.Fatalf("hub stuck at seq %d, want %d", ts.srv.Hub().LastSeq(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// newEmptyServer starts a server over a fresh, empty database.
func newEmptyServer(t testing.TB) *testServer {
	t.Helper()
	return newConfiguredServer(t, nil)
}

// newConfiguredServer is newEmptyServer with configure applied to the
// server's Config first (nil: none).
func newConfiguredServer(t testing.TB, configure func(*webmap.Config)) *testServer {
	t.Helper()
	db := pgtest.New(t)
	st := store.NewStore(db.Pool) // the owner's: tests' setup
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	// The server runs as diaban serve does: logged in as diaban_server,
	// which owns nothing, acting as the application role under row-level
	// security.
	app, err := store.Open(ctx, store.StoreConfig{URL: db.URL, AppRole: "diaban_app", Login: "diaban_server", ApplicationName: "diaban-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	cfg := webmap.Config{Version: "test", SessionCheck: 100 * time.Millisecond}
	if configure != nil {
		configure(&cfg)
	}
	srv := webmap.New(cfg, app, slog.New(slog.NewTextHandler(io.Discard, nil)))
	go func() { _ = srv.Run(ctx) }()
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	ts := &testServer{Server: hs, store: st, db: db, srv: srv}
	ts.token = ts.addUser(t, testAdmin, hotspot.RoleAdmin, "")
	ts.http = &http.Client{Transport: bearer{token: ts.token, base: http.DefaultTransport}}
	return ts
}

func importFile(t testing.TB, s *store.Store, kind, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := importer.Import(context.Background(), s, kind, f, importer.Options{}); err != nil {
		t.Fatalf("import %s: %v", kind, err)
	}
}

func importText(t testing.TB, s *store.Store, kind, text string) {
	t.Helper()
	if _, err := importer.Import(context.Background(), s, kind, strings.NewReader(text), importer.Options{}); err != nil {
		t.Fatalf("import %s: %v", kind, err)
	}
}

// do sends a request as the test admin and decodes a JSON answer into out
// (when not nil).
func (ts *testServer) do(t *testing.T, method, path, body string, out any) int {
	t.Helper()
	code, _ := ts.doAs(t, ts.token, method, path, body, out)
	return code
}

// doAs is do with another session token ("" for none); it also returns
// the raw body.
func (ts *testServer) doAs(t *testing.T, token, method, path, body string, out any) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d %q is not JSON: %v", method, path, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode, data
}

type featureCollection struct {
	Type     string `json:"type"`
	Features []struct {
		ID         any            `json:"id"`
		Geometry   map[string]any `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
}

func TestAPIReads(t *testing.T) {
	ts := newTestServer(t)
	var areas featureCollection
	if code := ts.do(t, "GET", "/api/areas", "", &areas); code != 200 || len(areas.Features) != 4 {
		t.Fatalf("areas: %d, %d features", code, len(areas.Features))
	}
	for _, f := range areas.Features {
		for _, k := range []string{"code", "name", "level", "parent_code"} {
			if _, ok := f.Properties[k]; !ok {
				t.Errorf("area feature lacks %q: %v", k, f.Properties)
			}
		}
	}
	var hs featureCollection
	if code := ts.do(t, "GET", "/api/hotspots?area=20533", "", &hs); code != 200 || len(hs.Features) != 1 {
		t.Fatalf("hotspots in 20533: %d, %d features", code, len(hs.Features))
	}
	f := hs.Features[0]
	if _, ok := f.ID.(float64); !ok || f.Properties["ref"] != "H2" || f.Properties["status"] != "active" || f.Properties["area"] != "20533" || f.Properties["kind"] != "storage" {
		t.Errorf("hotspot feature: id %v, %v", f.ID, f.Properties)
	}
	if code := ts.do(t, "GET", "/api/hotspots?area=503", "", &hs); code != 200 || len(hs.Features) != 2 {
		t.Errorf("hotspots in district 503 (both communes): %d, %d", code, len(hs.Features))
	}
	var one struct {
		ID         int64 `json:"id"`
		Properties struct {
			Events []map[string]any `json:"events"`
		} `json:"properties"`
	}
	if code := ts.do(t, "GET", "/api/hotspots/1", "", &one); code != 200 || len(one.Properties.Events) != 1 || one.Properties.Events[0]["event"] != "detected" {
		t.Errorf("hotspot 1: %d %+v", code, one)
	}
	var health map[string]string
	if code := ts.do(t, "GET", "/healthz", "", &health); code != 200 || health["database"] != "ok" {
		t.Errorf("healthz: %d %v", code, health)
	}
}

func TestAPIWritesAndRefusals(t *testing.T) {
	ts := newTestServer(t)
	var created struct {
		ID         int64          `json:"id"`
		Properties map[string]any `json:"properties"`
	}
	if code := ts.do(t, "POST", "/api/hotspots", `{"ref":"H3","name":"Nhà trọ","kind":"organised_use","lon":108.31,"lat":15.85}`, &created); code != 201 {
		t.Fatalf("create hotspot: %d", code)
	}
	if created.Properties["area"] != "20533" || created.Properties["status"] != "active" {
		t.Errorf("created: %v", created.Properties)
	}
	if code := ts.do(t, "POST", "/api/cameras", `{"ref":"C1","lon":108.25,"lat":15.9,"bearing":45,"fov":90,"range_m":100,"owner":"police","status":"active"}`, nil); code != 201 {
		t.Errorf("create camera: %d", code)
	}
	big := `{"ref":"H9","name":"` + strings.Repeat("x", 1<<20) + `","kind":"dealing","lon":108.25,"lat":15.9}`
	refusals := []struct {
		name, method, path, body string
		status                   int
		field                    string
	}{
		{"malformed JSON", "POST", "/api/hotspots", `{"ref":`, 400, "body"},
		{"unknown kind", "POST", "/api/hotspots", `{"ref":"H4","kind":"karaoke","lon":108.25,"lat":15.9}`, 400, "kind"},
		{"outside every area", "POST", "/api/hotspots", `{"ref":"H4","kind":"dealing","lon":100,"lat":15.9}`, 400, "lon"},
		{"latitude out of range", "POST", "/api/hotspots", `{"ref":"H4","kind":"dealing","lon":108.25,"lat":95}`, 400, "lat"},
		{"missing latitude", "POST", "/api/hotspots", `{"ref":"H4","kind":"dealing","lon":108.25}`, 400, "lat"},
		{"coordinate not a number", "POST", "/api/hotspots", `{"ref":"H4","kind":"dealing","lon":"east","lat":15.9}`, 400, "lon"},
		{"duplicate ref", "POST", "/api/hotspots", `{"ref":"H1","kind":"dealing","lon":108.25,"lat":15.9}`, 409, "ref"},
		{"body over 1 MiB", "POST", "/api/hotspots", big, 413, "body"},
		{"recurring an active hotspot", "POST", "/api/hotspots/1/events", `{"event":"recurred"}`, 409, "event"},
		{"unknown event", "POST", "/api/hotspots/1/events", `{"event":"closed"}`, 400, "event"},
		{"event in the future", "POST", "/api/hotspots/1/events", `{"event":"eliminated","occurred_at":"2999-01-01"}`, 400, "occurred_at"},
		{"event before detection", "POST", "/api/hotspots/1/events", `{"event":"eliminated","occurred_at":"2024-01-01"}`, 409, "event"},
		{"no such hotspot", "POST", "/api/hotspots/999/events", `{"event":"eliminated"}`, 404, ""},
		{"bad id", "GET", "/api/hotspots/abc", "", 400, "id"},
		{"camera bearing", "POST", "/api/cameras", `{"ref":"C2","lon":108.25,"lat":15.9,"bearing":400,"fov":90,"range_m":100,"owner":"police"}`, 400, "bearing"},
		{"bad bbox", "GET", "/api/incidents?bbox=1,2,3", "", 400, "bbox"},
		{"bad resolution", "GET", "/api/cells?res=3", "", 400, "res"},
		{"unknown area", "GET", "/api/hotspots?area=77777", "", 400, "area"},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			var body struct{ Error, Field string }
			code := ts.do(t, c.method, c.path, c.body, &body)
			if code != c.status || body.Field != c.field || body.Error == "" {
				t.Errorf("got %d %+v, want %d field %q", code, body, c.status, c.field)
			}
		})
	}
	var n int
	if err := ts.db.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM hotspots) + (SELECT count(*) FROM hotspot_events) + (SELECT count(*) FROM cameras)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3+3+1 { // H1, H2, H3; their detections; C1
		t.Errorf("refused requests wrote something: %d rows", n)
	}
	var after map[string]any
	if code := ts.do(t, "POST", "/api/hotspots/1/events", `{"event":"eliminated","occurred_at":"2025-06-01T08:00:00+07:00","note":"triệt xóa"}`, &after); code != 201 {
		t.Fatalf("eliminate: %d", code)
	}
	if got := after["properties"].(map[string]any)["status"]; got != "eliminated" {
		t.Errorf("status after elimination: %v", got)
	}
}

func TestSecurityHeadersAndStatic(t *testing.T) {
	ts := newTestServer(t)
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("<html")) {
		t.Fatalf("index: %d", resp.StatusCode)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP: %q", csp)
	}
	if bytes.Contains(bytes.ToLower(body), []byte("<script>")) || bytes.Contains(body, []byte(" style=\"")) || bytes.Contains(body, []byte("onclick=")) {
		t.Error("index.html has inline script or style, which the CSP forbids")
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("missing nosniff")
	}
	_ = time.Second
}

package webmap_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
)

// Roles of the matrix, each scoped to commune 20530 (admin: everywhere).
// Inside means commune 20530 (H1, hotspot 1); outside means 20533 (H2).
var matrixRoles = []hotspot.Role{hotspot.RoleAdmin, hotspot.RoleOfficer, hotspot.RolePlanner, hotspot.RoleViewer}

// want lists the status for admin, officer, planner, viewer.
type want [4]int

func tilePath(layer string) string {
	tl := maptile.At(orb.Point{108.3, 15.9}, 10)
	return fmt.Sprintf("/tiles/%s/%d/%d/%d", layer, tl.Z, tl.X, tl.Y)
}

// TestAuthorizationMatrix calls every endpoint as every role, inside and
// outside the role's area, and checks the status and that nothing leaks:
// no point of the other commune for scoped roles, no point at all for a
// viewer.
func TestAuthorizationMatrix(t *testing.T) {
	ts := newTestServer(t)
	importText(t, ts.store, "incidents", "ref,kind,occurred_at,lon,lat\nI1,use,2025-03-01,108.25,15.9\nI2,use,2025-03-02,108.35,15.9\n")
	ts.settle(t)
	tokens := map[hotspot.Role]string{hotspot.RoleAdmin: ts.token}
	for _, r := range matrixRoles[1:] {
		tokens[r] = ts.addUser(t, "m-"+string(r), r, "20530")
	}
	const (
		in  = `"lon":108.25,"lat":15.9`
		out = `"lon":108.35,"lat":15.9`
	)
	cases := []struct {
		name, method, path, body string
		want                     want
	}{
		{"config", "GET", "/api/config", "", want{200, 200, 200, 200}},
		{"me", "GET", "/api/me", "", want{200, 200, 200, 200}},
		{"areas", "GET", "/api/areas", "", want{200, 200, 200, 200}},
		{"audit", "GET", "/api/audit", "", want{200, 403, 403, 403}},
		{"hotspots, no area", "GET", "/api/hotspots", "", want{200, 200, 200, 403}},
		{"hotspots inside", "GET", "/api/hotspots?area=20530", "", want{200, 200, 200, 403}},
		{"hotspots outside", "GET", "/api/hotspots?area=20533", "", want{200, 404, 404, 403}},
		{"hotspots above the scope", "GET", "/api/hotspots?area=503", "", want{200, 404, 404, 403}},
		{"hotspot inside", "GET", "/api/hotspots/1", "", want{200, 200, 200, 403}},
		{"hotspot outside", "GET", "/api/hotspots/2", "", want{200, 404, 404, 403}},
		{"incidents, no area", "GET", "/api/incidents", "", want{200, 200, 403, 403}},
		{"incidents outside", "GET", "/api/incidents?area=20533", "", want{200, 404, 403, 403}},
		{"cameras", "GET", "/api/cameras", "", want{200, 200, 200, 403}},
		{"cameras outside", "GET", "/api/cameras?area=20533", "", want{200, 404, 404, 403}},
		{"cells inside", "GET", "/api/cells?area=20530", "", want{200, 200, 200, 200}},
		{"cells, no area", "GET", "/api/cells", "", want{200, 200, 200, 200}},
		{"cells outside", "GET", "/api/cells?area=20533", "", want{200, 404, 404, 404}},
		{"metrics inside", "GET", "/api/areas/20530/metrics?period=2025", "", want{200, 200, 200, 200}},
		{"metrics outside", "GET", "/api/areas/20533/metrics?period=2025", "", want{200, 404, 404, 404}},
		{"metrics roll-up above", "GET", "/api/metrics?parent=503&period=2025", "", want{200, 404, 404, 404}},
		{"emerging inside", "GET", "/api/emerging?area=20530&from=2025-01-01&to=2025-06-30&bin=month", "", want{200, 200, 200, 200}},
		{"emerging outside", "GET", "/api/emerging?area=20533&from=2025-01-01&to=2025-06-30&bin=month", "", want{200, 404, 404, 404}},
		{"coverage inside", "GET", "/api/coverage?area=20530", "", want{200, 200, 200, 403}},
		{"coverage outside", "GET", "/api/coverage?area=20533", "", want{200, 404, 404, 403}},
		{"hotspot tiles", "GET", tilePath("hotspots"), "", want{200, 200, 200, 403}},
		{"camera tiles", "GET", tilePath("cameras"), "", want{200, 200, 200, 403}},
		{"cell tiles", "GET", tilePath("cells"), "", want{200, 200, 200, 200}},
		{"area tiles", "GET", tilePath("areas"), "", want{200, 200, 200, 200}},

		{"create hotspot inside", "POST", "/api/hotspots", `{"ref":"IN-%s","kind":"dealing",` + in + `}`, want{201, 201, 403, 403}},
		{"create hotspot outside", "POST", "/api/hotspots", `{"ref":"OUT-%s","kind":"dealing",` + out + `}`, want{201, 403, 403, 403}},
		{"event inside", "POST", "/api/hotspots/1/events", `{"event":"note","note":"%s"}`, want{201, 201, 403, 403}},
		{"event outside", "POST", "/api/hotspots/2/events", `{"event":"note","note":"%s"}`, want{201, 403, 403, 403}},
		{"planned camera inside", "POST", "/api/cameras", `{"ref":"CIN-%s","bearing":0,"fov":90,"range_m":80,"owner":"police",` + in + `}`, want{201, 201, 201, 403}},
		{"active camera inside", "POST", "/api/cameras", `{"ref":"CA-%s","bearing":0,"fov":90,"range_m":80,"owner":"police","status":"active",` + in + `}`, want{201, 201, 403, 403}},
		{"camera outside", "POST", "/api/cameras", `{"ref":"COUT-%s","bearing":0,"fov":90,"range_m":80,"owner":"police",` + out + `}`, want{201, 403, 403, 403}},
		{"evaluate inside", "POST", "/api/plans/evaluate", `{"area":"20530","cameras":[{"ref":"%s","bearing":0,"fov":90,"range_m":80,` + in + `}]}`, want{200, 403, 200, 403}},
		{"evaluate outside", "POST", "/api/plans/evaluate", `{"area":"20533","cameras":[{"ref":"%s","bearing":0,"fov":90,"range_m":80,` + out + `}]}`, want{200, 403, 403, 403}},
		{"accept inside", "POST", "/api/plans/accept", `{"area":"20530","cameras":[{"ref":"KIN-%s","bearing":0,"fov":90,"range_m":80,` + in + `}]}`, want{201, 403, 201, 403}},
		{"accept outside", "POST", "/api/plans/accept", `{"area":"20533","cameras":[{"ref":"KOUT-%s","bearing":0,"fov":90,"range_m":80,` + out + `}]}`, want{201, 403, 403, 403}},
	}
	for _, c := range cases {
		for i, role := range matrixRoles {
			t.Run(c.name+"/"+string(role), func(t *testing.T) {
				body := c.body
				if strings.Contains(body, "%s") {
					body = fmt.Sprintf(body, role)
				}
				code, data := ts.doAs(t, tokens[role], c.method, c.path, body, nil)
				if code != c.want[i] {
					t.Fatalf("%s %s as %s: %d %s, want %d", c.method, c.path, role, code, data, c.want[i])
				}
				if role == hotspot.RoleAdmin || code >= 300 {
					return
				}
				if strings.HasPrefix(c.path, "/tiles/") {
					data = tileJSON(t, data)
				}
				for _, leak := range []string{`"ref":"H2"`, `"ref":"I2"`, `"area":"20533"`} {
					if bytes.Contains(data, []byte(leak)) {
						t.Errorf("%s %s as %s leaks the other commune (%s): %.300s", c.method, c.path, role, leak, data)
					}
				}
				if role == hotspot.RoleViewer && (bytes.Contains(data, []byte(`"Point"`)) || bytes.Contains(data, []byte(`"ref":"H1"`))) {
					t.Errorf("%s %s: a viewer got point data: %.300s", c.method, c.path, data)
				}
				if role == hotspot.RolePlanner && bytes.Contains(data, []byte(`"ref":"I1"`)) {
					t.Errorf("%s %s: a planner got an incident: %.300s", c.method, c.path, data)
				}
			})
		}
	}
	// Without a session every route but the public ones is a 401.
	for _, c := range cases {
		if code, _ := ts.doAs(t, "", c.method, c.path, "", nil); code != 401 {
			t.Errorf("%s %s without a session: %d, want 401", c.method, c.path, code)
		}
	}
	for _, p := range []string{"/ws", "/api/logout"} {
		method := map[string]string{"/ws": "GET", "/api/logout": "POST"}[p]
		if code, _ := ts.doAs(t, "", method, p, "", nil); code != 401 {
			t.Errorf("%s %s without a session: %d, want 401", method, p, code)
		}
	}
	if code, _ := ts.doAs(t, "not-a-token", "GET", "/api/config", "", nil); code != 401 {
		t.Errorf("a made-up token: %d, want 401", code)
	}
	for _, p := range []string{"/healthz", "/", "/login.html", "/login.js", "/api.js"} {
		if code, _ := ts.doAs(t, "", "GET", p, "", nil); code != 200 {
			t.Errorf("public %s: %d", p, code)
		}
	}
}

// tileJSON turns a vector tile into GeoJSON text, for the leak checks.
func tileJSON(t *testing.T, data []byte) []byte {
	t.Helper()
	layers, err := mvt.Unmarshal(data)
	if err != nil {
		t.Fatalf("tile: %v", err)
	}
	var out []byte
	for _, fc := range layers.ToFeatureCollections() {
		b, err := json.Marshal(fc)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	return out
}

// browser is a browser-like HTTP client with a cookie jar.
func (ts *testServer) browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

func send(t *testing.T, c *http.Client, method, url, body string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func TestLoginCookiesCSRFAndLogout(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser(t, "officer1", hotspot.RoleOfficer, "20530")
	c := ts.browser(t)

	_, wrongPass := send(t, c, "POST", ts.URL+"/api/login", `{"username":"officer1","password":"wrong-password"}`, nil)
	resp, wrongUser := send(t, c, "POST", ts.URL+"/api/login", `{"username":"nobody","password":"wrong-password"}`, nil)
	if resp.StatusCode != 401 || wrongPass != wrongUser {
		t.Errorf("wrong user %d %q and wrong password %q must answer alike", resp.StatusCode, wrongUser, wrongPass)
	}
	resp, body := send(t, c, "POST", ts.URL+"/api/login", `{"username":"officer1","password":"`+testPassword+`"}`, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `"token"`) {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	var session, csrf *http.Cookie
	for _, ck := range resp.Cookies() {
		switch ck.Name {
		case "diaban_session":
			session = ck
		case "diaban_csrf":
			csrf = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Secure {
		t.Fatalf("session cookie: %+v", session)
	}
	if csrf == nil || csrf.HttpOnly {
		t.Fatalf("csrf cookie: %+v", csrf)
	}
	if resp, body := send(t, c, "GET", ts.URL+"/api/hotspots", "", nil); resp.StatusCode != 200 || strings.Contains(body, "H2") {
		t.Errorf("read with the cookie: %d %s", resp.StatusCode, body)
	}
	ev := `{"event":"note","note":"x"}`
	if resp, _ := send(t, c, "POST", ts.URL+"/api/hotspots/1/events", ev, nil); resp.StatusCode != 403 {
		t.Errorf("cookie write without the CSRF header: %d, want 403", resp.StatusCode)
	}
	if resp, _ := send(t, c, "POST", ts.URL+"/api/hotspots/1/events", ev, map[string]string{"X-Diaban-CSRF": "forged"}); resp.StatusCode != 403 {
		t.Errorf("cookie write with a wrong CSRF header: %d, want 403", resp.StatusCode)
	}
	if resp, _ := send(t, c, "POST", ts.URL+"/api/hotspots/1/events", ev, map[string]string{"X-Diaban-CSRF": csrf.Value, "Sec-Fetch-Site": "cross-site"}); resp.StatusCode != 403 {
		t.Errorf("cross-site cookie write: %d, want 403", resp.StatusCode)
	}
	if resp, body := send(t, c, "POST", ts.URL+"/api/hotspots/1/events", ev, map[string]string{"X-Diaban-CSRF": csrf.Value}); resp.StatusCode != 201 {
		t.Errorf("cookie write with the CSRF header: %d %s", resp.StatusCode, body)
	}
	if resp, _ := send(t, c, "POST", ts.URL+"/api/logout", "", map[string]string{"X-Diaban-CSRF": csrf.Value}); resp.StatusCode != 204 {
		t.Errorf("logout: %d", resp.StatusCode)
	}
	// The old cookie no longer works, even when replayed.
	req, _ := http.NewRequest("GET", ts.URL+"/api/hotspots", nil)
	req.AddCookie(session)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("session after logout: %v %v", err, resp)
	}

	// Logins, refusals and logouts are in the audit log; a refusal names no user.
	var audit string
	if err := ts.db.Pool.QueryRow(context.Background(), `SELECT string_agg(action || ':' || username || ':' || area, ' ' ORDER BY id) FROM audit WHERE action LIKE 'session.%'`).Scan(&audit); err != nil {
		t.Fatal(err)
	}
	if want := "session.login_refused:: session.login_refused:: session.login:officer1:20530 session.logout:officer1:20530"; audit != want {
		t.Errorf("session audit:\n got %s\nwant %s", audit, want)
	}

	// Disabling a user ends its sessions.
	tok := ts.addUser(t, "officer2", hotspot.RoleOfficer, "20530")
	if code, _ := ts.doAs(t, tok, "GET", "/api/me", "", nil); code != 200 {
		t.Fatalf("officer2: %d", code)
	}
	if err := ts.store.DisableUser(context.Background(), "officer2"); err != nil {
		t.Fatal(err)
	}
	if code, _ := ts.doAs(t, tok, "GET", "/api/me", "", nil); code != 401 {
		t.Errorf("disabled user's session: %d, want 401", code)
	}
	if resp, _ := send(t, c, "POST", ts.URL+"/api/login", `{"username":"officer2","password":"`+testPassword+`"}`, nil); resp.StatusCode != 401 {
		t.Errorf("disabled user's login: %d, want 401", resp.StatusCode)
	}
}

func TestSessionsExpire(t *testing.T) {
	ts := newTestServer(t)
	u, err := ts.store.CreateUser(context.Background(), store.NewUser{Name: "short", Role: hotspot.RoleViewer, Scope: "503", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := ts.store.CreateSession(context.Background(), u, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if code, _ := ts.doAs(t, tok, "GET", "/api/me", "", nil); code != 401 {
		t.Errorf("expired session: %d, want 401", code)
	}
}

func TestLoginRateLimit(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser(t, "target", hotspot.RoleViewer, "503")
	c := ts.browser(t)
	for i := 0; i < 5; i++ {
		if resp, _ := send(t, c, "POST", ts.URL+"/api/login", `{"username":"target","password":"guess-number-x"}`, nil); resp.StatusCode != 401 {
			t.Fatalf("attempt %d: %d", i, resp.StatusCode)
		}
	}
	resp, _ := send(t, c, "POST", ts.URL+"/api/login", `{"username":"target","password":"`+testPassword+`"}`, nil)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("sixth attempt: %d, want 429 with Retry-After", resp.StatusCode)
	}
	// Another user from the same address is not locked out yet.
	if resp, _ := send(t, c, "POST", ts.URL+"/api/login", `{"username":"test-admin","password":"`+testPassword+`"}`, nil); resp.StatusCode != 200 {
		t.Errorf("other user: %d", resp.StatusCode)
	}
}

// TestEveryWriteIsAudited makes one write through each writing endpoint and
// one export, and finds exactly one audit row for each; refused writes and
// reads leave none.
func TestEveryWriteIsAudited(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.addUser(t, "auditee", hotspot.RoleOfficer, "20530")
	steps := []struct {
		token, method, path, body, action string
		status                            int
	}{
		{officer, "POST", "/api/hotspots", `{"ref":"A1","kind":"dealing","lon":108.25,"lat":15.9}`, "hotspot.create", 201},
		{officer, "POST", "/api/hotspots/1/events", `{"event":"eliminated","occurred_at":"2025-06-01"}`, "hotspot.event", 201},
		{officer, "POST", "/api/cameras", `{"ref":"AC1","lon":108.25,"lat":15.9,"bearing":0,"fov":90,"range_m":80,"owner":"police"}`, "camera.create", 201},
		{ts.token, "POST", "/api/plans/accept", `{"area":"20530","cameras":[{"lon":108.25,"lat":15.9,"bearing":0,"fov":90,"range_m":80}]}`, "camera.plan_accept", 201},
		{ts.token, "GET", "/api/metrics?parent=503&period=2025&format=csv", "", "metrics.export", 200},
		{ts.token, "GET", "/api/metrics?parent=503&period=2025", "", "metrics.export", 200}, // the same rows as JSON: audited alike
		{officer, "GET", "/api/areas/20530/metrics?period=2025", "", "metrics.read", 200},
		{officer, "GET", "/api/metrics?parent=20533&period=2025", "", "", 404},
		{officer, "POST", "/api/hotspots", `{"ref":"A1","kind":"dealing","lon":108.25,"lat":15.9}`, "", 409},
		{officer, "POST", "/api/hotspots", `{"ref":"A2","kind":"dealing","lon":108.35,"lat":15.9}`, "", 403},
		{ts.token, "POST", "/api/plans/evaluate", `{"area":"20530","cameras":[]}`, "", 200},
	}
	for _, s := range steps {
		before := auditCount(t, ts)
		if code, data := ts.doAs(t, s.token, s.method, s.path, s.body, nil); code != s.status {
			t.Fatalf("%s %s: %d %s", s.method, s.path, code, data)
		}
		after := auditCount(t, ts)
		if s.action == "" {
			if after != before {
				t.Errorf("%s %s (%d) left %d audit rows, want none", s.method, s.path, s.status, after-before)
			}
			continue
		}
		if after != before+1 {
			t.Fatalf("%s %s left %d audit rows, want 1", s.method, s.path, after-before)
		}
		var got struct {
			Entries []store.AuditEntry `json:"entries"`
		}
		ts.do(t, "GET", "/api/audit?limit=1", "", &got)
		e := got.Entries[0]
		if e.Action != s.action || e.Area == "" || e.Address == "" || (s.method == "POST" && len(e.EntityIDs) == 0) {
			t.Errorf("%s %s: audit row %+v", s.method, s.path, e)
		}
		if s.token == officer && (e.User != "auditee" || e.Role != "officer") {
			t.Errorf("audit row names %s/%s", e.User, e.Role)
		}
		// A write and its audit row commit in one transaction: same xmin.
		if q, ok := writtenRowXmin[s.action]; ok {
			var writeX, auditX string
			pool := ts.db.Pool
			if err := pool.QueryRow(context.Background(), q, e.EntityIDs[0]).Scan(&writeX); err != nil {
				t.Fatal(err)
			}
			if err := pool.QueryRow(context.Background(), `SELECT xmin::text FROM audit WHERE id = $1`, e.ID).Scan(&auditX); err != nil {
				t.Fatal(err)
			}
			if writeX != auditX {
				t.Errorf("%s: the write (xmin %s) and its audit row (xmin %s) were committed apart", s.action, writeX, auditX)
			}
		}
	}
	// The log is append-only.
	for _, sql := range []string{`UPDATE audit SET username = 'x'`, `DELETE FROM audit`, `TRUNCATE audit`} {
		if _, err := ts.db.Pool.Exec(context.Background(), sql); err == nil {
			t.Errorf("%s succeeded on the audit log", sql)
		}
	}
}

// writtenRowXmin finds the transaction that wrote an audited action's row.
var writtenRowXmin = map[string]string{
	"hotspot.create":     `SELECT xmin::text FROM hotspots WHERE id = $1`,
	"hotspot.event":      `SELECT xmin::text FROM hotspot_events WHERE hotspot_id = $1 ORDER BY id DESC LIMIT 1`,
	"camera.create":      `SELECT xmin::text FROM cameras WHERE id = $1`,
	"camera.plan_accept": `SELECT xmin::text FROM cameras WHERE id = $1`,
}

func auditCount(t *testing.T, ts *testServer) int {
	t.Helper()
	var n int
	if err := ts.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestWebsocketScopes: two officers of different communes and a viewer of
// the district each receive only what is theirs.
func TestWebsocketScopes(t *testing.T) {
	ts := newTestServer(t)
	a := ts.dialAs(t, ts.addUser(t, "ward-a", hotspot.RoleOfficer, "20530"), `{"type":"subscribe"}`)
	b := ts.dialAs(t, ts.addUser(t, "ward-b", hotspot.RoleOfficer, "20533"), `{"type":"subscribe"}`)
	v := ts.dialAs(t, ts.addUser(t, "committee", hotspot.RoleViewer, "503"), `{"type":"subscribe"}`)
	time.Sleep(100 * time.Millisecond)
	if code := ts.do(t, "POST", "/api/hotspots", `{"ref":"WA","kind":"dealing","lon":108.25,"lat":15.9}`, nil); code != 201 {
		t.Fatal(code)
	}
	if code := ts.do(t, "POST", "/api/hotspots", `{"ref":"WB","kind":"dealing","lon":108.35,"lat":15.9}`, nil); code != 201 {
		t.Fatal(code)
	}
	collect := func(c *wsClient) []wsMessage {
		var out []wsMessage
		for {
			m, ok := c.next(1500 * time.Millisecond)
			if !ok {
				return out
			}
			out = append(out, m)
		}
	}
	for name, tc := range map[string]struct {
		c          *wsClient
		want, deny string
	}{"ward-a": {a, "WA", "WB"}, "ward-b": {b, "WB", "WA"}} {
		msgs := collect(tc.c)
		got := false
		for _, m := range msgs {
			if strings.Contains(string(m.Data), tc.deny) || (m.Area != "" && m.Area != tc.want[:0]+map[string]string{"WA": "20530", "WB": "20533"}[tc.want]) {
				t.Errorf("%s received %s %s in %s: %s", name, m.Type, m.Op, m.Area, m.Data)
			}
			if m.Type == "hotspot" && strings.Contains(string(m.Data), tc.want) {
				got = true
			}
		}
		if !got {
			t.Errorf("%s never received its own hotspot (%d messages)", name, len(msgs))
		}
	}
	for _, m := range collect(v) {
		if m.Type != "metrics" && m.Type != "emerging" && m.Type != "area" && m.Type != "indicator" && !(m.Op == "bulk" && len(m.Data) == 0) {
			t.Errorf("viewer received %s %s: %s", m.Type, m.Op, m.Data)
		}
		if strings.Contains(string(m.Data), `"Point"`) || strings.Contains(string(m.Data), "WA") {
			t.Errorf("viewer received point data: %s", m.Data)
		}
	}
}

// BenchmarkGuard measures what the guard adds to a request: GET /api/config
// with a session (one indexed session lookup) against GET /healthz (public,
// one ping) through the real router over loopback.
func BenchmarkGuard(b *testing.B) {
	ts := newEmptyServer(b)
	for _, c := range []struct{ name, path, token string }{
		{"public healthz", "/healthz", ""},
		{"session config", "/api/config", ts.token},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				req, _ := http.NewRequest("GET", ts.URL+c.path, nil)
				if c.token != "" {
					req.Header.Set("Authorization", "Bearer "+c.token)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil || resp.StatusCode != 200 {
					b.Fatalf("%v %v", err, resp)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}

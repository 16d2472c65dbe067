package webmap_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/webmap"
)

// Issue 12's attacks, each reproduced and refused.

// bodyRoute is a valid request for one body-taking route, as a user of
// commune 20530 may send it.
type bodyRoute struct {
	path, role, body string
}

var bodyRoutes = map[string]bodyRoute{
	"POST /api/login":                {"/api/login", "", `{"username":"nobody","password":"wrong-password"}`},
	"POST /api/logout":               {"/api/logout", "officer", `{}`},
	"POST /api/hotspots":             {"/api/hotspots", "officer", `{"ref":"T1","kind":"dealing","lon":108.25,"lat":15.9}`},
	"POST /api/hotspots/{id}/events": {"/api/hotspots/1/events", "officer", `{"event":"note","note":"x"}`},
	"PATCH /api/hotspots/{id}":       {"/api/hotspots/1", "officer", `{"name":"Quán mới"}`},
	"PATCH /api/cameras/{id}":        {"/api/cameras/1", "officer", `{"status":"offline"}`},
	"POST /api/cameras":              {"/api/cameras", "planner", `{"ref":"C1","lon":108.25,"lat":15.9,"bearing":0,"fov":90,"range_m":80,"owner":"community","status":"planned"}`},
	"POST /api/plans":                {"/api/plans", "planner", `{"area":"20530","k":1}`},
	"POST /api/plans/evaluate":       {"/api/plans/evaluate", "planner", `{"area":"20530","cameras":[]}`},
	"POST /api/plans/accept":         {"/api/plans/accept", "planner", `{"area":"20530","cameras":[{"lon":108.25,"lat":15.9,"bearing":0,"fov":90,"range_m":80}]}`},
}

// Every route that takes a body refuses, with a 400 naming the field or
// "body", trailing data, a second object, unknown fields and anything but
// one JSON object; and writes nothing.
func TestMalformedBodiesOnEveryRoute(t *testing.T) {
	ts := newTestServer(t)
	tokens := map[string]string{
		"officer": ts.addUser(t, "b-officer", hotspot.RoleOfficer, "20530"),
		"planner": ts.addUser(t, "b-planner", hotspot.RolePlanner, "20530"),
	}
	for _, pattern := range webmap.SortedBodyRoutes() {
		rt, ok := bodyRoutes[pattern]
		if !ok {
			t.Errorf("%s takes a body but has no case here: add one", pattern)
			continue
		}
		base := rt.body
		cases := map[string]string{
			"stray brace":     base + "}",
			"stray bracket":   base + "]",
			"second object":   base + ` {"area":"20533"}`,
			"trailing word":   base + " x",
			"null":            "null",
			"list":            "[" + base + "]",
			"string":          `"` + strings.ReplaceAll(base, `"`, `\"`) + `"`,
			"truncated":       base[:len(base)-1],
			"unknown field":   `{"zzz_unknown":1}`,
			"wrong type":      strings.Replace(base, "{", `{"area":7,`, 1),
			"nested trailing": strings.Replace(base, "}", "}}", 1),
		}
		if pattern != "POST /api/logout" {
			cases["empty"] = ""
		}
		for name, body := range cases {
			before := auditCount(t, ts)
			code, data := ts.doAs(t, tokens[rt.role], strings.Fields(pattern)[0], rt.path, body, nil)
			var e struct{ Error, Field string }
			_ = json.Unmarshal(data, &e)
			if code != 400 || e.Field == "" {
				t.Errorf("%s, %s %q: %d %s; want 400 naming a field", pattern, name, body, code, data)
			}
			if after := auditCount(t, ts); after != before {
				t.Errorf("%s, %s: %d audit rows written", pattern, name, after-before)
			}
		}
	}
	var n int
	if err := ts.db.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM cameras) + (SELECT count(*) FROM hotspots WHERE ref = 'T1')`).Scan(&n); err != nil || n != 0 {
		t.Errorf("malformed bodies wrote %d rows (%v)", n, err)
	}
}

// bypassCase is one attack on a write route: a body its role or scope
// check refuses as it stands (wellFormed; 0: not sent, as for a logout),
// sent again with trailing data.
type bypassCase struct {
	name, role, path, body string
	wellFormed             int
}

// bypassCases holds, for every route of the policy that takes a body
// (every write: POST, PUT, PATCH, DELETE; webmap.BodyRoutes), the attacks
// of a user of commune 20530. {cam} is a camera of commune 20533.
var bypassCases = map[string][]bypassCase{
	"POST /api/login":  {{"wrong password", "", "/api/login", `{"username":"t-officer","password":"wrong-password"}`, 401}},
	"POST /api/logout": {{"logout", "officer", "/api/logout", `{}`, 0}},
	"POST /api/hotspots": {
		{"officer: hotspot in another commune", "officer", "/api/hotspots", `{"ref":"X","kind":"dealing","lon":108.35,"lat":15.9}`, 403},
		{"planner: a hotspot at all", "planner", "/api/hotspots", `{"ref":"X","kind":"dealing","lon":108.25,"lat":15.9}`, 403},
	},
	"POST /api/hotspots/{id}/events": {{"officer: event on another commune's hotspot", "officer", "/api/hotspots/2/events", `{"event":"eliminated"}`, 403}},
	"PATCH /api/hotspots/{id}": {
		{"officer: move a hotspot out of the commune", "officer", "/api/hotspots/1", `{"lon":108.35,"lat":15.9}`, 403},
		{"officer: rename another commune's hotspot", "officer", "/api/hotspots/2", `{"name":"X"}`, 403},
	},
	"PATCH /api/cameras/{id}": {{"officer: another commune's camera offline", "officer", "/api/cameras/{cam}", `{"status":"offline"}`, 403}},
	"POST /api/cameras": {
		{"planner: active police camera", "planner", "/api/cameras", `{"ref":"X","lon":108.25,"lat":15.9,"bearing":0,"fov":90,"range_m":80,"owner":"police","status":"active"}`, 403},
		{"planner: camera in another commune", "planner", "/api/cameras", `{"ref":"X","lon":108.35,"lat":15.9,"bearing":0,"fov":90,"range_m":80,"owner":"community"}`, 403},
		{"officer: camera in another commune", "officer", "/api/cameras", `{"ref":"X","lon":108.35,"lat":15.9,"bearing":0,"fov":90,"range_m":80,"owner":"police"}`, 403},
	},
	"POST /api/plans": {
		{"planner: another commune's plan", "planner", "/api/plans", `{"area":"20533","k":3}`, 403},
		{"planner: plan with a planned camera outside", "planner", "/api/plans", `{"area":"20530","k":1,"planned":[{"lon":108.35,"lat":15.9,"bearing":0,"fov":90,"range_m":80}]}`, 403},
	},
	"POST /api/plans/evaluate": {{"planner: another commune's evaluation", "planner", "/api/plans/evaluate", `{"area":"20533","cameras":[]}`, 403}},
	"POST /api/plans/accept": {
		{"planner: accept in another commune", "planner", "/api/plans/accept", `{"area":"20533","cameras":[{"lon":108.35,"lat":15.9,"bearing":0,"fov":90,"range_m":80}]}`, 403},
		{"planner: accept without area, camera outside", "planner", "/api/plans/accept", `{"cameras":[{"lon":108.35,"lat":15.9,"bearing":0,"fov":90,"range_m":80}]}`, 403},
	},
}

// The trailing-data bypass (issue 12, finding 1): a user of commune 20530
// sends a body the scope check once could not parse but the handler
// accepted (a 201 for a planner's active police camera). The routes come from the policy table: a write route added
// without a case here fails the test. Each attack is refused well formed
// and refused with every tail; nothing is written.
func TestTrailingDataBypassRefused(t *testing.T) {
	ts := newTestServer(t)
	tokens := map[string]string{
		"officer": ts.addUser(t, "t-officer", hotspot.RoleOfficer, "20530"),
		"planner": ts.addUser(t, "t-planner", hotspot.RolePlanner, "20530"),
	}
	var cam struct{ ID float64 }
	if code := ts.do(t, "POST", "/api/cameras", `{"ref":"CAM-20533","lon":108.35,"lat":15.9,"bearing":90,"fov":90,"range_m":60,"owner":"police","status":"active"}`, &cam); code != 201 {
		t.Fatalf("create camera: %d", code)
	}
	camPath := strconv.Itoa(int(cam.ID))
	state := func() string {
		var s string
		if err := ts.db.Pool.QueryRow(context.Background(), `SELECT concat_ws('|',
			(SELECT count(*) FROM cameras), (SELECT string_agg(status::text, ',') FROM cameras),
			(SELECT count(*) FROM hotspots), (SELECT string_agg(concat(ref, name, ST_AsText(geom)), ',' ORDER BY id) FROM hotspots),
			(SELECT count(*) FROM hotspot_events))`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := state()
	tails := []string{"}", "]", " {}", "}}", "\n}", ` {"area":"20530"}`, "x"}
	for _, pattern := range webmap.SortedBodyRoutes() {
		cases, ok := bypassCases[pattern]
		if !ok {
			t.Errorf("%s takes a body but has no bypass case: add one to bypassCases", pattern)
			continue
		}
		method, _, _ := strings.Cut(pattern, " ")
		for _, c := range cases {
			path := strings.ReplaceAll(c.path, "{cam}", camPath)
			tok := tokens[c.role]
			for _, tail := range tails {
				// 400 from the strict decoder, or 403 when the role or the
				// path's area is refused before the body is read.
				code, data := ts.doAs(t, tok, method, path, c.body+tail, nil)
				if code != 400 && code != 403 {
					t.Errorf("%s with %q: %d %s; want 400 or 403", c.name, tail, code, data)
				}
			}
			if c.wellFormed != 0 {
				if code, data := ts.doAs(t, tok, method, path, c.body, nil); code != c.wellFormed {
					t.Errorf("%s, well formed: %d %s; want %d", c.name, code, data, c.wellFormed)
				}
			}
		}
	}
	// A key spelled twice or in other case is read once, by the check and the handler alike.
	for _, body := range []string{`{"area":"20530","AREA":"20533","k":1}`, `{"area":"20530","area":"20533","k":1}`} {
		if code, data := ts.doAs(t, tokens["planner"], "POST", "/api/plans", body, nil); code != 403 {
			t.Errorf("%s: %d %s; want 403", body, code, data)
		}
	}
	if after := state(); after != before {
		t.Errorf("refused bodies changed the data:\n before %s\n after  %s", before, after)
	}
}

// vmHWM is the process's peak resident memory in kB (Linux).
func vmHWM() int {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}

// 100 simultaneous wrong passwords for one user (issue 12, finding 3): the
// failure is reserved before hashing, so at most 5 are hashed and the rest
// answered 429 at once; every 401 has its audit row; memory stays bounded.
func TestConcurrentWrongLogins(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser(t, "officer1", hotspot.RoleOfficer, "20530")
	hashesBefore := ts.srv.PasswordHashes()
	var peak int
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		for {
			if r := vmHWM(); r > peak {
				peak = r
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	rssBefore := vmHWM()
	const n = 100
	codes := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			req, _ := http.NewRequest("POST", ts.URL+"/api/login", strings.NewReader(fmt.Sprintf(`{"username":"officer1","password":"wrong-password-%d"}`, i)))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		}(i)
	}
	close(start)
	wg.Wait()
	close(stop)
	sampler.Wait()
	count := map[int]int{}
	for _, c := range codes {
		count[c]++
	}
	hashed := ts.srv.PasswordHashes() - hashesBefore
	t.Logf("answers %v; %d hashed; RSS %d MB before, peak %d MB", count, hashed, rssBefore/1024, peak/1024)
	if hashed > 5 {
		t.Errorf("%d passwords hashed, want at most 5", hashed)
	}
	if count[401] != int(hashed) || count[401]+count[429]+count[503] != n {
		t.Errorf("answers %v for %d hashes: want a 401 per hash and 429/503 for the rest", count, hashed)
	}
	if peak-rssBefore > 1<<20 { // 1 GB in kB
		t.Errorf("RSS grew by %d MB", (peak-rssBefore)/1024)
	}
	var refused, locked int
	if err := ts.db.Pool.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE action = 'session.login_refused'),
		count(*) FILTER (WHERE action = 'session.login_locked') FROM audit`).Scan(&refused, &locked); err != nil {
		t.Fatal(err)
	}
	if wantLocked := map[bool]int{true: 1, false: 0}[hashed == 5]; refused != count[401] || locked != wantLocked {
		t.Errorf("audit: %d refused rows for %d 401s, %d lockout rows; want equal and %d", refused, count[401], locked, wantLocked)
	}
}

// When every hashing slot is taken a login is answered 503 at once,
// hashes nothing and costs the user no attempt.
func TestLoginHashSemaphoreFull(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser(t, "officer1", hotspot.RoleOfficer, "20530")
	release := ts.srv.HoldHashSlots(webmap.DefaultLoginHashes)
	before := ts.srv.PasswordHashes()
	for i := 0; i < 8; i++ {
		start := time.Now()
		req, _ := http.NewRequest("POST", ts.URL+"/api/login", strings.NewReader(`{"username":"officer1","password":"wrong-password"}`))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || time.Since(start) > time.Second {
			t.Fatalf("login with the semaphore full: %d after %v; want 503 at once with Retry-After", resp.StatusCode, time.Since(start))
		}
	}
	release()
	if h := ts.srv.PasswordHashes() - before; h != 0 {
		t.Errorf("%d hashes with the semaphore full", h)
	}
	if code, data := ts.doAs(t, "", "POST", "/api/login", `{"username":"officer1","password":"`+testPassword+`"}`, nil); code != 200 {
		t.Errorf("login after the 503s: %d %s", code, data)
	}
}

// loginFrom logs in through a trusting proxy that appended addr to X-Forwarded-For.
func loginFrom(t *testing.T, ts *testServer, xff, user, password string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", ts.URL+"/api/login", strings.NewReader(`{"username":"`+user+`","password":"`+password+`"}`))
	req.Header.Set("X-Forwarded-For", xff)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// An outsider guessing a named officer's password locks out only their own
// address (issue 12, finding 9), and cannot escape the lockout or forge the
// audited address by writing X-Forwarded-For themselves (finding 7).
func TestLockoutByUserAndAddress(t *testing.T) {
	ts := newConfiguredServer(t, func(c *webmap.Config) { c.TrustProxy = true })
	importFile(t, ts.store, "areas", "../hotspot/testdata/areas.geojson")
	ts.addUser(t, "officer1", hotspot.RoleOfficer, "20530")
	const attacker, officer = "203.0.113.9", "198.51.100.7"
	for i := 0; i < 5; i++ {
		if code := loginFrom(t, ts, attacker, "officer1", "guess-number-x"); code != 401 {
			t.Fatalf("guess %d: %d", i, code)
		}
	}
	// Locked: even the right password, even with a forged leftmost hop.
	for _, xff := range []string{attacker, "10.9.9.9, " + attacker, officer + ", " + attacker} {
		if code := loginFrom(t, ts, xff, "officer1", testPassword); code != 429 {
			t.Errorf("from %q after 5 failures: %d, want 429", xff, code)
		}
	}
	// The officer, from their own address, is not locked out.
	if code := loginFrom(t, ts, officer, "officer1", testPassword); code != 200 {
		t.Errorf("the officer from their own address: %d, want 200", code)
	}
	var addrs string
	if err := ts.db.Pool.QueryRow(context.Background(), `SELECT string_agg(DISTINCT address, ',') FROM audit WHERE action = 'session.login_refused'`).Scan(&addrs); err != nil {
		t.Fatal(err)
	}
	if addrs != attacker {
		t.Errorf("refused logins audited from %q, want %q", addrs, attacker)
	}
}

// With a list of trusted proxy networks the client is the first hop from
// the right outside them, and a peer outside them is not believed at all.
func TestTrustedProxyChain(t *testing.T) {
	ts := newConfiguredServer(t, func(c *webmap.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}
	})
	loginFrom(t, ts, "6.6.6.6, 198.51.100.7, 10.0.0.5", "nobody", "wrong-password")
	var addr string
	if err := ts.db.Pool.QueryRow(context.Background(), `SELECT address FROM audit WHERE action = 'session.login_refused' ORDER BY id DESC LIMIT 1`).Scan(&addr); err != nil {
		t.Fatal(err)
	}
	if addr != "198.51.100.7" {
		t.Errorf("client %q, want 198.51.100.7 (the hop before our proxies)", addr)
	}
	ts2 := newConfiguredServer(t, func(c *webmap.Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} })
	loginFrom(t, ts2, "6.6.6.6", "nobody", "wrong-password")
	if err := ts2.db.Pool.QueryRow(context.Background(), `SELECT address FROM audit WHERE action = 'session.login_refused' ORDER BY id DESC LIMIT 1`).Scan(&addr); err != nil {
		t.Fatal(err)
	}
	if addr != "127.0.0.1" {
		t.Errorf("a peer outside the trusted networks was believed: %q", addr)
	}
}

// A login's audit row commits with its session, a logout's with its end.
func TestLoginAuditInSessionTransaction(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser(t, "officer1", hotspot.RoleOfficer, "20530")
	var ans struct{ Token string }
	if code, data := ts.doAs(t, "", "POST", "/api/login", `{"username":"officer1","password":"`+testPassword+`"}`, &ans); code != 200 {
		t.Fatalf("login: %d %s", code, data)
	}
	var same bool
	if err := ts.db.Pool.QueryRow(context.Background(), `SELECT (SELECT s.xmin FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.name = 'officer1' ORDER BY s.created_at DESC LIMIT 1)::text
		= (SELECT a.xmin FROM audit a WHERE action = 'session.login' ORDER BY id DESC LIMIT 1)::text`).Scan(&same); err != nil || !same {
		t.Errorf("the session and its login row were committed apart (%v)", err)
	}
	if code, _ := ts.doAs(t, ans.Token, "POST", "/api/logout", "", nil); code != 204 {
		t.Fatalf("logout: %d", code)
	}
	var n int
	if err := ts.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit WHERE action = 'session.logout' AND username = 'officer1'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("logout rows: %d (%v)", n, err)
	}
}

// Analyses: parameters past their limits are refused with a 4xx stating the
// limit; a user past their concurrent analyses gets 429, the server past its
// total 503, at once.
func TestAnalysisLimits(t *testing.T) {
	ts := newConfiguredServer(t, func(c *webmap.Config) { c.Analyses = 4 })
	importFile(t, ts.store, "areas", "../hotspot/testdata/areas.geojson")
	planner := ts.addUser(t, "a-planner", hotspot.RolePlanner, "20530")
	limits := []struct{ method, path, body, field, says string }{
		{"POST", "/api/plans", `{"area":"20530","k":3,"range_m":5000}`, "range_m", "1000"},
		{"POST", "/api/plans", `{"area":"20530","k":3,"range_m":500,"res":12}`, "range_m", "300"},
		{"POST", "/api/plans", `{"area":"20530","k":3,"res":13}`, "res", "12"},
		{"POST", "/api/plans", `{"area":"20530","k":201}`, "k", "200"},
		{"POST", "/api/plans", `{"area":"20530","k":3,"from":"1990-01-01","to":"2025-01-01"}`, "from", "10 years"},
		{"GET", "/api/emerging?area=20530&ring=6", "", "ring", "5"},
		{"GET", "/api/emerging?area=20530&alpha=0.0501", "", "alpha", "3 decimals"},
		{"GET", "/api/emerging?area=20530&from=1990-01-01&to=2025-01-01", "", "from", "10 years"},
		{"GET", "/api/coverage?area=20530&from=1990-01-01&to=2025-01-01", "", "from", "10 years"},
	}
	for _, l := range limits {
		code, data := ts.doAs(t, planner, l.method, l.path, l.body, nil)
		var e struct{ Error, Field string }
		_ = json.Unmarshal(data, &e)
		if code != 400 || e.Field != l.field || !strings.Contains(e.Error, l.says) {
			t.Errorf("%s %s %s: %d %s; want 400 on %s saying %s", l.method, l.path, l.body, code, data, l.field, l.says)
		}
	}
	release := ts.srv.HoldAnalyses("a-planner", webmap.DefaultAnalysesPerUser)
	code, data := ts.doAs(t, planner, "GET", "/api/emerging?area=20530", "", nil)
	if code != 429 || !strings.Contains(string(data), strconv.Itoa(webmap.DefaultAnalysesPerUser)) {
		t.Errorf("past the per-user limit: %d %s; want 429 stating it", code, data)
	}
	release()
	release = ts.srv.HoldAnalyses("someone", 3)
	release2 := ts.srv.HoldAnalyses("someone-else", 1)
	if code, data := ts.doAs(t, planner, "GET", "/api/emerging?area=20530", "", nil); code != 503 {
		t.Errorf("past the total: %d %s; want 503", code, data)
	}
	release()
	release2()
	if code, data := ts.doAs(t, planner, "GET", "/api/emerging?area=20530", "", nil); code != 200 {
		t.Errorf("with room again: %d %s", code, data)
	}
}

// Every text field has a limit (hotspot/limits.go): a 900 KB name is refused.
func TestTextLimits(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.addUser(t, "l-officer", hotspot.RoleOfficer, "20530")
	big := strings.Repeat("a", 900<<10)
	cases := []struct{ path, body, field string }{
		{"/api/hotspots", `{"ref":"L1","kind":"dealing","lon":108.25,"lat":15.9,"name":"` + big + `"}`, "name"},
		{"/api/hotspots", `{"ref":"` + strings.Repeat("r", hotspot.MaxRef+1) + `","kind":"dealing","lon":108.25,"lat":15.9}`, "ref"},
		{"/api/hotspots", `{"ref":"L1","kind":"dealing","lon":108.25,"lat":15.9,"name":"a\u0000b"}`, "name"},
		{"/api/hotspots/1/events", `{"event":"note","note":"` + strings.Repeat("n", hotspot.MaxNote+1) + `"}`, "note"},
		{"/api/cameras", `{"ref":"` + strings.Repeat("r", hotspot.MaxRef+1) + `","lon":108.25,"lat":15.9,"bearing":0,"fov":90,"range_m":80,"owner":"police"}`, "ref"},
		{"/api/login", `{"username":"officer1","password":"` + strings.Repeat("p", hotspot.MaxPassword+1) + `"}`, "password"},
	}
	for _, c := range cases {
		code, data := ts.doAs(t, officer, "POST", c.path, c.body, nil)
		var e struct{ Error, Field string }
		_ = json.Unmarshal(data, &e)
		if code != 400 || e.Field != c.field {
			t.Errorf("%s %.60s: %d %.200s; want 400 on %s", c.path, c.body, code, data, c.field)
		}
	}
}

// The CSP allows connections to this origin only; the static files list
// no directory; a CSV cell that a spreadsheet would run is neutralised.
func TestHeadersListingAndCSV(t *testing.T) {
	ts := newTestServer(t)
	resp, err := ts.http.Get(ts.URL + "/vendor/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 404 {
		t.Errorf("directory listing: %d, want 404", resp.StatusCode)
	}
	if !strings.Contains(csp, "connect-src 'self';") || strings.Contains(csp, "ws:") {
		t.Errorf("CSP %q: want connect-src 'self' only", csp)
	}
	// A code written before codes were checked on import.
	if _, err := ts.db.Pool.Exec(context.Background(), `UPDATE areas SET code = '=HYPERLINK("http://x")' WHERE code = '20533'`); err != nil {
		t.Fatal(err)
	}
	resp, err = ts.http.Get(ts.URL + "/api/metrics?parent=503&period=2025&format=csv")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = fmt.Fprint(&b, readAll(resp))
	if resp.StatusCode != 200 || strings.Contains(b.String(), "\n=") || strings.Contains(b.String(), ",=") {
		t.Errorf("CSV %d:\n%s", resp.StatusCode, b.String())
	}
}

func readAll(resp *http.Response) string {
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			return sb.String()
		}
	}
}

// Area codes are checked on import: one that a spreadsheet would run is refused.
func TestAreaCodeValidatedOnImport(t *testing.T) {
	ts := newEmptyServer(t)
	for _, code := range []string{`=HYPERLINK(\"http://x\")`, "+1", "-1", "@SUM(A1)", strings.Repeat("9", hotspot.MaxAreaCode+1)} {
		areas := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"` + code + `","name":"X","level":"province","parent_code":""},"geometry":{"type":"Polygon","coordinates":[[[108.0,15.5],[108.6,15.5],[108.6,16.1],[108.0,16.1],[108.0,15.5]]]}}]}`
		if _, err := importer.Import(context.Background(), ts.store, "areas", strings.NewReader(areas), importer.Options{}); err == nil || !strings.Contains(err.Error(), "code") {
			t.Errorf("area code %q imported (%v)", code, err)
		}
	}
}

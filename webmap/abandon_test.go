package webmap_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
)

// manyIncidents spreads n incidents of 2025 over commune 20530.
func manyIncidents(n int) string {
	r := rand.New(rand.NewPCG(12, 1))
	var b strings.Builder
	b.WriteString("ref,kind,occurred_at,lon,lat\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "M%d,use,2025-%02d-%02dT10:00:00+07:00,%.6f,%.6f\n", i, 1+i%12, 1+i%28, 108.205+0.09*r.Float64(), 15.805+0.19*r.Float64())
	}
	return b.String()
}

// abandon sends a request as token, gives up after wait and returns how
// long the server's analyses gate took to empty after that (or fails);
// false when the answer came before wait.
func abandon(t *testing.T, ts *testServer, token, method, path, body string, wait time.Duration) (time.Duration, bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, method, ts.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	answered := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	select {
	case code := <-answered:
		t.Logf("%s answered %d before it was abandoned at %v", path, code, wait)
		cancel()
		return 0, false
	case <-time.After(wait):
	}
	if n := ts.srv.AnalysesRunning(); n != 1 {
		t.Fatalf("%d analyses running before the client left, want 1", n)
	}
	cancel()
	left := time.Now()
	for ts.srv.AnalysesRunning() != 0 {
		if time.Since(left) > 2*time.Second {
			t.Fatalf("%s: the analysis still runs 2 s after its client left", path)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(left), true
}

// An abandoned plan or emerging analysis stops within 2 s of its client
// leaving (issue 12, finding 5): the placement solver asks the request's
// context as it searches, the emerging analysis its shared computation's.
func TestAbandonedAnalysesStop(t *testing.T) {
	ts := newTestServer(t)
	importText(t, ts.store, "incidents", manyIncidents(4000))
	ts.settle(t)
	planner := ts.addUser(t, "a-planner", hotspot.RolePlanner, "20530")
	officer := ts.addUser(t, "a-officer", hotspot.RoleOfficer, "20530")
	// Each try is a new question (no cache answers it), abandoned sooner
	// when a fast machine answered the last before its client left.
	for _, c := range []struct {
		name, token, method, path, body string
		waits                           []time.Duration
	}{
		{"plan", planner, "POST", "/api/plans", `{"area":"20530","k":%d,"range_m":300,"res":10}`, []time.Duration{1500 * time.Millisecond, 300 * time.Millisecond, 30 * time.Millisecond}},
		{"emerging", officer, "GET", "/api/emerging?area=20530&res=10&ring=5&time_step=24&alpha=0.0%d", "", []time.Duration{300 * time.Millisecond, 50 * time.Millisecond, 5 * time.Millisecond}},
	} {
		stopped := false
		for i, wait := range c.waits {
			path, body := c.path, c.body
			if body != "" {
				body = fmt.Sprintf(body, 120+i)
			} else {
				path = fmt.Sprintf(path, 13+i)
			}
			took, ok := abandon(t, ts, c.token, c.method, path, body, wait)
			if ok {
				t.Logf("%s abandoned after %v: stopped %v after its client left", c.name, wait, took)
				stopped = true
				break
			}
		}
		if !stopped {
			t.Errorf("%s: every try answered before its client left", c.name)
		}
	}
}

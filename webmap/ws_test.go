package webmap_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/diaban/diaban/hotspot"
)

// wsClient is a test websocket client.
type wsClient struct {
	t     *testing.T
	conn  *websocket.Conn
	hello int64
}

type wsMessage struct {
	Seq  int64           `json:"seq"`
	Type string          `json:"type"`
	Op   string          `json:"op"`
	Area string          `json:"area"`
	ID   int64           `json:"id"`
	Data json.RawMessage `json:"data"`
}

func (ts *testServer) dial(t testing.TB, subscribe string) *wsClient {
	t.Helper()
	return ts.dialAs(t, ts.token, subscribe)
}

// dialAs opens a websocket with a session token, as dial does.
func (ts *testServer) dialAs(t testing.TB, token, subscribe string) *wsClient {
	t.Helper()
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/ws"
	conn, _, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {ts.URL}, "Authorization": {"Bearer " + token}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c := &wsClient{conn: conn}
	var hello struct {
		Type string `json:"type"`
		Seq  int64  `json:"seq"`
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if err := conn.ReadJSON(&hello); err != nil || hello.Type != "hello" {
		t.Fatalf("hello: %v %+v", err, hello)
	}
	c.hello = hello.Seq
	if subscribe != "" {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(subscribe)); err != nil {
			t.Fatal(err)
		}
	}
	if tt, ok := t.(*testing.T); ok {
		c.t = tt
		tt.Cleanup(func() { conn.Close() })
	}
	return c
}

// next reads one message, or returns false after wait.
func (c *wsClient) next(wait time.Duration) (wsMessage, bool) {
	var m wsMessage
	_ = c.conn.SetReadDeadline(time.Now().Add(wait))
	if err := c.conn.ReadJSON(&m); err != nil {
		return m, false
	}
	return m, true
}

// waitFor reads until a message of the given type arrives.
func (c *wsClient) waitFor(typ string, wait time.Duration) (wsMessage, bool) {
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		m, ok := c.next(time.Until(deadline))
		if !ok {
			return m, false
		}
		if m.Type == typ {
			return m, true
		}
	}
	return wsMessage{}, false
}

func TestEliminationReachesOpenMapWithinASecond(t *testing.T) {
	ts := newTestServer(t)
	c := ts.dial(t, `{"type":"subscribe"}`)
	time.Sleep(100 * time.Millisecond) // let the subscription land
	start := time.Now()
	if code := ts.do(t, "POST", "/api/hotspots/1/events", `{"event":"eliminated","note":"triệt xóa"}`, nil); code != 201 {
		t.Fatalf("post: %d", code)
	}
	m, ok := c.waitFor("event", 5*time.Second) // generous: the target is 1 s, measured in BENCHMARKS.md
	if !ok {
		t.Fatal("no event message")
	}
	took := time.Since(start)
	var data struct {
		Hotspot struct {
			ID         int64          `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"hotspot"`
		Event struct {
			Event string `json:"event"`
		} `json:"event"`
	}
	if err := json.Unmarshal(m.Data, &data); err != nil {
		t.Fatal(err)
	}
	if m.Area != "20530" || data.Hotspot.ID != 1 || data.Hotspot.Properties["status"] != "eliminated" || data.Event.Event != "eliminated" || m.Seq <= c.hello {
		t.Errorf("message: %+v %+v", m, data)
	}
	t.Logf("elimination reached the websocket in %v", took)
	if took > time.Second {
		t.Errorf("took %v, want under 1 s", took)
	}
}

func TestSubscriptionsOnlyReceiveTheirAreas(t *testing.T) {
	ts := newTestServer(t)
	a := ts.dial(t, `{"type":"subscribe","areas":["20530"]}`)
	b := ts.dial(t, `{"type":"subscribe","areas":["20533"]}`)
	district := ts.dial(t, `{"type":"subscribe","areas":["503"]}`)
	box := ts.dial(t, `{"type":"subscribe","bbox":[108.3,15.8,108.4,16.0]}`)
	time.Sleep(100 * time.Millisecond)
	ts.do(t, "POST", "/api/hotspots/1/events", `{"event":"eliminated"}`, nil) // H1 in 20530
	ts.do(t, "POST", "/api/hotspots/2/events", `{"event":"eliminated"}`, nil) // H2 in 20533
	expect := []struct {
		name  string
		c     *wsClient
		areas []string
	}{
		{"commune 20530", a, []string{"20530"}},
		{"commune 20533", b, []string{"20533"}},
		{"district 503", district, []string{"20530", "20533"}},
		{"bbox east half", box, []string{"20533"}},
	}
	for _, e := range expect {
		var got []string
		for {
			m, ok := e.c.next(700 * time.Millisecond)
			if !ok {
				break
			}
			if m.Type == "event" {
				got = append(got, m.Area)
			}
		}
		if strings.Join(got, ",") != strings.Join(e.areas, ",") {
			t.Errorf("%s received events from %v, want %v", e.name, got, e.areas)
		}
	}
}

func TestReconnectReplaysSinceLastSeq(t *testing.T) {
	ts := newTestServer(t)
	first := ts.dial(t, "")
	seen := first.hello
	first.conn.Close()
	// Changes made while the map was away.
	ts.do(t, "POST", "/api/hotspots/1/events", `{"event":"eliminated","occurred_at":"2025-03-01"}`, nil)
	ts.do(t, "POST", "/api/hotspots/1/events", `{"event":"recurred","occurred_at":"2025-04-01"}`, nil)
	time.Sleep(200 * time.Millisecond)
	again := ts.dial(t, fmt.Sprintf(`{"type":"subscribe","since":%d}`, seen))
	var seqs []int64
	for {
		m, ok := again.next(700 * time.Millisecond)
		if !ok {
			break
		}
		if m.Type == "event" {
			seqs = append(seqs, m.Seq)
		}
	}
	if len(seqs) != 2 || !sort.SliceIsSorted(seqs, func(i, j int) bool { return seqs[i] < seqs[j] }) || seqs[0] <= seen {
		t.Errorf("replayed event seqs %v after %d; want the 2 missed events in order", seqs, seen)
	}
}

// BenchmarkEliminationToWebsocket measures, over 200 lifecycle events posted
// through the API, the time until an open websocket subscriber receives each.
func BenchmarkEliminationToWebsocket(b *testing.B) {
	for i := 0; i < b.N; i++ {
		latencies := measureLatencies(b, 200)
		sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
		b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "median-ms")
		b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
	}
}

func measureLatencies(b *testing.B, n int) []time.Duration {
	b.StopTimer()
	ts := newBenchServer(b)
	c := ts.dial(b, `{"type":"subscribe"}`)
	time.Sleep(100 * time.Millisecond)
	b.StartTimer()
	base := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	out := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		ev := "eliminated"
		if i%2 == 1 {
			ev = "recurred"
		}
		body := fmt.Sprintf(`{"event":%q,"occurred_at":%q}`, ev, base.Add(time.Duration(i)*time.Hour).Format(time.RFC3339))
		start := time.Now()
		req, _ := http.NewRequestWithContext(context.Background(), "POST", ts.URL+"/api/hotspots/1/events", strings.NewReader(body))
		resp, err := ts.http.Do(req)
		if err != nil || resp.StatusCode != 201 {
			b.Fatalf("post %d: %v %v", i, err, resp)
		}
		resp.Body.Close()
		if _, ok := c.waitFor("event", 5*time.Second); !ok {
			b.Fatalf("event %d never arrived", i)
		}
		out = append(out, time.Since(start))
	}
	return out
}

// TestWebsocketClosesWhenItsSessionEnds: logging out (or being disabled)
// ends the user's open websockets too.
func TestWebsocketClosesWhenItsSessionEnds(t *testing.T) {
	ts := newTestServer(t)
	token := ts.addUser(t, "leaving-officer", hotspot.RoleOfficer, "20530")
	c := ts.dialAs(t, token, `{"type":"subscribe"}`)
	if err := ts.store.EndSession(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	_ = c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := c.conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation {
			t.Fatalf("the socket of an ended session: %v, want closed with policy violation", err)
		}
		return
	}
}

package webmap_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
	"github.com/diaban/diaban/webmap"
)

// writer makes one hotspot change per statement at about perSecond until
// stopped, and returns the last seq committed.
type writer struct {
	stop chan struct{}
	done chan struct{}
	n    atomic.Int64
}

func startWriter(t *testing.T, ts *testServer, perSecond int) *writer {
	w := &writer{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(time.Second / time.Duration(perSecond))
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
			// Two hotspots in two communes, in turn.
			if _, err := ts.db.Pool.Exec(context.Background(), `UPDATE hotspots SET name = $1 WHERE id = $2`, fmt.Sprintf("n%d", i), 1+i%2); err != nil {
				t.Errorf("write: %v", err)
				return
			}
			w.n.Add(1)
		}
	}()
	return w
}

func (w *writer) halt() { close(w.stop); <-w.done }

// changeSeqs returns the seqs committed in (after, upTo], in order.
func changeSeqs(t *testing.T, ts *testServer, after, upTo int64) []int64 {
	t.Helper()
	rows, err := ts.db.Pool.Query(context.Background(), `SELECT seq FROM changes WHERE seq > $1 AND seq <= $2 ORDER BY seq`, after, upTo)
	if err != nil {
		t.Fatal(err)
	}
	seqs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	return seqs
}

// recorder reads a socket and keeps the seqs of changes (not of derived
// messages or markers), and any resync.
type recorder struct {
	c      *wsClient
	mu     sync.Mutex
	seqs   []int64
	resync string
	marks  []wsMessage
}

func record(c *wsClient) *recorder {
	r := &recorder{c: c}
	go func() {
		for {
			m, ok := c.next(30 * time.Second)
			if !ok {
				return
			}
			r.mu.Lock()
			switch m.Type {
			case "metrics", "coverage", "emerging":
			case "replayed":
				r.marks = append(r.marks, m)
			case "resync":
				r.resync = "resync"
			default:
				r.seqs = append(r.seqs, m.Seq)
			}
			r.mu.Unlock()
		}
	}()
	return r
}

// waitSeq waits until the recorder has seen seq (or anything after it).
func (r *recorder) waitSeq(t *testing.T, seq int64, within time.Duration) []int64 {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		r.mu.Lock()
		got := append([]int64(nil), r.seqs...)
		rs := r.resync
		r.mu.Unlock()
		if rs != "" {
			t.Fatalf("resync instead of seq %d", seq)
		}
		if len(got) > 0 && got[len(got)-1] >= seq {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited for seq %d; have %d seqs, up to %v", seq, len(got), got[max(0, len(got)-3):])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sameSeqs fails unless got is exactly want: no gap, no repeat, in order.
func sameSeqs(t *testing.T, name string, got, want []int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d changes, want %d (gap or repeat)", name, len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Errorf("%s: change %d is seq %d, want %d", name, i, got[i], want[i])
			return
		}
	}
}

// TestSubscribeLateNoGapNoRepeat: maps that subscribe 0 to 2 s after
// opening, while changes flow at 50/s, get every change after their hello
// exactly once and in order — a replay of what came before the subscribe,
// then the live stream from where the replay ended.
func TestSubscribeLateNoGapNoRepeat(t *testing.T) {
	ts := newTestServer(t)
	w := startWriter(t, ts, 50)
	time.Sleep(300 * time.Millisecond)
	delays := []time.Duration{0, 200 * time.Millisecond, 400 * time.Millisecond, time.Second, 1500 * time.Millisecond, 2 * time.Second}
	type opened struct {
		r     *recorder
		hello int64
	}
	clients := make([]opened, len(delays))
	var wg sync.WaitGroup
	for i, d := range delays {
		c := ts.dial(t, "")
		clients[i] = opened{hello: c.hello}
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(d)
			sub := `{"type":"subscribe","topics":[]}`
			if i%2 == 1 { // the map's own client on a reconnect: since its hello
				sub = fmt.Sprintf(`{"type":"subscribe","since":%d}`, c.hello)
			}
			if err := c.conn.WriteMessage(websocket.TextMessage, []byte(sub)); err != nil {
				t.Error(err)
			}
			clients[i].r = record(c)
		}()
	}
	wg.Wait()
	time.Sleep(time.Second)
	w.halt()
	last, _ := ts.store.LatestSeq(context.Background())
	for i, o := range clients {
		got := o.r.waitSeq(t, last, 10*time.Second)
		sameSeqs(t, fmt.Sprintf("subscribed after %v", delays[i]), got, changeSeqs(t, ts, o.hello, last))
	}
	t.Logf("%d changes written", w.n.Load())
}

// TestReconnectAfterGapAtLoadReplays: a map away for 10 s while 50 changes/s
// flow reconnects with since and gets a replay (not a resync) of the 500
// changes it missed, then the live stream, without a gap or a repeat.
func TestReconnectAfterGapAtLoadReplays(t *testing.T) {
	ts := newTestServer(t)
	w := startWriter(t, ts, 50)
	first := ts.dial(t, `{"type":"subscribe"}`)
	r := record(first)
	time.Sleep(time.Second)
	seen := r.waitSeq(t, first.hello+1, 5*time.Second)
	since := seen[len(seen)-1]
	first.conn.Close()
	time.Sleep(10 * time.Second)
	written, _ := ts.store.LatestSeq(context.Background())
	again := ts.dial(t, fmt.Sprintf(`{"type":"subscribe","since":%d}`, since))
	r2 := record(again)
	time.Sleep(time.Second)
	w.halt()
	last, _ := ts.store.LatestSeq(context.Background())
	got := r2.waitSeq(t, last, 15*time.Second)
	sameSeqs(t, "after the gap", got, changeSeqs(t, ts, since, last))
	r2.mu.Lock()
	defer r2.mu.Unlock()
	// One replay (not a resync) through what was written while it was
	// away (~500 changes; fewer when the machine is too loaded for 50/s).
	if written-since < 100 {
		t.Fatalf("only %d changes written in the gap", written-since)
	}
	// (through what the hub had published when it subscribed, which may
	// trail the database on a loaded machine).
	if len(r2.marks) != 1 || r2.marks[0].Seq <= since {
		t.Errorf("replay markers %+v, want one after %d", r2.marks, since)
	}
	t.Logf("replayed %s changes after a 10 s gap at 50/s", strconv.Itoa(len(changeSeqs(t, ts, since, r2.marks[0].Seq))))
}

// TestSinceBeforeRetentionResyncs: once changes are pruned, a since before
// the horizon is answered with resync at once, saying why.
func TestSinceBeforeRetentionResyncs(t *testing.T) {
	ts := newConfiguredServer(t, func(c *webmap.Config) { c.Live.Retention = time.Second })
	importFile(t, ts.store, "areas", "../hotspot/testdata/areas.geojson")
	// The newest sequence handed out (the rows themselves may be pruned
	// already on a loaded machine: the retention is 1 s). Wait until every
	// change is older than the retention and pruned.
	var latest int64
	err := ts.db.Pool.QueryRow(context.Background(), `SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('changes', 'seq')::regclass), 0)`).Scan(&latest)
	if err != nil || latest == 0 {
		t.Fatalf("latest seq %d %v", latest, err)
	}
	var horizon int64
	for deadline := time.Now().Add(10 * time.Second); horizon < latest; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("pruned through %d of %d", horizon, latest)
		}
		_ = ts.db.Pool.QueryRow(context.Background(), `SELECT pruned_through FROM changes_horizon`).Scan(&horizon)
	}
	time.Sleep(200 * time.Millisecond) // the hub reads the horizon after its prune
	c := ts.dial(t, `{"type":"subscribe","since":0}`)
	_ = c.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, raw, err := c.conn.ReadMessage()
	if err != nil || !strings.Contains(string(raw), `"type":"resync"`) || !strings.Contains(string(raw), `"reason":"since_before_retention"`) {
		t.Errorf("a since before the horizon got %s %v", raw, err)
	}
	// A since after the horizon replays.
	d := ts.dial(t, fmt.Sprintf(`{"type":"subscribe","since":%d}`, horizon))
	_ = d.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, raw, err = d.conn.ReadMessage()
	if err != nil || !strings.Contains(string(raw), `"type":"replayed"`) {
		t.Errorf("a since at the horizon (%d) got %s %v", horizon, raw, err)
	}
}

func readyz(t *testing.T, url string) (int, string) {
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestReadyzFailsWhenTheListenerFreezes: with the listener's connection
// frozen (a proxy that stops forwarding, touching no other connection),
// /readyz answers 503 naming the listener within 5 s, and 200 again once
// it answers; /metrics keeps answering.
func TestReadyzFailsWhenTheListenerFreezes(t *testing.T) {
	var p *pgtest.FreezeProxy
	var dbURL string
	setup := make(chan struct{})
	ts := newConfiguredServer(t, func(c *webmap.Config) {
		c.Live.PingEvery, c.Live.PingTimeout = 500*time.Millisecond, time.Second
		c.Live.ListenConnect = func(ctx context.Context) (*pgx.Conn, error) {
			select { // the proxy is set up once the server is
			case <-setup:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			cfg, err := pgx.ParseConfig(dbURL)
			if err != nil {
				return nil, err
			}
			cfg = p.Via(cfg, "diaban-test listener")
			cfg.User = "diaban_server"
			return pgx.ConnectConfig(ctx, cfg)
		}
	})
	dbURL = ts.db.URL
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p = pgtest.NewDBFreezeProxy(t, cfg)
	close(setup)
	waitReady := func(want int, within time.Duration) (time.Duration, string) {
		t.Helper()
		start := time.Now()
		for {
			code, body := readyz(t, ts.URL)
			if code == want {
				return time.Since(start), body
			}
			if time.Since(start) > within {
				t.Fatalf("/readyz %d after %v, want %d: %s", code, within, want, body)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitReady(200, 15*time.Second)
	p.Freeze()
	took, body := waitReady(503, 5*time.Second)
	if !strings.Contains(body, "listener") {
		t.Errorf("/readyz does not say what is wrong: %s", body)
	}
	t.Logf("/readyz failed %v after the freeze: %s", took.Round(time.Millisecond), body)
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"diaban_feed_reconnects_total", "diaban_ws_clients", "diaban_feed_listener_quiet_seconds"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	p.Thaw()
	waitReady(200, 15*time.Second)
}

// TestShutdownSaysGoingAway: a shutdown closes every socket with 1001 after
// a goaway that says when to reconnect and from which seq; new sockets
// are refused meanwhile.
func TestShutdownSaysGoingAway(t *testing.T) {
	ts := newTestServer(t)
	c := ts.dial(t, `{"type":"subscribe"}`)
	time.Sleep(100 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go ts.srv.Shutdown(ctx)
	m, ok := c.waitFor("goaway", 3*time.Second)
	if !ok || m.Seq != c.hello {
		t.Fatalf("goaway %+v %v", m, ok)
	}
	_, _, err := c.conn.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("closed with %v, want 1001", err)
	}
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/ws"
	if _, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {ts.URL}, "Authorization": {"Bearer " + ts.token}}); err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a socket during shutdown: %v %v", resp, err)
	}
}

// TestWebsocketCaps: beyond the per-user cap an upgrade gets 429 and
// Retry-After; another user still connects.
func TestWebsocketCaps(t *testing.T) {
	ts := newConfiguredServer(t, func(c *webmap.Config) { c.Live.MaxPerUser = 2 })
	ts.dial(t, "")
	ts.dial(t, "")
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/ws"
	_, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {ts.URL}, "Authorization": {"Bearer " + ts.token}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("a third socket of one user: %v %v", resp, err)
	}
	ts.dialAs(t, ts.addUser(t, "other", "admin", ""), "")
}

// TestFailedEnrichmentRetriedThenResync: a change whose enrichment fails
// (here: the application role may not read hotspots) is retried — a
// failure shorter than the budget only delays it — and after the budget its
// subscribers are told to resync with the reason; nothing is skipped in
// silence.
func TestFailedEnrichmentRetriedThenResync(t *testing.T) {
	ts := newConfiguredServer(t, func(c *webmap.Config) { c.Live.EnrichBudget = 3 * time.Second })
	importFile(t, ts.store, "areas", "../hotspot/testdata/areas.geojson")
	importText(t, ts.store, "hotspots", "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,Quán\n")
	ts.settle(t)
	ctx := context.Background()
	exec := func(sql string) {
		t.Helper()
		if _, err := ts.db.Pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	c := ts.dial(t, `{"type":"subscribe","topics":[]}`)
	time.Sleep(200 * time.Millisecond)

	// A failure shorter than the budget: the change arrives late, whole.
	exec(`REVOKE SELECT ON hotspots FROM diaban_app`)
	exec(`UPDATE hotspots SET name = 'một' WHERE id = 1`)
	first, _ := ts.store.LatestSeq(ctx)
	time.Sleep(1500 * time.Millisecond)
	exec(`GRANT SELECT ON hotspots TO diaban_app`)
	m, ok := c.waitFor("hotspot", 10*time.Second)
	if !ok || m.Seq != first || !strings.Contains(string(m.Data), "một") {
		t.Fatalf("after a short failure: %+v %v", m, ok)
	}

	// A failure beyond the budget: resync, with the reason.
	exec(`REVOKE SELECT ON hotspots FROM diaban_app`)
	defer exec(`GRANT SELECT ON hotspots TO diaban_app`)
	exec(`UPDATE hotspots SET name = 'hai' WHERE id = 1`)
	_ = c.conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	for {
		_, raw, err := c.conn.ReadMessage()
		if err != nil {
			t.Fatalf("no resync after the budget: %v", err)
		}
		if strings.Contains(string(raw), `"type":"resync"`) {
			if !strings.Contains(string(raw), `"reason":"enrichment"`) {
				t.Errorf("resync %s", raw)
			}
			break
		}
	}
}

// sibling starts another server on ts's database, as a second instance
// behind a load balancer (or ts's after a restart) is: its hub starts with
// an empty replay ring.
func (ts *testServer) sibling(t *testing.T) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	app, err := store.Open(ctx, store.StoreConfig{URL: ts.db.URL, AppRole: "diaban_app", Login: "diaban_server", ApplicationName: "diaban-test-sibling"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	srv := webmap.New(webmap.Config{Version: "test", SessionCheck: 100 * time.Millisecond}, app, slog.New(slog.NewTextHandler(io.Discard, nil)))
	go func() { _ = srv.Run(ctx) }()
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &testServer{Server: hs, store: ts.store, db: ts.db, srv: srv, token: ts.token, http: ts.http}
}

// TestReplayAfterRestartIsChangeByChange: a map that reconnects, after a
// restart, to an instance whose replay ring does not reach its since (the
// ring starts empty) gets every change it missed, one message each, in
// order — the ring is filled back from the database — not a summary.
func TestReplayAfterRestartIsChangeByChange(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	since, err := ts.store.LatestSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		if _, err := ts.db.Pool.Exec(ctx, `UPDATE hotspots SET name = $1 WHERE id = (SELECT min(id) FROM hotspots)`, fmt.Sprintf("restart %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	last, _ := ts.store.LatestSeq(ctx)
	b := ts.sibling(t) // started after the changes: nothing of them in its ring
	for deadline := time.Now().Add(10 * time.Second); b.srv.Hub().LastSeq() < last; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("sibling hub at %d, want %d", b.srv.Hub().LastSeq(), last)
		}
	}
	c := b.dial(t, fmt.Sprintf(`{"type":"subscribe","topics":[],"since":%d}`, since))
	r := record(c)
	got := r.waitSeq(t, last, 10*time.Second)
	sameSeqs(t, "replay after a restart", got, changeSeqs(t, ts, since, last))
}

// TestAreaChangePlacesTheNextChanges: the hub keeps its area index between
// batches (no query while the areas do not change), and a change read after
// an area change is placed by an index at least that new: a commune moved
// to another district, in the same commit as a change of one of its
// hotspots or in the commit before it, sends that change to the new
// district's officer and not to the old one's — never by the index the hub
// held before.
func TestAreaChangePlacesTheNextChanges(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := ts.db.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	// A second district over the same ground, and the hotspots' communes.
	exec(`INSERT INTO areas (code, level) VALUES ('504', 'district')`)
	exec(`INSERT INTO area_versions (area_id, name, parent_id, geom)
		SELECT (SELECT id FROM areas WHERE code = '504'), 'Huyện Mới', v.parent_id, v.geom
		FROM area_versions v JOIN areas a ON a.id = v.area_id WHERE a.code = '503' AND v.valid_to IS NULL`)
	var moved string
	var hs, other int64
	if err := ts.db.Pool.QueryRow(ctx, `SELECT a.code, h.id FROM hotspots h JOIN areas a ON a.id = h.area_id ORDER BY h.id LIMIT 1`).Scan(&moved, &hs); err != nil {
		t.Fatal(err)
	}
	if err := ts.db.Pool.QueryRow(ctx, `SELECT h.id FROM hotspots h JOIN areas a ON a.id = h.area_id WHERE a.code <> $1 LIMIT 1`, moved).Scan(&other); err != nil {
		t.Fatal(err)
	}
	ts.settle(t)
	old := ts.dialAs(t, ts.addUser(t, "officer-503", "officer", "503"), `{"type":"subscribe","topics":[]}`)
	nu := ts.dialAs(t, ts.addUser(t, "officer-504", "officer", "504"), `{"type":"subscribe","topics":[]}`)
	time.Sleep(200 * time.Millisecond)

	type got struct {
		mu   sync.Mutex
		seqs map[int64]bool
	}
	read := func(c *wsClient) *got {
		g := &got{seqs: map[int64]bool{}}
		go func() {
			for {
				m, ok := c.next(30 * time.Second)
				if !ok {
					return
				}
				if m.Type == "hotspot" {
					g.mu.Lock()
					g.seqs[m.Seq] = true
					g.mu.Unlock()
				}
			}
		}()
		return g
	}
	has := func(g *got, seq int64) bool { g.mu.Lock(); defer g.mu.Unlock(); return g.seqs[seq] }
	gotOld, gotNew := read(old), read(nu)
	waitHas := func(name string, g *got, seq int64) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !has(g, seq); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s never got seq %d", name, seq)
			}
		}
	}
	update := func(id int64, name string) int64 {
		t.Helper()
		exec(`UPDATE hotspots SET name = $1 WHERE id = $2`, name, id)
		seq, err := ts.store.LatestSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	reparent := func(tx pgx.Tx, to string) {
		t.Helper()
		if _, err := tx.Exec(ctx, `UPDATE area_versions SET parent_id = (SELECT id FROM areas WHERE code = $2)
			WHERE valid_to IS NULL AND area_id = (SELECT id FROM areas WHERE code = $1)`, moved, to); err != nil {
			t.Fatal(err)
		}
	}

	// The hub places a change with the index it holds, not asking again.
	first := update(hs, "trước")
	waitHas("officer of 503", gotOld, first)
	kept := func() float64 { return scrapeCounter(t, ts, `diaban_feed_area_index_total{how="kept"}`) }
	k0 := kept()
	waitHas("officer of 503", gotOld, update(hs, "vẫn trước"))
	if kept() <= k0 {
		t.Errorf("the hub asked the store for the areas though they had not changed")
	}

	// The move and a change of the moved commune's hotspot in one commit.
	tx, err := ts.db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reparent(tx, "504")
	if _, err := tx.Exec(ctx, `UPDATE hotspots SET name = 'cùng lúc' WHERE id = $1`, hs); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	same, _ := ts.store.LatestSeq(ctx)
	waitHas("officer of 504", gotNew, same)
	// A change the old district still holds, after it: the old district's
	// officer gets it, and must not have had the moved one before it.
	mark := update(other, "mốc")
	waitHas("officer of 503", gotOld, mark)
	if has(gotOld, same) {
		t.Errorf("the old district's officer got seq %d of a commune moved out of it in the same commit", same)
	}

	// Back again, in two commits right after each other.
	tx, err = ts.db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reparent(tx, "503")
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	after := update(hs, "sau")
	waitHas("officer of 503", gotOld, after)
	time.Sleep(300 * time.Millisecond) // the write gap and more
	if has(gotNew, after) {
		t.Errorf("the district the commune left got seq %d, committed after the move", after)
	}
}

// scrapeCounter reads one sample of GET /metrics (0 when absent).
func scrapeCounter(t *testing.T, ts *testServer, sample string) float64 {
	t.Helper()
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f
		}
	}
	return 0
}

// TestRecomputesOnTheirOwnPool: the derived recomputations read from a pool
// of their own (LiveConfig.Recompute). With every one of them stuck (their
// pool's connections frozen) while changes flow at 20/s over both communes
// with maps subscribed to metrics and coverage, the API answers at once,
// the changes keep reaching the maps, no goroutine piles up per area and
// window, and once the pool answers again the pending recomputes run,
// coalesced, and the maps get metrics as new as the last change.
func TestRecomputesOnTheirOwnPool(t *testing.T) {
	db := pgtest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	open := func(url, name string) *store.Store {
		st, err := store.Open(ctx, store.StoreConfig{URL: url, AppRole: "diaban_app", Login: "diaban_server", ApplicationName: name})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(st.Close)
		return st
	}
	app := open(db.URL, "diaban-test")
	cfg, err := pgx.ParseConfig(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	p := pgtest.NewDBFreezeProxy(t, cfg)
	via := p.Via(cfg, "")
	recompute := open(fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, via.Host, via.Port, cfg.Database), "diaban-test recompute")
	srv := webmap.New(webmap.Config{Version: "test", SessionCheck: 100 * time.Millisecond,
		Live: webmap.LiveConfig{Recompute: recompute, Recomputes: 2}}, app, slog.New(slog.NewTextHandler(io.Discard, nil)))
	go func() { _ = srv.Run(ctx) }()
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	ts := &testServer{Server: hs, store: store.NewStore(db.Pool), db: db, srv: srv}
	ts.token = ts.addUser(t, testAdmin, "admin", "")
	ts.http = &http.Client{Transport: bearer{token: ts.token, base: http.DefaultTransport}}
	importFile(t, ts.store, "areas", "../hotspot/testdata/areas.geojson")
	importText(t, ts.store, "hotspots", "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,Quán cà phê\nH2,108.35,15.9,storage,Nhà kho\n")
	ts.settle(t)

	maps := []*recorder{}
	var metricsAt atomic.Int64 // the newest seq a metrics push reflected
	for range 3 {
		c := ts.dial(t, `{"type":"subscribe","topics":["metrics","coverage"]}`)
		maps = append(maps, record(c))
	}
	watcher := ts.dial(t, `{"type":"subscribe","topics":["metrics"]}`)
	go func() {
		for {
			m, ok := watcher.next(60 * time.Second)
			if !ok {
				return
			}
			if m.Type == "metrics" {
				metricsAt.Store(max(metricsAt.Load(), m.Seq))
			}
		}
	}()
	time.Sleep(300 * time.Millisecond)

	p.Freeze()
	before := runtime.NumGoroutine()
	w := startWriter(t, ts, 20)
	start := time.Now()
	var slowest time.Duration
	for time.Since(start) < 3*time.Second {
		for _, path := range []string{"/api/hotspots", "/api/areas/20530/metrics?period=2025"} {
			t0 := time.Now()
			resp, err := ts.http.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", path, resp.StatusCode)
			}
			slowest = max(slowest, time.Since(t0))
		}
		time.Sleep(100 * time.Millisecond)
	}
	w.halt()
	last, err := ts.store.LatestSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	grown := runtime.NumGoroutine() - before
	waiting := scrapeCounter(t, ts, "diaban_live_recomputes_waiting")
	running := scrapeCounter(t, ts, "diaban_live_recomputes_running")
	t.Logf("recomputes frozen, %d changes: API slowest %v; goroutines %+d; recomputes waiting %v, running %v",
		w.n.Load(), slowest.Round(time.Millisecond), grown, waiting, running)
	if slowest > 2*time.Second { // stuck behind the recomputes, it would wait for their 10 s timeout
		t.Errorf("the API took %v while the recomputes were stuck", slowest)
	}
	for i, m := range maps {
		m.waitSeq(t, last, 10*time.Second) // changes flow meanwhile
		_ = i
	}
	if running > 2 || waiting > 4 {
		t.Errorf("recomputes: %v running, %v waiting; want at most 2 running and one waiting per view and commune", running, waiting)
	}
	if grown > 20 {
		t.Errorf("goroutines grew by %d while the recomputes were stuck", grown)
	}

	p.Thaw()
	deadline := time.Now().Add(30 * time.Second)
	for metricsAt.Load() < last {
		if time.Now().After(deadline) {
			t.Fatalf("after the thaw, metrics reflect seq %d, want %d", metricsAt.Load(), last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

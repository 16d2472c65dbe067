// Command live is the live feed's load generator, a process of its own: it
// opens N websockets to a running `diaban serve` (80% officers of single
// communes, 15% of the district, 5% admins, as users the run script made),
// commits hotspot changes at a fixed rate straight into the database (one
// statement each, spread over the communes), and reports, per client,
// commit-to-client latency, changes lost and repeated, and the server's RSS.
//
//	go run ./bench/live -url http://127.0.0.1:8099 -db postgres://… -clients 10000 -rate 20 -duration 2m -pid PID
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

type area struct {
	code    string
	hotspot int64 // a hotspot in it, for the writes
}

type client struct {
	scope   string // "" admin
	conn    *rawConn
	hello   int64
	recv    []rec
	resyncs int
}

type rec struct {
	seq int64
	at  int64 // unix ns
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8099", "server")
	dbURL := flag.String("db", "", "owner database URL (writes, areas)")
	nClients := flag.Int("clients", 1000, "websockets")
	rate := flag.Float64("rate", 20, "changes per second")
	duration := flag.Duration("duration", time.Minute, "how long changes flow")
	pid := flag.Int("pid", 0, "server PID, for its RSS")
	password := flag.String("password", "bench-password-1", "the users' password")
	district := flag.String("district", "", "the district's code (its officer is user bench-district)")
	adminsOnly := flag.Bool("admins", false, "every socket the admin's (an admin's map sees every change)")
	topicsJSON := flag.String("topics", "[]", `the derived topics each socket subscribes to, as JSON (the map's own: ["metrics","coverage","emerging"])`)
	flag.Parse()
	ctx := context.Background()

	db, err := pgx.Connect(ctx, *dbURL)
	if err != nil {
		log.Fatal(err)
	}
	rows, err := db.Query(ctx, `SELECT a.code, min(h.id) FROM current_areas a JOIN hotspots h ON h.area_id = a.id
		WHERE a.level = 'commune' GROUP BY a.code ORDER BY a.code`)
	if err != nil {
		log.Fatal(err)
	}
	var communes []area
	for rows.Next() {
		var a area
		if err := rows.Scan(&a.code, &a.hotspot); err != nil {
			log.Fatal(err)
		}
		communes = append(communes, a)
	}
	if len(communes) == 0 {
		log.Fatal("no commune with a hotspot")
	}

	tokens := map[string]string{}
	login := func(name string) string {
		if t, ok := tokens[name]; ok {
			return t
		}
		body, _ := json.Marshal(map[string]string{"username": name, "password": *password})
		resp, err := http.Post(*base+"/api/login", "application/json", bytes.NewReader(body))
		if err != nil {
			log.Fatal(err)
		}
		var a struct{ Token string }
		_ = json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		if a.Token == "" {
			log.Fatalf("login %s: %d", name, resp.StatusCode)
		}
		tokens[name] = a.Token
		return a.Token
	}

	// Open the sockets: 80% communes (round robin), 15% district, 5% admin.
	// Each message's seq and arrival time are kept (the poller's threads
	// read them; one socket is always read by the same thread).
	clients := make([]*client, *nClients)
	u, err := url.Parse(*base)
	if err != nil {
		log.Fatal(err)
	}
	poll, err := newPoller(2)
	if err != nil {
		log.Fatal(err)
	}
	var received atomic.Int64
	var opened atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	start := time.Now()
	for i := range clients {
		c := &client{hello: -1}
		var user string
		switch f := float64(i%100) / 100; {
		case *adminsOnly:
			user = "bench-admin"
		case f < 0.80:
			c.scope = communes[i%len(communes)].code
			user = "bench-" + c.scope
		case f < 0.95:
			c.scope, user = *district, "bench-district"
		default:
			user = "bench-admin"
		}
		tok := login(user)
		clients[i] = c
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var conn *rawConn
			var first []byte
			for attempt := 0; ; attempt++ {
				var err error
				conn, first, err = dialRaw(u.Host, "/ws", map[string]string{"Origin": *base, "Authorization": "Bearer " + tok})
				if err == nil {
					break
				}
				if attempt > 20 {
					log.Fatalf("dial: %v", err)
				}
				time.Sleep(time.Duration(attempt+1) * 100 * time.Millisecond)
			}
			c.conn = conn
			conn.onText = func(b []byte, now int64) {
				seq, typ := peek(b)
				switch typ {
				case "hello":
					c.hello = seq
				case "resync":
					c.resyncs++
				case "hotspot":
					c.recv = append(c.recv, rec{seq, now})
					received.Add(1)
				}
			}
			if err := poll.add(conn, first); err != nil {
				log.Fatal(err)
			}
			if err := conn.writeFrame(1, []byte(`{"type":"subscribe","topics":`+*topicsJSON+`}`)); err != nil {
				log.Fatal(err)
			}
			opened.Add(1)
		}()
	}
	wg.Wait()
	log.Printf("%d sockets open in %v; server RSS %d MB", opened.Load(), time.Since(start).Round(time.Millisecond), rss(*pid))
	time.Sleep(time.Second)

	// The writer: one statement per change, the communes in turn.
	var mu sync.Mutex
	committed := map[int64]int64{} // seq → commit time
	areaOf := map[int64]string{}
	var maxRSS atomic.Int64
	stopRSS := make(chan struct{})
	go func() {
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stopRSS:
				return
			case <-t.C:
				if r := rss(*pid); r > maxRSS.Load() {
					maxRSS.Store(r)
				}
			}
		}
	}()
	writers := max(1, int(*rate/100)+1)
	per := time.Duration(float64(time.Second) * float64(writers) / *rate)
	var n atomic.Int64
	var behind atomic.Int64
	serverCPU0, ownCPU0 := cpuSeconds(*pid), cpuSeconds(0)
	end := time.Now().Add(*duration)
	var ww sync.WaitGroup
	for w := range writers {
		ww.Add(1)
		go func() {
			defer ww.Done()
			conn, err := pgx.Connect(ctx, *dbURL)
			if err != nil {
				log.Fatal(err)
			}
			defer conn.Close(ctx)
			next := time.Now().Add(time.Duration(w) * per / time.Duration(writers))
			for i := w; time.Now().Before(end); i += writers {
				if d := time.Until(next); d > 0 {
					time.Sleep(d)
				} else if d < -time.Second {
					behind.Add(1)
				}
				next = next.Add(per)
				a := communes[i%len(communes)]
				var seq int64
				if _, err := conn.Exec(ctx, `UPDATE hotspots SET name = $1 WHERE id = $2`, "bench "+strconv.Itoa(i), a.hotspot); err != nil {
					log.Fatal(err)
				}
				at := time.Now().UnixNano()
				if err := conn.QueryRow(ctx, `SELECT currval(pg_get_serial_sequence('changes', 'seq'))`).Scan(&seq); err != nil {
					log.Fatal(err)
				}
				mu.Lock()
				committed[seq], areaOf[seq] = at, a.code
				mu.Unlock()
				n.Add(1)
			}
		}()
	}
	ww.Wait()
	elapsed := *duration
	// The tail: wait until every expected delivery arrived, or nothing
	// has for 10 s (at most 3 min), so a backlog is told apart from a loss.
	var want int64
	mu.Lock()
	for _, c := range clients {
		for _, code := range areaOf {
			if c.scope == "" || c.scope == code || c.scope == *district {
				want++
			}
		}
	}
	mu.Unlock()
	tailStart := time.Now()
	for prev, still := int64(-1), time.Now(); received.Load() < want && time.Since(tailStart) < 3*time.Minute && time.Since(still) < 10*time.Second; time.Sleep(100 * time.Millisecond) {
		if got := received.Load(); got != prev {
			prev, still = got, time.Now()
		}
	}
	close(stopRSS)
	serverCPU, ownCPU := cpuSeconds(*pid)-serverCPU0, cpuSeconds(0)-ownCPU0
	load, _ := os.ReadFile("/proc/loadavg")
	ended := make([]bool, len(clients)) // sockets the server ended before the tail did
	for i, c := range clients {
		ended[i] = c.conn.ended != 0
	}
	poll.close()

	// Per client: what it should have received (every change in its scope),
	// what it got, lost, repeated; latency of every delivery.
	var lat []float64
	var lastArrival, lastCommit int64
	for _, at := range committed {
		lastCommit = max(lastCommit, at)
	}
	for _, c := range clients {
		if n := len(c.recv); n > 0 {
			lastArrival = max(lastArrival, c.recv[n-1].at)
		}
	}
	tail := time.Duration(max(0, lastArrival-lastCommit))
	var lost, repeated, delivered, expected, outOfOrder, resyncs int64
	var endedSockets, lostEnded int64 // sockets the server closed, and what they missed after
	for i, c := range clients {
		if ended[i] {
			endedSockets++
		}
		resyncs += int64(c.resyncs)
		seen := map[int64]int{}
		var prev int64
		for _, r := range c.recv {
			at, ok := committed[r.seq]
			if !ok {
				continue // not the generator's
			}
			seen[r.seq]++
			if seen[r.seq] > 1 {
				repeated++
				continue
			}
			if r.seq <= prev {
				outOfOrder++
			}
			prev = r.seq
			delivered++
			lat = append(lat, float64(r.at-at)/1e6)
		}
		for seq, code := range areaOf {
			if c.scope == "" || c.scope == code || c.scope == *district {
				expected++
				if seen[seq] == 0 {
					if ended[i] {
						lostEnded++ // after its socket was closed: a map reconnects with since
					} else {
						lost++
					}
				}
			}
		}
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	mix := "80% commune / 15% district / 5% admin"
	if *adminsOnly {
		mix = "all admin"
	}
	fmt.Printf("clients %d (%s; topics %s), rate %.0f/s for %v: %d changes committed (%.1f/s; writer late >1 s: %d)\n",
		len(clients), mix, *topicsJSON, *rate, elapsed, n.Load(), float64(n.Load())/elapsed.Seconds(), behind.Load())
	fmt.Printf("deliveries expected %d, delivered %d, lost %d, repeated %d, out of order %d, resyncs %d\n",
		expected, delivered, lost, repeated, outOfOrder, resyncs)
	if endedSockets > 0 {
		fmt.Printf("sockets closed by the server: %d (a map reconnects with since); deliveries they missed after: %d (not counted as lost)\n",
			endedSockets, lostEnded)
	}
	fmt.Printf("commit-to-client ms: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n", pct(0.5), pct(0.9), pct(0.99), pct(1))
	fmt.Printf("server RSS max %d MB; the last delivery %v after the last commit\n", maxRSS.Load(), tail.Round(100*time.Millisecond))
	perMsg := func(cpu float64) float64 { return cpu / float64(max(delivered, 1)) * 1e6 }
	fmt.Printf("CPU from the first change to the last delivery: server %.1f s (%.1f µs per delivery), generator %.1f s (%.1f µs per delivery); load average %s",
		serverCPU, perMsg(serverCPU), ownCPU, perMsg(ownCPU), load)
	if lost > 0 || repeated > 0 || outOfOrder > 0 {
		os.Exit(1)
	}
}

// peek reads the seq and type at the head of a message ({"seq":N,"type":"…").
func peek(b []byte) (int64, string) {
	var seq int64
	if i := bytes.Index(b, []byte(`"seq":`)); i >= 0 {
		j := i + 6
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			seq = seq*10 + int64(b[j]-'0')
			j++
		}
	}
	typ := ""
	if i := bytes.Index(b, []byte(`"type":"`)); i >= 0 {
		j := i + 8
		k := bytes.IndexByte(b[j:], '"')
		if k > 0 {
			typ = string(b[j : j+k])
		}
	}
	return seq, typ
}

// rss is a process's resident memory in MB (0 when unknown).
func rss(pid int) int64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb / 1024
		}
	}
	return 0
}

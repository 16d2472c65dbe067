// Command rolling checks the live feed across several `diaban serve`
// instances on one database behind a load balancer (bench/live/nginx.sh
// runs it while it restarts the instances one by one):
//
//  1. a change written through the API of any instance reaches clients
//     connected to every instance (directly, and through the balancer);
//
//  2. while changes are committed at a fixed rate, clients connected
//     through the balancer that are closed by a restart (goaway, 1001)
//     reconnect through it with `since` = the last seq they saw; at the
//     end every client must have every committed change exactly once, in
//     order, with no resync.
//
//     go run ./bench/live/rolling -lb http://127.0.0.1:8100 -instances http://127.0.0.1:8101,... -db postgres://… -clients 300 -rate 20 -duration 90s
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"
)

var notChange = map[string]bool{"hello": true, "replayed": true, "resync": true, "goaway": true, "metrics": true, "coverage": true, "emerging": true}

// client is one map: it keeps every change seq it got and reconnects
// with since after a close, as live.js does.
type client struct {
	base, token string

	mu         sync.Mutex
	seqs       []int64
	last       int64
	resyncs    int
	reconnects int
	goaways    int
	closes     map[int]int // close codes seen
}

func (c *client) run(ctx context.Context, ready chan<- struct{}) {
	first := true
	for ctx.Err() == nil {
		wsURL := "ws" + strings.TrimPrefix(c.base, "http") + "/ws"
		conn, resp, err := websocket.DefaultDialer.DialContext(ctx, wsURL, http.Header{"Origin": {c.base}, "Authorization": {"Bearer " + c.token}})
		if err != nil {
			if first {
				status := 0
				if resp != nil {
					status = resp.StatusCode
				}
				log.Printf("dial %s: %v (HTTP %d); retrying", wsURL, err, status)
			}
			time.Sleep(200 * time.Millisecond)
			continue
		}
		var hello struct{ Seq int64 }
		if err := conn.ReadJSON(&hello); err != nil {
			conn.Close()
			continue
		}
		c.mu.Lock()
		sub := `{"type":"subscribe","topics":[]}`
		if first {
			c.last = hello.Seq
		} else {
			c.reconnects++
			sub = fmt.Sprintf(`{"type":"subscribe","topics":[],"since":%d}`, c.last)
		}
		c.mu.Unlock()
		if err := conn.WriteMessage(websocket.TextMessage, []byte(sub)); err != nil {
			conn.Close()
			continue
		}
		if first {
			first = false
			ready <- struct{}{}
		}
		retry := 200 * time.Millisecond
		for {
			_, b, err := conn.ReadMessage()
			if err != nil {
				var ce *websocket.CloseError
				if errorAs(err, &ce) {
					c.mu.Lock()
					c.closes[ce.Code]++
					c.mu.Unlock()
				}
				break
			}
			var m struct {
				Seq     int64  `json:"seq"`
				Type    string `json:"type"`
				RetryMS int    `json:"retry_ms"`
			}
			if json.Unmarshal(b, &m) != nil {
				continue
			}
			c.mu.Lock()
			switch {
			case m.Type == "resync":
				c.resyncs++
			case m.Type == "goaway":
				c.goaways++
				retry = time.Duration(m.RetryMS) * time.Millisecond
			case !notChange[m.Type]:
				c.seqs = append(c.seqs, m.Seq)
				c.last = max(c.last, m.Seq)
			}
			c.mu.Unlock()
		}
		conn.Close()
		select {
		case <-ctx.Done():
		case <-time.After(retry):
		}
	}
}

func errorAs(err error, ce **websocket.CloseError) bool {
	e, ok := err.(*websocket.CloseError)
	if ok {
		*ce = e
	}
	return ok
}

func login(base, name, password string) string {
	body, _ := json.Marshal(map[string]string{"username": name, "password": password})
	resp, err := http.Post(base+"/api/login", "application/json", bytes.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var a struct{ Token string }
	_ = json.NewDecoder(resp.Body).Decode(&a)
	if a.Token == "" {
		log.Fatalf("login %s at %s: %d", name, base, resp.StatusCode)
	}
	return a.Token
}

func main() {
	lb := flag.String("lb", "http://127.0.0.1:8100", "the load balancer")
	instances := flag.String("instances", "", "the instances' URLs, comma-separated")
	dbURL := flag.String("db", "", "owner database URL (the writes)")
	nClients := flag.Int("clients", 300, "websockets through the balancer")
	rate := flag.Float64("rate", 20, "changes per second")
	duration := flag.Duration("duration", 90*time.Second, "how long changes flow")
	password := flag.String("password", "bench-password-1", "the users' password")
	flag.Parse()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	insts := strings.Split(*instances, ",")

	db, err := pgx.Connect(ctx, *dbURL)
	if err != nil {
		log.Fatal(err)
	}
	var hotspots []int64
	rows, _ := db.Query(ctx, `SELECT id FROM hotspots ORDER BY id LIMIT 20`)
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		hotspots = append(hotspots, id)
	}
	if rows.Err() != nil || len(hotspots) == 0 {
		log.Fatalf("no hotspots: %v", rows.Err())
	}
	token := login(*lb, "bench-admin", *password)

	// 1. One client on each instance and one through the balancer; a
	// change written through each instance's API must reach all of them.
	ready := make(chan struct{}, 64)
	var direct []*client
	for _, base := range append(append([]string{}, insts...), *lb) {
		c := &client{base: base, token: token, closes: map[int]int{}}
		direct = append(direct, c)
		go c.run(ctx, ready)
	}
	for range direct {
		<-ready
	}
	time.Sleep(500 * time.Millisecond)
	var written []int64
	for i, base := range insts {
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/hotspots/%d/events", base, hotspots[i%len(hotspots)]),
			strings.NewReader(`{"event":"note","note":"written through instance `+strconv.Itoa(i+1)+`"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusCreated {
			log.Fatalf("write through %s: %v %v", base, err, resp)
		}
		resp.Body.Close()
		var seq int64
		_ = db.QueryRow(ctx, `SELECT max(seq) FROM changes WHERE kind = 'event'`).Scan(&seq)
		written = append(written, seq)
	}
	time.Sleep(2 * time.Second)
	crossOK := true
	for _, c := range direct {
		c.mu.Lock()
		got := map[int64]bool{}
		for _, s := range c.seqs {
			got[s] = true
		}
		for i, s := range written {
			if !got[s] {
				crossOK = false
				fmt.Printf("change %d written through %s did not reach the client of %s\n", s, insts[i], c.base)
			}
		}
		c.mu.Unlock()
	}
	fmt.Printf("cross-instance: %d changes written, one through each of %d instances; each reached the clients of every instance and of the balancer: %v\n",
		len(written), len(insts), crossOK)

	// 2. Clients through the balancer, changes at the rate.
	clients := make([]*client, *nClients)
	for i := range clients {
		clients[i] = &client{base: *lb, token: token, closes: map[int]int{}}
		go clients[i].run(ctx, ready)
	}
	for range clients {
		<-ready
	}
	fmt.Printf("%d clients open through the balancer\n", len(clients))
	os.Stdout.Sync()
	start := time.Now()
	var committed []int64
	var mu sync.Mutex
	var n atomic.Int64
	per := time.Duration(float64(time.Second) / *rate)
	conn, err := pgx.Connect(ctx, *dbURL)
	if err != nil {
		log.Fatal(err)
	}
	next := time.Now()
	for i := 0; time.Since(start) < *duration; i++ {
		time.Sleep(time.Until(next))
		next = next.Add(per)
		var seq int64
		if _, err := conn.Exec(ctx, `UPDATE hotspots SET name = $1 WHERE id = $2`, "rolling "+strconv.Itoa(i), hotspots[i%len(hotspots)]); err != nil {
			log.Fatal(err)
		}
		if err := conn.QueryRow(ctx, `SELECT currval(pg_get_serial_sequence('changes', 'seq'))`).Scan(&seq); err != nil {
			log.Fatal(err)
		}
		mu.Lock()
		committed = append(committed, seq)
		mu.Unlock()
		n.Add(1)
	}
	// Wait until every client has the last change (at most 60 s).
	lastSeq := committed[len(committed)-1]
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		behind := 0
		for _, c := range clients {
			c.mu.Lock()
			if c.last < lastSeq {
				behind++
			}
			c.mu.Unlock()
		}
		if behind == 0 {
			break
		}
	}
	cancel()

	var lost, dup, outOfOrder, resyncs, reconnects, goaways int
	closes := map[int]int{}
	for _, c := range clients {
		c.mu.Lock()
		seen := map[int64]int{}
		var prev int64
		for _, s := range c.seqs {
			seen[s]++
			if seen[s] > 1 {
				dup++
			} else if s < prev {
				outOfOrder++
			}
			prev = max(prev, s)
		}
		for _, s := range committed {
			if seen[s] == 0 {
				lost++
			}
		}
		resyncs += c.resyncs
		reconnects += c.reconnects
		goaways += c.goaways
		for code, k := range c.closes {
			closes[code] += k
		}
		c.mu.Unlock()
	}
	fmt.Printf("rolling: %d changes committed at %.0f/s over %v to %d clients through the balancer\n", n.Load(), *rate, duration.Round(time.Second), len(clients))
	fmt.Printf("reconnects %d, goaway messages %d, close codes %v, resyncs %d\n", reconnects, goaways, closes, resyncs)
	fmt.Printf("lost %d, duplicated %d, out of order %d (deliveries expected %d)\n", lost, dup, outOfOrder, len(committed)*len(clients))
	if !crossOK || lost > 0 || dup > 0 || outOfOrder > 0 || resyncs > 0 {
		os.Exit(1)
	}
}

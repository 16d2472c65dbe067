// Command measure opens the map of a running diaban in headless Chromium
// and reports, for the first load and each pan and zoom after it, how long
// until the map is drawn and settled and how many bytes came over the
// network (bench/province/run.sh).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// traffic counts bytes received and requests in flight.
type traffic struct {
	mu       sync.Mutex
	bytes    float64
	inflight map[network.RequestID]string
	last     time.Time
	requests int
}

func (tr *traffic) snapshot() (float64, int, int, time.Time) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.bytes, tr.requests, len(tr.inflight), tr.last
}

func main() {
	url := flag.String("url", "http://127.0.0.1:18090", "diaban's address")
	user := flag.String("user", "bench-admin", "user to log in as")
	pass := flag.String("pass", os.Getenv("BENCH_PASSWORD"), "password (env BENCH_PASSWORD)")
	chrome := flag.String("chromium", "chromium", "Chromium binary")
	runs := flag.Int("runs", 3, "first loads to time")
	page := flag.String("page", "/", "the page to time (path and query, e.g. /?tiles=1)")
	cache := flag.Bool("cache", false, "keep the browser's cache between loads (a returning visitor: the scripts are revalidated, 304), instead of none")
	verbose := flag.Bool("v", false, "list each first load's requests (start, duration, size)")
	profile := flag.String("profile", "", "after the timed loads, profile one more load's JavaScript (V8 CPU profile written to this file, open it in Chrome's DevTools) and print where its time went")
	flag.Parse()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(*chrome), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1440, 900))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	tr := &traffic{inflight: map[network.RequestID]string{}}
	// The first action starts the browser, without a timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		log.Fatal(err)
	}
	_ = chromedp.Listen(ctx, func(ev any) {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			tr.inflight[e.RequestID] = e.Request.URL
			tr.requests++
			tr.last = time.Now()
		case *network.EventLoadingFinished:
			tr.bytes += e.EncodedDataLength
			delete(tr.inflight, e.RequestID)
			tr.last = time.Now()
		case *network.EventLoadingFailed:
			delete(tr.inflight, e.RequestID)
			tr.last = time.Now()
		}
	})
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: !*cache}); err != nil {
		log.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(*url+"/login.html")); err != nil {
		log.Fatal(err)
	}
	tctx, cancelT := context.WithTimeout(ctx, 5*time.Minute)
	defer cancelT()
	login := fmt.Sprintf(`(async () => { const r = await fetch('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: %q, password: %q }) }); return r.status; })()`, *user, *pass)
	status, err := chromedp.Run(tctx, chromedp.Evaluate[int](login, chromedp.EvalAwaitPromise))
	if err != nil || status != 200 {
		log.Fatalf("login as %s: %d %v", *user, status, err)
	}
	// stuck says what the page is waiting for.
	stuck := func(what string, err error) {
		state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({ ready: document.body.dataset.ready, paint: document.body.dataset.paintMs, banner: document.querySelector('#banner').textContent, tiles: (() => { const o = []; diaban.map.eachLayer((l) => { if (l._tiles) o.push(Object.values(l._tiles).map((t) => !!t.loaded + '/' + t.current).join(',')); }); return o; })() })`))
		tr.mu.Lock()
		defer tr.mu.Unlock()
		log.Fatalf("%s: %v; page %s; in flight %v", what, err, state, tr.inflight)
	}
	// settled: every tile layer drawn, no request in flight for 300 ms.
	settle := func(start time.Time) time.Duration {
		deadline := time.Now().Add(180 * time.Second)
		const js = `(() => { let ok = true; diaban.map.eachLayer((l) => { if (l._tiles && !Object.values(l._tiles).every((t) => t.loaded || t.current === false)) ok = false; }); return ok; })()`
		for {
			ok, err := chromedp.Run(tctx, chromedp.Evaluate[bool](js))
			if err != nil {
				log.Fatal(err)
			}
			_, _, inflight, last := tr.snapshot()
			if ok && inflight == 0 && time.Since(last) > 300*time.Millisecond {
				return last.Sub(start)
			}
			if time.Now().After(deadline) {
				stuck("not settled", nil)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	fmt.Printf("user %s\n", *user)
	for i := 0; i < *runs; i++ {
		b0, r0, _, _ := tr.snapshot()
		start := time.Now()
		tr.mu.Lock()
		clear(tr.inflight) // what the last page left unfinished
		tr.mu.Unlock()
		if err := chromedp.Do(tctx, chromedp.Navigate(*url+*page)); err != nil {
			log.Fatal(err)
		}
		paint, err := chromedp.Run(tctx, chromedp.Poll[string](`document.body.dataset.paintMs || ''`, chromedp.WithPollingTimeout(60*time.Second)))
		if err != nil {
			stuck("no first paint", err)
		}
		bp, _, _, _ := tr.snapshot()
		if _, err := chromedp.Run(tctx, chromedp.Poll[bool](`document.body.dataset.ready === 'true'`, chromedp.WithPollingTimeout(60*time.Second))); err != nil {
			stuck("not ready", err)
		}
		tiled, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.body.dataset.areasTiled`))
		if err != nil {
			log.Fatal(err)
		}
		d := settle(start)
		b1, r1, _, _ := tr.snapshot()
		if *verbose {
			list, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`performance.getEntriesByType('resource').map((e) => Math.round(e.startTime) + ' +' + Math.round(e.duration) + ' ' + e.encodedBodySize + ' ' + e.name.replace(location.origin, '')).join('\n')`))
			fmt.Println(list)
			long, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`JSON.stringify(window.diabanLongTasks || [])`))
			fmt.Println("long tasks [start, ms]:", long)
		}
		// When the last area tile in view was drawn (Leaflet stamps each
		// tile as it is ready), from the start of the navigation.
		drawn, err := chromedp.Run(tctx, chromedp.Evaluate[float64](`(() => { const l = diaban.tiles.areas && diaban.tiles.areas.layer; if (!l) return -1; return Math.round(Math.max(...Object.values(l._tiles).filter((t) => t.current).map((t) => t.loaded)) - performance.timeOrigin); })()`))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("load %d: areas drawn %.0f ms, marked %s ms (areas from tiles: %s), %.0f kB by then; settled %.0f ms, %.0f kB in %d requests\n",
			i+1, drawn, paint, tiled, (bp-b0)/1024, float64(d.Milliseconds()), (b1-b0)/1024, r1-r0)
	}
	if *profile != "" {
		profileLoad(tctx, *url+*page, *profile)
	}
	steps := []struct{ name, js string }{
		{"pan east 400 px", `diaban.map.panBy([400, 0], { animate: false })`},
		{"pan south 300 px", `diaban.map.panBy([0, 300], { animate: false })`},
		{"zoom in", `diaban.map.zoomIn(1, { animate: false })`},
		{"zoom in", `diaban.map.zoomIn(1, { animate: false })`},
		{"pan west 400 px", `diaban.map.panBy([-400, 0], { animate: false })`},
		{"zoom out", `diaban.map.zoomOut(1, { animate: false })`},
		{"zoom out", `diaban.map.zoomOut(1, { animate: false })`},
	}
	for _, st := range steps {
		b0, r0, _, _ := tr.snapshot()
		start := time.Now()
		z, err := chromedp.Run(tctx, chromedp.Evaluate[float64](st.js+`, diaban.map.getZoom()`))
		if err != nil {
			log.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		d := settle(start)
		b1, r1, _, _ := tr.snapshot()
		fmt.Printf("%-17s (zoom %.2f): settled %4d ms, %6.1f kB in %d requests\n", st.name, z, d.Milliseconds(), (b1-b0)/1024, r1-r0)
	}
}

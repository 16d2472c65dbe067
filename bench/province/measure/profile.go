package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
)

// profileLoad loads the map once more under V8's sampling profiler, writes
// the profile (a .cpuprofile DevTools opens) and prints where the page's
// main thread spent its time: by function itself (self) and with what it
// called (total), over the whole load and over its longest busy stretch.
func profileLoad(ctx context.Context, url, file string) {
	if _, err := chromedp.Call(ctx, profiler.Enable, cdp.Empty{}); err != nil {
		log.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: 500}); err != nil {
		log.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, profiler.Start, cdp.Empty{}); err != nil {
		log.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		log.Fatal(err)
	}
	paint, err := chromedp.Run(ctx, chromedp.Poll[string](`document.body.dataset.paintMs || ''`, chromedp.WithPollingTimeout(60*time.Second)))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.ready === 'true'`, chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		log.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	res, err := chromedp.Call(ctx, profiler.Stop, cdp.Empty{})
	if err != nil {
		log.Fatal(err)
	}
	prof := res.Profile
	b, err := json.Marshal(prof)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("profiled load: marked %s ms; profile in %s\n", paint, file)
	summarize(prof)
}

// summarize prints the top functions by self and total time, for the whole
// profile and for its longest stretch without idle samples.
func summarize(p *profiler.Profile) {
	parent := map[int64]int64{}
	byID := map[int64]*profiler.ProfileNode{}
	for _, n := range p.Nodes {
		byID[n.ID] = n
		for _, c := range n.Children {
			parent[c] = n.ID
		}
	}
	name := func(id int64) string {
		cf := byID[id].CallFrame
		fn := cf.FunctionName
		if fn == "" {
			fn = "(anonymous)"
		}
		if cf.URL == "" {
			return fn
		}
		u := cf.URL
		for i := len(u) - 1; i >= 0; i-- {
			if u[i] == '/' {
				u = u[i+1:]
				break
			}
		}
		return fmt.Sprintf("%s %s:%d", fn, u, cf.LineNumber+1)
	}
	// Sample times (µs) and the longest busy stretch (no "(idle)" on top).
	n := len(p.Samples)
	at := make([]int64, n)
	t := int64(p.StartTime)
	for i := range p.Samples {
		t += p.TimeDeltas[i]
		at[i] = t
	}
	idle := func(i int) bool { return byID[p.Samples[i]].CallFrame.FunctionName == "(idle)" }
	bestA, bestB, a := 0, 0, -1
	for i := 0; i <= n; i++ {
		if i < n && !idle(i) {
			if a < 0 {
				a = i
			}
			continue
		}
		if a >= 0 && at[i-1]-at[a] > at[max(bestB-1, 0)]-at[bestA] {
			bestA, bestB = a, i
		}
		a = -1
	}
	report := func(title string, from, to int) {
		self := map[string]float64{}
		total := map[string]float64{}
		var busy float64
		for i := from; i < to; i++ {
			d := 0.0
			if i+1 < n {
				d = float64(at[i+1]-at[i]) / 1000
			}
			id := p.Samples[i]
			if byID[id].CallFrame.FunctionName == "(idle)" {
				continue
			}
			busy += d
			self[name(id)] += d
			seen := map[string]bool{}
			for x, ok := id, true; ok; x, ok = parent[x] {
				k := name(x)
				if !seen[k] {
					total[k] += d
					seen[k] = true
				}
			}
		}
		fmt.Printf("%s: %.0f ms busy of %.0f ms\n", title, busy, float64(at[max(to-1, from)]-at[from])/1000)
		top := func(m map[string]float64, what string) {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] })
			fmt.Printf("  by %s:\n", what)
			for i, k := range keys {
				if i == 25 || m[k] < 5 {
					break
				}
				fmt.Printf("    %6.0f ms  %s\n", m[k], k)
			}
		}
		top(self, "self time")
		top(total, "total time")
	}
	if n == 0 {
		fmt.Println("profile: no samples")
		return
	}
	report("whole load", 0, n)
	// A timeline by 50 ms from the first sample in the page's own scripts:
	// how busy the thread was and under which of the page's functions.
	first := -1
	for i := 0; i < n && first < 0; i++ {
		for x, ok := p.Samples[i], true; ok; x, ok = parent[x] {
			if u := byID[x].CallFrame.URL; u != "" && !strings.Contains(u, "/vendor/") && !strings.HasPrefix(u, "chrome") {
				first = i
				break
			}
		}
	}
	if first >= 0 {
		fmt.Println("timeline from the page's first script sample (50 ms buckets: busy ms, then where, by total time):")
		type bucket struct {
			busy  float64
			where map[string]float64
		}
		var bs []*bucket
		for i := first; i+1 < n; i++ {
			id := p.Samples[i]
			if byID[id].CallFrame.FunctionName == "(idle)" {
				continue
			}
			k := int((at[i] - at[first]) / 50000)
			for len(bs) <= k {
				bs = append(bs, &bucket{where: map[string]float64{}})
			}
			d := float64(at[i+1]-at[i]) / 1000
			bs[k].busy += d
			seen := map[string]bool{}
			for x, ok := id, true; ok; x, ok = parent[x] {
				nm := name(x)
				if nm == "(root)" || seen[nm] {
					continue
				}
				seen[nm] = true
				bs[k].where[nm] += d
			}
		}
		for k, b := range bs {
			if b.busy < 5 {
				continue
			}
			keys := make([]string, 0, len(b.where))
			for nm := range b.where {
				keys = append(keys, nm)
			}
			sort.Slice(keys, func(i, j int) bool { return b.where[keys[i]] > b.where[keys[j]] })
			var parts []string
			for i, nm := range keys {
				if i == 6 {
					break
				}
				parts = append(parts, fmt.Sprintf("%s %.0f", nm, b.where[nm]))
			}
			fmt.Printf("  %5d ms: %3.0f busy; %s\n", k*50, b.busy, strings.Join(parts, "; "))
		}
	}
	if bestB > bestA {
		fmt.Printf("longest busy stretch starts %.0f ms into the profile\n", float64(at[bestA]-at[0])/1000)
		report("longest busy stretch", bestA, bestB)
	}
}

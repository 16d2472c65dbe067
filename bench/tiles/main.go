// Command tiles is the load generator of bench/tiles/run.sh: it asks every
// tile of zooms -zmin to -zmax over a box from each target server, layer by
// layer, twice (cold: the first request of each tile since the server
// started; warm: the same tiles again), and prints the time of each pass.
//
//	tiles -box lon0,lat0,lon1,lat1 -layers cells,areas \
//	  -target 'name|http://host/tiles/{layer}/{z}/{x}/{y}|token' ...
//
// A target's URL names the layer, zoom and tile as {layer}, {z}, {x}, {y};
// its token, when given, is sent as "Authorization: Bearer". Requests are
// made -c at a time (1: one after another, so a pass's time is the sum of
// the tiles' times).
//
// With -get PATH (repeatable) it asks each path -n times of each target
// instead, one request at a time, and prints p50 and p90; a target's URL
// is then the server's base URL:
//
//	tiles -n 30 -get '/api/cells?area=503' -target 'name|http://host|token'
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

type target struct{ name, url, token string }

type targets []target

func (t *targets) String() string { return fmt.Sprint(*t) }
func (t *targets) Set(v string) error {
	p := strings.SplitN(v, "|", 3)
	if len(p) < 2 {
		return fmt.Errorf("target %q: want name|url[|token]", v)
	}
	tg := target{name: p[0], url: p[1]}
	if len(p) == 3 {
		tg.token = p[2]
	}
	*t = append(*t, tg)
	return nil
}

func main() {
	var ts targets
	flag.Var(&ts, "target", "name|url template|bearer token (repeatable)")
	box := flag.String("box", "", "lon0,lat0,lon1,lat1 of the tiles asked")
	zmin := flag.Int("zmin", 12, "lowest zoom")
	zmax := flag.Int("zmax", 16, "highest zoom")
	layers := flag.String("layers", "cells,areas,hotspots,cameras", "layers, comma-separated")
	conc := flag.Int("c", 1, "requests at once")
	var gets targets
	flag.Func("get", "a path to ask -n times of each target (repeatable); the targets' URLs are base URLs", func(v string) error {
		gets = append(gets, target{url: v})
		return nil
	})
	reps := flag.Int("n", 30, "requests of each -get path per target")
	byZoom := flag.Bool("byzoom", false, "also print, per zoom, the time of the tiles with and without features")
	order := flag.String("order", "layer", "layer: every target per layer in turn; target: every layer per target")
	flag.Parse()
	if len(gets) > 0 && len(ts) > 0 {
		client := &http.Client{Timeout: 5 * time.Minute}
		for _, g := range gets {
			for _, t := range ts {
				ds := make([]time.Duration, *reps)
				var size int64
				for i := range ds {
					req, _ := http.NewRequest("GET", t.url+g.url, nil)
					if t.token != "" {
						req.Header.Set("Authorization", "Bearer "+t.token)
					}
					s := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						log.Fatalf("%s %s: %v", t.name, g.url, err)
					}
					size, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					ds[i] = time.Since(s)
					if resp.StatusCode != http.StatusOK {
						log.Fatalf("%s %s: %s", t.name, g.url, resp.Status)
					}
				}
				slices.Sort(ds)
				q := func(f float64) float64 { return float64(ds[int(f*float64(len(ds)-1))].Microseconds()) / 1000 }
				fmt.Printf("%-44s %-13s p50 %8.1f ms  p90 %8.1f ms  (n=%d, %d bytes)\n", g.url, t.name, q(0.5), q(0.9), *reps, size)
			}
		}
		return
	}
	if len(ts) == 0 || *box == "" {
		flag.Usage()
		os.Exit(2)
	}
	var b [4]float64
	for i, s := range strings.Split(*box, ",") {
		if i > 3 {
			log.Fatalf("-box: want 4 numbers")
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			log.Fatalf("-box: %v", err)
		}
		b[i] = v
	}
	bound := orb.Bound{Min: orb.Point{b[0], b[1]}, Max: orb.Point{b[2], b[3]}}
	var coords []maptile.Tile
	for z := maptile.Zoom(*zmin); z <= maptile.Zoom(*zmax); z++ {
		lo := maptile.At(orb.Point{bound.Min[0], bound.Max[1]}, z)
		hi := maptile.At(orb.Point{bound.Max[0], bound.Min[1]}, z)
		for x := lo.X; x <= hi.X; x++ {
			for y := lo.Y; y <= hi.Y; y++ {
				coords = append(coords, maptile.New(x, y, z))
			}
		}
	}
	fmt.Printf("%d tiles z%d–%d over %v, %d at once\n", len(coords), *zmin, *zmax, *box, *conc)
	client := &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: *conc + 2}}
	run := func(t target, layer, pass string) {
		ds := make([]time.Duration, len(coords))
		sizes := make([]int64, len(coords))
		var bytes, empty atomic.Int64
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range *conc {
			wg.Go(func() {
				for {
					i := int(next.Add(1)) - 1
					if i >= len(coords) {
						return
					}
					c := coords[i]
					u := strings.NewReplacer("{layer}", layer, "{z}", fmt.Sprint(c.Z), "{x}", fmt.Sprint(c.X), "{y}", fmt.Sprint(c.Y)).Replace(t.url)
					req, _ := http.NewRequest("GET", u, nil)
					if t.token != "" {
						req.Header.Set("Authorization", "Bearer "+t.token)
					}
					s := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						log.Fatalf("%s %s: %v", t.name, u, err)
					}
					n, _ := io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					ds[i] = time.Since(s)
					if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
						log.Fatalf("%s %s: %s", t.name, u, resp.Status)
					}
					bytes.Add(n)
					sizes[i] = n
					if n == 0 {
						empty.Add(1)
					}
				}
			})
		}
		wg.Wait()
		total := time.Since(start)
		if *byZoom {
			type zs struct {
				n, full       int
				tEmpty, tFull time.Duration
			}
			per := map[maptile.Zoom]*zs{}
			for i, c := range coords {
				z := per[c.Z]
				if z == nil {
					z = &zs{}
					per[c.Z] = z
				}
				z.n++
				if sizes[i] > 0 {
					z.full++
					z.tFull += ds[i]
				} else {
					z.tEmpty += ds[i]
				}
			}
			for z := maptile.Zoom(*zmin); z <= maptile.Zoom(*zmax); z++ {
				if v := per[z]; v != nil {
					fmt.Printf("  z%d %-13s %-5s %4d tiles: %4d with features %8.1f ms, %4d empty %8.1f ms\n", z, t.name, pass, v.n, v.full,
						float64(v.tFull.Microseconds())/1000, v.n-v.full, float64(v.tEmpty.Microseconds())/1000)
				}
			}
		}
		slices.Sort(ds)
		q := func(f float64) float64 { return float64(ds[int(f*float64(len(ds)-1))].Microseconds()) / 1000 }
		fmt.Printf("%-9s %-13s %-5s %8.2f s  %7.2f ms/tile  p50 %7.2f  p95 %7.2f  max %8.2f ms  %6.1f MB  %4d empty\n",
			layer, t.name, pass, total.Seconds(), total.Seconds()*1000/float64(len(coords)), q(0.5), q(0.95), q(1), float64(bytes.Load())/1e6, empty.Load())
	}
	ls := strings.Split(*layers, ",")
	if *order == "target" {
		for _, t := range ts {
			for _, l := range ls {
				run(t, l, "cold")
				run(t, l, "warm")
			}
		}
		return
	}
	for _, l := range ls {
		for _, t := range ts {
			run(t, l, "cold")
			run(t, l, "warm")
		}
	}
}

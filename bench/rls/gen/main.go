// Command gen writes the RLS benchmark's data: incidents clustered around
// the demo's hotspots (a Gaussian of about 300 m around each, a tenth
// spread over the district's box), dated 2021–2026, and extra hotspots with
// their lifecycle events. Deterministic for a seed.
//
//	go run ./bench/rls/gen -hotspots DEMO/hotspots.csv -incidents 1000000 -events 100000 -out DIR
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

func main() {
	hsFile := flag.String("hotspots", "", "the demo's hotspots.csv (ref,lon,lat,...)")
	n := flag.Int("incidents", 1_000_000, "incidents to write")
	nEvents := flag.Int("events", 100_000, "hotspot events to write (10 per extra hotspot)")
	out := flag.String("out", ".", "output directory")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	f, err := os.Open(*hsFile)
	if err != nil {
		log.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		log.Fatal(err)
	}
	var centres [][2]float64
	minLon, minLat, maxLon, maxLat := 999.0, 999.0, -999.0, -999.0
	for _, r := range recs[1:] {
		lon, _ := strconv.ParseFloat(r[1], 64)
		lat, _ := strconv.ParseFloat(r[2], 64)
		centres = append(centres, [2]float64{lon, lat})
		minLon, minLat, maxLon, maxLat = min(minLon, lon), min(minLat, lat), max(maxLon, lon), max(maxLat, lat)
	}
	rng := rand.New(rand.NewPCG(*seed, 7))
	point := func() (float64, float64) {
		if rng.IntN(10) == 0 {
			return minLon + rng.Float64()*(maxLon-minLon), minLat + rng.Float64()*(maxLat-minLat)
		}
		c := centres[rng.IntN(len(centres))]
		return c[0] + rng.NormFloat64()*0.003, c[1] + rng.NormFloat64()*0.003
	}
	kinds := []string{"use", "trafficking", "storage", "transport", "organised_use", "other"}
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	span := int64(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).Sub(start))
	write := func(name string, fn func(w *bufio.Writer)) {
		g, err := os.Create(filepath.Join(*out, name))
		if err != nil {
			log.Fatal(err)
		}
		w := bufio.NewWriterSize(g, 1<<20)
		fn(w)
		if err := w.Flush(); err != nil {
			log.Fatal(err)
		}
		g.Close()
	}
	write("incidents.csv", func(w *bufio.Writer) {
		w.WriteString("ref,lon,lat,kind,occurred_at\n")
		for i := range *n {
			lon, lat := point()
			at := start.Add(time.Duration(rng.Int64N(span))).Truncate(time.Minute)
			fmt.Fprintf(w, "B-IN-%07d,%.6f,%.6f,%s,%s\n", i, lon, lat, kinds[rng.IntN(len(kinds))], at.Format(time.RFC3339))
		}
	})
	nh := *nEvents / 10
	type hs struct {
		ref      string
		lon, lat float64
	}
	hss := make([]hs, nh)
	write("hotspots.csv", func(w *bufio.Writer) {
		w.WriteString("ref,lon,lat,kind,name\n")
		for i := range hss {
			lon, lat := point()
			hss[i] = hs{fmt.Sprintf("B-HS-%06d", i), lon, lat}
			fmt.Fprintf(w, "%s,%.6f,%.6f,dealing,bench %d\n", hss[i].ref, lon, lat, i)
		}
	})
	// detected, then eliminated / recurred alternating, nine steps, a few weeks apart.
	write("events.csv", func(w *bufio.Writer) {
		w.WriteString("hotspot_ref,event,occurred_at,note\n")
		for _, h := range hss {
			at := start.Add(time.Duration(rng.Int64N(span / 3)))
			for j := range 10 {
				ev := "detected"
				if j > 0 && j%2 == 1 {
					ev = "eliminated"
				} else if j > 0 {
					ev = "recurred"
				}
				fmt.Fprintf(w, "%s,%s,%s,\n", h.ref, ev, at.Format(time.RFC3339))
				at = at.Add(time.Duration(7+rng.IntN(60)) * 24 * time.Hour)
			}
		}
	})
}

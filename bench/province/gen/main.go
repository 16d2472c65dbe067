// Command gen writes a synthetic province for the browser benchmark
// (bench/province/run.sh): 150 communes of ~2,000 vertices (a 15 × 10 grid
// whose shared sides meander, as in hotspot/areas_locate_test.go's
// synProvince), the province around them, 5,000 hotspots with their
// detection, and 1,000,000 incidents clustered around the hotspots.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

const w, s, e, n = 107.5, 15.55, 108.435, 16.45

type pt = [2]float64

func main() {
	out := flag.String("out", ".", "directory to write areas.geojson, hotspots.csv, events.csv, incidents.csv")
	nx := flag.Int("nx", 15, "communes west to east")
	ny := flag.Int("ny", 10, "communes south to north")
	side := flag.Int("side", 500, "vertices on each side of a commune")
	nh := flag.Int("hotspots", 5000, "hotspots")
	ni := flag.Int("incidents", 1000000, "incidents")
	flag.Parse()
	r := rand.New(rand.NewPCG(16, 108))
	cw, ch := (e-w)/float64(*nx), (n-s)/float64(*ny)
	node := make([][]pt, *nx+1)
	for i := range node {
		node[i] = make([]pt, *ny+1)
		for j := range node[i] {
			x, y := w+float64(i)*cw, s+float64(j)*ch
			if i > 0 && i < *nx {
				x += (r.Float64() - 0.5) * 0.4 * cw
			}
			if j > 0 && j < *ny {
				y += (r.Float64() - 0.5) * 0.4 * ch
			}
			node[i][j] = pt{x, y}
		}
	}
	amp := 0.1 * math.Min(cw, ch)
	sideOf := func(a, b pt, straight bool) []pt {
		pts := make([]pt, *side)
		dx, dy := b[0]-a[0], b[1]-a[1]
		l := math.Hypot(dx, dy)
		px, py := -dy/l, dx/l
		ph1, ph2 := r.Float64()*2*math.Pi, r.Float64()*2*math.Pi
		f1, f2 := 1+r.Float64()*2, 4+r.Float64()*6
		for k := range pts {
			t := float64(k) / float64(*side-1)
			off := 0.0
			if !straight {
				off = amp * math.Sin(math.Pi*t) * (0.7*math.Sin(2*math.Pi*f1*t+ph1) + 0.3*math.Sin(2*math.Pi*f2*t+ph2))
			}
			pts[k] = pt{a[0] + t*dx + off*px, a[1] + t*dy + off*py}
		}
		pts[0], pts[*side-1] = a, b
		return pts
	}
	h := make([][][]pt, *nx)
	for i := range h {
		h[i] = make([][]pt, *ny+1)
		for j := range h[i] {
			h[i][j] = sideOf(node[i][j], node[i+1][j], j == 0 || j == *ny)
		}
	}
	v := make([][][]pt, *nx+1)
	for i := range v {
		v[i] = make([][]pt, *ny)
		for j := range v[i] {
			v[i][j] = sideOf(node[i][j], node[i][j+1], i == 0 || i == *nx)
		}
	}
	rev := func(p []pt) []pt {
		q := make([]pt, len(p))
		for k := range p {
			q[k] = p[len(p)-1-k]
		}
		return q
	}
	type feature struct {
		Type       string         `json:"type"`
		Properties map[string]any `json:"properties"`
		Geometry   map[string]any `json:"geometry"`
	}
	feats := []feature{{Type: "Feature",
		Properties: map[string]any{"code": "90", "name": "Tỉnh Thử Nghiệm", "level": "province"},
		Geometry:   map[string]any{"type": "Polygon", "coordinates": [][]pt{{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}}}}}
	type commune struct{ ring []pt }
	var communes []commune
	for j := 0; j < *ny; j++ {
		for i := 0; i < *nx; i++ {
			var ring []pt
			ring = append(ring, h[i][j]...)
			ring = append(ring, v[i+1][j][1:]...)
			ring = append(ring, rev(h[i][j+1])[1:]...)
			ring = append(ring, rev(v[i][j])[1:]...)
			communes = append(communes, commune{ring})
			code := fmt.Sprintf("9%04d", len(communes))
			feats = append(feats, feature{Type: "Feature",
				Properties: map[string]any{"code": code, "name": fmt.Sprintf("Xã Thử %d", len(communes)), "level": "commune", "parent_code": "90"},
				Geometry:   map[string]any{"type": "Polygon", "coordinates": [][]pt{ring}}})
		}
	}
	write(*out, "areas.geojson", func(b *bufio.Writer) {
		_ = json.NewEncoder(b).Encode(map[string]any{"type": "FeatureCollection", "features": feats})
	})
	// Hotspots: uniform over the province (inset from its edge).
	hs := make([]pt, *nh)
	for k := range hs {
		hs[k] = pt{w + 0.01 + r.Float64()*(e-w-0.02), s + 0.01 + r.Float64()*(n-s-0.02)}
	}
	kinds := []string{"dealing", "storage", "organised_use", "public_use"}
	write(*out, "hotspots.csv", func(b *bufio.Writer) {
		fmt.Fprintln(b, "ref,lon,lat,kind,name")
		for k, p := range hs {
			fmt.Fprintf(b, "PV-HS-%05d,%.6f,%.6f,%s,Tụ điểm %d\n", k+1, p[0], p[1], kinds[k%len(kinds)], k+1)
		}
	})
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	write(*out, "events.csv", func(b *bufio.Writer) {
		fmt.Fprintln(b, "hotspot_ref,event,occurred_at,note")
		for k := range hs {
			at := start.Add(time.Duration(r.IntN(4*365*24)) * time.Hour)
			fmt.Fprintf(b, "PV-HS-%05d,detected,%s,\n", k+1, at.Format(time.RFC3339))
			if k%5 == 0 {
				fmt.Fprintf(b, "PV-HS-%05d,eliminated,%s,\n", k+1, at.Add(90*24*time.Hour).Format(time.RFC3339))
			}
		}
	})
	// Incidents: 80 % within ~300 m of a hotspot, the rest anywhere.
	iks := []string{"use", "trafficking", "storage", "transport"}
	write(*out, "incidents.csv", func(b *bufio.Writer) {
		fmt.Fprintln(b, "ref,lon,lat,kind,occurred_at")
		span := 5 * 365 * 24 * 60
		for k := 0; k < *ni; k++ {
			var p pt
			if r.IntN(5) > 0 {
				c := hs[r.IntN(len(hs))]
				p = pt{c[0] + r.NormFloat64()*0.003, c[1] + r.NormFloat64()*0.003}
			} else {
				p = pt{w + r.Float64()*(e-w), s + r.Float64()*(n-s)}
			}
			p[0] = math.Min(math.Max(p[0], w+0.0001), e-0.0001)
			p[1] = math.Min(math.Max(p[1], s+0.0001), n-0.0001)
			at := start.Add(time.Duration(r.IntN(span)) * time.Minute)
			fmt.Fprintf(b, "PV-IN-%07d,%.6f,%.6f,%s,%s\n", k+1, p[0], p[1], iks[k%len(iks)], at.Format(time.RFC3339))
		}
	})
}

func write(dir, name string, fn func(*bufio.Writer)) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		log.Fatal(err)
	}
	b := bufio.NewWriterSize(f, 1<<20)
	fn(b)
	if err := b.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

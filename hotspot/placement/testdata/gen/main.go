// Command gen writes the small planning instances whose exact optima
// make_optima.sh computes with CBC: for each, demand.csv, sites.csv,
// existing.csv and params.json under -out, and the integer program in CPLEX
// LP format under -lp. Run it through make_optima.sh.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot/placement"
	"github.com/diaban/diaban/hotspot/placement/internal/synth"
)

// Params is an instance's params.json.
type Params struct {
	K          int       `json:"k"`
	MaxPerSite int       `json:"max_per_site"`
	RangeM     float64   `json:"range_m"`
	FOV        float64   `json:"fov"`
	Bearings   []float64 `json:"bearings,omitempty"`
}

type spec struct {
	name     string
	cfg      synth.Config
	params   Params
	existing int // existing cameras, taken from the first sites
}

var specs = []spec{
	{"a_k5_s60", synth.Config{Seed: 11, Demand: 400, Sites: 60, Clusters: 6, SizeM: 800}, Params{K: 5, MaxPerSite: 1, RangeM: 120, FOV: 90}, 0},
	{"b_k10_s100", synth.Config{Seed: 12, Demand: 600, Sites: 100, Clusters: 8, SizeM: 1000}, Params{K: 10, MaxPerSite: 1, RangeM: 120, FOV: 90}, 0},
	{"c_k15_s150", synth.Config{Seed: 13, Demand: 800, Sites: 150, Clusters: 10, SizeM: 1200}, Params{K: 15, MaxPerSite: 1, RangeM: 120, FOV: 90}, 0},
	{"d_k20_s200", synth.Config{Seed: 14, Demand: 800, Sites: 200, Clusters: 12, SizeM: 1200}, Params{K: 20, MaxPerSite: 1, RangeM: 100, FOV: 60}, 0},
	{"e_k8_s200_cap2", synth.Config{Seed: 15, Demand: 700, Sites: 200, Clusters: 5, SizeM: 1000}, Params{K: 8, MaxPerSite: 2, RangeM: 150, FOV: 90}, 0},
	{"f_k10_s120_existing", synth.Config{Seed: 16, Demand: 700, Sites: 120, Clusters: 8, SizeM: 1000}, Params{K: 10, MaxPerSite: 1, RangeM: 120, FOV: 90}, 6},
	{"g_k12_s150_dome", synth.Config{Seed: 17, Demand: 600, Sites: 150, Clusters: 8, SizeM: 1200}, Params{K: 12, MaxPerSite: 1, RangeM: 90, FOV: 360}, 0},
	{"h_k6_s200_wide", synth.Config{Seed: 18, Demand: 800, Sites: 200, Clusters: 4, SizeM: 900}, Params{K: 6, MaxPerSite: 1, RangeM: 130, FOV: 120, Bearings: []float64{0, 60, 120, 180, 240, 300}}, 0},
}

func main() {
	out := flag.String("out", "optima", "directory of the instances")
	lp := flag.String("lp", os.TempDir(), "directory for the LP files")
	flag.Parse()
	for _, s := range specs {
		if err := write(s, filepath.Join(*out, s.name), filepath.Join(*lp, s.name+".lp")); err != nil {
			log.Fatalf("%s: %v", s.name, err)
		}
	}
}

func write(s spec, dir, lpPath string) error {
	demand, sites := synth.Generate(s.cfg)
	var existing []placement.Camera
	for i := 0; i < s.existing; i++ {
		existing = append(existing, placement.Camera{Ref: fmt.Sprintf("e%d", i), Owner: placement.OwnerPolice, Status: placement.StatusActive,
			View: geo.FieldOfView{Site: sites[i].Point, Bearing: float64(90 * (i % 4)), FOV: s.params.FOV, RangeM: s.params.RangeM}})
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("id,lon,lat,weight,hotspot\n")
	for _, d := range demand {
		fmt.Fprintf(&b, "%s,%.7f,%.7f,%g,%t\n", d.ID, d.Point.Lon, d.Point.Lat, d.Weight, d.Hotspot)
	}
	if err := os.WriteFile(filepath.Join(dir, "demand.csv"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	b.Reset()
	b.WriteString("id,lon,lat\n")
	for _, st := range sites {
		fmt.Fprintf(&b, "%s,%.7f,%.7f\n", st.ID, st.Point.Lon, st.Point.Lat)
	}
	if err := os.WriteFile(filepath.Join(dir, "sites.csv"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	b.Reset()
	b.WriteString("ref,lon,lat,bearing,fov,range_m,owner,status\n")
	for _, c := range existing {
		fmt.Fprintf(&b, "%s,%.7f,%.7f,%g,%g,%g,%s,%s\n", c.Ref, c.View.Site.Lon, c.View.Site.Lat, c.View.Bearing, c.View.FOV, c.View.RangeM, c.Owner, c.Status)
	}
	if err := os.WriteFile(filepath.Join(dir, "existing.csv"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	pj, _ := json.MarshalIndent(s.params, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "params.json"), append(pj, '\n'), 0o644); err != nil {
		return err
	}
	// Read back what was written, so the LP is built from exactly the
	// rounded inputs the test will read.
	return writeLP(dir, lpPath, s.params)
}

func writeLP(dir, lpPath string, p Params) error {
	open := func(name string) *os.File {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			log.Fatal(err)
		}
		return f
	}
	demand, err := placement.ReadDemandCSV(open("demand.csv"))
	if err != nil {
		return err
	}
	sites, err := placement.ReadSitesCSV(open("sites.csv"))
	if err != nil {
		return err
	}
	existing, err := placement.ReadCamerasCSV(open("existing.csv"))
	if err != nil {
		return err
	}
	c, err := placement.NewCandidates(demand, sites, placement.Model{RangeM: p.RangeM, FOV: p.FOV, Bearings: p.Bearings}, existing)
	if err != nil {
		return err
	}
	// maximise Σ w_i y_i  s.t.  y_i ≤ Σ_{o∋i} x_o,  Σ x_o ≤ K,  Σ_{o at s} x_o ≤ cap,
	// x binary, 0 ≤ y ≤ 1
	covers := map[int32][]int{}
	for o := 0; o < c.Options(); o++ {
		for _, i := range c.Covers(o) {
			covers[i] = append(covers[i], o)
		}
	}
	var b strings.Builder
	b.WriteString("Maximize\n obj:")
	for i := range demand {
		if len(covers[int32(i)]) > 0 {
			fmt.Fprintf(&b, " + %.6f y%d", c.Weight(i), i)
		}
	}
	b.WriteString("\nSubject To\n")
	for i := range demand {
		os := covers[int32(i)]
		if len(os) == 0 {
			continue
		}
		fmt.Fprintf(&b, " c%d: y%d", i, i)
		for _, o := range os {
			fmt.Fprintf(&b, " - x%d", o)
		}
		b.WriteString(" <= 0\n")
	}
	b.WriteString(" budget:")
	for o := 0; o < c.Options(); o++ {
		fmt.Fprintf(&b, " + x%d", o)
	}
	fmt.Fprintf(&b, " <= %d\n", p.K)
	nb := c.Options() / len(sites)
	capN := max(p.MaxPerSite, 1)
	if capN < nb {
		for s := 0; s < len(sites); s++ {
			fmt.Fprintf(&b, " site%d:", s)
			for o := s * nb; o < (s+1)*nb; o++ {
				fmt.Fprintf(&b, " + x%d", o)
			}
			fmt.Fprintf(&b, " <= %d\n", capN)
		}
	}
	b.WriteString("Bounds\n")
	for i := range demand {
		if len(covers[int32(i)]) > 0 {
			fmt.Fprintf(&b, " 0 <= y%d <= 1\n", i)
		}
	}
	b.WriteString("Binary\n")
	for o := 0; o < c.Options(); o++ {
		fmt.Fprintf(&b, " x%d\n", o)
	}
	b.WriteString("End\n")
	fmt.Printf("%s existing_weight %.6f\n", filepath.Base(dir), c.ExistingWeight())
	return os.WriteFile(lpPath, []byte(b.String()), 0o644)
}

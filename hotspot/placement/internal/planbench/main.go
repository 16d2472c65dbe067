// Command planbench solves the placement benchmark set (junctions of real
// street networks and random instances, K from 5 to 50, fields of view of
// 60°, 90° and 360°) and prints a Markdown table: the heuristic's and the
// final plan's weight, the proven optimum (or best bound), the stated gap
// and the true one. Instances the solver cannot prove within -limit are
// solved again with -verify; with -cbc, CBC (Debian coinor-cbc) checks the
// optima independently.
//
//	go run ./hotspot/placement/internal/planbench -set all -cbc > results.md
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/diaban/diaban/hotspot/placement"
	"github.com/diaban/diaban/hotspot/placement/internal/synth"
)

// Instance is one benchmark instance.
type Instance struct {
	Name     string
	Demand   []placement.DemandPoint
	Sites    []placement.Site
	Existing []placement.Camera
	Model    placement.Model
	K        int
}

func main() {
	set := flag.String("set", "all", "instances: all, streets, random, or a name prefix")
	limit := flag.Duration("limit", 10*time.Second, "the solver's time limit")
	verify := flag.Duration("verify", 120*time.Second, "time limit to prove instances not proven within -limit (0: skip)")
	useCBC := flag.Bool("cbc", false, "check optima with CBC (needs the cbc command)")
	cbcLimit := flag.Int("cbc-sec", 300, "CBC's time limit in seconds")
	data := flag.String("testdata", "hotspot/placement/testdata", "directory of the junction files")
	cachePath := flag.String("cbc-cache", "bench/placement/cbc_optima.tsv", "file of CBC's results by instance, read and extended")
	flag.Parse()
	cache := readCache(*cachePath)
	insts, err := Instances(*data, *set)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("| instance | sites×bearings | demand | K | FOV | greedy+swap | +restarts+ILS | plan | optimum (or bound) | plan/opt | search/opt | optimal? | stated gap | true gap | time (s) | nodes | CBC |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	worst, worstName := 2.0, ""
	proven, total, violations := 0, 0, 0
	for _, in := range insts {
		c, err := placement.NewCandidates(in.Demand, in.Sites, in.Model, in.Existing)
		if err != nil {
			log.Fatalf("%s: %v", in.Name, err)
		}
		res, err := c.Solve(placement.Options{K: in.K, TimeLimit: *limit})
		if err != nil {
			log.Fatalf("%s: %v", in.Name, err)
		}
		opt, optKnown, bound := res.CoveredWeight, res.Optimal, res.UpperBound
		if !res.Optimal && *verify > 0 {
			v, err := c.Solve(placement.Options{K: in.K, TimeLimit: *verify})
			if err != nil {
				log.Fatal(err)
			}
			bound = min(bound, v.UpperBound)
			if v.Optimal {
				opt, optKnown = v.CoveredWeight, true
			} else {
				opt = max(opt, v.CoveredWeight)
			}
		}
		cbcCol := "–"
		if *useCBC {
			r, hit := cache[in.Name]
			var err error
			if !hit {
				start := time.Now()
				r.value, r.proven, err = solveCBC(c, in.K, *cbcLimit)
				r.seconds = time.Since(start).Seconds()
				if err == nil {
					cache[in.Name] = r
					appendCache(*cachePath, in.Name, r)
				}
			}
			val, ok := r.value, r.proven
			switch {
			case err != nil:
				cbcCol = "error: " + err.Error()
			case ok:
				cbcCol = fmt.Sprintf("%.3f (%.0f s)", val, r.seconds)
				if optKnown && math.Abs(val-opt) > 1e-4*opt {
					cbcCol += " **differs**"
				}
				if !optKnown {
					opt, optKnown = val, true
				}
			default:
				cbcCol = fmt.Sprintf("≥ %.3f (not proven)", val)
			}
		}
		total++
		if res.Optimal {
			proven++
		}
		ref := opt
		optCol := fmt.Sprintf("%.3f", opt)
		if !optKnown {
			ref = bound
			optCol = fmt.Sprintf("≤ %.3f", bound)
		}
		ratio := res.CoveredWeight / ref
		trueGap := "?"
		if optKnown {
			tg := (opt - res.CoveredWeight) / opt
			trueGap = fmt.Sprintf("%.4f %%", 100*tg)
			if res.Gap < tg-1e-9 {
				violations++
				trueGap += " **above stated**"
			}
		}
		if ratio < worst {
			worst, worstName = ratio, in.Name
		}
		fmt.Printf("| %s | %d×%d | %d | %d | %g° | %.3f | %.3f | %.3f | %s | %.5f | %.5f | %v | %.4f %% | %s | %.2f | %d | %s |\n",
			in.Name, len(in.Sites), c.Options()/max(len(in.Sites), 1), len(in.Demand), in.K, in.Model.FOV,
			res.HeuristicWeight, res.SearchWeight, res.CoveredWeight, optCol, ratio, res.SearchWeight/ref,
			map[bool]string{true: "yes", false: "no"}[res.Optimal], 100*res.Gap, trueGap, res.Seconds, res.Nodes, cbcCol)
	}
	fmt.Printf("\n%d instances, %d proven optimal within %v; worst plan/optimum %.5f (%s); stated gap below the true one: %d\n",
		total, proven, *limit, worst, worstName, violations)
}

// Instances returns the benchmark set: the junctions of four cities'
// street networks, and random instances, each for K in 5, 10, 20, 35, 50
// and fields of view of 60°, 90° and 360°.
func Instances(data, set string) ([]Instance, error) {
	var out []Instance
	cities := []struct {
		name   string
		seed   uint64
		demand int
	}{
		{"monaco", 31, 3000}, {"aguascalientes", 32, 4000}, {"campogrande", 33, 4000}, {"gothenburg", 34, 6000},
	}
	fovs := []float64{60, 90, 360}
	ks := []int{5, 10, 20, 35, 50}
	for _, city := range cities {
		name := "streets/" + city.name
		if !want(set, name, "streets") && !strings.HasPrefix(set, name) {
			continue
		}
		sites, err := readSites(filepath.Join(data, "junctions_"+city.name+".csv"))
		if err != nil {
			return nil, err
		}
		demand := synth.Streets(sites, synth.Config{Seed: city.seed, Demand: city.demand, Clusters: 12})
		for _, fov := range fovs {
			for _, k := range ks {
				in := Instance{Name: fmt.Sprintf("%s/fov%g/k%d", name, fov, k), Demand: demand, Sites: sites,
					Model: placement.Model{RangeM: 120, FOV: fov}, K: k}
				if want(set, in.Name, "streets") {
					out = append(out, in)
				}
			}
		}
	}
	for seed := uint64(41); seed <= 42; seed++ {
		name := fmt.Sprintf("random/s%d", seed)
		if !want(set, name, "random") {
			continue
		}
		demand, sites := synth.Generate(synth.Config{Seed: seed, Demand: 3000, Sites: 500, Clusters: 10, SizeM: 2500})
		for _, fov := range fovs {
			for _, k := range ks {
				out = append(out, Instance{Name: fmt.Sprintf("%s/fov%g/k%d", name, fov, k), Demand: demand, Sites: sites,
					Model: placement.Model{RangeM: 120, FOV: fov}, K: k})
			}
		}
	}
	return out, nil
}

func want(set, name, family string) bool {
	return set == "all" || set == family || strings.HasPrefix(name, set)
}

func readSites(path string) ([]placement.Site, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return placement.ReadSitesCSV(f)
}

// solveCBC writes the integer program of c (K cameras, one per site) in
// CPLEX LP format and solves it with CBC. It returns the optimum, existing
// cover included, and whether CBC proved it (else the best it found).
func solveCBC(c *placement.Candidates, k, sec int) (float64, bool, error) {
	if _, err := exec.LookPath("cbc"); err != nil {
		return 0, false, fmt.Errorf("no cbc")
	}
	dir, err := os.MkdirTemp("", "planbench")
	if err != nil {
		return 0, false, err
	}
	defer os.RemoveAll(dir)
	covers := map[int32][]int{}
	for o := 0; o < c.Options(); o++ {
		for _, i := range c.Covers(o) {
			covers[i] = append(covers[i], o)
		}
	}
	var b strings.Builder
	b.WriteString("Maximize\n obj:")
	for i, os := range covers {
		if len(os) > 0 {
			fmt.Fprintf(&b, " + %.6f y%d", c.Weight(int(i)), i)
		}
	}
	b.WriteString("\nSubject To\n")
	for i, os := range covers {
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
	fmt.Fprintf(&b, " <= %d\n", k)
	site := func(o int) string { s, _ := c.Option(o); return s.ID }
	for lo := 0; lo < c.Options(); {
		hi := lo + 1
		for hi < c.Options() && site(hi) == site(lo) {
			hi++
		}
		if hi-lo > 1 {
			fmt.Fprintf(&b, " site%d:", lo)
			for o := lo; o < hi; o++ {
				fmt.Fprintf(&b, " + x%d", o)
			}
			b.WriteString(" <= 1\n")
		}
		lo = hi
	}
	b.WriteString("Bounds\n")
	for i := range covers {
		fmt.Fprintf(&b, " 0 <= y%d <= 1\n", i)
	}
	b.WriteString("Binary\n")
	for o := 0; o < c.Options(); o++ {
		fmt.Fprintf(&b, " x%d\n", o)
	}
	b.WriteString("End\n")
	lp, sol := filepath.Join(dir, "p.lp"), filepath.Join(dir, "p.sol")
	if err := os.WriteFile(lp, []byte(b.String()), 0o644); err != nil {
		return 0, false, err
	}
	cmd := exec.Command("cbc", lp, "sec", fmt.Sprint(sec), "threads", "1", "solve", "solu", sol)
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, false, fmt.Errorf("cbc: %v: %s", err, out)
	}
	raw, err := os.ReadFile(sol)
	if err != nil {
		return 0, false, err
	}
	first := strings.SplitN(string(raw), "\n", 2)[0]
	i := strings.Index(first, "objective value")
	if i < 0 {
		return 0, false, fmt.Errorf("cbc: %q", first)
	}
	var v float64
	if _, err := fmt.Sscanf(strings.TrimSpace(first[i+len("objective value"):]), "%g", &v); err != nil {
		return 0, false, fmt.Errorf("cbc: %q", first)
	}
	return v + c.ExistingWeight(), strings.HasPrefix(first, "Optimal"), nil
}

// cbcResult is what CBC found for an instance.
type cbcResult struct {
	value   float64
	proven  bool
	seconds float64
}

// readCache reads name, value, proven, seconds lines (tab-separated).
func readCache(path string) map[string]cbcResult {
	out := map[string]cbcResult{}
	raw, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 4 || strings.HasPrefix(line, "#") {
			continue
		}
		var r cbcResult
		if _, err := fmt.Sscan(f[1], &r.value); err != nil {
			continue
		}
		r.proven = f[2] == "optimal"
		fmt.Sscan(f[3], &r.seconds)
		out[f[0]] = r
	}
	return out
}

func appendCache(path, name string, r cbcResult) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		log.Print(err)
		return
	}
	defer f.Close()
	status := "optimal"
	if !r.proven {
		status = "best-found"
	}
	fmt.Fprintf(f, "%s\t%.6f\t%s\t%.1f\n", name, r.value, status, r.seconds)
}

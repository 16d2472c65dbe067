//go:build ignore

// vulndb-index writes a Go vulnerability database in the v1 layout that
// `govulncheck -db file://DIR` reads (index/db.json, index/modules.json,
// index/vulns.json, ID/GO-YYYY-NNNN.json) from a folder of OSV entries, such
// as data/osv of the golang.org/x/vulndb module. It does what that module's
// cmd/indexdb does (the same files, byte for byte, less the .gz copies that
// only a web server needs) with the standard library alone, so building the
// database takes seconds instead of compiling vulndb's hundred dependencies.
//
//	go run scripts/vulndb-index.go -vulns DIR/data/osv -out OUT
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

type entry struct {
	ID       string   `json:"id"`
	Modified string   `json:"modified"`
	Aliases  []string `json:"aliases"`
	Affected []struct {
		Module struct {
			Path string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Type   string `json:"type"`
			Events []struct {
				Introduced string `json:"introduced"`
				Fixed      string `json:"fixed"`
			} `json:"events"`
		} `json:"ranges"`
	} `json:"affected"`
}

type moduleVuln struct {
	ID       string `json:"id"`
	Modified string `json:"modified"`
	Fixed    string `json:"fixed,omitempty"`
}

type module struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

type vuln struct {
	ID       string   `json:"id"`
	Modified string   `json:"modified"`
	Aliases  []string `json:"aliases,omitempty"`
}

func main() {
	vulnsDir := flag.String("vulns", "", "folder of OSV JSON files")
	outDir := flag.String("out", "", "folder to write the database to")
	flag.Parse()
	if *vulnsDir == "" || *outDir == "" {
		log.Fatal("usage: vulndb-index -vulns DIR -out DIR")
	}
	if err := run(*vulnsDir, *outDir); err != nil {
		log.Fatal(err)
	}
}

func run(vulnsDir, outDir string) error {
	names, err := filepath.Glob(filepath.Join(vulnsDir, "*.json"))
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("no OSV entries in %s", vulnsDir)
	}
	slices.Sort(names)
	for _, d := range []string{"index", "ID"} {
		if err := os.MkdirAll(filepath.Join(outDir, d), 0o755); err != nil {
			return err
		}
	}
	var (
		dbModified time.Time
		dbRaw      = time.Time{}.Format(time.RFC3339)
		modules    = map[string]*module{}
		vulns      []vuln
		seen       = map[string]bool{}
	)
	for _, name := range names {
		if filepath.Base(name) == "index.json" {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		var e entry
		if err := json.Unmarshal(b, &e); err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		if e.ID == "" || seen[e.ID] {
			return fmt.Errorf("%s: empty or repeated id %q", name, e.ID)
		}
		seen[e.ID] = true
		mod, err := time.Parse(time.RFC3339, e.Modified)
		if err != nil {
			return fmt.Errorf("%s: modified: %v", name, err)
		}
		if mod.After(dbModified) {
			dbModified, dbRaw = mod, e.Modified
		}
		vulns = append(vulns, vuln{ID: e.ID, Modified: e.Modified, Aliases: e.Aliases})
		for _, a := range e.Affected {
			m := modules[a.Module.Path]
			if m == nil {
				m = &module{Path: a.Module.Path, Vulns: []moduleVuln{}}
				modules[a.Module.Path] = m
			}
			fixed := ""
			for _, r := range a.Ranges {
				if r.Type != "SEMVER" {
					continue
				}
				for _, ev := range r.Events {
					if ev.Fixed != "" && semverLess(fixed, ev.Fixed) {
						fixed = ev.Fixed
					}
				}
				// Re-introduced after the latest fix: no fixed version.
				for _, ev := range r.Events {
					if ev.Introduced != "" && ev.Introduced != "0" && semverLess(fixed, ev.Introduced) {
						fixed = ""
						break
					}
				}
			}
			m.Vulns = append(m.Vulns, moduleVuln{ID: e.ID, Modified: e.Modified, Fixed: fixed})
		}
		if err := os.WriteFile(filepath.Join(outDir, "ID", e.ID+".json"), b, 0o644); err != nil {
			return err
		}
	}
	mods := make([]*module, 0, len(modules))
	for _, m := range modules {
		slices.SortStableFunc(m.Vulns, func(a, b moduleVuln) int { return strings.Compare(a.ID, b.ID) })
		mods = append(mods, m)
	}
	slices.SortFunc(mods, func(a, b *module) int { return strings.Compare(a.Path, b.Path) })
	slices.SortFunc(vulns, func(a, b vuln) int { return strings.Compare(a.ID, b.ID) })
	for file, v := range map[string]any{
		"db.json":      map[string]string{"modified": dbRaw},
		"modules.json": mods,
		"vulns.json":   vulns,
	} {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(outDir, "index", file), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// semverLess reports whether v < w as unprefixed semantic versions, the way
// golang.org/x/mod/semver.Compare orders "v"+v and "v"+w: an invalid version
// (such as "") sorts before every valid one.
func semverLess(v, w string) bool {
	pv, okv := parseSemver(v)
	pw, okw := parseSemver(w)
	switch {
	case !okv || !okw:
		return !okv && okw
	}
	for i := 0; i < 3; i++ {
		if c := compareNum(pv.num[i], pw.num[i]); c != 0 {
			return c < 0
		}
	}
	return comparePrerelease(pv.pre, pw.pre) < 0
}

type semver struct {
	num [3]string
	pre string
}

func parseSemver(v string) (semver, bool) {
	var p semver
	build := false
	if i := strings.IndexByte(v, '+'); i >= 0 {
		v, build = v[:i], true
	}
	core := v
	if i := strings.IndexByte(v, '-'); i >= 0 {
		core, p.pre = v[:i], v[i+1:]
		if p.pre == "" {
			return p, false
		}
		for _, id := range strings.Split(p.pre, ".") {
			if id == "" || strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != "" ||
				(isNum(id) && len(id) > 1 && id[0] == '0') {
				return p, false
			}
		}
	}
	parts := strings.Split(core, ".")
	if len(parts) > 3 || ((p.pre != "" || build) && len(parts) != 3) {
		return p, false
	}
	for i := range p.num {
		p.num[i] = "0"
		if i < len(parts) {
			if !isNum(parts[i]) || (len(parts[i]) > 1 && parts[i][0] == '0') {
				return p, false
			}
			p.num[i] = parts[i]
		}
	}
	return p, true
}

func isNum(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func compareNum(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

func comparePrerelease(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		an, bn := isNum(as[i]), isNum(bs[i])
		switch {
		case an && bn:
			return compareNum(as[i], bs[i])
		case an:
			return -1
		case bn:
			return 1
		}
		return strings.Compare(as[i], bs[i])
	}
	return compareNum(strconv.Itoa(len(as)), strconv.Itoa(len(bs)))
}

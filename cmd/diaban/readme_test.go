package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/diaban/diaban/internal/pgtest"
)

// readmeExample is one fenced block of README.md marked runnable.
type readmeExample struct {
	line   int // of the opening fence
	script string
}

// runnableExamples returns the blocks of README.md whose fence reads
// "```sh runnable" (GitHub shows them as plain sh).
func runnableExamples(t *testing.T, path string) []readmeExample {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []readmeExample
	var cur *readmeExample
	for i, l := range strings.Split(string(b), "\n") {
		switch {
		case cur == nil && strings.TrimSpace(l) == "```sh runnable":
			cur = &readmeExample{line: i + 1}
		case cur != nil && strings.TrimSpace(l) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.script += l + "\n"
		}
	}
	if cur != nil {
		t.Fatalf("README.md:%d: runnable block never closed", cur.line)
	}
	return out
}

// TestReadmeExamples runs every runnable example of README.md, in order,
// with bash -eu -o pipefail against a fresh database of its own seeded with
// "diaban seed demo" and a "diaban serve" on it, as the README states:
// DATABASE_URL names the demo's database, PASSWORD is the password seed
// printed for demo-admin, NEW_PASSWORD is any password for a new account,
// and the server the examples call at localhost:8080 is the test's (the
// one rewrite: its address). It fails, naming the block's line, when an
// example does not work.
func TestReadmeExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds diaban and seeds the demo")
	}
	examples := runnableExamples(t, "../../README.md")
	if len(examples) < 3 {
		t.Fatalf("README.md has %d runnable examples; the marker is a fence reading ```sh runnable", len(examples))
	}
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (scripts/lib.sh installs it): the README's examples need it", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	bin := t.TempDir()
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, "diaban"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	db := pgtest.New(t)
	var seedOut bytes.Buffer
	env := &environment{stdin: strings.NewReader(""), stdout: &seedOut, stderr: &seedOut, getenv: func(string) string { return "" }}
	if err := run(ctx, env, []string{"seed", "demo", "--db", db.URL}); err != nil {
		t.Fatalf("seed demo: %v\n%s", err, seedOut.String())
	}
	m := regexp.MustCompile(`user demo-admin\s+password (\S+)`).FindStringSubmatch(seedOut.String())
	if m == nil {
		t.Fatalf("seed demo printed no password:\n%s", seedOut.String())
	}
	password := m[1]
	checkDemoDistrict(ctx, t, db.URL)

	srv := exec.CommandContext(ctx, filepath.Join(bin, "diaban"), "serve", "--addr", "127.0.0.1:0", "--db", db.URL, "--log-format", "text")
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var srvLog bytes.Buffer
	srv.Stderr = &srvLog
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		srv.Process.Signal(os.Interrupt)
		srv.Wait()
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, a, ok := strings.Cut(sc.Text(), "http://"); ok {
				addr <- a
			}
		}
		close(addr)
	}()
	var host string
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatalf("serve stopped:\n%s", srvLog.String())
		}
		host = a
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start:\n%s", srvLog.String())
	}

	// The examples run as from the repository's root: a scratch directory
	// stands for it, with the repository's hotspot/demo/data (the shipped
	// crosswalks) at the same path.
	work := t.TempDir()
	data, err := filepath.Abs("../../hotspot/demo/data")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(work, "hotspot", "demo"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(data, filepath.Join(work, "hotspot", "demo", "data")); err != nil {
		t.Fatal(err)
	}
	for _, ex := range examples {
		script := strings.ReplaceAll(ex.script, "localhost:8080", host)
		cmd := exec.CommandContext(ctx, "bash", "-eu", "-o", "pipefail", "-c", script)
		cmd.Dir = work
		cmd.Env = append(os.Environ(),
			"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
			"DATABASE_URL="+db.URL, "PASSWORD="+password, "NEW_PASSWORD=readme-example-password")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("README.md:%d: the example fails (%v):\n%s\noutput:\n%s", ex.line, err, ex.script, out)
			continue
		}
		t.Logf("README.md:%d:\n%s", ex.line, out)
	}
}

// checkDemoDistrict: on the demo, the province of today (48) and the
// district before the reform (503, as of 30/06/2025) each have a
// tips_handled_share of at most 1 and a registered_users that is the sum of
// their communes' (issue 16), and both geographies count the same hotspots,
// incidents and tips in 2024 (issue 13: the same ground, drawn twice).
func checkDemoDistrict(ctx context.Context, t *testing.T, url string) {
	t.Helper()
	get := func(area, period string, extra ...string) map[string]any {
		var out bytes.Buffer
		env := &environment{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(string) string { return "" }}
		if err := run(ctx, env, append([]string{"metrics", "--area", area, "--period", period, "--db", url}, extra...)); err != nil {
			t.Fatalf("metrics %s %s %v: %v\n%s", area, period, extra, err, out.String())
		}
		var m map[string]any
		if err := json.Unmarshal(out.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	check := func(parent, period string, communes []string, extra ...string) map[string]any {
		d := get(parent, period, extra...)
		if share, ok := d["tips_handled_share"].(float64); !ok || share > 1 {
			t.Errorf("%s in %s: tips_handled_share %v", parent, period, d["tips_handled_share"])
		}
		sum := 0.0
		for _, c := range communes {
			v, ok := get(c, period, extra...)["registered_users"].(float64)
			if !ok {
				t.Fatalf("commune %s has no registered_users in %s", c, period)
			}
			sum += v
		}
		if v, ok := d["registered_users"].(float64); !ok || v != sum {
			t.Errorf("%s in %s: registered_users %v, want the communes' sum %v", parent, period, d["registered_users"], sum)
		}
		return d
	}
	var old []string
	for c := 20398; c <= 20434; c += 3 {
		old = append(old, strconv.Itoa(c))
	}
	check("48", "2025", []string{"20401", "20410", "20413", "20434"})
	check("48", "2024", []string{"20401", "20410", "20413", "20434"})
	before := check("503", "2024", old, "--as-of", "2025-06-30")
	now := get("48", "2024")
	for _, k := range []string{"active_during", "tips_received", "incidents"} {
		if a, b := fmt.Sprint(now[k]), fmt.Sprint(before[k]); a != b {
			t.Errorf("2024 %s: %s on today's map, %s on the map of 30/06/2025", k, a, b)
		}
	}
}

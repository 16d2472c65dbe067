package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &environment{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	err := run(context.Background(), env, args)
	return out.String(), errOut.String(), err
}

func TestCamerasPlan(t *testing.T) {
	dir := t.TempDir()
	// two clusters of demand east and west of a junction; one more site far
	// away that sees nothing.
	demand := writeFile(t, dir, "demand.csv", "id,lon,lat,weight\n"+
		"east1,105.8530,21.0286,5\neast2,105.8531,21.0286,5\n"+
		"west1,105.8514,21.0287,3\nnorth1,105.8521,21.0295,1\n")
	sites := writeFile(t, dir, "sites.csv", "id,lon,lat\nj1,105.8522,21.0287\nfar,105.9,21.1\n")
	existing := writeFile(t, dir, "existing.csv", "ref,lon,lat,bearing,fov,range_m,owner,status\n"+
		"c1,105.8522,21.0287,0,60,120,police,active\n")

	tests := []struct {
		name       string
		args       []string
		wantChosen []string // site@bearing
		wantCover  float64
		wantTotal  float64
	}{
		{"one camera looks east", []string{"--k", "1"}, []string{"j1@90"}, 10, 14},
		{"two cameras, one per site", []string{"--k", "2"}, []string{"j1@90"}, 10, 14},
		{"two per site", []string{"--k", "2", "--max-per-site", "2"}, []string{"j1@90", "j1@315"}, 14, 14},
		{"existing covers north", []string{"--k", "1", "--existing", existing}, []string{"j1@90"}, 11, 14},
		{"a dome", []string{"--k", "1", "--fov", "360", "--bearings", "0"}, []string{"j1@0"}, 14, 14},
		{"heuristic answer only", []string{"--k", "1", "--time-limit", "0"}, []string{"j1@90"}, 10, 14},
		{"a time limit", []string{"--k", "2", "--max-per-site", "2", "--time-limit", "2s"}, []string{"j1@90", "j1@315"}, 14, 14},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"cameras", "plan", "--demand", demand, "--candidates", sites}, tt.args...)
			out, stderr, err := runCmd(t, args...)
			if err != nil {
				t.Fatalf("run: %v (stderr %q)", err, stderr)
			}
			var res struct {
				Chosen []struct {
					Site    string  `json:"site"`
					Bearing float64 `json:"bearing"`
				} `json:"chosen"`
				Covered float64  `json:"covered_weight"`
				Total   float64  `json:"total_weight"`
				Upper   float64  `json:"upper_bound"`
				Optimal *bool    `json:"optimal"`
				Gap     *float64 `json:"gap"`
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			var got []string
			for _, c := range res.Chosen {
				got = append(got, c.Site+"@"+strings.TrimSuffix(strings.TrimSuffix(jsonNum(c.Bearing), ".0"), ".00"))
			}
			if strings.Join(got, " ") != strings.Join(tt.wantChosen, " ") {
				t.Errorf("chosen %v, want %v", got, tt.wantChosen)
			}
			if res.Covered != tt.wantCover || res.Total != tt.wantTotal {
				t.Errorf("covered %v of %v, want %v of %v", res.Covered, res.Total, tt.wantCover, tt.wantTotal)
			}
			if res.Upper < res.Covered {
				t.Errorf("upper bound %v below covered %v", res.Upper, res.Covered)
			}
			// instances this small are proven optimal at once
			if res.Optimal == nil || res.Gap == nil {
				t.Fatalf("output lacks optimal or gap:\n%s", out)
			}
			if !*res.Optimal || *res.Gap != 0 || res.Upper != res.Covered {
				t.Errorf("optimal %v, gap %v, bound %v, covered %v: want a proven optimum", *res.Optimal, *res.Gap, res.Upper, res.Covered)
			}
		})
	}
}

func jsonNum(f float64) string { b, _ := json.Marshal(f); return string(b) }

func TestCamerasPlanErrors(t *testing.T) {
	dir := t.TempDir()
	demand := writeFile(t, dir, "demand.csv", "id,lon,lat,weight\na,105.85,21.02,1\n")
	badDemand := writeFile(t, dir, "bad.csv", "id,lon,lat,weight\na,105.85,21.02,1\nb,105.85,91,1\n")
	sites := writeFile(t, dir, "sites.csv", "id,lon,lat\nj1,105.85,21.02\n")
	tests := []struct {
		name      string
		args      []string
		wantUsage bool
		wantMsg   string
	}{
		{"no subcommand", []string{"cameras"}, true, "subcommand"},
		{"unknown subcommand", []string{"cameras", "fly"}, true, "fly"},
		{"missing demand", []string{"cameras", "plan", "--candidates", sites, "--k", "1"}, true, "--demand"},
		{"missing k", []string{"cameras", "plan", "--demand", demand, "--candidates", sites}, true, "--k"},
		{"bad flag", []string{"cameras", "plan", "--frobnicate"}, true, "frobnicate"},
		{"negative time limit", []string{"cameras", "plan", "--demand", demand, "--candidates", sites, "--k", "1", "--time-limit", "-1s"}, true, "--time-limit"},
		{"bad bearings", []string{"cameras", "plan", "--demand", demand, "--candidates", sites, "--k", "1", "--bearings", "0,x"}, true, "bearings"},
		{"bearing out of range", []string{"cameras", "plan", "--demand", demand, "--candidates", sites, "--k", "1", "--bearings", "0,400"}, true, "bearings[1]"},
		{"bad row names line and field", []string{"cameras", "plan", "--demand", badDemand, "--candidates", sites, "--k", "1"}, false, "line 3, field lat"},
		{"missing file", []string{"cameras", "plan", "--demand", filepath.Join(dir, "nope.csv"), "--candidates", sites, "--k", "1"}, false, "nope.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCmd(t, tt.args...)
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, errUsage) != tt.wantUsage {
				t.Errorf("usage error = %v, want %v (%v)", errors.Is(err, errUsage), tt.wantUsage, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tt.wantMsg)
			}
		})
	}
}

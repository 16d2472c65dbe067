package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs diaban in-process with the given standard input and returns
// its standard output.
func runCLI(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &environment{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	err := run(context.Background(), env, args)
	return out.String(), err
}

// writeTemp writes content to a file in a fresh temporary directory.
func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStatsGiStar(t *testing.T) {
	// The Columbus fixtures of hotspot/stats (R spdep's localG).
	dir := filepath.Join("..", "..", "hotspot", "stats", "testdata")
	out, err := runCLI(t, "", "stats", "gistar",
		"--values", filepath.Join(dir, "columbus_crime.csv"), "--neighbors", filepath.Join(dir, "columbus_neighbors.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 50 || lines[0] != "id,z,p" || !strings.HasPrefix(lines[1], "1,-1.43277965396642") {
		t.Errorf("output starts %q (%d lines)", lines[:2], len(lines))
	}

	// Constant values: Gi* is undefined, z and p are empty.
	values := writeTemp(t, "v.csv", "id,value\na,1\nb,1\n")
	nb := writeTemp(t, "n.csv", "id,neighbor\na,b\nb,a\n")
	out, err = runCLI(t, "", "stats", "gistar", "--values", values, "--neighbors", nb)
	if err != nil || out != "id,z,p\na,,\nb,,\n" {
		t.Errorf("constant values: %q, %v", out, err)
	}
}

func TestStatsMK(t *testing.T) {
	out, err := runCLI(t, "id,t,value\nx,0,1\nx,1,2\nx,2,2\nx,3,4\ny,5,3\n", "stats", "mk", "--series", "-")
	if err != nil {
		t.Fatal(err)
	}
	want := "id,n,s,var_s,z,p,sen_slope\n" +
		"x,4,5,7.666666666666667,1.4446302370292303,0.1485617748918687,1\n" +
		"y,1,0,0,0,1,0\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestStatsErrors(t *testing.T) {
	good := writeTemp(t, "v.csv", "id,value\na,1\nb,2\n")
	bad := writeTemp(t, "bad.csv", "id,value\na,1\nb,lots\n")
	nb := writeTemp(t, "n.csv", "id,neighbor\na,b\na,a\n")
	tests := []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"no subcommand", []string{"stats"}, true, "subcommand"},
		{"unknown subcommand", []string{"stats", "moran"}, true, "moran"},
		{"missing flags", []string{"stats", "gistar", "--values", good}, true, "required"},
		{"unknown flag", []string{"stats", "mk", "--serie", "x"}, true, "serie"},
		{"stray argument", []string{"stats", "mk", "--series", good, "extra"}, true, "extra"},
		{"bad value names line and field", []string{"stats", "gistar", "--values", bad, "--neighbors", nb}, false, "bad.csv: line 3, field value"},
		{"self pair names line", []string{"stats", "gistar", "--values", good, "--neighbors", nb}, false, "line 3, field neighbor"},
		{"missing file", []string{"stats", "mk", "--series", filepath.Join(t.TempDir(), "none.csv")}, false, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runCLI(t, "", tc.args...)
			if err == nil || errors.Is(err, errUsage) != tc.usage || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v (usage %v), want one containing %q (usage %v)", err, errors.Is(err, errUsage), tc.want, tc.usage)
			}
		})
	}
}

package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diaban/diaban/geo"
)

// emergingCube writes a cube CSV of the 37 res-9 cells within 3 steps of a
// Hanoi cell, 6 bins: background 1, the centre's disk bursting in the last
// two bins. Cells without events are listed with count 0 in bin 0.
func emergingCube(t *testing.T) (path string, centre geo.Cell) {
	t.Helper()
	centre = geo.CellOf(geo.Point{Lon: 105.8524, Lat: 21.0287}, 9)
	hot := make(map[geo.Cell]bool)
	for _, c := range centre.Disk(1) {
		hot[c] = true
	}
	var b strings.Builder
	b.WriteString("cell,bin,count\n")
	for _, c := range centre.Disk(3) {
		for t := 0; t < 6; t++ {
			n := 1
			if hot[c] && t >= 4 {
				n = 9
			}
			fmt.Fprintf(&b, "%s,%d,%d\n", c, t, n)
		}
	}
	return writeTemp(t, "cube.csv", b.String()), centre
}

func TestEmerging(t *testing.T) {
	cube, centre := emergingCube(t)
	binsOut := filepath.Join(t.TempDir(), "bins.csv")
	out, err := runCLI(t, "", "emerging", "--cube", cube, "--bins-out", binsOut, "--alpha", "0.05")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 38 || strings.Join(rows[0], ",") != "cell,category,mk_z,mk_p" {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	if rows[1][0] != centre.String() || rows[1][1] != "consecutive_hot" {
		t.Errorf("centre row %v, want consecutive_hot", rows[1])
	}

	f, err := os.Open(binsOut)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bins, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(bins) != 1+37*6 || strings.Join(bins[0], ",") != "cell,bin,z,p" {
		t.Fatalf("bins: %d rows, header %v", len(bins), bins[0])
	}
	// Bins 0..3 are constant everywhere: Gi* undefined, empty fields.
	if r := bins[1]; r[1] != "0" || r[2] != "" || r[3] != "" {
		t.Errorf("first bin row %v, want empty z and p", r)
	}
	if r := bins[6]; r[1] != "5" || r[2] == "" {
		t.Errorf("last bin row of the centre %v, want a z", r)
	}

	// The options reach the analysis.
	for _, args := range [][]string{
		{"--fdr"}, {"--whole-cube"}, {"--time-step", "1"}, {"--ring", "2"}, {"--bins", "8"},
	} {
		if _, err := runCLI(t, "", append([]string{"emerging", "--cube", cube}, args...)...); err != nil {
			t.Errorf("%v: %v", args, err)
		}
	}
}

func TestEmergingErrors(t *testing.T) {
	cube, _ := emergingCube(t)
	dup := writeTemp(t, "dup.csv", "cell,bin,count\n8941aa49dcbffff,0,1\n8941aa49dcbffff,0,2\n")
	tests := []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"no cube", []string{"emerging"}, true, "--cube"},
		{"ring 0", []string{"emerging", "--cube", cube, "--ring", "0"}, true, "--ring"},
		{"negative time step", []string{"emerging", "--cube", cube, "--time-step", "-1"}, true, "--time-step"},
		{"alpha 1", []string{"emerging", "--cube", cube, "--alpha", "1"}, true, "--alpha"},
		{"unknown flag", []string{"emerging", "--cube", cube, "--nope"}, true, "nope"},
		{"too few bins for the file", []string{"emerging", "--cube", cube, "--bins", "3"}, false, "field bin"},
		{"duplicate row", []string{"emerging", "--cube", dup}, false, "dup.csv: line 3, field bin"},
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

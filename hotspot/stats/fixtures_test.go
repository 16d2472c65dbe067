package stats

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// The files under testdata come from make_fixtures.R (R 4.2.2, spdep
// 1.2-7): Gi* from spdep::localG, Mann–Kendall from cor.test(method =
// "kendall", exact = FALSE, continuity = TRUE), BH from p.adjust.

const fixtureTol = 1e-9

// readTable reads a fixture CSV as header-keyed rows.
func readTable(t *testing.T, name string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var rows []map[string]string
	for _, r := range recs[1:] {
		row := make(map[string]string)
		for i, h := range recs[0] {
			row[h] = r[i]
		}
		rows = append(rows, row)
	}
	return rows
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func openFixture(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestGiStarMatchesSpdep(t *testing.T) {
	tests := []struct {
		name, values, neighbors, want string
	}{
		{"columbus crime", "columbus_crime.csv", "columbus_neighbors.csv", "columbus_crime_gistar.csv"},
		{"columbus house value", "columbus_hoval.csv", "columbus_neighbors.csv", "columbus_hoval_gistar.csv"},
		{"columbus income", "columbus_inc.csv", "columbus_neighbors.csv", "columbus_inc_gistar.csv"},
		{"columbus crime with region 5 an island", "columbus_crime.csv", "columbus_island_neighbors.csv", "columbus_crime_island_gistar.csv"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := ReadValues(openFixture(t, tc.values))
			if err != nil {
				t.Fatal(err)
			}
			nb, err := ReadNeighbors(openFixture(t, tc.neighbors), v.Index)
			if err != nil {
				t.Fatal(err)
			}
			got, err := GiStar(v.X, nb)
			if err != nil {
				t.Fatal(err)
			}
			want := readTable(t, tc.want)
			if len(want) != len(got) {
				t.Fatalf("%d results, want %d", len(got), len(want))
			}
			for _, w := range want {
				i := v.Index[w["id"]]
				g := got[i]
				if !g.Defined || math.Abs(g.Z-num(t, w["z"])) > fixtureTol || math.Abs(g.P-num(t, w["p"])) > fixtureTol {
					t.Errorf("id %s: got %+v, want z=%s p=%s", w["id"], g, w["z"], w["p"])
				}
			}
		})
	}
}

func TestMannKendallMatchesR(t *testing.T) {
	series, err := ReadSeries(openFixture(t, "mk_series.csv"))
	if err != nil {
		t.Fatal(err)
	}
	byID := make(map[string][]float64)
	for _, s := range series {
		byID[s.ID] = s.X
	}
	for _, w := range readTable(t, "mk_expected.csv") {
		t.Run(w["id"], func(t *testing.T) {
			got := MannKendall(byID[w["id"]])
			if strconv.Itoa(got.N) != w["n"] || got.S != num(t, w["s"]) ||
				math.Abs(got.Z-num(t, w["z"])) > fixtureTol || math.Abs(got.P-num(t, w["p"])) > fixtureTol ||
				math.Abs(got.SenSlope-num(t, w["sen_slope"])) > fixtureTol {
				t.Errorf("got %+v, want %v", got, w)
			}
		})
	}
}

func TestBenjaminiHochbergMatchesR(t *testing.T) {
	rows := readTable(t, "bh.csv")
	p := make([]float64, len(rows))
	for i, r := range rows {
		p[i] = num(t, r["p"])
	}
	orig := append([]float64(nil), p...)
	got := BenjaminiHochberg(p)
	for i, r := range rows {
		if math.Abs(got[i]-num(t, r["adjusted"])) > 1e-15 {
			t.Errorf("p=%g: adjusted %g, want %s", p[i], got[i], r["adjusted"])
		}
		if p[i] != orig[i] {
			t.Errorf("input modified at %d", i)
		}
	}
	BenjaminiHochbergInto(p, p, nil) // in place
	for i := range p {
		if p[i] != got[i] {
			t.Errorf("in place: %g, want %g", p[i], got[i])
		}
	}
}

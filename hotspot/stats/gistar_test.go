package stats

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// path returns the neighbours of a path 0 — 1 — ... — n−1.
func path(t *testing.T, n int) *Neighbors {
	t.Helper()
	lists := make([][]int, n)
	for i := 0; i < n-1; i++ {
		lists[i] = append(lists[i], i+1)
		lists[i+1] = append(lists[i+1], i)
	}
	nb, err := NeighborsFromLists(lists)
	if err != nil {
		t.Fatal(err)
	}
	return nb
}

func TestGiStarUndefined(t *testing.T) {
	tests := []struct {
		name string
		x    []float64
		nb   [][]int
	}{
		{"constant values", []float64{2, 2, 2, 2}, [][]int{{1}, {0, 2}, {1, 3}, {2}}},
		{"constant non-representable values", []float64{0.1, 0.1, 0.1}, [][]int{{1}, {0}, nil}},
		{"one observation", []float64{7}, [][]int{nil}},
		{"no observations", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nb, err := NeighborsFromLists(tc.nb)
			if err != nil {
				t.Fatal(err)
			}
			got, err := GiStar(tc.x, nb)
			if err != nil {
				t.Fatal(err)
			}
			for i, g := range got {
				if g.Defined || g.Z != 0 || g.P != 1 {
					t.Errorf("observation %d: %+v, want undefined", i, g)
				}
			}
		})
	}
}

func TestGiStarWholeNeighbourhood(t *testing.T) {
	// Observation 0 neighbours everyone: its neighbourhood is the whole
	// population, so its variance is 0 and Gi* undefined; the others are
	// defined.
	nb, err := NeighborsFromLists([][]int{{1, 2}, {0}, {0}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := GiStar([]float64{1, 2, 4}, nb)
	if got[0].Defined || !got[1].Defined || !got[2].Defined {
		t.Errorf("got %+v", got)
	}
	for _, g := range got {
		if math.IsNaN(g.Z) || math.IsInf(g.Z, 0) {
			t.Errorf("non-finite z in %+v", got)
		}
	}
}

func TestGiStarHandComputed(t *testing.T) {
	// Path 0-1-2-3-4 with x = 1..5: x̄ = 3, S = √2, n = 5.
	// Observation 0: W = 2, lag = 3: (3 − 6)/(√2 √((10 − 4)/4)) = −3/√3.
	got, err := GiStar([]float64{1, 2, 3, 4, 5}, path(t, 5))
	if err != nil {
		t.Fatal(err)
	}
	if want := -3 / math.Sqrt(3); math.Abs(got[0].Z-want) > 1e-15 {
		t.Errorf("z_0 = %v, want %v", got[0].Z, want)
	}
	if got[2].Z != 0 || got[2].P != 1 || !got[2].Defined {
		t.Errorf("middle of a symmetric neighbourhood: %+v, want z 0", got[2])
	}
	if _, err := GiStar([]float64{1, 2}, path(t, 3)); err == nil {
		t.Error("length mismatch accepted")
	}
}

func TestNewNeighborsErrors(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		pairs []Pair
		want  string
	}{
		{"self pair", 3, []Pair{{1, 1}}, "own neighbour"},
		{"index too large", 3, []Pair{{0, 3}}, "outside"},
		{"negative index", 3, []Pair{{-1, 0}}, "outside"},
		{"repeated pair", 3, []Pair{{0, 1}, {0, 2}, {0, 1}}, "repeated"},
		{"negative count", -1, nil, "out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewNeighbors(tc.n, tc.pairs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestNeighborsLayout(t *testing.T) {
	nb, err := NewNeighbors(4, []Pair{{2, 0}, {0, 3}, {0, 1}, {2, 1}})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int32{{1, 3}, {}, {0, 1}, {}}
	for i, w := range want {
		if got := nb.Of(i); len(got) != len(w) || (len(w) > 0 && (got[0] != w[0] || got[len(got)-1] != w[len(w)-1])) {
			t.Errorf("Of(%d) = %v, want %v", i, got, w)
		}
	}
	if nb.Len() != 4 || nb.Pairs() != 4 {
		t.Errorf("Len, Pairs = %d, %d", nb.Len(), nb.Pairs())
	}
}

func TestCSVErrors(t *testing.T) {
	index := map[string]int{"a": 0, "b": 1}
	tests := []struct {
		name  string
		read  func(string) error
		input string
		line  int
		field string
	}{
		{"values: no header", values, "", 1, ""},
		{"values: wrong header", values, "id,count\na,1\n", 1, "value"},
		{"values: bad number", values, "id,value\na,1\nb,x\n", 3, "value"},
		{"values: NaN", values, "id,value\na,NaN\n", 2, "value"},
		{"values: infinite", values, "id,value\na,1e999\n", 2, "value"},
		{"values: duplicate id", values, "id,value\na,1\na,2\n", 3, "id"},
		{"values: empty id", values, "id,value\n,1\n", 2, "id"},
		{"values: too many fields", values, "id,value\na,1,2\n", 2, ""},
		{"values: bad quoting", values, "id,value\n\"a,1\n", 2, ""},
		{"values: invalid UTF-8", values, "id,value\n\xff,1\n", 2, "id"},
		{"neighbors: unknown id", neighbors(index), "id,neighbor\na,b\nc,a\n", 3, "id"},
		{"neighbors: unknown neighbor", neighbors(index), "id,neighbor\na,z\n", 2, "neighbor"},
		{"neighbors: self pair", neighbors(index), "id,neighbor\na,a\n", 2, "neighbor"},
		{"neighbors: repeated pair", neighbors(index), "id,neighbor\na,b\nb,a\na,b\n", 4, "neighbor"},
		{"series: bad t", series, "id,t,value\na,x,1\n", 2, "t"},
		{"series: repeated t", series, "id,t,value\na,0,1\na,1,2\na,0,3\n", 4, "t"},
		{"series: gap", series, "id,t,value\na,0,1\na,2,2\n", 3, "t"},
		{"series: bad value", series, "id,t,value\na,0,\n", 2, "value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.read(tc.input)
			var ce *CSVError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *CSVError", err)
			}
			if ce.Line != tc.line || ce.Field != tc.field {
				t.Errorf("err = %v: line %d field %q, want line %d field %q", err, ce.Line, ce.Field, tc.line, tc.field)
			}
		})
	}
}

func values(s string) error { _, err := ReadValues(strings.NewReader(s)); return err }

func series(s string) error { _, err := ReadSeries(strings.NewReader(s)); return err }

func neighbors(index map[string]int) func(string) error {
	return func(s string) error { _, err := ReadNeighbors(strings.NewReader(s), index); return err }
}

func TestCSVAccepts(t *testing.T) {
	v, err := ReadValues(strings.NewReader("\uFEFF ID , Value \r\n a , 1.5 \r\nb,-2e3\n"))
	if err != nil || len(v.X) != 2 || v.X[0] != 1.5 || v.X[1] != -2000 || v.IDs[0] != "a" {
		t.Fatalf("ReadValues = %+v, %v", v, err)
	}
	s, err := ReadSeries(strings.NewReader("id,t,value\nb,5,2\na,1,1\nb,4,1\n"))
	if err != nil || len(s) != 2 || s[0].ID != "b" || s[0].Start != 4 || s[0].X[0] != 1 || s[0].X[1] != 2 {
		t.Fatalf("ReadSeries = %+v, %v", s, err)
	}
}

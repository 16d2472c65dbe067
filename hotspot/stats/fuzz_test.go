package stats

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// The readers must either succeed or return a *CSVError (or a wrapped
// neighbour error), never panic; what they return must be usable.

func checkReadErr(t *testing.T, err error) {
	t.Helper()
	var ce *CSVError
	if err != nil && !errors.As(err, &ce) && !strings.HasPrefix(err.Error(), "stats:") {
		t.Fatalf("error of an unexpected kind: %v", err)
	}
}

func FuzzReadValues(f *testing.F) {
	for _, s := range []string{
		"id,value\na,1\nb,2.5\n", "id,value\n", "", "\uFEFFid,value\r\na,-1e3\r\n",
		"id,value\na,NaN\n", "id,value\na,1\na,2\n", "id,value\n\"a\"\"b\",3\n", "x\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ReadValues(strings.NewReader(s))
		checkReadErr(t, err)
		if err != nil {
			return
		}
		for i, x := range v.X {
			if math.IsNaN(x) || math.IsInf(x, 0) || v.Index[v.IDs[i]] != i {
				t.Fatalf("bad value %d: %v", i, x)
			}
		}
	})
}

func FuzzReadNeighbors(f *testing.F) {
	for _, s := range []string{
		"id,neighbor\na,b\nb,a\n", "id,neighbor\n", "id,neighbor\na,a\n", "id,neighbor\na,c\n",
		"id,neighbor\na,b\na,b\n", "", "id,neighbor\na\n",
	} {
		f.Add(s)
	}
	index := map[string]int{"a": 0, "b": 1, "c": 2}
	f.Fuzz(func(t *testing.T, s string) {
		nb, err := ReadNeighbors(strings.NewReader(s), index)
		checkReadErr(t, err)
		if err != nil {
			return
		}
		x := []float64{1, 2, 4}
		if _, err := GiStar(x, nb); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzReadSeries(f *testing.F) {
	for _, s := range []string{
		"id,t,value\na,0,1\na,1,3\nb,7,2\n", "id,t,value\n", "id,t,value\na,0,1\na,0,2\n",
		"id,t,value\na,0,1\na,2,2\n", "id,t,value\na,-2147483648,1\na,2147483647,1\n", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		series, err := ReadSeries(strings.NewReader(s))
		checkReadErr(t, err)
		for _, sr := range series {
			if len(sr.X) > 200 {
				continue // keep the O(n²) test cheap
			}
			r := MannKendall(sr.X)
			if math.IsNaN(r.Z) || math.IsNaN(r.P) || math.IsNaN(r.VarS) {
				t.Fatalf("NaN in %+v for %v", r, sr.X)
			}
		}
	})
}

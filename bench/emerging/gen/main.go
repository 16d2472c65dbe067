// Command gen writes the inputs of bench/emerging/compare.sh: one bin of
// counts over n res-9 H3 cells around Hanoi (values.csv: id,value) with
// their ring-1 neighbours (neighbors.csv: id,neighbor), and optionally the
// whole space-time cube (cube.csv: cell,bin,count) for "diaban emerging".
//
//	go run ./bench/emerging/gen -out DIR [-cells 100000] [-bins 60]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/diaban/diaban/geo"
)

func main() {
	out := flag.String("out", ".", "output directory")
	n := flag.Int("cells", 100_000, "number of cells")
	bins := flag.Int("bins", 0, "also write cube.csv with this many bins (0: no cube)")
	flag.Parse()
	if err := run(*out, *n, *bins); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir string, n, bins int) error {
	centre := geo.CellOf(geo.Point{Lon: 105.8524, Lat: 21.0287}, 9)
	k := 0
	for 3*k*(k+1)+1 < n {
		k++
	}
	cells := centre.Disk(k)[:n]
	index := make(map[geo.Cell]bool, n)
	for _, c := range cells {
		index[c] = true
	}
	rng := rand.New(rand.NewPCG(1, 2))
	count := func() int { // sparse counts, as in the Go benchmark
		if rng.IntN(10) == 0 {
			return 1 + rng.IntN(5)
		}
		return 0
	}
	err := writeFile(filepath.Join(dir, "values.csv"), func(w *bufio.Writer) {
		w.WriteString("id,value\n")
		for _, c := range cells {
			fmt.Fprintf(w, "%s,%d\n", c, count())
		}
	})
	if err != nil {
		return err
	}
	err = writeFile(filepath.Join(dir, "neighbors.csv"), func(w *bufio.Writer) {
		w.WriteString("id,neighbor\n")
		for _, c := range cells {
			for _, d := range c.Disk(1) {
				if d != c && index[d] {
					fmt.Fprintf(w, "%s,%s\n", c, d)
				}
			}
		}
	})
	if err != nil || bins == 0 {
		return err
	}
	return writeFile(filepath.Join(dir, "cube.csv"), func(w *bufio.Writer) {
		w.WriteString("cell,bin,count\n")
		for _, c := range cells {
			fmt.Fprintf(w, "%s,0,%d\n", c, count()) // every cell once, so it joins the universe
			for t := 1; t < bins; t++ {
				if v := count(); v > 0 {
					fmt.Fprintf(w, "%s,%d,%d\n", c, t, v)
				}
			}
		}
	})
}

func writeFile(path string, fill func(*bufio.Writer)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fill(w)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

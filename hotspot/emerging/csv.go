package emerging

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot/stats"
)

// ReadCube reads a space-time cube from a UTF-8 CSV file with the header
// "cell,bin,count": cell an H3 index in hex, bin an integer 0..bins−1,
// count a finite number ≥ 0. The universe is every cell named in the file,
// in the order first met, so a cell with no events belongs to it only if it
// has a row (with count 0). Missing (cell, bin) rows are 0; a repeated one
// is an error. With bins 0 the cube has max(bin)+1 bins.
//
// Errors are *stats.CSVError values naming the line and field.
func ReadCube(r io.Reader, bins int) (*Cube, error) {
	if bins < 0 || bins > MaxBins {
		return nil, fmt.Errorf("emerging: %w: %d bins, want 0..%d", ErrBadBin, bins, MaxBins)
	}
	c, err := stats.NewCSVReader(r, "cell", "bin", "count")
	if err != nil {
		return nil, err
	}
	type row struct {
		cell, bin int32
		line      int
		count     float64
	}
	var (
		rows  []row
		cells []geo.Cell
		index = make(map[geo.Cell]int32)
		res   = -1
		nBins = bins
	)
	maxBin := MaxBins - 1
	if bins > 0 {
		maxBin = bins - 1
	}
	for {
		rec, line, err := c.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		cell, err := geo.ParseCell(rec[0])
		if err != nil {
			return nil, &stats.CSVError{Line: line, Field: "cell", Err: err}
		}
		bin, err := stats.ParseInt(rec[1], line, "bin", 0, maxBin)
		if err != nil {
			return nil, err
		}
		count, err := stats.ParseFloat(rec[2], line, "count")
		if err != nil {
			return nil, err
		}
		if count < 0 {
			return nil, &stats.CSVError{Line: line, Field: "count", Err: fmt.Errorf("%g is negative", count)}
		}
		i, ok := index[cell]
		if !ok {
			if r := cell.Resolution(); res < 0 {
				res = r
			} else if r != res {
				return nil, &stats.CSVError{Line: line, Field: "cell", Err: fmt.Errorf("%s has resolution %d, the cube's cells %d", cell, r, res)}
			}
			i = int32(len(cells))
			index[cell] = i
			cells = append(cells, cell)
		}
		rows = append(rows, row{i, int32(bin), line, count})
		if bins == 0 {
			nBins = max(nBins, bin+1)
		}
	}
	if len(cells) == 0 {
		return nil, fmt.Errorf("emerging: %w: the file has no rows", ErrBadUniverse)
	}
	cube, err := NewCube(cells, nBins)
	if err != nil {
		return nil, err
	}
	// Repeated (cell, bin) rows are found here, with the line of each
	// filled entry kept in a flat array rather than a map while reading.
	lineOf := make([]int32, len(cube.counts))
	for _, r := range rows {
		k := int(r.cell)*nBins + int(r.bin)
		if first := lineOf[k]; first != 0 {
			return nil, &stats.CSVError{Line: r.line, Field: "bin", Err: fmt.Errorf("cell %s bin %d is already on line %d", cells[r.cell], r.bin, first)}
		}
		lineOf[k] = int32(min(r.line, math.MaxInt32))
		cube.counts[k] = r.count
	}
	return cube, nil
}

package emerging

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot/stats"
)

// MaxBins bounds the number of time bins of a cube (ten years of days).
const MaxBins = 3660

// Errors of cube construction and filling; wrapped with the details.
var (
	ErrUnknownCell = errors.New("cell is not in the cube's universe")
	ErrBadBin      = errors.New("bin is out of range")
	ErrBadCount    = errors.New("count must be a finite number ≥ 0")
	ErrBadUniverse = errors.New("bad cell universe")
)

// Cube is a space-time cube of counts: a universe of H3 cells of one
// resolution (cells with no events are part of it, with zero counts) by
// Bins() equal time bins. Fill it with Add; it is not safe for concurrent
// Add, but Analyze may run on it from several goroutines once it is filled.
type Cube struct {
	cells  []geo.Cell
	index  map[geo.Cell]int32
	bins   int
	counts []float64 // cell-major: counts[i*bins+t]

	mu        sync.Mutex
	neighbors map[int]*stats.Neighbors // by ring, built once
}

// NewCube returns an all-zero cube over cells (valid, distinct, one H3
// resolution) and bins time bins (1..MaxBins). Cell i of the result is
// cells[i].
func NewCube(cells []geo.Cell, bins int) (*Cube, error) {
	if bins < 1 || bins > MaxBins {
		return nil, fmt.Errorf("emerging: %w: %d bins, want 1..%d", ErrBadBin, bins, MaxBins)
	}
	if len(cells) == 0 {
		return nil, fmt.Errorf("emerging: %w: no cells", ErrBadUniverse)
	}
	if len(cells) > math.MaxInt32 || len(cells) > math.MaxInt/bins {
		return nil, fmt.Errorf("emerging: %w: %d cells is too many", ErrBadUniverse, len(cells))
	}
	c := &Cube{
		cells:     append([]geo.Cell(nil), cells...),
		index:     make(map[geo.Cell]int32, len(cells)),
		bins:      bins,
		counts:    make([]float64, len(cells)*bins),
		neighbors: make(map[int]*stats.Neighbors),
	}
	res := -1
	for i, cell := range cells {
		if !cell.Valid() {
			return nil, fmt.Errorf("emerging: %w: %x is not a valid H3 cell", ErrBadUniverse, int64(cell))
		}
		if r := cell.Resolution(); res < 0 {
			res = r
		} else if r != res {
			return nil, fmt.Errorf("emerging: %w: cell %s has resolution %d, cell %s %d", ErrBadUniverse, cell, r, cells[0], res)
		}
		if _, dup := c.index[cell]; dup {
			return nil, fmt.Errorf("emerging: %w: cell %s appears twice", ErrBadUniverse, cell)
		}
		c.index[cell] = int32(i)
	}
	return c, nil
}

// Add adds count to cell's count in bin.
func (c *Cube) Add(cell geo.Cell, bin int, count float64) error {
	i, ok := c.index[cell]
	switch {
	case !ok:
		return fmt.Errorf("emerging: %w: %s", ErrUnknownCell, cell)
	case bin < 0 || bin >= c.bins:
		return fmt.Errorf("emerging: %w: %d, want 0..%d", ErrBadBin, bin, c.bins-1)
	case !(count >= 0) || math.IsInf(count, 0):
		return fmt.Errorf("emerging: %w: %g", ErrBadCount, count)
	}
	c.counts[int(i)*c.bins+bin] += count
	return nil
}

// Cells returns the universe in cube order. The slice belongs to the cube.
func (c *Cube) Cells() []geo.Cell { return c.cells }

// Bins returns the number of time bins.
func (c *Cube) Bins() int { return c.bins }

// Index returns the position of cell in Cells, or false.
func (c *Cube) Index(cell geo.Cell) (int, bool) {
	i, ok := c.index[cell]
	return int(i), ok
}

// Series returns the counts of the i-th cell by bin. The slice belongs to
// the cube.
func (c *Cube) Series(i int) []float64 { return c.counts[i*c.bins : (i+1)*c.bins] }

// Neighbors returns the spatial neighbours of every cell: the cells of
// cell.Disk(ring) other than the cell itself that belong to the universe.
// It is built on first use for each ring and then shared.
func (c *Cube) Neighbors(ring int) (*stats.Neighbors, error) {
	if ring < 0 {
		return nil, fmt.Errorf("emerging: ring %d is negative", ring)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if nb, ok := c.neighbors[ring]; ok {
		return nb, nil
	}
	lists := make([][]int, len(c.cells))
	flat := make([]int, 0, len(c.cells)*(3*ring*(ring+1)))
	for i, cell := range c.cells {
		start := len(flat)
		for _, d := range cell.Disk(ring) {
			if j, ok := c.index[d]; ok && int(j) != i {
				flat = append(flat, int(j))
			}
		}
		lists[i] = flat[start:len(flat):len(flat)]
	}
	nb, err := stats.NeighborsFromLists(lists)
	if err != nil {
		return nil, fmt.Errorf("emerging: %w", err)
	}
	c.neighbors[ring] = nb
	return nb, nil
}

package tiles

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// CellWindow narrows the cells layer to the incidents of a period and a
// kind (the map's filters); the zero CellWindow is every incident, all
// time, the layer's default. The other layers take none.
type CellWindow struct {
	From, To time.Time // [From, To); zero: unbounded
	Kind     string    // an incident kind; "" for every kind
}

// IsZero reports whether w narrows nothing.
func (w CellWindow) IsZero() bool { return w.From.IsZero() && w.To.IsZero() && w.Kind == "" }

func (w CellWindow) key() string {
	if w.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d:%d:%s", w.From.UnixNano(), w.To.UnixNano(), w.Kind)
}

// cellAgg is the count of every cell at one resolution of a scope in a
// window, sorted by cell: a window's tiles are cut from it (whole cells, as
// the all-time tiles), so a filter costs one count of the scope
// (CellCountsIn, the query of /api/cells) rather than one per tile.
type cellAgg struct {
	cells, counts []int64
}

// maxCellAggs bounds the windows kept.
const maxCellAggs = 32

// windowCounts returns the counts of the scope's cells at res in w, from
// memory when they were counted since the last incident change (s.mu not
// held). Concurrent tiles of one window share one count.
func (s *Source) windowCounts(ctx context.Context, res int, areaIDs []int64, scopeKey string, w CellWindow) (*cellAgg, error) {
	key := fmt.Sprintf("%s#%d#%s", scopeKey, res, w.key())
	s.mu.Lock()
	if a, ok := s.aggs[key]; ok {
		s.mu.Unlock()
		return a, nil
	}
	epoch := s.epoch[LayerCells]
	s.mu.Unlock()
	v, err, _ := s.aggCalls.Do(fmt.Sprintf("%s@%d", key, epoch), func() (any, error) {
		// Shared by the tiles of the window asked meanwhile: not ended by
		// the first caller leaving (the others have the same scope).
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), indexTimeout)
		defer cancel()
		a := &cellAgg{}
		err := s.db.CellCountsIn(ctx, res, areaIDs, w.From, w.To, w.Kind, func(cell, n int64) error {
			a.cells, a.counts = append(a.cells, cell), append(a.counts, n)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if !slices.IsSorted(a.cells) {
			return nil, fmt.Errorf("cell counts not in cell order")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.epoch[LayerCells] == epoch { // no incident change meanwhile
			if len(s.aggs) >= maxCellAggs {
				clear(s.aggs)
			}
			s.aggs[key] = a
		}
		return a, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*cellAgg), nil
}

// in calls fn once with every cell of a in one of the ranges [lo[i], hi[i]].
func (a *cellAgg) in(lo, hi []int64, fn func(cell, n int64) error) error {
	seen := map[int]bool{}
	for i := range lo {
		j, _ := slices.BinarySearch(a.cells, lo[i])
		for ; j < len(a.cells) && a.cells[j] <= hi[i]; j++ {
			if seen[j] {
				continue
			}
			seen[j] = true
			if err := fn(a.cells[j], a.counts[j]); err != nil {
				return err
			}
		}
	}
	return nil
}

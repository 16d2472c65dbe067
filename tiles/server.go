package tiles

import (
	"container/list"
	"context"
	"fmt"
	"sync"

	"github.com/paulmach/orb/maptile"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
)

// pointRes is the H3 resolution of the ranges the point layers are read by
// (their h3_r10 column).
const pointRes = 10

// DB is what tiles need of the store (hotspot/store.Store): the fixed
// queries of this package run through it, in the scope of their context.
type DB interface {
	// TileBytes runs a query answering one bytea (a tile) and returns it.
	TileBytes(ctx context.Context, sql string, args ...any) ([]byte, error)
	// TileRows runs a query and, for each row, scans it into dest and calls fn.
	TileRows(ctx context.Context, sql string, args []any, dest []any, fn func() error) error
	// CellTotals calls fn with each cell at res in one of the id ranges
	// [lo[i], hi[i]] and its incidents, all time, in areas ids (nil: all).
	CellTotals(ctx context.Context, res int, lo, hi, ids []int64, fn func(cell, n int64) error) error
}

// UnknownLayerError is returned for a layer name that does not exist.
type UnknownLayerError struct{ Name string }

func (e *UnknownLayerError) Error() string {
	return fmt.Sprintf("unknown layer %q (want areas, hotspots, cameras or cells)", e.Name)
}

// Source renders and caches tiles.
type Source struct {
	db DB

	mu       sync.Mutex
	versions map[Layer]uint64
	cache    map[string]*list.Element
	order    *list.List // most recently used first
	max      int
	hits     uint64
	misses   uint64
}

type cached struct {
	key  string
	data []byte
}

// New returns a tile source over db keeping at most maxTiles tiles in memory.
func New(db DB, maxTiles int) *Source {
	if maxTiles <= 0 {
		maxTiles = 4096
	}
	return &Source{db: db, versions: map[Layer]uint64{}, cache: map[string]*list.Element{}, order: list.New(), max: maxTiles}
}

// Invalidate moves the data version of every layer that shows changes of
// the given kind, so their cached tiles are never served again.
func (s *Source) Invalidate(kind hotspot.ChangeKind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for layer, kinds := range Layers {
		for _, k := range kinds {
			if k == kind {
				s.versions[layer]++
			}
		}
	}
}

// Scope narrows a tile to the rows of some areas (a user's area and
// everything below it). The zero Scope is everything; Key names the scope
// in the cache and must differ between different AreaIDs.
type Scope struct {
	Key     string
	AreaIDs []int64 // nil: every area
	// Rule is what the caller's role may be shown of the aggregates (the
	// cells layer): package disclosure. The zero Rule shows everything.
	Rule disclosure.Rule
}

// Tile returns the tile of layer at c, from the cache when its data has not
// changed since it was made.
func (s *Source) Tile(ctx context.Context, layer Layer, c Coord) ([]byte, error) {
	return s.TileIn(ctx, layer, c, Scope{})
}

// TileIn is Tile narrowed to a scope: hotspots, cameras and incident cells
// of the scope's areas only (area boundaries are not narrowed).
func (s *Source) TileIn(ctx context.Context, layer Layer, c Coord, scope Scope) ([]byte, error) {
	if scope.AreaIDs == nil {
		scope.Key = ""
	} else if scope.Key == "" {
		scope.Key = fmt.Sprint(scope.AreaIDs)
	}
	if _, ok := Layers[layer]; !ok {
		return nil, &UnknownLayerError{Name: string(layer)}
	}
	s.mu.Lock()
	key := fmt.Sprintf("%s/%s@%d#%s#%v", layer, c, s.versions[layer], scope.Key, scope.Rule)
	if el, ok := s.cache[key]; ok {
		s.order.MoveToFront(el)
		s.hits++
		data := el.Value.(*cached).data
		s.mu.Unlock()
		return data, nil
	}
	s.misses++
	s.mu.Unlock()

	data, err := s.render(ctx, layer, c, scope.AreaIDs, scope.Rule)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cache[key]; !ok {
		s.cache[key] = s.order.PushFront(&cached{key: key, data: data})
		for s.order.Len() > s.max {
			old := s.order.Remove(s.order.Back()).(*cached)
			delete(s.cache, old.key)
		}
	}
	return data, nil
}

// Stats reports cache hits and misses.
func (s *Source) Stats() (hits, misses uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits, s.misses
}

func (s *Source) render(ctx context.Context, layer Layer, c Coord, areaIDs []int64, rule disclosure.Rule) ([]byte, error) {
	if layer == LayerCells {
		return cellsTile(ctx, s.db, c, areaIDs, rule)
	}
	args := []any{int(c.Z), int(c.X), int(c.Y)}
	if layer != LayerAreas {
		lo, hi := cover(maptile.New(c.X, c.Y, maptile.Zoom(c.Z)).Bound(), pointRes, maxPointCoverCells)
		args = append(args, areaIDs, lo, hi)
	}
	data, err := s.db.TileBytes(ctx, layerSQL[layer], args...)
	if err != nil {
		return nil, fmt.Errorf("%s tile %s: %w", layer, c, err)
	}
	return data, nil
}

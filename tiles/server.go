package tiles

import (
	"container/list"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/paulmach/orb"
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
	// CellCountsIn calls fn with every cell at res, in cell order, and its
	// incidents in [from, to) (zero: unbounded) of kind ("": every kind),
	// in areas ids (nil: all).
	CellCountsIn(ctx context.Context, res int, ids []int64, from, to time.Time, kind string, fn func(cell, n int64) error) error
}

// UnknownLayerError is returned for a layer name that does not exist.
type UnknownLayerError struct{ Name string }

func (e *UnknownLayerError) Error() string {
	return fmt.Sprintf("unknown layer %q (want areas, hotspots, cameras or cells)", e.Name)
}

// Source renders and caches tiles.
//
// A change drops only the cached tiles it touches (Forget): those that drew
// the changed feature (by its id, where it was before a move or a delete)
// and those within reach of where it is now. A change with nothing to place
// it (a bulk load) moves the version of its layers instead (Invalidate), so
// none of their cached tiles is served again.
type Source struct {
	db DB

	mu       sync.Mutex
	versions map[Layer]uint64
	cache    map[string]*list.Element
	order    *list.List // most recently used first
	max      int
	hits     uint64
	misses   uint64
	// byID is, per layer and feature id, the cache keys of the tiles that
	// drew the feature.
	byID map[featureKey]map[string]struct{}
	// epoch counts the changes forgotten per layer, and recent keeps the
	// newest of them, so a tile rendered while a change it touches came in
	// is not cached (its data may predate the change).
	epoch  map[Layer]uint64
	recent map[Layer][]forgotten
	// index is the point layers' index (pointindex.go), once IndexPoints
	// was called; indexCtx is what it reads with; empty counts the tiles
	// it answered.
	index    map[Layer]*pointIndex
	areaIdx  *areaIndex // areaindex.go
	indexCtx context.Context
	indexing atomic.Bool
	empty    uint64
	// aggs are the cells' counts per scope, resolution and window
	// (cellwindow.go), dropped on every incident change.
	aggs     map[string]*cellAgg
	aggCalls singleflight.Group
}

type featureKey struct {
	layer Layer
	id    int64
}

// forgotten is a change as Forget saw it, numbered per layer.
type forgotten struct {
	epoch uint64
	t     Touched
}

// keepRecent is how many forgotten changes per layer are kept to check
// tiles that were rendering meanwhile.
const keepRecent = 256

type cached struct {
	key   string
	layer Layer
	c     Coord
	rule  disclosure.Rule
	ids   []int64
	data  []byte
}

// New returns a tile source over db keeping at most maxTiles tiles in memory.
func New(db DB, maxTiles int) *Source {
	if maxTiles <= 0 {
		maxTiles = 4096
	}
	return &Source{
		db: db, versions: map[Layer]uint64{}, cache: map[string]*list.Element{}, order: list.New(), max: maxTiles,
		byID: map[featureKey]map[string]struct{}{}, epoch: map[Layer]uint64{}, recent: map[Layer][]forgotten{},
		index: map[Layer]*pointIndex{}, aggs: map[string]*cellAgg{},
	}
}

// Invalidate moves the data version of every layer that shows changes of
// the given kind, so their cached tiles are never served again.
func (s *Source) Invalidate(kind hotspot.ChangeKind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, layer := range layersOf(kind) {
		s.versions[layer]++
		s.epoch[layer]++
		s.recent[layer] = nil // a tile rendering meanwhile predates this version: not cached (TileIn)
		if ix := s.index[layer]; ix != nil {
			s.loadLocked(ix) // the change may have put points anywhere
		}
		if layer == LayerAreas {
			s.loadAreasLocked()
		}
		if layer == LayerCells {
			clear(s.aggs)
		}
	}
}

func layersOf(kind hotspot.ChangeKind) []Layer {
	var out []Layer
	for layer, kinds := range Layers {
		for _, k := range kinds {
			if k == kind {
				out = append(out, layer)
			}
		}
	}
	return out
}

// Touched is what one change touched, for Forget.
type Touched struct {
	Kind hotspot.ChangeKind
	// IDs are the features it changed, by their id in the layers of Kind
	// (a hotspot's, a camera's): every tile that drew one of them is
	// dropped, wherever it was.
	IDs []int64
	// Points are where the change happened (a hotspot's place now, an
	// incident's): every tile that draws there is dropped, at every zoom.
	Points []orb.Point
}

// Placed reports whether t says what the change touched (features or
// places); one that does not can only be forgotten by dropping its layers
// whole.
func (t Touched) Placed() bool { return len(t.Points) > 0 || len(t.IDs) > 0 }

// Forget drops the cached tiles of the layers showing t.Kind that t
// touches, and returns how many. A change that is not placed (Placed) moves
// the layers' version instead, as Invalidate.
func (s *Source) Forget(t Touched) int {
	if !t.Placed() {
		s.Invalidate(t.Kind)
		return -1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	dropped := 0
	for _, layer := range layersOf(t.Kind) {
		s.epoch[layer]++
		r := append(s.recent[layer], forgotten{epoch: s.epoch[layer], t: t})
		if len(r) > keepRecent {
			r = r[len(r)-keepRecent:]
		}
		s.recent[layer] = r
		s.indexTouched(layer, t)
		if layer == LayerAreas {
			s.loadAreasLocked()
		}
		if layer == LayerCells {
			clear(s.aggs)
		}
		var drop []*list.Element
		for _, id := range t.IDs {
			for key := range s.byID[featureKey{layer, id}] {
				if el, ok := s.cache[key]; ok {
					drop = append(drop, el)
				}
			}
		}
		for el := s.order.Front(); el != nil; el = el.Next() {
			if e := el.Value.(*cached); e.layer == layer && touches(e.layer, e.c, e.rule, t) {
				drop = append(drop, el)
			}
		}
		for _, el := range drop {
			if e, ok := el.Value.(*cached); ok && s.cache[e.key] == el {
				s.remove(el)
				dropped++
			}
		}
	}
	return dropped
}

// remove takes one entry out of the cache and its indexes (s.mu held).
func (s *Source) remove(el *list.Element) {
	e := s.order.Remove(el).(*cached)
	delete(s.cache, e.key)
	for _, id := range e.ids {
		k := featureKey{e.layer, id}
		delete(s.byID[k], e.key)
		if len(s.byID[k]) == 0 {
			delete(s.byID, k)
		}
	}
}

// Reach is how far around a tile a change at a point shows on it, in
// degrees of longitude and latitude at the tile's latitude: the buffer the
// layers draw beyond the tile's edge (64 of 4,096 units) for points and
// outlines; for the incident cells, the width of a hexagon at the tile's
// resolution (rule: the caller's disclosure rule, which may coarsen it), as
// a whole hexagon is drawn on every tile it touches.
func Reach(layer Layer, c Coord, rule disclosure.Rule) (dLon, dLat float64) {
	b := maptile.New(c.X, c.Y, maptile.Zoom(c.Z)).Bound()
	dLon, dLat = (b.Max[0]-b.Min[0])*64/4096, (b.Max[1]-b.Min[1])*64/4096
	if layer == LayerCells {
		res := rule.Res(cellResolution(c.Z))
		km := 2.5 * h3EdgeKm[res]
		lat := (b.Min[1] + b.Max[1]) / 2
		dLon += km / (111.32 * max(math.Cos(lat*math.Pi/180), 0.05))
		dLat += km / 110.57
	}
	return dLon, dLat
}

// touches reports whether the tile of layer at c, drawn under rule, shows
// a place that t touched.
func touches(layer Layer, c Coord, rule disclosure.Rule, t Touched) bool {
	b := maptile.New(c.X, c.Y, maptile.Zoom(c.Z)).Bound()
	dLon, dLat := Reach(layer, c, rule)
	b = orb.Bound{Min: orb.Point{b.Min[0] - dLon, b.Min[1] - dLat}, Max: orb.Point{b.Max[0] + dLon, b.Max[1] + dLat}}
	for _, p := range t.Points {
		if b.Contains(p) {
			return true
		}
	}
	return false
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
	// Cells narrows the cells layer to a period and a kind (the caller
	// applies Rule.Window first); the zero CellWindow counts everything.
	Cells CellWindow

	// candidates (byID) are the ids the point index says may be in the
	// tile, read at the epoch the tile is rendered from (TileIn).
	candidates []int64
	byID       bool
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
	if layer != LayerCells {
		scope.Cells = CellWindow{}
	}
	s.mu.Lock()
	key := fmt.Sprintf("%s/%s@%d#%s#%v#%s", layer, c, s.versions[layer], scope.Key, scope.Rule, scope.Cells.key())
	if el, ok := s.cache[key]; ok {
		s.order.MoveToFront(el)
		s.hits++
		data := el.Value.(*cached).data
		s.mu.Unlock()
		return data, nil
	}
	if ix := s.index[layer]; ix != nil {
		if !ix.ready && !ix.loading && time.Since(ix.failed) > loadRetry {
			s.loadLocked(ix)
		}
		if !ix.mayHold(c, scope.AreaIDs) {
			// None of the scope's points is here: the answer the
			// database gives (pointsTile), without asking it. Not
			// cached: the index answers as fast as the cache.
			s.empty++
			s.mu.Unlock()
			return []byte{}, nil
		}
		scope.candidates, scope.byID = ix.candidates(c)
	}
	if ix := s.areaIdx; ix != nil && layer == LayerAreas {
		if !ix.ready && !ix.loading && time.Since(ix.failed) > loadRetry {
			s.loadAreasLocked()
		}
		if !ix.reaches(c) {
			s.empty++ // no boundary here, for anyone (areaindex.go)
			s.mu.Unlock()
			return []byte{}, nil
		}
	}
	s.misses++
	epoch := s.epoch[layer]
	s.mu.Unlock()

	data, err := s.render(ctx, layer, c, scope)
	if err != nil {
		return nil, err
	}
	var ids []int64
	if layer != LayerCells {
		if ids, err = featureIDs(data); err != nil {
			return nil, fmt.Errorf("%s tile %s: %w", layer, c, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cache[key]; ok || s.changedSince(layer, c, scope.Rule, ids, epoch) {
		return data, nil
	}
	s.cache[key] = s.order.PushFront(&cached{key: key, layer: layer, c: c, rule: scope.Rule, ids: ids, data: data})
	for _, id := range ids {
		k := featureKey{layer, id}
		if s.byID[k] == nil {
			s.byID[k] = map[string]struct{}{}
		}
		s.byID[k][key] = struct{}{}
	}
	for s.order.Len() > s.max {
		s.remove(s.order.Back())
	}
	return data, nil
}

// changedSince reports whether a change forgotten in layer after epoch
// may touch the tile at c (drawn under rule, showing features ids): its
// data, read before, may not show it (s.mu held).
func (s *Source) changedSince(layer Layer, c Coord, rule disclosure.Rule, ids []int64, epoch uint64) bool {
	if s.epoch[layer] == epoch {
		return false
	}
	r := s.recent[layer]
	if len(r) == 0 || r[0].epoch > epoch+1 {
		return true // older than what is kept (or the whole layer moved)
	}
	for _, f := range r {
		if f.epoch <= epoch {
			continue
		}
		if touches(layer, c, rule, f.t) {
			return true
		}
		for _, id := range f.t.IDs {
			if slices.Contains(ids, id) {
				return true
			}
		}
	}
	return false
}

// Empty reports how many tiles the point index answered without a query.
func (s *Source) Empty() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.empty
}

// Stats reports cache hits and misses.
func (s *Source) Stats() (hits, misses uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits, s.misses
}

func (s *Source) render(ctx context.Context, layer Layer, c Coord, scope Scope) ([]byte, error) {
	switch layer {
	case LayerCells:
		if !scope.Cells.IsZero() {
			return cellsTile(c, scope.Rule, func(res int, lo, hi []int64, fn func(cell, n int64) error) error {
				a, err := s.windowCounts(ctx, res, scope.AreaIDs, scope.Key, scope.Cells)
				if err != nil {
					return err
				}
				return a.in(lo, hi, fn)
			})
		}
		return cellsTile(c, scope.Rule, func(res int, lo, hi []int64, fn func(cell, n int64) error) error {
			return s.db.CellTotals(ctx, res, lo, hi, scope.AreaIDs, fn)
		})
	case LayerHotspots, LayerCameras:
		return pointsTile(ctx, s.db, layer, c, scope.AreaIDs, scope.candidates, scope.byID)
	}
	data, err := s.db.TileBytes(ctx, layerSQL[layer], int(c.Z), int(c.X), int(c.Y))
	if err != nil {
		return nil, fmt.Errorf("%s tile %s: %w", layer, c, err)
	}
	return data, nil
}

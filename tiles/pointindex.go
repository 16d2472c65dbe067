package tiles

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"
)

// The point index: where every hotspot and camera is (id, place and area
// id; nothing else), so that a tile of the point layers holding none of the
// caller's points is answered without a query. Most tiles of a province at
// z12–16 hold no point, and for those the database was the whole cost of a
// cold tile (bench/rls/RESULTS.md, issue 15).
//
// Security. Row-level security stays the one place that decides what a
// caller is shown: the index only ever answers a tile with nothing, and
// only when no point of the caller's scope lies within reach of it; every
// other tile goes to the database under the caller's scope, where the
// policies decide which of its points are drawn. An empty answer shows
// less than the database would, never more. Keyed by area so that time
// tells nothing either: a tile whose only points lie outside the caller's
// areas is answered from the index as fast as a tile with no point at all,
// so how long a tile takes does not reveal points the caller may not see
// (with an index of places only, such a tile would go to the database and
// be slower than an empty one). The index is read with the system scope
// (IndexPoints), lives in this process only, and is never sent anywhere.
//
// Currency. The index is loaded once per layer, then kept by the same
// change feed that drops cached tiles (Forget), under the same lock and
// before the layer's epoch moves, so a tile rendered from the index before
// a change is not cached when the change touches it (TileIn,
// changedSince). A changed point is placed at once where the change says it
// is now, with its area not yet known (any scope: such a point always sends
// its tiles to the database), and its area is read back shortly after
// (refresh); a change naming a point without saying where it is now (a
// delete) keeps its old place until the read back, which drops it if the row
// is gone. A change the feed cannot place (a bulk load, a change that could
// not be read) reloads the layer's index; until it is loaded again every
// tile of the layer goes to the database, as it did before the index.
// While the index cannot be trusted to hold every point, it answers nothing.

// indexMaxZoom is the deepest zoom the index keeps; a deeper tile is
// answered from its ancestor at this zoom (which has nothing within reach of
// it when the ancestor has nothing within its own, wider, reach).
const indexMaxZoom = 16

// indexReach is how far around a tile, in tiles, a point counts as within
// reach: the layers' buffer (64 of 4,096 units). The point queries keep only
// points inside the tile's box, so this is a margin against rounding.
const indexReach = float64(pointBuffer) / tileExtent

// areaUnknown is the area of a point whose area has not been read back yet:
// it counts as inside every scope.
const areaUnknown int64 = -1

// pointIndexSQL reads every point of a layer, or (with $1) those ids.
var pointIndexSQL = map[Layer]string{
	LayerHotspots: `SELECT id, ST_X(geom), ST_Y(geom), area_id FROM hotspots WHERE geom IS NOT NULL AND ($1::bigint[] IS NULL OR id = ANY ($1))`,
	LayerCameras:  `SELECT id, ST_X(geom), ST_Y(geom), area_id FROM cameras WHERE geom IS NOT NULL AND ($1::bigint[] IS NULL OR id = ANY ($1))`,
}

type indexedPoint struct {
	p    orb.Point
	area int64
}

type areaCount struct {
	area int64
	n    int32
}

// pointIndex is one layer's index; every field is guarded by Source.mu.
type pointIndex struct {
	layer   Layer
	ready   bool // holds every point of the layer
	loading bool
	gen     uint64 // moves when the layer must be loaded again
	failed  time.Time
	points  map[int64]indexedPoint
	// tiles is, per zoom, for every tile with a point within reach, the
	// areas of those points and how many of each.
	tiles [indexMaxZoom + 1]map[uint64][]areaCount
	// ids is, for every tile at indexMaxZoom with a point within reach, the
	// ids of those points: a tile's query asks for them by id (candidates).
	ids map[uint64][]int64
	// doubt are the points changed without saying where they are now (a
	// delete): until read back, a tile is asked by its box, not by ids.
	doubt map[int64]bool
	// pending are the changes seen while loading, applied once loaded.
	pending []placedPoint
	// dirty are the points whose area is to be read back, with the number
	// of their latest change (seq).
	dirty      map[int64]uint64
	seq        uint64
	refreshing bool
}

type placedPoint struct {
	id    int64
	p     orb.Point
	moved bool // p is where it is now; otherwise only its area is in doubt
}

func newPointIndex(layer Layer) *pointIndex {
	return &pointIndex{layer: layer, dirty: map[int64]uint64{}, doubt: map[int64]bool{}}
}

func tileKey(x, y uint32) uint64 { return uint64(x)<<32 | uint64(y) }

// reachOf calls fn with every tile at every indexed zoom that p is within
// reach of.
func reachOf(p orb.Point, fn func(z int, key uint64)) {
	lat := max(min(p[1], 85.0511287798066), -85.0511287798066)
	mx := (p[0] + 180) / 360
	my := (1 - math.Log(math.Tan((90+lat)*math.Pi/360))/math.Pi) / 2
	for z := 0; z <= indexMaxZoom; z++ {
		n := float64(uint64(1) << z)
		fx, fy := mx*n, my*n
		x0, x1 := clampTile(fx-indexReach, n), clampTile(fx+indexReach, n)
		y0, y1 := clampTile(fy-indexReach, n), clampTile(fy+indexReach, n)
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				fn(z, tileKey(x, y))
			}
		}
	}
}

func clampTile(f, n float64) uint32 {
	return uint32(max(min(math.Floor(f), n-1), 0))
}

// add counts point id of area in every tile within its reach.
func (ix *pointIndex) add(id int64, p orb.Point, area int64) {
	reachOf(p, func(z int, key uint64) {
		if z == indexMaxZoom {
			ix.ids[key] = append(ix.ids[key], id)
		}
		m := ix.tiles[z]
		if m == nil {
			m = map[uint64][]areaCount{}
			ix.tiles[z] = m
		}
		ac := m[key]
		for i := range ac {
			if ac[i].area == area {
				ac[i].n++
				return
			}
		}
		m[key] = append(ac, areaCount{area, 1})
	})
}

// sub takes a point counted by add out again.
func (ix *pointIndex) sub(id int64, p orb.Point, area int64) {
	reachOf(p, func(z int, key uint64) {
		if z == indexMaxZoom {
			if l := slices.DeleteFunc(ix.ids[key], func(v int64) bool { return v == id }); len(l) == 0 {
				delete(ix.ids, key)
			} else {
				ix.ids[key] = l
			}
		}
		m := ix.tiles[z]
		ac := m[key]
		for i := range ac {
			if ac[i].area != area {
				continue
			}
			if ac[i].n--; ac[i].n == 0 {
				ac = slices.Delete(ac, i, i+1)
				if len(ac) == 0 {
					delete(m, key)
				} else {
					m[key] = ac
				}
			}
			return
		}
	})
}

// set places point id at p in area, or removes it (ok false).
func (ix *pointIndex) set(id int64, p orb.Point, area int64, ok bool) {
	if old, had := ix.points[id]; had {
		ix.sub(id, old.p, old.area)
		delete(ix.points, id)
	}
	if ok {
		ix.points[id] = indexedPoint{p, area}
		ix.add(id, p, area)
	}
}

// mayHold reports whether the tile at c may hold a point of scope (ids; nil:
// every area): false only when the index holds every point of the layer
// and none of scope lies within reach of the tile.
func (ix *pointIndex) mayHold(c Coord, ids []int64) bool {
	if !ix.ready {
		return true
	}
	x, y, z := c.X, c.Y, int(c.Z)
	if z > indexMaxZoom {
		x, y, z = x>>(z-indexMaxZoom), y>>(z-indexMaxZoom), indexMaxZoom
	}
	ac := ix.tiles[z][tileKey(x, y)]
	if len(ac) == 0 {
		return false
	}
	if ids == nil {
		return true
	}
	for _, a := range ac {
		if a.area == areaUnknown || slices.Contains(ids, a.area) {
			return true
		}
	}
	return false
}

// candidates returns the ids of the points that may lie inside the tile at
// c (every one that does, and some around it), when the index knows where
// every point is: the tile's query then reads those rows by id, under the
// policies and the tile's box as before, instead of by H3 ranges.
func (ix *pointIndex) candidates(c Coord) ([]int64, bool) {
	if !ix.ready || len(ix.doubt) > 0 {
		return nil, false
	}
	x, y, z := c.X, c.Y, int(c.Z)
	if z > indexMaxZoom {
		x, y, z = x>>(z-indexMaxZoom), y>>(z-indexMaxZoom), indexMaxZoom
	}
	shift := indexMaxZoom - z
	var out []int64
	for x16 := x << shift; x16 < (x+1)<<shift; x16++ {
		for y16 := y << shift; y16 < (y+1)<<shift; y16++ {
			out = append(out, ix.ids[tileKey(x16, y16)]...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

// changed applies a change to point id: now at p when moved, else only in
// doubt (a delete, or a change that did not say where). Its area is read
// back later (refresh).
func (ix *pointIndex) changed(pp placedPoint) {
	if !ix.ready {
		if ix.loading {
			ix.pending = append(ix.pending, pp)
		}
		return
	}
	old, had := ix.points[pp.id]
	switch {
	case pp.moved:
		ix.set(pp.id, pp.p, areaUnknown, true)
	case had:
		ix.set(pp.id, old.p, areaUnknown, true)
		ix.doubt[pp.id] = true
	default:
		ix.doubt[pp.id] = true
	}
	ix.seq++
	ix.dirty[pp.id] = ix.seq
}

// IndexPoints makes the point layers answer tiles that hold none of the
// caller's points without a query (see the point index above), loading
// their index now and again after a change the feed could not place; and
// the area layer its tiles that no boundary reaches (areaindex.go). ctx
// must see every point (the system scope): a narrower one would leave
// points out of the index and their tiles empty. Only its values are kept
// (each load has its own deadline). The first call counts; later calls do
// nothing.
func (s *Source) IndexPoints(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.indexCtx != nil {
		return
	}
	s.indexing.Store(true)
	s.indexCtx = context.WithoutCancel(ctx)
	for _, layer := range []Layer{LayerHotspots, LayerCameras} {
		ix := newPointIndex(layer)
		s.index[layer] = ix
		s.loadLocked(ix)
	}
	s.areaIdx = &areaIndex{}
	s.loadAreasLocked()
}

// Indexing reports whether IndexPoints was called.
func (s *Source) Indexing() bool { return s.indexing.Load() }

// IndexReady reports whether layer's index is loaded: for a point layer,
// holding every point with its area.
func (s *Source) IndexReady(layer Layer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if layer == LayerAreas {
		return s.areaIdx != nil && s.areaIdx.ready
	}
	ix := s.index[layer]
	return ix != nil && ix.ready && len(ix.dirty) == 0
}

// loadRetry is how long after a failed load the next tile asks again.
const loadRetry = 5 * time.Second

// indexTimeout bounds one read of the index.
const indexTimeout = 60 * time.Second

// loadLocked starts (re)loading ix (s.mu held): until loaded it answers
// nothing.
func (s *Source) loadLocked(ix *pointIndex) {
	ix.ready = false
	ix.gen++
	ix.pending = nil
	clear(ix.dirty)
	clear(ix.doubt)
	if ix.loading {
		return // the load under way sees gen move and reads again
	}
	ix.loading = true
	go s.load(ix)
}

// load reads ix until a read finishes with no reload asked meanwhile.
func (s *Source) load(ix *pointIndex) {
	for {
		s.mu.Lock()
		gen := ix.gen
		s.mu.Unlock()
		points, err := s.readPoints(ix.layer, nil)
		s.mu.Lock()
		if ix.gen != gen {
			s.mu.Unlock()
			continue
		}
		ix.loading = false
		if err != nil {
			ix.failed = time.Now()
			ix.pending = nil
			s.mu.Unlock()
			return
		}
		ix.points = make(map[int64]indexedPoint, len(points))
		ix.tiles = [indexMaxZoom + 1]map[uint64][]areaCount{}
		ix.ids = map[uint64][]int64{}
		for id, p := range points {
			ix.points[id] = p
			ix.add(id, p.p, p.area)
		}
		ix.ready = true
		pending := ix.pending
		ix.pending = nil
		for _, pp := range pending {
			ix.changed(pp)
		}
		s.refreshLocked(ix)
		s.mu.Unlock()
		return
	}
}

// readPoints reads the layer's points (ids: those only; nil: all) in the
// index's scope.
func (s *Source) readPoints(layer Layer, ids []int64) (map[int64]indexedPoint, error) {
	ctx, cancel := context.WithTimeout(s.indexCtx, indexTimeout)
	defer cancel()
	var (
		id, area int64
		lon, lat float64
	)
	out := map[int64]indexedPoint{}
	err := s.db.TileRows(ctx, pointIndexSQL[layer], []any{ids}, []any{&id, &lon, &lat, &area}, func() error {
		out[id] = indexedPoint{orb.Point{lon, lat}, area}
		return nil
	})
	return out, err
}

// refreshLocked starts reading back the areas of ix's changed points
// (s.mu held), unless a read is under way (it reads again when done).
func (s *Source) refreshLocked(ix *pointIndex) {
	if ix.refreshing || len(ix.dirty) == 0 || !ix.ready {
		return
	}
	ix.refreshing = true
	go s.refresh(ix)
}

// refresh reads the changed points back and places each as read (or drops
// it when its row is gone), unless it changed again meanwhile. A failed
// read leaves them in every scope (safe: their tiles go to the database)
// until the next change asks again.
func (s *Source) refresh(ix *pointIndex) {
	for {
		s.mu.Lock()
		if len(ix.dirty) == 0 || !ix.ready {
			ix.refreshing = false
			s.mu.Unlock()
			return
		}
		gen := ix.gen
		asked := make(map[int64]uint64, len(ix.dirty))
		ids := make([]int64, 0, len(ix.dirty))
		for id, seq := range ix.dirty {
			asked[id] = seq
			ids = append(ids, id)
		}
		s.mu.Unlock()
		points, err := s.readPoints(ix.layer, ids)
		s.mu.Lock()
		if err != nil {
			ix.refreshing = false
			s.mu.Unlock()
			return
		}
		if ix.gen == gen {
			for id, seq := range asked {
				if ix.dirty[id] != seq {
					continue // changed again: read again
				}
				delete(ix.dirty, id)
				delete(ix.doubt, id)
				p, ok := points[id]
				ix.set(id, p.p, p.area, ok)
			}
		}
		s.mu.Unlock()
	}
}

// indexTouched applies a change to the point index of layer (s.mu held).
func (s *Source) indexTouched(layer Layer, t Touched) {
	ix := s.index[layer]
	if ix == nil {
		return
	}
	if len(t.Points) != len(t.IDs) && len(t.Points) > 0 {
		s.loadLocked(ix) // points that are not one per id: place them all again
		return
	}
	for i, id := range t.IDs {
		pp := placedPoint{id: id}
		if len(t.Points) > 0 {
			pp.p, pp.moved = t.Points[i], true
		}
		ix.changed(pp)
	}
	s.refreshLocked(ix)
}

package tiles

import (
	"context"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
)

// The area index: today's area boundaries in memory, so that an area tile
// that no boundary reaches is answered without a query (most tiles around
// a province's coast or at its edge). Area boundaries are not narrowed by
// scope (every user's map draws them all) and carry no row-level security,
// so the answer is the same for everyone. A tile is answered empty only
// when no area, grown by the layer's buffer (64 of 4,096 units), reaches
// it; every other tile is drawn by PostGIS as before (layerSQL). The index
// is loaded with the point index (IndexPoints) and loaded again after every
// area change (Invalidate, Forget: the area layer is always dropped whole).

// areaIndexSQL reads today's boundaries.
const areaIndexSQL = `SELECT ST_AsBinary(geom) FROM current_areas WHERE geom IS NOT NULL AND $1::bigint[] IS NULL`

type areaShape struct {
	bound orb.Bound
	geom  orb.MultiPolygon // nil: anything in bound may be drawn
}

// areaIndex is the area layer's index; every field is guarded by Source.mu.
type areaIndex struct {
	ready, loading bool
	gen            uint64
	failed         time.Time
	shapes         []areaShape
}

// reaches reports whether some area reaches the tile at c grown by the
// layers' buffer (true when the index is not loaded).
func (ix *areaIndex) reaches(c Coord) bool {
	if !ix.ready {
		return true
	}
	b := maptile.New(c.X, c.Y, maptile.Zoom(c.Z)).Bound()
	dLon, dLat := (b.Max[0]-b.Min[0])*2*pointBuffer/tileExtent, (b.Max[1]-b.Min[1])*2*pointBuffer/tileExtent
	b = orb.Bound{Min: orb.Point{b.Min[0] - dLon, b.Min[1] - dLat}, Max: orb.Point{b.Max[0] + dLon, b.Max[1] + dLat}}
	for i := range ix.shapes {
		if ix.shapes[i].bound.Intersects(b) && (ix.shapes[i].geom == nil || polygonsReach(ix.shapes[i].geom, b)) {
			return true
		}
	}
	return false
}

// polygonsReach reports whether mp and the box b share a point: an edge of
// mp crosses or lies in b, or b lies inside mp.
func polygonsReach(mp orb.MultiPolygon, b orb.Bound) bool {
	for _, p := range mp {
		for _, r := range p {
			for i := 1; i < len(r); i++ {
				if segmentReaches(r[i-1], r[i], b) {
					return true
				}
			}
		}
	}
	return planar.MultiPolygonContains(mp, b.Center())
}

// segmentReaches reports whether the segment p–q meets the box b
// (Liang–Barsky).
func segmentReaches(p, q orb.Point, b orb.Bound) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := q[0]-p[0], q[1]-p[1]
	for _, e := range [4][2]float64{{-dx, p[0] - b.Min[0]}, {dx, b.Max[0] - p[0]}, {-dy, p[1] - b.Min[1]}, {dy, b.Max[1] - p[1]}} {
		pe, qe := e[0], e[1]
		if pe == 0 {
			if qe < 0 {
				return false
			}
			continue
		}
		t := qe / pe
		if pe < 0 {
			t0 = max(t0, t)
		} else {
			t1 = min(t1, t)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}

// loadAreasLocked starts (re)loading the area index (s.mu held).
func (s *Source) loadAreasLocked() {
	ix := s.areaIdx
	if ix == nil {
		return
	}
	ix.ready = false
	ix.gen++
	if ix.loading {
		return
	}
	ix.loading = true
	go s.loadAreas(ix)
}

func (s *Source) loadAreas(ix *areaIndex) {
	for {
		s.mu.Lock()
		gen := ix.gen
		s.mu.Unlock()
		shapes, err := s.readAreas()
		s.mu.Lock()
		if ix.gen != gen {
			s.mu.Unlock()
			continue
		}
		ix.loading = false
		if err != nil {
			ix.failed = time.Now()
		} else {
			ix.shapes, ix.ready = shapes, true
		}
		s.mu.Unlock()
		return
	}
}

func (s *Source) readAreas() ([]areaShape, error) {
	ctx, cancel := context.WithTimeout(s.indexCtx, indexTimeout)
	defer cancel()
	var data []byte
	var out []areaShape
	err := s.db.TileRows(ctx, areaIndexSQL, []any{[]int64(nil)}, []any{&data}, func() error {
		g, err := wkb.Unmarshal(data)
		if err != nil {
			return err
		}
		var mp orb.MultiPolygon
		switch g := g.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		default: // not a surface: reaches what its box reaches
			out = append(out, areaShape{bound: g.Bound()})
			return nil
		}
		out = append(out, areaShape{bound: mp.Bound(), geom: mp})
		return nil
	})
	return out, err
}

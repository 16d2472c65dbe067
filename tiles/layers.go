package tiles

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
)

// Layer names a tile layer.
type Layer string

// The layers.
const (
	LayerAreas    Layer = "areas"
	LayerHotspots Layer = "hotspots"
	LayerCameras  Layer = "cameras"
	LayerCells    Layer = "cells"
)

// Layers lists every layer, with the change kinds that invalidate it.
var Layers = map[Layer][]hotspot.ChangeKind{
	LayerAreas:    {hotspot.ChangeArea},
	LayerHotspots: {hotspot.ChangeHotspot, hotspot.ChangeEvent},
	LayerCameras:  {hotspot.ChangeCamera},
	LayerCells:    {hotspot.ChangeIncident},
}

// The area boundaries: one fixed query, parameters z, x, y, drawn by
// PostGIS (ST_AsMVT). The point layers are drawn in Go (pointsTile).
var layerSQL = map[Layer]string{
	LayerAreas: `
WITH b AS (SELECT ST_TileEnvelope($1, $2, $3) AS env),
t AS (
    SELECT ST_AsMVTGeom(ST_Transform(a.geom, 3857), b.env, 4096, 64, true) AS geom,
           a.id, a.code, a.name, a.level, coalesce(a.parent_code, '') AS parent_code
    FROM current_areas a, b
    WHERE a.geom && ST_Transform(b.env, 4326))
SELECT ST_AsMVT(t, 'areas', 4096, 'geom', 'id') FROM t WHERE geom IS NOT NULL`,
}

// cellResolution picks the H3 resolution of the density layer for a zoom:
// hexagons a few pixels to a few dozen pixels wide.
func cellResolution(z Zoom) int {
	switch {
	case z <= 11:
		return 7
	case z <= 13:
		return 8
	case z <= 15:
		return 9
	default:
		return 10
	}
}

// cellsTile draws the H3 cells at the tile's resolution (coarsened by
// the rule) that touch the tile, each with the count of its incidents, all
// time: whole cells, so a hexagon has the same count on every tile that
// draws it (a tile's box never narrows a count). The geometry is built in
// Go from geo.Cell boundaries (PostGIS has no H3 here); counts below the
// rule's floor are suppressed (package disclosure).
// counts calls its fn with each cell at res in the ranges [lo[i], hi[i]] and
// its count (the whole cell's).
func cellsTile(c Coord, rule disclosure.Rule, counts func(res int, lo, hi []int64, fn func(cell, n int64) error) error) ([]byte, error) {
	res := rule.Res(cellResolution(c.Z))
	tile := maptile.New(c.X, c.Y, maptile.Zoom(c.Z))
	lo, hi := cover(tile.Bound(), res, maxCoverCells)
	fc := geojson.NewFeatureCollection()
	err := counts(res, lo, hi, func(cell, n int64) error {
		gc := geo.Cell(cell)
		f := geojson.NewFeature(orb.Polygon{gc.Boundary()})
		f.Properties = geojson.Properties{"cell": gc.String()}
		rule.Properties(f.Properties, "count", n)
		fc.Append(f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cells tile %s: %w", c, err)
	}
	layers := mvt.NewLayers(map[string]*geojson.FeatureCollection{string(LayerCells): fc})
	layers.ProjectToTile(tile)
	layers.Clip(mvt.MapboxGLDefaultExtentBound)
	layers.RemoveEmpty(0, 0)
	return mvt.Marshal(layers)
}

// The point layers (hotspots, cameras): their rows are read with one fixed
// query each and the tile is encoded here. PostGIS's ST_AsMVTGeom (a
// transform, clip and snap per point) and ST_AsMVT cost 50–80 µs a point:
// 300–500 ms for a z12 tile of 6,700 hotspots, against a few ms to read the
// rows and project them in Go (bench/rls/RESULTS.md).
//
// Parameters: the tile as ranges of H3 res-10 ids ($1, $2: cover), the
// area ids the caller may see ($3, NULL for all) and the tile ($4–$6: z,
// x, y), whose box trims the points as the tile layers always did. Under row-level security PostgreSQL applies no qual that is
// not leakproof before the policy, and PostGIS's && is not, so the box
// cannot be an index condition there: every tile would read every point of
// the scope. The ranges are integer comparisons on the points' h3_r10
// column (indexed, migrations/00011), which it applies through the index;
// the box then trims what the ranges' margin let in. The ranges are read in
// a subquery of their own (OFFSET 0: nothing else is pushed into it), where
// only those leakproof quals stand: beside the costly PostGIS quals the
// planner preferred reading every point of the scope by area_id. A
// hotspot's status is read per hotspot drawn from the status kept on its
// timeline (migration 00014: hotspot_status's answer, kept by the events'
// trigger; no timeline is 'unknown'), one primary-key probe under a policy
// on the timeline's own area_id; hotspot_status instead scanned the
// hotspot's events, each under the events' policy.
var pointSQL = map[Layer]string{
	LayerHotspots: `
SELECT p.id, ST_X(p.geom), ST_Y(p.geom), p.ref, p.name, p.kind,
       coalesce((SELECT s.status FROM hotspot_timelines s WHERE s.hotspot_id = p.id), 'unknown'), a.code
FROM unnest($1::bigint[], $2::bigint[]) r(lo, hi)
CROSS JOIN LATERAL (
    SELECT h.id, h.ref, h.name, h.kind, h.area_id, h.geom FROM hotspots h
    WHERE h.h3_r10 BETWEEN r.lo AND r.hi AND ($3::bigint[] IS NULL OR h.area_id = ANY ($3))
    OFFSET 0) p
JOIN areas a ON a.id = p.area_id
WHERE p.geom && ST_Transform(ST_TileEnvelope($4, $5, $6), 4326)
ORDER BY p.id`,
	LayerCameras: `
SELECT p.id, ST_X(p.geom), ST_Y(p.geom), p.ref, p.bearing, p.fov, p.range_m, p.owner, p.status, a.code
FROM unnest($1::bigint[], $2::bigint[]) r(lo, hi)
CROSS JOIN LATERAL (
    SELECT c.id, c.ref, c.bearing, c.fov, c.range_m, c.owner, c.status, c.area_id, c.geom FROM cameras c
    WHERE c.h3_r10 BETWEEN r.lo AND r.hi AND ($3::bigint[] IS NULL OR c.area_id = ANY ($3))
    OFFSET 0) p
JOIN areas a ON a.id = p.area_id
WHERE p.geom && ST_Transform(ST_TileEnvelope($4, $5, $6), 4326)
ORDER BY p.id`,
}

// pointByIDSQL is pointSQL for a tile whose candidate points the point
// index named ($1: their ids; pointindex.go): read by primary key, with
// the same area list ($2), box ($3–$5) and row-level security. For a tile
// of a few dozen points it costs half the ranges' query (the ranges' plan:
// a lateral scan per range).
var pointByIDSQL = map[Layer]string{
	LayerHotspots: `
SELECT p.id, ST_X(p.geom), ST_Y(p.geom), p.ref, p.name, p.kind,
       coalesce((SELECT s.status FROM hotspot_timelines s WHERE s.hotspot_id = p.id), 'unknown'), a.code
FROM hotspots p
JOIN areas a ON a.id = p.area_id
WHERE p.id = ANY ($1) AND ($2::bigint[] IS NULL OR p.area_id = ANY ($2))
  AND p.geom && ST_Transform(ST_TileEnvelope($3, $4, $5), 4326)
ORDER BY p.id`,
	LayerCameras: `
SELECT p.id, ST_X(p.geom), ST_Y(p.geom), p.ref, p.bearing, p.fov, p.range_m, p.owner, p.status, a.code
FROM cameras p
JOIN areas a ON a.id = p.area_id
WHERE p.id = ANY ($1) AND ($2::bigint[] IS NULL OR p.area_id = ANY ($2))
  AND p.geom && ST_Transform(ST_TileEnvelope($3, $4, $5), 4326)
ORDER BY p.id`,
}

// tileExtent is the vector tiles' extent; pointBuffer is how far past it a
// point is kept (ST_AsMVTGeom's buffer; a point inside the tile's box
// always lands within it).
const (
	tileExtent  = 4096
	pointBuffer = 64
)

// webMercatorHalf is half the width of the Web Mercator plane (EPSG:3857), m.
const webMercatorHalf = 20037508.342789244

// tilePixel projects lon/lat into the tile's pixel grid (y down), as
// ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(z, x, y), 4096)
// does, snapped to the grid.
func tilePixel(c Coord, lon, lat float64) (int64, int64) {
	w := 2 * webMercatorHalf / float64(uint64(1)<<c.Z)
	x0 := -webMercatorHalf + float64(c.X)*w
	y1 := webMercatorHalf - float64(c.Y)*w
	mx := lon * webMercatorHalf / 180
	my := math.Log(math.Tan((90+lat)*math.Pi/360)) * webMercatorHalf / math.Pi
	return int64(math.RoundToEven((mx - x0) / w * tileExtent)), int64(math.RoundToEven((y1 - my) / w * tileExtent))
}

// pointsTile reads the points of a layer inside tile c (of the areas
// areaIDs, nil: all) and encodes them as a vector tile: one layer named
// after it, each point a feature with its id and the layer's properties
// (hotspots: ref, name, kind, status, area; cameras: ref, bearing, fov,
// range_m, owner, status, area; text as strings, numbers as doubles, as
// ST_AsMVT wrote them). No point: an empty answer, as ST_AsMVT over no row.
//
// byID: the point index named the candidates (ids), read by id instead.
func pointsTile(ctx context.Context, db DB, layer Layer, c Coord, areaIDs, ids []int64, byID bool) ([]byte, error) {
	query := pointSQL[layer]
	var args []any
	if byID {
		if ids == nil {
			ids = []int64{}
		}
		query, args = pointByIDSQL[layer], []any{ids, areaIDs, int(c.Z), int(c.X), int(c.Y)}
	} else {
		tile := maptile.New(c.X, c.Y, maptile.Zoom(c.Z))
		lo, hi := cover(tile.Bound(), pointRes, maxPointCoverCells)
		args = []any{lo, hi, areaIDs, int(c.Z), int(c.X), int(c.Y)}
	}
	var (
		id                             int64
		lon, lat, bearing, fov, rangeM float64
		str                            [5]string
	)
	var dest []any
	var enc *pointEncoder
	var add func()
	switch layer {
	case LayerHotspots:
		dest = []any{&id, &lon, &lat, &str[0], &str[1], &str[2], &str[3], &str[4]}
		enc = newPointEncoder("ref", "name", "kind", "status", "area")
		add = func() {
			for k := range 5 {
				enc.tag(k, enc.stringValue(str[k]))
			}
		}
	case LayerCameras:
		dest = []any{&id, &lon, &lat, &str[0], &bearing, &fov, &rangeM, &str[1], &str[2], &str[3]}
		enc = newPointEncoder("ref", "bearing", "fov", "range_m", "owner", "status", "area")
		add = func() {
			enc.tag(0, enc.stringValue(str[0]))
			enc.tag(1, enc.doubleValue(bearing))
			enc.tag(2, enc.doubleValue(fov))
			enc.tag(3, enc.doubleValue(rangeM))
			for k := range 3 {
				enc.tag(4+k, enc.stringValue(str[1+k]))
			}
		}
	default:
		return nil, &UnknownLayerError{Name: string(layer)}
	}
	err := db.TileRows(ctx, query, args, dest, func() error {
		px, py := tilePixel(c, lon, lat)
		if px < -pointBuffer || py < -pointBuffer || px > tileExtent+pointBuffer || py > tileExtent+pointBuffer {
			return nil
		}
		enc.begin(id, px, py)
		add()
		enc.end()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s tile %s: %w", layer, c, err)
	}
	if enc.n == 0 {
		return []byte{}, nil
	}
	return enc.tile(string(layer)), nil
}

// pointEncoder writes one layer of point features of a vector tile (the
// Mapbox Vector Tile protobuf, version 2) directly: the features as they
// come, then the keys and the values each written once. (orb's encoder
// builds a map of properties per feature and a tree of messages: most of a
// heavy tile's time in Go.)
type pointEncoder struct {
	keys     []string
	features []byte // Layer.features fields, each a whole Feature message
	feature  []byte // the Feature being written
	tags     []byte // its tags, packed
	geom     []byte // its geometry, packed
	values   []byte // Layer.values fields
	strs     map[string]uint64
	dbls     map[float64]uint64
	nValues  uint64
	n        int
}

func newPointEncoder(keys ...string) *pointEncoder {
	return &pointEncoder{keys: keys, strs: map[string]uint64{}, dbls: map[float64]uint64{}}
}

// Protobuf wire types.
const (
	wireVarint = 0
	wire64     = 1
	wireBytes  = 2
)

func appendKey(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field<<3|wire))
}

func appendBytesField(b []byte, field int, v []byte) []byte {
	b = appendKey(b, field, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func zigzag(v int64) uint64 { return uint64((v << 1) ^ (v >> 63)) }

// begin starts a feature: its id and its point (MoveTo, one point).
func (e *pointEncoder) begin(id, px, py int64) {
	e.tags, e.geom = e.tags[:0], e.geom[:0]
	e.feature = e.feature[:0]
	e.feature = appendKey(e.feature, 1, wireVarint) // Feature.id
	e.feature = binary.AppendUvarint(e.feature, uint64(id))
	e.geom = binary.AppendUvarint(e.geom, 1|1<<3) // MoveTo, count 1
	e.geom = binary.AppendUvarint(e.geom, zigzag(px))
	e.geom = binary.AppendUvarint(e.geom, zigzag(py))
}

// tag gives the feature key number k with value v (an index in values).
func (e *pointEncoder) tag(k int, v uint64) {
	e.tags = binary.AppendUvarint(e.tags, uint64(k))
	e.tags = binary.AppendUvarint(e.tags, v)
}

// end finishes the feature.
func (e *pointEncoder) end() {
	e.feature = appendBytesField(e.feature, 2, e.tags)         // Feature.tags
	e.feature = append(appendKey(e.feature, 3, wireVarint), 1) // Feature.type = POINT
	e.feature = appendBytesField(e.feature, 4, e.geom)         // Feature.geometry
	e.features = appendBytesField(e.features, 2, e.feature)    // Layer.features
	e.n++
}

func (e *pointEncoder) stringValue(s string) uint64 {
	if i, ok := e.strs[s]; ok {
		return i
	}
	var v []byte
	v = appendBytesField(v, 1, []byte(s)) // Value.string_value
	e.values = appendBytesField(e.values, 4, v)
	e.strs[s] = e.nValues
	e.nValues++
	return e.nValues - 1
}

func (e *pointEncoder) doubleValue(f float64) uint64 {
	if i, ok := e.dbls[f]; ok {
		return i
	}
	var v []byte
	v = appendKey(v, 3, wire64) // Value.double_value
	v = binary.LittleEndian.AppendUint64(v, math.Float64bits(f))
	e.values = appendBytesField(e.values, 4, v)
	e.dbls[f] = e.nValues
	e.nValues++
	return e.nValues - 1
}

// tile returns the vector tile: one layer named name with the features.
func (e *pointEncoder) tile(name string) []byte {
	ly := make([]byte, 0, len(e.features)+len(e.values)+64)
	ly = appendKey(ly, 15, wireVarint) // Layer.version = 2
	ly = append(ly, 2)
	ly = appendBytesField(ly, 1, []byte(name)) // Layer.name
	ly = append(ly, e.features...)
	for _, k := range e.keys {
		ly = appendBytesField(ly, 3, []byte(k)) // Layer.keys
	}
	ly = append(ly, e.values...)
	ly = appendKey(ly, 5, wireVarint) // Layer.extent
	ly = binary.AppendUvarint(ly, tileExtent)
	return appendBytesField(nil, 3, ly) // Tile.layers
}

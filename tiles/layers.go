package tiles

import (
	"context"
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
func cellsTile(ctx context.Context, db DB, c Coord, areaIDs []int64, rule disclosure.Rule) ([]byte, error) {
	res := rule.Res(cellResolution(c.Z))
	tile := maptile.New(c.X, c.Y, maptile.Zoom(c.Z))
	lo, hi := cover(tile.Bound(), res, maxCoverCells)
	fc := geojson.NewFeatureCollection()
	err := db.CellTotals(ctx, res, lo, hi, areaIDs, func(cell, n int64) error {
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
// range_m, owner, status, area). No point: an empty answer, as ST_AsMVT
// over no row.
func pointsTile(ctx context.Context, db DB, layer Layer, c Coord, areaIDs []int64) ([]byte, error) {
	tile := maptile.New(c.X, c.Y, maptile.Zoom(c.Z))
	lo, hi := cover(tile.Bound(), pointRes, maxPointCoverCells)
	args := []any{lo, hi, areaIDs, int(c.Z), int(c.X), int(c.Y)}
	var (
		id                                      int64
		lon, lat, bearing, fov, rangeM          float64
		ref, name, kind, status, area, owner, s string
	)
	var dest []any
	var props func() geojson.Properties
	switch layer {
	case LayerHotspots:
		dest = []any{&id, &lon, &lat, &ref, &name, &kind, &status, &area}
		props = func() geojson.Properties {
			return geojson.Properties{"ref": ref, "name": name, "kind": kind, "status": status, "area": area}
		}
	case LayerCameras:
		dest = []any{&id, &lon, &lat, &ref, &bearing, &fov, &rangeM, &owner, &s, &area}
		props = func() geojson.Properties {
			return geojson.Properties{"ref": ref, "bearing": bearing, "fov": fov, "range_m": rangeM, "owner": owner, "status": s, "area": area}
		}
	default:
		return nil, &UnknownLayerError{Name: string(layer)}
	}
	ly := &mvt.Layer{Name: string(layer), Version: 2, Extent: tileExtent}
	err := db.TileRows(ctx, pointSQL[layer], args, dest, func() error {
		px, py := tilePixel(c, lon, lat)
		if px < -pointBuffer || py < -pointBuffer || px > tileExtent+pointBuffer || py > tileExtent+pointBuffer {
			return nil
		}
		f := geojson.NewFeature(orb.Point{float64(px), float64(py)})
		f.ID = id
		f.Properties = props()
		ly.Features = append(ly.Features, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s tile %s: %w", layer, c, err)
	}
	if len(ly.Features) == 0 {
		return []byte{}, nil
	}
	return mvt.Marshal(mvt.Layers{ly})
}

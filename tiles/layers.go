package tiles

import (
	"context"
	"fmt"

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

// The PostGIS layers: one fixed query each, parameters z, x, y and, for
// the points, the area ids the caller may see ($4, NULL for all;
// boundaries are for all) and the tile as ranges of H3 res-10 ids ($5,
// $6: cover). Under row-level security PostgreSQL applies no qual that is
// not leakproof before the policy, and PostGIS's && is not, so the points'
// tile box cannot be an index condition there: every tile would read every
// hotspot of the scope. The ranges are integer comparisons on the points'
// h3_r10 column (indexed, migrations/00011), which it applies through the
// index; the box then trims what the ranges' margin let in. The ranges
// are read in a subquery of their own (OFFSET 0: nothing else is pushed
// into it), where only those leakproof quals stand: beside the costly
// PostGIS quals the planner preferred reading every point of the scope by
// area_id. A hotspot's status is read per hotspot drawn from the status
// kept on its timeline (migration 00014: hotspot_status's answer, kept by
// the events' trigger; no timeline is 'unknown'), one primary-key probe,
// under a policy on the timeline's own area_id. hotspot_status instead
// scanned the hotspot's events, each under the events' policy (a hotspots
// probe per event): most of a z12–13 tile's time.
var layerSQL = map[Layer]string{
	LayerAreas: `
WITH b AS (SELECT ST_TileEnvelope($1, $2, $3) AS env),
t AS (
    SELECT ST_AsMVTGeom(ST_Transform(a.geom, 3857), b.env, 4096, 64, true) AS geom,
           a.id, a.code, a.name, a.level, coalesce(a.parent_code, '') AS parent_code
    FROM current_areas a, b
    WHERE a.geom && ST_Transform(b.env, 4326))
SELECT ST_AsMVT(t, 'areas', 4096, 'geom', 'id') FROM t WHERE geom IS NOT NULL`,
	LayerHotspots: `
WITH b AS (SELECT ST_TileEnvelope($1, $2, $3) AS env),
p AS (
    SELECT h.* FROM unnest($5::bigint[], $6::bigint[]) r(lo, hi)
    CROSS JOIN LATERAL (
        SELECT h.id, h.ref, h.name, h.kind, h.area_id, h.geom FROM hotspots h
        WHERE h.h3_r10 BETWEEN r.lo AND r.hi AND ($4::bigint[] IS NULL OR h.area_id = ANY ($4))
        OFFSET 0) h),
t AS (
    SELECT ST_AsMVTGeom(ST_Transform(p.geom, 3857), b.env, 4096, 64, true) AS geom,
           p.id, p.ref, p.name, p.kind,
           coalesce((SELECT s.status FROM hotspot_timelines s WHERE s.hotspot_id = p.id), 'unknown') AS status, a.code AS area
    FROM p JOIN areas a ON a.id = p.area_id, b
    WHERE p.geom && ST_Transform(b.env, 4326))
SELECT ST_AsMVT(t, 'hotspots', 4096, 'geom', 'id') FROM t WHERE geom IS NOT NULL`,
	LayerCameras: `
WITH b AS (SELECT ST_TileEnvelope($1, $2, $3) AS env),
p AS (
    SELECT c.* FROM unnest($5::bigint[], $6::bigint[]) r(lo, hi)
    CROSS JOIN LATERAL (
        SELECT c.id, c.ref, c.bearing, c.fov, c.range_m, c.owner, c.status, c.area_id, c.geom FROM cameras c
        WHERE c.h3_r10 BETWEEN r.lo AND r.hi AND ($4::bigint[] IS NULL OR c.area_id = ANY ($4))
        OFFSET 0) c),
t AS (
    SELECT ST_AsMVTGeom(ST_Transform(p.geom, 3857), b.env, 4096, 64, true) AS geom,
           p.id, p.ref, p.bearing, p.fov, p.range_m, p.owner, p.status, a.code AS area
    FROM p JOIN areas a ON a.id = p.area_id, b
    WHERE p.geom && ST_Transform(b.env, 4326))
SELECT ST_AsMVT(t, 'cameras', 4096, 'geom', 'id') FROM t WHERE geom IS NOT NULL`,
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

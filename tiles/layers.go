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

// The PostGIS layers: one fixed query each, parameters z, x, y and the
// area ids the caller may see ($4, NULL for all; boundaries are for all).
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
t AS (
    SELECT ST_AsMVTGeom(ST_Transform(h.geom, 3857), b.env, 4096, 64, true) AS geom,
           h.id, h.ref, h.name, h.kind, s.status, a.code AS area
    FROM hotspots h
    JOIN hotspot_status s ON s.hotspot_id = h.id
    JOIN areas a ON a.id = h.area_id, b
    WHERE h.geom && ST_Transform(b.env, 4326) AND ($4::bigint[] IS NULL OR h.area_id = ANY ($4)))
SELECT ST_AsMVT(t, 'hotspots', 4096, 'geom', 'id') FROM t WHERE geom IS NOT NULL`,
	LayerCameras: `
WITH b AS (SELECT ST_TileEnvelope($1, $2, $3) AS env),
t AS (
    SELECT ST_AsMVTGeom(ST_Transform(c.geom, 3857), b.env, 4096, 64, true) AS geom,
           c.id, c.ref, c.bearing, c.fov, c.range_m, c.owner, c.status, a.code AS area
    FROM cameras c JOIN areas a ON a.id = c.area_id, b
    WHERE c.geom && ST_Transform(b.env, 4326) AND ($4::bigint[] IS NULL OR c.area_id = ANY ($4)))
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
	lo, hi := cover(tile.Bound(), res)
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

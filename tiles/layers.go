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

// cellColumns is the whitelist of H3 columns, by resolution, quoted as
// SQL identifiers.
var cellColumns = map[int]string{7: `"h3_r7"`, 8: `"h3_r8"`, 9: `"h3_r9"`, 10: `"h3_r10"`}

// cellsTile counts incidents per H3 cell inside the tile and draws the
// hexagons as an MVT layer (PostGIS has no H3 here, so the geometry is
// built in Go from geo.Cell boundaries).
func cellsTile(ctx context.Context, db DB, c Coord, areaIDs []int64) ([]byte, error) {
	res := cellResolution(c.Z)
	col := cellColumns[res]
	tile := maptile.New(c.X, c.Y, maptile.Zoom(c.Z))
	b := tile.Bound()
	fc := geojson.NewFeatureCollection()
	var cell, n int64
	err := db.TileRows(ctx, `SELECT `+col+`, count(*) FROM incidents
WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326) AND ($5::bigint[] IS NULL OR area_id = ANY ($5)) GROUP BY 1`,
		[]any{b.Min[0], b.Min[1], b.Max[0], b.Max[1], areaIDs}, []any{&cell, &n}, func() error {
			gc := geo.Cell(cell)
			f := geojson.NewFeature(orb.Polygon{gc.Boundary()})
			f.Properties = geojson.Properties{"cell": gc.String(), "count": n}
			fc.Append(f)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("cells tile %s: %w", c, err)
	}
	layers := mvt.NewLayers(map[string]*geojson.FeatureCollection{string(LayerCells): fc})
	layers.ProjectToTile(tile)
	layers.Clip(mvt.MapboxGLDefaultExtentBound)
	return mvt.Marshal(layers)
}

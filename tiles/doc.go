// Package tiles serves Mapbox Vector Tiles (z/x/y) for diaban's layers:
// areas, hotspots and cameras out of PostGIS with one fixed
// ST_TileEnvelope / ST_AsMVTGeom / ST_AsMVT query per layer, run through the
// store's interface (DB) in the request's scope, and incident
// density on H3 hexagons built from the cells every incident carries.
//
// Tiles are cached by layer, tile and data version; the version of a layer
// moves when the change feed reports a change to what it shows.
package tiles

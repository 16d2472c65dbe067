// Package tiles serves Mapbox Vector Tiles (z/x/y) for diaban's layers:
// areas, hotspots and cameras out of PostGIS with one fixed
// ST_TileEnvelope / ST_AsMVTGeom / ST_AsMVT query per layer, run through the
// store's interface (DB) in the request's scope, and incident
// density on H3 hexagons built from the cells every incident carries.
//
// Tiles are cached by layer, tile, scope and data version. A change from
// the feed drops only the cached tiles it touches (Source.Forget): those
// that drew the changed feature and those within reach of where it is; a
// change that cannot be placed (a bulk load) moves its layers' version.
package tiles

// Package webmap is diaban's HTTP face: the JSON/GeoJSON API, the websocket
// hub that pushes every committed change to the open maps, and the embedded
// Leaflet map itself (static/), which needs nothing from the internet.
//
// Routing uses the standard library's method patterns; one file per handler
// family; errors become HTTP statuses in one place (errors.go).
package webmap

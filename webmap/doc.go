// Package webmap is diaban's HTTP face, and only that: the JSON/GeoJSON
// API, the websocket hub that pushes every committed change to the open
// maps, and the embedded Leaflet map itself (static/), which needs nothing
// from the internet.
//
// Routing uses the standard library's method patterns; one file per handler
// family. Handlers return an error, which becomes an HTTP status and a JSON
// body in one place (errors.go). Websocket messages are typed (messages.go).
// The views derived from changes (live metrics, coverage, emerging hot spots)
// are kept fresh by one debounced recompute-and-publish mechanism (live.go);
// the analyses' inputs and caches are hotspot/inputs'.
package webmap

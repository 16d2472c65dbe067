package webmap

import "embed"

// staticFS is the map: HTML, JS, CSS and vendored Leaflet, embedded so a
// server on a closed network needs nothing from the internet.
//
//go:embed static
var staticFS embed.FS

// Package hotspot is diaban's vocabulary, and only that: areas and their
// levels, drug hotspots and their append-only lifecycle events, incidents,
// residents' tips, cameras, area indicators, roles, typed change kinds; the
// rules every other package applies — which lifecycle step is legal and the
// status it leaves (Apply, EventKind.StatusAfter), incident kinds, camera
// owners and statuses, time bins, the day-end rule of a range
// (ParseRangeEnd); validation, and the domain's errors with one field-error
// type (ValidationError). It imports no database and no HTTP: the store
// (hotspot/store), the importer (hotspot/importer), the analyses
// (hotspot/metrics, emerging, stats, placement) and the web layer import it,
// never the reverse.
//
// Hotspots are places. No type here holds a person's name or identity:
// people appear only as counts in indicators.
package hotspot

// Package hotspot is diaban's domain: areas, drug hotspots and their
// append-only lifecycle, incidents, residents' tips, cameras and area
// indicators; the rules of the lifecycle; the PostgreSQL store; the bulk
// importers; and the change feed that tells every server what changed.
//
// Hotspots are places. No type here holds a person's name or identity:
// people appear only as counts in indicators.
package hotspot

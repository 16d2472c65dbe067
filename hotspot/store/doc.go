// Package store is diaban's one door to PostgreSQL/PostGIS (pgx/v5), and
// the only package with SQL besides tiles and migrations: the queries and
// writes of areas, hotspots and their events, incidents, tips, cameras and
// indicators; each write in one transaction with its audit row; the
// row-level-security scope set on every connection from the request's
// context (WithScope, WithSystemScope); users, passwords and sessions; the
// import transaction the importer writes through (ImportTx); the loaders
// that read what the analyses need (MetricsInput, EmergingCube); and the
// change feed, one LISTEN connection that hands typed changes on (Follow).
//
// It exports no pool: every reader and writer goes through a method.
package store

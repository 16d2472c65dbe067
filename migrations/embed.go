// Package migrations holds diaban's schema as numbered SQL files, embedded in
// the binary and applied by `diaban migrate` through pressly/goose.
package migrations

import "embed"

// FS holds the numbered migration files (NNNNN_name.sql, goose format).
//
//go:embed *.sql
var FS embed.FS

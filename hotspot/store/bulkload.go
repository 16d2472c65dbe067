package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// A bulk load into a table that holds few rows yet drops the table's indexes,
// copies, and builds them again, as pg_restore and osm2pgsql's create mode do:
// building a B-tree or GiST index over a million rows from a sort costs a
// fraction of inserting the rows one by one into it (BENCHMARKS.md). It holds
// an ACCESS EXCLUSIVE lock on the table until the import commits, so readers of
// that table wait for the load; it is used only where that is cheap — the
// load is at least bulkLoadMinRows and at least as large as what the table
// holds — only by the table's owner (the CLI; the server's role owns nothing),
// and only where dropping the indexes loses nothing a rebuild would not bring
// back (bulkLoadLoses). The index and constraint definitions are read back
// from the catalogue, so the migrations stay the one place that says what
// they are.
const bulkLoadMinRows = 50_000

// bulkLockTimeout bounds the wait for the table's locks behind long readers:
// a load that cannot have the table says so instead of queueing every reader
// of the map behind itself.
const bulkLockTimeout = "30s"

// deferredIndexes are the indexes of a table dropped for a bulk load.
type deferredIndexes struct {
	table       string
	constraints [][2]string // name, definition (primary key, unique, exclusion)
	indexes     []string    // CREATE INDEX statements
}

// bulkLoadLoses is true when dropping and rebuilding table's indexes would
// lose something pg_get_indexdef and pg_get_constraintdef do not give back:
// a CLUSTER mark, a replica identity, a tablespace, a comment, or a view
// that depends on a constraint (DROP CONSTRAINT would fail).
const bulkLoadLoses = `
SELECT EXISTS (SELECT FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE i.indrelid = $1::regclass AND (i.indisclustered OR i.indisreplident OR c.reltablespace <> 0))
    OR EXISTS (SELECT FROM pg_description d JOIN pg_index i ON d.objoid = i.indexrelid
               WHERE i.indrelid = $1::regclass AND d.classoid = 'pg_class'::regclass)
    OR EXISTS (SELECT FROM pg_description d JOIN pg_constraint c ON d.objoid = c.oid
               WHERE c.conrelid = $1::regclass AND d.classoid = 'pg_constraint'::regclass)
    OR EXISTS (SELECT FROM pg_depend d JOIN pg_constraint c ON d.refobjid = c.oid
               WHERE c.conrelid = $1::regclass AND d.refclassid = 'pg_constraint'::regclass
                 AND d.classid = 'pg_rewrite'::regclass)`

// mayBulkLoad reports whether a load of rows rows into table may become a
// bulk load, and if so takes a SHARE ROW EXCLUSIVE lock on the table at once:
// it keeps out other writers (so the count that decides stays true, and two
// big loads queue instead of deadlocking when both upgrade), not readers.
// Call it before the import first reads the table.
func mayBulkLoad(ctx context.Context, tx pgx.Tx, table string, rows int) (bool, error) {
	if rows < bulkLoadMinRows {
		return false, nil
	}
	var owner, loses bool
	if err := tx.QueryRow(ctx, `SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = $1::regclass`, table).Scan(&owner); err != nil {
		return false, fmt.Errorf("bulk load: owner of %s: %w", table, err)
	}
	if !owner {
		return false, nil
	}
	if err := tx.QueryRow(ctx, bulkLoadLoses, table).Scan(&loses); err != nil {
		return false, fmt.Errorf("bulk load: indexes of %s: %w", table, err)
	}
	if loses {
		return false, nil
	}
	if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '`+bulkLockTimeout+`'`); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE `+pgx.Identifier{table}.Sanitize()+` IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return false, fmt.Errorf("bulk load: lock %s: %w", table, err)
	}
	return true, nil
}

// shouldDeferIndexes reports whether loading rows new rows into table, for
// which mayBulkLoad said yes, is a bulk load that builds the indexes
// afterwards: the table holds no more rows than the load brings.
func shouldDeferIndexes(ctx context.Context, tx pgx.Tx, table string, rows int) (bool, error) {
	if rows < bulkLoadMinRows {
		return false, nil
	}
	var held int
	// Count no further than the answer needs.
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT FROM `+pgx.Identifier{table}.Sanitize()+` LIMIT $1) s`, rows+1).Scan(&held); err != nil {
		return false, fmt.Errorf("bulk load: size of %s: %w", table, err)
	}
	return held <= rows, nil
}

// deferIndexes locks table and drops its indexes and the constraints they
// back (those no foreign key depends on), remembering how to build them again.
func deferIndexes(ctx context.Context, tx pgx.Tx, table string) (*deferredIndexes, error) {
	ident := pgx.Identifier{table}.Sanitize()
	if _, err := tx.Exec(ctx, `LOCK TABLE `+ident+` IN ACCESS EXCLUSIVE MODE`); err != nil {
		return nil, fmt.Errorf("bulk load: lock %s: %w", table, err)
	}
	d := &deferredIndexes{table: table}
	rows, err := tx.Query(ctx, `
SELECT c.conname, pg_get_constraintdef(c.oid)
FROM pg_constraint c
WHERE c.conrelid = $1::regclass AND c.contype IN ('p', 'u', 'x')
  AND NOT EXISTS (SELECT FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)
ORDER BY c.contype, c.conname`, table)
	if err != nil {
		return nil, fmt.Errorf("bulk load: constraints of %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			return nil, err
		}
		d.constraints = append(d.constraints, [2]string{name, def})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.Query(ctx, `
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = $1::regclass
  AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY i.indexrelid`, table)
	if err != nil {
		return nil, fmt.Errorf("bulk load: indexes of %s: %w", table, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			return nil, err
		}
		names = append(names, name)
		d.indexes = append(d.indexes, def)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, c := range d.constraints {
		if _, err := tx.Exec(ctx, `ALTER TABLE `+ident+` DROP CONSTRAINT `+pgx.Identifier{c[0]}.Sanitize()); err != nil {
			return nil, fmt.Errorf("bulk load: drop %s: %w", c[0], err)
		}
	}
	for _, name := range names {
		if _, err := tx.Exec(ctx, `DROP INDEX `+name); err != nil { // regclass text comes quoted where needed
			return nil, fmt.Errorf("bulk load: drop index %s: %w", name, err)
		}
	}
	return d, nil
}

// rebuild builds the dropped indexes and constraints from sorts and
// refreshes the planner's statistics for the table.
func (d *deferredIndexes) rebuild(ctx context.Context, tx pgx.Tx) error {
	ident := pgx.Identifier{d.table}.Sanitize()
	// Sorts for the builds in memory (the default 64 MB spills a million
	// rows to disk); for this transaction only.
	if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '512MB'`); err != nil {
		return err
	}
	for _, c := range d.constraints {
		if _, err := tx.Exec(ctx, `ALTER TABLE `+ident+` ADD CONSTRAINT `+pgx.Identifier{c[0]}.Sanitize()+` `+c[1]); err != nil {
			return fmt.Errorf("bulk load: rebuild %s: %w", c[0], err)
		}
	}
	for _, def := range d.indexes {
		if _, err := tx.Exec(ctx, def); err != nil {
			return fmt.Errorf("bulk load: rebuild index: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `ANALYZE `+ident); err != nil {
		return fmt.Errorf("bulk load: analyze %s: %w", d.table, err)
	}
	return nil
}

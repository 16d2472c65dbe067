package store

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/internal/pgcopy"
)

// The incident counts of migration 00008 (incident_area_months,
// incident_cell_months) are kept by a statement trigger on incidents. A bulk
// load by the table's owner does their work itself instead: the importer
// tallies the rows it copies (IncidentTally, on the cores that parse them),
// the tallies are summed here in Go while the server is still building the
// incidents' indexes, and the sums are written in the tables' key order —
// straight into empty tables, or merged through a staging table. The
// trigger's upsert of hundreds of thousands of keys in hash order was most
// of a million-row import (BENCHMARKS.md, "Import after the counting
// triggers"). The sums are the trigger's: per area, month (hotspot.MonthAt,
// the twin of SQL's diaban_month) and kind, and per H3 cell at resolutions
// geo.MinPointResolution–geo.MaxPointResolution, area and month; a test
// compares them with a recount in SQL.

// countsTrigger is the insert trigger a bulk load pauses (migration 00008).
const countsTrigger = "incidents_counts_ins"

// IncidentTally is what the incident counts need of one incident.
type IncidentTally struct {
	AreaID int64
	Cells  [geo.MaxPointResolution - geo.MinPointResolution + 1]geo.Cell
	Month  hotspot.Month
	Kind   uint8     // hotspot.IncidentKind.Index
	Point  orb.Point // for the retired versions' counts (versionmembers.go)
}

// TallyIncident returns row's tally.
func TallyIncident(row *IncidentRow) IncidentTally {
	return IncidentTally{AreaID: row.Loc.AreaID, Cells: row.Loc.Cells, Month: hotspot.MonthAt(row.OccurredAt), Kind: uint8(row.Kind.Index()), Point: row.Loc.Point.Orb()}
}

type areaMonthKey struct {
	area  int64
	month hotspot.Month
	kind  uint8
}

type cellMonthKey struct {
	cell  geo.Cell
	area  int64
	month hotspot.Month
	res   int16
}

// IncidentCounts are the sums of a set of tallies, as rows of the two
// count tables.
type IncidentCounts struct {
	areaMonths map[areaMonthKey]int32
	cellMonths map[cellMonthKey]int32
}

// SumIncidentTallies sums the tallies of a load.
func SumIncidentTallies(chunks [][]IncidentTally) *IncidentCounts {
	n := 0
	for _, c := range chunks {
		n += len(c)
	}
	c := &IncidentCounts{areaMonths: map[areaMonthKey]int32{}, cellMonths: make(map[cellMonthKey]int32, n)}
	for _, chunk := range chunks {
		for i := range chunk {
			t := &chunk[i]
			c.areaMonths[areaMonthKey{t.AreaID, t.Month, t.Kind}]++
			for r, cell := range t.Cells {
				c.cellMonths[cellMonthKey{cell, t.AreaID, t.Month, int16(geo.MinPointResolution + r)}]++
			}
		}
	}
	return c
}

// PauseIncidentCounts turns the counting trigger off for the rest of the
// transaction, for a bulk load that writes the counts with
// WriteIncidentCounts; it takes the table's owner (MayBulkLoadIncidents said
// yes). The trigger is on again for everyone else when the transaction
// ends: WriteIncidentCounts turns it back on, and a rollback undoes the
// pause.
func (w *ImportWriter) PauseIncidentCounts(ctx context.Context) error {
	return w.setIncidentTrigger(ctx, countsTrigger, false, "the incident counts")
}

// WriteIncidentCounts adds c to the count tables and turns the counting
// trigger back on.
func (w *ImportWriter) WriteIncidentCounts(ctx context.Context, c *IncidentCounts) error {
	if err := writeAreaMonths(ctx, w.tx, c.areaMonths); err != nil {
		return fmt.Errorf("incident counts by area: %w", err)
	}
	if err := writeCellMonths(ctx, w.tx, c.cellMonths); err != nil {
		return fmt.Errorf("incident counts by cell: %w", err)
	}
	return w.setIncidentTrigger(ctx, countsTrigger, true, "the incident counts")
}

func writeAreaMonths(ctx context.Context, tx pgx.Tx, m map[areaMonthKey]int32) error {
	return writeMonthCounts(ctx, tx, "incident_area_months", "area_id", m)
}

// writeMonthCounts adds counts by (id, month, kind) to table, whose key is
// (idColumn, month, kind): the incident counts by area and, for retired
// versions, by version (version_incident_months). The rows go in the key's
// order, so the index is written from left to right.
func writeMonthCounts(ctx context.Context, tx pgx.Tx, table, idColumn string, m map[areaMonthKey]int32) error {
	keys := make([]areaMonthKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, func(a, b areaMonthKey) int {
		return cmp.Or(cmp.Compare(a.area, b.area), cmp.Compare(a.month, b.month),
			cmp.Compare(hotspot.IncidentKinds[a.kind], hotspot.IncidentKinds[b.kind]))
	})
	var b pgcopy.Buffer
	b.B = append(b.B, pgcopy.Header...)
	for _, k := range keys {
		b.BeginRow(4)
		b.Int8(k.area)
		b.Int4(int32(k.month))
		b.Text(string(hotspot.IncidentKinds[k.kind]))
		b.Int4(m[k])
	}
	b.B = append(b.B, pgcopy.Trailer...)
	return mergeCounts(ctx, tx, table, idColumn+" bigint, month integer, kind text, n integer",
		idColumn+", month, kind", b.B)
}

// setIncidentTrigger turns one of the incidents' triggers off or back on
// for the rest of the transaction (a bulk load by the table's owner that
// writes what the trigger would: PauseIncidentCounts, PauseVersionMembers).
// A rollback undoes it.
func (w *ImportWriter) setIncidentTrigger(ctx context.Context, trigger string, on bool, what string) error {
	verb, doing := "DISABLE", "pause"
	if on {
		verb, doing = "ENABLE", "resume"
	}
	if _, err := w.tx.Exec(ctx, `ALTER TABLE incidents `+verb+` TRIGGER `+trigger); err != nil {
		return fmt.Errorf("bulk load: %s %s: %w", doing, what, err)
	}
	return nil
}

func writeCellMonths(ctx context.Context, tx pgx.Tx, m map[cellMonthKey]int32) error {
	keys := make([]cellMonthKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// The primary key's order (res, cell, area_id, month): the index is
	// then written from left to right. Cells are compared as the signed
	// bigints the table holds.
	slices.SortFunc(keys, func(a, b cellMonthKey) int {
		return cmp.Or(cmp.Compare(a.res, b.res), cmp.Compare(int64(a.cell), int64(b.cell)),
			cmp.Compare(a.area, b.area), cmp.Compare(a.month, b.month))
	})
	var b pgcopy.Buffer
	b.B = make([]byte, 0, len(pgcopy.Header)+len(keys)*38+len(pgcopy.Trailer))
	b.B = append(b.B, pgcopy.Header...)
	for _, k := range keys {
		b.BeginRow(5)
		b.Int2(k.res)
		b.Int8(int64(k.cell))
		b.Int8(k.area)
		b.Int4(int32(k.month))
		b.Int4(m[k])
	}
	b.B = append(b.B, pgcopy.Trailer...)
	return mergeCounts(ctx, tx, "incident_cell_months", "res smallint, cell bigint, area_id bigint, month integer, n integer",
		"res, cell, area_id, month", b.B)
}

// mergeCounts adds the binary COPY rows of data (the key columns, then n)
// to table: copied straight in when the table is empty, else through a
// staging table and one upsert in key order.
func mergeCounts(ctx context.Context, tx pgx.Tx, table, columns, key string, data []byte) error {
	ident := pgx.Identifier{table}.Sanitize()
	var held bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM `+ident+`)`).Scan(&held); err != nil {
		return err
	}
	if !held {
		_, err := tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(data), `COPY `+ident+` FROM STDIN (FORMAT binary)`)
		return err
	}
	stage := pgx.Identifier{"stage_" + table}.Sanitize()
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE `+stage+` (`+columns+`) ON COMMIT DROP`); err != nil {
		return err
	}
	if _, err := tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(data), `COPY `+stage+` FROM STDIN (FORMAT binary)`); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO `+ident+` AS t SELECT * FROM `+stage+` ORDER BY `+key+`
ON CONFLICT (`+key+`) DO UPDATE SET n = t.n + excluded.n`)
	return err
}

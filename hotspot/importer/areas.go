package importer

import (
	"context"
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
)

// parseAreas parses area features in file order: a code may appear once.
// The store then checks what needs the database (valid polygons, levels,
// parents) and writes them.
func parseAreas(recs []*record, _ *hotspot.AreaIndex) (*batch, []*hotspot.ValidationError) {
	var rows []*store.AreaRow
	var bad []*hotspot.ValidationError
	lineOf := map[string]int{} // code -> feature
	for _, r := range recs {
		row, ve := parseArea(r, lineOf)
		if ve != nil {
			bad = append(bad, ve)
			continue
		}
		lineOf[row.versionKey()] = row.Line
		rows = append(rows, (*store.AreaRow)(row))
	}
	return &batch{
		// What only the database can tell (an invalid polygon by
		// ST_IsValid, levels, parents) is checked per row before anything is
		// written, and those rows are left out: with --skip-invalid the good
		// ones are imported and these reported, never a write the database
		// refuses (which would fail the whole file).
		check: func(ctx context.Context, w *store.ImportWriter) ([]*hotspot.ValidationError, error) {
			bad, err := w.CheckAreas(ctx, rows)
			if err != nil || len(bad) == 0 {
				return bad, err
			}
			rows, bad, err = dropBadAreas(ctx, w, rows, bad)
			return bad, err
		},
		write: func(ctx context.Context, w *store.ImportWriter, progress func(int, int)) (int, error) {
			return w.WriteAreas(ctx, rows, progress)
		},
	}, bad
}

// parseArea parses one feature; lineOf holds the codes of the good
// features before it.
func parseArea(r *record, lineOf map[string]int) (*areaRow, *hotspot.ValidationError) {
	if r.geom == nil {
		return nil, r.fail("file", "areas must be a GeoJSON FeatureCollection of Polygons or MultiPolygons")
	}
	row := &areaRow{Line: r.line, Code: r.get("code"), Name: r.get("name"), Level: hotspot.Level(r.get("level")), ParentCode: r.get("parent_code")}
	switch {
	case row.Code == "":
		return nil, r.fail("code", "is empty")
	case row.Name == "":
		return nil, r.fail("name", "is empty")
	case hotspot.LevelRank(row.Level) < 0:
		return nil, r.fail("level", "unknown level %q (want province, district, commune or hamlet)", row.Level)
	case row.ParentCode == row.Code:
		return nil, r.fail("parent_code", "an area cannot be its own parent")
	case hotspot.ValidAreaCode("code", row.Code) != nil, row.ParentCode != "" && hotspot.ValidAreaCode("parent_code", row.ParentCode) != nil:
		// Codes end up in CSV files, file names and URLs (hotspot/limits.go).
		field, code := "code", row.Code
		if hotspot.ValidAreaCode("code", row.Code) == nil {
			field, code = "parent_code", row.ParentCode
		}
		return nil, r.fail(field, "%q is not an area code (1–%d letters, digits, '.', '_' or '-', beginning with a letter or digit)", code, hotspot.MaxAreaCode)
	case len(row.Name) > hotspot.MaxName:
		return nil, r.fail("name", "is %d bytes long; at most %d", len(row.Name), hotspot.MaxName)
	}
	if s := r.get("valid_from"); s != "" {
		t, err := time.ParseInLocation("2006-01-02", s, time.UTC)
		if err != nil {
			return nil, r.fail("valid_from", "%q is not a date (want YYYY-MM-DD)", s)
		}
		row.ValidFrom = &t
	}
	if s := r.get("valid_to"); s != "" {
		t, err := time.ParseInLocation("2006-01-02", s, time.UTC)
		if err != nil {
			return nil, r.fail("valid_to", "%q is not a date (want YYYY-MM-DD)", s)
		}
		if row.ValidFrom != nil && !t.After(*row.ValidFrom) {
			return nil, r.fail("valid_to", "%s is not after valid_from %s (valid_to is exclusive)", s, row.ValidFrom.Format("2006-01-02"))
		}
		row.ValidTo = &t
	}
	typ, err := hotspot.ParseAreaType(row.Level, r.get("type"))
	if err != nil {
		return nil, r.fail("type", "%s", err.(*hotspot.ValidationError).Reason)
	}
	row.Type = typ
	// A code may appear once per valid_from: a file may hold a unit's old
	// version and, from the reform on, the new unit that took its code.
	if prev, dup := lineOf[row.versionKey()]; dup {
		return nil, r.fail("code", "%q already appears in feature %d", row.Code, prev)
	}
	switch g := r.geom.(type) {
	case orb.Polygon:
		row.Geom = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		row.Geom = g
	default:
		return nil, r.fail("geometry", "must be a Polygon or MultiPolygon, got %s", r.geom.GeoJSONType())
	}
	for _, poly := range row.Geom {
		for _, ring := range poly {
			if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
				return nil, r.fail("geometry", "every ring needs at least 4 positions and must be closed")
			}
			for _, pt := range ring {
				if err := hotspot.ValidatePoint(geo.PointFromOrb(pt)); err != nil {
					return nil, r.fail("geometry", "%s", err.(*hotspot.ValidationError).Reason)
				}
			}
		}
	}
	b, err := geo.EWKB(row.Geom)
	if err != nil {
		return nil, r.fail("geometry", "%v", err)
	}
	row.EWKB = b
	return row, nil
}

// areaRow is a parsed feature.
type areaRow store.AreaRow

// versionKey names the version a feature writes: its code and valid_from.
func (row *areaRow) versionKey() string {
	if row.ValidFrom == nil {
		return row.Code
	}
	return row.Code + "@" + row.ValidFrom.Format("2006-01-02")
}

// dropBadAreas leaves out the rows named by bad, and the rows whose parent
// was left out and is not stored already (each reported as bad too).
func dropBadAreas(ctx context.Context, w *store.ImportWriter, rows []*store.AreaRow, bad []*hotspot.ValidationError) ([]*store.AreaRow, []*hotspot.ValidationError, error) {
	badLine := map[int]bool{}
	for _, b := range bad {
		badLine[b.Line] = true
	}
	var parents []string
	for _, r := range rows {
		if r.ParentCode != "" {
			parents = append(parents, r.ParentCode)
		}
	}
	stored, err := w.AreaIDs(ctx, parents)
	if err != nil {
		return nil, nil, err
	}
	droppedAt := map[string]int{} // code -> line of a dropped feature
	keptCode := map[string]bool{}
	kept := make([]*store.AreaRow, 0, len(rows))
	for _, r := range rows {
		if badLine[r.Line] {
			droppedAt[r.Code] = r.Line
			continue
		}
		if line, gone := droppedAt[r.ParentCode]; gone && !keptCode[r.ParentCode] && stored[r.ParentCode] == 0 {
			bad = append(bad, &hotspot.ValidationError{Line: r.Line, Field: "parent_code",
				Reason: fmt.Sprintf("its parent %s (feature %d) is not imported", r.ParentCode, line)})
			droppedAt[r.Code] = r.Line
			continue
		}
		keptCode[r.Code] = true
		kept = append(kept, r)
	}
	return kept, bad, nil
}

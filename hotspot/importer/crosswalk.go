package importer

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
)

// CrosswalkResult tells what a crosswalk import did.
type CrosswalkResult struct {
	Rows     int `json:"rows"`
	Imported int `json:"imported"` // new or changed links
	Known    int `json:"known"`    // rows whose two codes are known (what the crosswalk holds)
	// Skipped counts the rows whose two codes are both unknown to the
	// database (another province's units, say).
	Skipped  int `json:"skipped"`
	Computed int `json:"computed_shares"` // partial rows whose share PostGIS measured
	// Retired counts the old units still open on valid_from that the import
	// ended there (their records re-registered to the current units).
	Retired int `json:"retired"`
	// TipsCarried counts the tips without a point, named by a retired unit,
	// that the links carried to today's unit (migration 00012).
	TipsCarried int `json:"tips_carried"`
}

// crosswalkColumns are the columns a crosswalk file must have; others
// (names, districts, a resolution) are ignored.
var crosswalkColumns = []string{"old_code", "new_code", "merge_type"}

// shareTolerance is how far above 1 the partial shares of one old unit may
// sum before the rows are refused (rounding in files and in PostGIS).
const shareTolerance = 1e-6

// ImportCrosswalk reads a crosswalk CSV (old_code,new_code,merge_type
// [,share_of_old_area], other columns ignored) and writes the links that take
// effect on validFrom, in one transaction. Rows whose two codes are both
// unknown are skipped and counted. A row with one known and one unknown code,
// a share outside (0, 1], a repeated pair or partial shares of one old code
// summing above 1 is a bad row, and a *hotspot.ImportError lists them all:
// nothing is imported. A partial row without a share gets the share of the
// old unit's area inside the new one, measured in PostGIS. An old unit still
// open on validFrom whose code no new unit takes is retired on that date.
func ImportCrosswalk(ctx context.Context, st *store.Store, in io.Reader, validFrom time.Time) (*CrosswalkResult, error) {
	recs, err := readRecords(in, crosswalkColumns, false)
	if err != nil {
		if ve, ok := err.(*hotspot.ValidationError); ok {
			return nil, &hotspot.ImportError{Kind: "crosswalk", Rows: []*hotspot.ValidationError{ve}}
		}
		return nil, err
	}
	res := &CrosswalkResult{Rows: len(recs)}
	var bad []*hotspot.ValidationError
	var rows []store.CrosswalkRow
	seen := map[[2]string]int{}
	for _, r := range recs {
		if ve := r.shapeError(); ve != nil {
			bad = append(bad, ve)
			continue
		}
		row, ve := parseCrosswalkRow(r)
		if ve != nil {
			bad = append(bad, ve)
			continue
		}
		k := [2]string{row.OldCode, row.NewCode}
		if prev, dup := seen[k]; dup {
			bad = append(bad, r.fail("new_code", "%s → %s already appears on line %d", row.OldCode, row.NewCode, prev))
			continue
		}
		seen[k] = r.line
		rows = append(rows, row)
	}
	err = st.ImportTx(ctx, func(w *store.ImportWriter) error {
		codes := make([]string, 0, 2*len(rows))
		for _, r := range rows {
			codes = append(codes, r.OldCode, r.NewCode)
		}
		ids, err := w.AreaIDs(ctx, codes)
		if err != nil {
			return err
		}
		kept := rows[:0]
		sums := map[string]float64{}
		sumLine := map[string]int{}
		for _, r := range rows {
			oldID, oldOK := ids[r.OldCode]
			newID, newOK := ids[r.NewCode]
			switch {
			case !oldOK && !newOK:
				res.Skipped++
				continue
			case !oldOK:
				bad = append(bad, &hotspot.ValidationError{Line: r.Line, Field: "old_code", Reason: fmt.Sprintf("unknown area %q (new_code %s is known)", r.OldCode, r.NewCode)})
				continue
			case !newOK:
				bad = append(bad, &hotspot.ValidationError{Line: r.Line, Field: "new_code", Reason: fmt.Sprintf("unknown area %q (old_code %s is known)", r.NewCode, r.OldCode)})
				continue
			}
			r.OldID, r.NewID = oldID, newID
			if r.Partial && r.Share == nil {
				s, ok, err := w.OverlapShare(ctx, oldID, newID, validFrom)
				if err != nil {
					return err
				}
				switch {
				case !ok:
					bad = append(bad, &hotspot.ValidationError{Line: r.Line, Field: "share_of_old_area", Reason: "no share given and no boundaries to measure one"})
					continue
				case s <= 0:
					bad = append(bad, &hotspot.ValidationError{Line: r.Line, Field: "share_of_old_area", Reason: fmt.Sprintf("no share given, and %s does not overlap %s", r.OldCode, r.NewCode)})
					continue
				}
				s = min(s, 1)
				r.Share = &s
				res.Computed++
			}
			if r.Partial {
				sums[r.OldCode] += *r.Share
				sumLine[r.OldCode] = r.Line
			}
			kept = append(kept, r)
		}
		for code, sum := range sums {
			if sum > 1+shareTolerance {
				bad = append(bad, &hotspot.ValidationError{Line: sumLine[code], Field: "share_of_old_area",
					Reason: fmt.Sprintf("the partial shares of %s sum to %.4g, above 1", code, sum)})
			}
		}
		if len(bad) > 0 {
			sort.SliceStable(bad, func(i, j int) bool { return bad[i].Line < bad[j].Line })
			return &hotspot.ImportError{Kind: "crosswalk", Rows: bad}
		}
		res.Known = len(kept)
		n, err := w.WriteCrosswalk(ctx, kept, validFrom)
		res.Imported = n
		if err != nil {
			return err
		}
		var oldIDs, newIDs []int64
		for _, r := range kept {
			oldIDs = append(oldIDs, r.OldID)
			newIDs = append(newIDs, r.NewID)
		}
		if res.Retired, err = w.RetireReplaced(ctx, oldIDs, newIDs, validFrom); err != nil {
			return err
		}
		// Tips known only by a unit retired earlier reach today's through
		// the links just written.
		res.TipsCarried, err = w.CarryTips(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func parseCrosswalkRow(r *record) (store.CrosswalkRow, *hotspot.ValidationError) {
	row := store.CrosswalkRow{Line: r.line, OldCode: r.get("old_code"), NewCode: r.get("new_code")}
	for _, f := range []struct{ field, code string }{{"old_code", row.OldCode}, {"new_code", row.NewCode}} {
		if err := hotspot.ValidAreaCode(f.field, f.code); err != nil {
			return row, r.fail(f.field, "%s", err.(*hotspot.ValidationError).Reason)
		}
	}
	switch t := r.get("merge_type"); t {
	case "full":
	case "partial":
		row.Partial = true
	default:
		return row, r.fail("merge_type", "%q is not full or partial", t)
	}
	if s := r.get("share_of_old_area"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !hotspot.Finite(v) {
			return row, r.fail("share_of_old_area", "%q is not a number", s)
		}
		if v <= 0 || v > 1 {
			return row, r.fail("share_of_old_area", "%s is outside (0, 1]", s)
		}
		if row.Partial { // a full row carries the whole value, whatever its measured overlap
			row.Share, row.ShareFromFile = &v, true
		}
	}
	return row, nil
}

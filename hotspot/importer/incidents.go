package importer

import (
	"context"
	"fmt"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgcopy"
)

// Incidents stream: their rows are parsed on every core while the server
// copies those already parsed (copyStream), the part of a bulk load where
// speed matters.
func parseIncidents(recs []*record, idx *hotspot.AreaIndex) (*batch, []*hotspot.ValidationError) {
	return &batch{stream: func(ctx context.Context, w *store.ImportWriter, write bool, opt Options) (int, []*hotspot.ValidationError, error) {
		return streamIncidents(ctx, w, recs, idx, write, opt)
	}}, nil
}

func parseIncident(r *record, idx *hotspot.AreaIndex) (store.IncidentRow, *hotspot.ValidationError) {
	ref := r.get("ref")
	if ref == "" {
		return store.IncidentRow{}, r.fail("ref", "is empty")
	}
	kind := hotspot.IncidentKind(r.get("kind"))
	if err := hotspot.ValidateIncidentKind(kind); err != nil {
		return store.IncidentRow{}, r.fail("kind", "%s", err.(*hotspot.ValidationError).Reason)
	}
	at, err := hotspot.ParseInstant(r.get("occurred_at"))
	if err != nil {
		return store.IncidentRow{}, r.fail("occurred_at", "%v", err)
	}
	loc, ve := locate(r, idx, false)
	if ve != nil {
		return store.IncidentRow{}, ve
	}
	return store.IncidentRow{Ref: ref, Kind: kind, OccurredAt: at, Loc: *loc}, nil
}

// encodeIncident gives an incident as a binary COPY row of the store's
// CopyIncidents.
func encodeIncident(r *record, idx *hotspot.AreaIndex, b *pgcopy.Buffer) *hotspot.ValidationError {
	row, ve := parseIncident(r, idx)
	if ve != nil {
		return ve
	}
	store.AppendIncident(b, &row)
	return nil
}

// streamIncidents upserts the incidents whose refs are stored already
// through a staging table, then copies the new ones straight into the table
// while parsing them; a load larger than what the table holds builds the
// indexes after the copy instead of row by row (store/bulkload.go).
func streamIncidents(ctx context.Context, w *store.ImportWriter, recs []*record, idx *hotspot.AreaIndex, write bool, opt Options) (int, []*hotspot.ValidationError, error) {
	if !write {
		_, bad, err := copyStream(ctx, nil, recs, idx, encodeIncident, false, nil)
		return 0, bad, err
	}
	bulkable, err := w.MayBulkLoadIncidents(ctx, len(recs))
	if err != nil {
		return 0, nil, err
	}
	refs := make([]string, len(recs))
	for i, r := range recs {
		refs[i] = r.get("ref")
	}
	stored, err := w.StoredIncidents(ctx, refs)
	if err != nil {
		return 0, nil, err
	}
	fresh, existing := recs, []*record(nil)
	if len(stored) > 0 {
		fresh = nil
		for _, r := range recs {
			if stored[r.get("ref")] {
				existing = append(existing, r)
			} else {
				fresh = append(fresh, r)
			}
		}
	}
	stopOnBad := !opt.SkipInvalid
	rows, bad := parseEach(existing, idx, parseIncident)
	if len(bad) > 0 && stopOnBad {
		_, more, err := copyStream(ctx, nil, fresh, idx, encodeIncident, false, nil)
		return 0, append(bad, more...), err
	}
	upserted, err := w.UpsertIncidents(ctx, rows, nil)
	if err != nil || len(fresh) == 0 {
		return upserted, bad, err
	}
	var deferred *store.DeferredIndexes
	if bulkable {
		if deferred, err = w.DeferIncidentIndexes(ctx, len(fresh)); err != nil {
			return 0, bad, err
		}
	}
	copied, more, err := copyStream(ctx, w.CopyIncidents, fresh, idx, encodeIncident, stopOnBad, opt.Progress)
	bad = append(bad, more...)
	if err != nil {
		return 0, bad, fmt.Errorf("copy incidents: %w", err)
	}
	if len(bad) > 0 && stopOnBad {
		return 0, bad, nil
	}
	if deferred != nil {
		if opt.Phase != nil {
			opt.Phase("building indexes")
		}
		if err := w.RebuildIndexes(ctx, deferred); err != nil {
			return 0, bad, err
		}
	}
	return upserted + copied, bad, nil
}

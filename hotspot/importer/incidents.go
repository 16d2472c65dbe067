package importer

import (
	"context"
	"fmt"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
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
// CopyIncidents, and its tally when the chunk keeps them.
func encodeIncident(r *record, idx *hotspot.AreaIndex, c *chunkResult) *hotspot.ValidationError {
	row, ve := parseIncident(r, idx)
	if ve != nil {
		return ve
	}
	store.AppendIncident(&c.buf, &row)
	if c.tallies != nil {
		c.tallies = append(c.tallies, store.TallyIncident(&row))
	}
	return nil
}

// streamIncidents upserts the incidents whose refs are stored already
// through a staging table, then copies the new ones straight into the table
// while parsing them; a load larger than what the table holds builds the
// indexes after the copy instead of row by row (store/bulkload.go). A bulk
// load (MayBulkLoadIncidents: by the table's owner, of many rows) writes the
// incident counts itself, summed from the rows it copied, instead of
// leaving them to the counting trigger (store/incident_counts.go), and
// after a reform those of the retired versions (store/versionmembers.go).
func streamIncidents(ctx context.Context, w *store.ImportWriter, recs []*record, idx *hotspot.AreaIndex, write bool, opt Options) (int, []*hotspot.ValidationError, error) {
	if !write {
		_, _, bad, err := copyStream(ctx, nil, recs, idx, encodeIncident, false, false, nil)
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
		_, _, more, err := copyStream(ctx, nil, fresh, idx, encodeIncident, false, false, nil)
		return 0, append(bad, more...), err
	}
	upserted, err := w.UpsertIncidents(ctx, rows, nil)
	if err != nil || len(fresh) == 0 {
		return upserted, bad, err
	}
	var deferred *store.DeferredIndexes
	var retired *store.RetiredVersions
	bulk := bulkable
	if bulk {
		if deferred, err = w.DeferIncidentIndexes(ctx, len(fresh)); err != nil {
			return 0, bad, err
		}
		if err := w.PauseIncidentCounts(ctx); err != nil {
			return 0, bad, err
		}
		// After a reform, the counts of the retired versions too.
		if retired, err = w.RetiredVersions(ctx); err != nil {
			return 0, bad, err
		}
		if retired != nil {
			if err := w.PauseVersionMembers(ctx); err != nil {
				return 0, bad, err
			}
		}
	}
	copied, tallies, more, err := copyStream(ctx, w.CopyIncidents, fresh, idx, encodeIncident, stopOnBad, bulk, opt.Progress)
	bad = append(bad, more...)
	if err != nil {
		return 0, bad, fmt.Errorf("copy incidents: %w", err)
	}
	if len(bad) > 0 && stopOnBad {
		return 0, bad, nil
	}
	// The counts are summed here while the server builds the indexes.
	var counts chan *store.IncidentCounts
	if bulk {
		counts = make(chan *store.IncidentCounts, 1)
		go func() { counts <- store.SumIncidentTallies(tallies) }()
	}
	var versionCounts chan *store.VersionIncidentCounts
	if retired != nil {
		versionCounts = make(chan *store.VersionIncidentCounts, 1)
		go func() { versionCounts <- retired.SumVersionTallies(tallies) }()
	}
	if deferred != nil {
		if opt.Phase != nil {
			opt.Phase("building indexes")
		}
		if err := w.RebuildIndexes(ctx, deferred); err != nil {
			<-counts
			return 0, bad, err
		}
	}
	if bulk {
		if err := w.WriteIncidentCounts(ctx, <-counts); err != nil {
			return 0, bad, err
		}
	}
	if retired != nil {
		if err := w.WriteVersionIncidentCounts(ctx, <-versionCounts); err != nil {
			return 0, bad, err
		}
	}
	return upserted + copied, bad, nil
}

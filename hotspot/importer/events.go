package importer

import (
	"context"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
)

// parseEvents parses lifecycle events. The store then finds their hotspots
// and replays each timeline with them (the lifecycle check), and appends
// those that are new.
func parseEvents(recs []*record, idx *hotspot.AreaIndex) (*batch, []*hotspot.ValidationError) {
	rows, bad := parseEach(recs, idx, parseEvent)
	var fresh *store.NewEvents
	return &batch{
		check: func(ctx context.Context, w *store.ImportWriter) ([]*hotspot.ValidationError, error) {
			ev, bad, err := w.CheckEvents(ctx, rows)
			fresh = ev
			return bad, err
		},
		write: func(ctx context.Context, w *store.ImportWriter, progress func(int, int)) (int, error) {
			return w.InsertEvents(ctx, fresh, progress)
		},
	}, bad
}

func parseEvent(r *record, _ *hotspot.AreaIndex) (store.EventRow, *hotspot.ValidationError) {
	ref := r.get("hotspot_ref")
	if ref == "" {
		return store.EventRow{}, r.fail("hotspot_ref", "is empty")
	}
	kind := hotspot.EventKind(r.get("event"))
	if !hotspot.OneOf(kind, hotspot.EventKinds) {
		return store.EventRow{}, r.fail("event", "unknown event %q (want detected, eliminated, recurred or note)", kind)
	}
	at, err := hotspot.ParseInstant(r.get("occurred_at"))
	if err != nil {
		return store.EventRow{}, r.fail("occurred_at", "%v", err)
	}
	if at.After(time.Now().Add(5 * time.Minute)) {
		return store.EventRow{}, r.fail("occurred_at", "is in the future")
	}
	return store.EventRow{Line: r.line, HotspotRef: ref, Kind: kind, OccurredAt: at, Note: r.get("note")}, nil
}

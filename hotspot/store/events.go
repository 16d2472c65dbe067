package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/jackc/pgx/v5"
)

const sqlLockHotspots = `SELECT id, ref FROM hotspots WHERE ref = ANY($1) ORDER BY id FOR UPDATE`

const sqlEventsOf = `
SELECT id, hotspot_id, event, occurred_at, recorded_at, note
FROM hotspot_events WHERE hotspot_id = ANY($1) ORDER BY hotspot_id, occurred_at, id`

// pendingEvent is an event to append, with the line it came from (0 for the API).
type pendingEvent struct {
	hotspot.Event
	line int
}

// timelineCheck merges new events into each hotspot's stored timeline and
// replays it. It returns the events to insert (exact repeats of stored ones
// are dropped, so re-imports add nothing) and one error per bad event.
func timelineCheck(ctx context.Context, tx pgx.Tx, pending []pendingEvent) ([]pendingEvent, []*hotspot.ValidationError, error) {
	ids := make([]int64, 0, len(pending))
	byHotspot := map[int64][]pendingEvent{}
	for _, p := range pending {
		if _, ok := byHotspot[p.HotspotID]; !ok {
			ids = append(ids, p.HotspotID)
		}
		byHotspot[p.HotspotID] = append(byHotspot[p.HotspotID], p)
	}
	rows, err := tx.Query(ctx, sqlEventsOf, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("load events: %w", err)
	}
	stored, err := pgx.CollectRows(rows, scanEvent)
	if err != nil {
		return nil, nil, fmt.Errorf("load events: %w", err)
	}
	storedBy := map[int64][]hotspot.Event{}
	for _, e := range stored {
		storedBy[e.HotspotID] = append(storedBy[e.HotspotID], e)
	}
	var keep []pendingEvent
	var bad []*hotspot.ValidationError
	for _, id := range ids {
		timeline := append([]hotspot.Event(nil), storedBy[id]...)
		lineOf := map[int]int{} // index in timeline -> line of the new event
		have := map[string]bool{}
		for _, e := range timeline {
			have[eventKey(e)] = true
		}
		var fresh []pendingEvent
		for _, p := range byHotspot[id] {
			if have[eventKey(p.Event)] {
				continue
			}
			have[eventKey(p.Event)] = true
			fresh = append(fresh, p)
		}
		if len(fresh) == 0 {
			continue
		}
		// New events sort after stored ones at the same instant: give them ids above.
		for i, p := range fresh {
			e := p.Event
			e.ID = 1<<62 + int64(i)
			timeline = append(timeline, e)
		}
		hotspot.SortEvents(timeline)
		for i, e := range timeline {
			if e.ID >= 1<<62 {
				lineOf[i] = fresh[e.ID-1<<62].line
			}
		}
		if _, at, err := hotspot.Replay(timeline); err != nil {
			line, ok := lineOf[at]
			if !ok { // a stored event became illegal: blame the earliest new event before it
				for i := at - 1; i >= 0; i-- {
					if l, isNew := lineOf[i]; isNew {
						line = l
						break
					}
				}
			}
			bad = append(bad, &hotspot.ValidationError{Line: line, Field: "event", Reason: err.Error()})
			continue
		}
		keep = append(keep, fresh...)
	}
	slices.SortStableFunc(keep, func(a, b pendingEvent) int { return cmp.Compare(a.line, b.line) })
	return keep, bad, nil
}

func eventKey(e hotspot.Event) string {
	return fmt.Sprintf("%d/%s/%d", e.HotspotID, e.Kind, e.OccurredAt.UnixNano())
}

func scanEvent(r pgx.CollectableRow) (hotspot.Event, error) {
	var e hotspot.Event
	err := r.Scan(&e.ID, &e.HotspotID, &e.Kind, &e.OccurredAt, &e.RecordedAt, &e.Note)
	return e, err
}

// insertEvents writes events: a few (the API's) with INSERT, many (an
// import) with COPY, which is faster but refused on a table under row-level
// security, as hotspot_events is for the service's role.
func insertEvents(ctx context.Context, tx pgx.Tx, events []pendingEvent) (int, error) {
	if len(events) <= 100 {
		hs, kinds, ats, notes := make([]int64, len(events)), make([]string, len(events)), make([]time.Time, len(events)), make([]string, len(events))
		for i, e := range events {
			hs[i], kinds[i], ats[i], notes[i] = e.HotspotID, string(e.Kind), e.OccurredAt, e.Note
		}
		tag, err := tx.Exec(ctx, `INSERT INTO hotspot_events (hotspot_id, event, occurred_at, note)
SELECT h, e, t, n FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[]) WITH ORDINALITY AS u(h, e, t, n, i) ORDER BY i`,
			hs, kinds, ats, notes)
		return int(tag.RowsAffected()), err
	}
	rows := make([][]any, len(events))
	for i, e := range events {
		rows[i] = []any{e.HotspotID, string(e.Kind), e.OccurredAt, e.Note}
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"hotspot_events"}, []string{"hotspot_id", "event", "occurred_at", "note"}, pgx.CopyFromRows(rows))
	return int(n), err
}

// ---- events import

// EventRow is one lifecycle event of an import file, for the hotspot whose
// ref it names.
type EventRow struct {
	Line       int
	HotspotRef string
	Kind       hotspot.EventKind
	OccurredAt time.Time
	Note       string
}

// NewEvents are the events of an import that CheckEvents found to append.
type NewEvents struct{ keep []pendingEvent }

// CheckEvents locks the hotspots the rows name and replays each one's
// stored timeline with its new events: it returns the events to append
// (exact repeats of stored ones are dropped) and one error per bad row (an
// unknown hotspot, an illegal transition).
func (w *ImportWriter) CheckEvents(ctx context.Context, rows []EventRow) (*NewEvents, []*hotspot.ValidationError, error) {
	tx := w.tx
	pending := make([]pendingEvent, len(rows))
	byRef := map[string][]int{} // ref -> indexes into pending
	for i, r := range rows {
		byRef[r.HotspotRef] = append(byRef[r.HotspotRef], i)
		pending[i] = pendingEvent{Event: hotspot.Event{Kind: r.Kind, OccurredAt: r.OccurredAt, Note: r.Note}, line: r.Line}
	}
	refs := make([]string, 0, len(byRef))
	for ref := range byRef {
		refs = append(refs, ref)
	}
	found := map[string]int64{}
	if err := func() error {
		res, err := tx.Query(ctx, sqlLockHotspots, refs)
		if err != nil {
			return err
		}
		var id int64
		var ref string
		_, err = pgx.ForEachRow(res, []any{&id, &ref}, func() error { found[ref] = id; return nil })
		return err
	}(); err != nil {
		return nil, nil, fmt.Errorf("find hotspots: %w", err)
	}
	var bad []*hotspot.ValidationError
	var known []pendingEvent
	// In file order, so that the events' ids follow the file.
	for i, r := range rows {
		hid, ok := found[r.HotspotRef]
		if !ok {
			bad = append(bad, &hotspot.ValidationError{Line: pending[i].line, Field: "hotspot_ref", Reason: fmt.Sprintf("no hotspot with ref %q", strings.TrimSpace(r.HotspotRef))})
			continue
		}
		pending[i].HotspotID = hid
		known = append(known, pending[i])
	}
	keep, more, err := timelineCheck(ctx, tx, known)
	if err != nil {
		return nil, nil, err
	}
	return &NewEvents{keep: keep}, append(bad, more...), nil
}

// InsertEvents appends the events CheckEvents kept and returns how many.
func (w *ImportWriter) InsertEvents(ctx context.Context, ev *NewEvents, progress func(done, total int)) (int, error) {
	n, err := insertEvents(ctx, w.tx, ev.keep)
	if progress != nil {
		progress(n, len(ev.keep))
	}
	return n, err
}

package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/importer"
)

// TestTimelinesFollowEvents: hotspot_timelines holds each hotspot's
// state-changing events in (occurred_at, id) order, notes left out, whatever
// the order they were recorded in, and is rebuilt on every new event.
func TestTimelinesFollowEvents(t *testing.T) {
	s, ctx := newStore(t)
	if _, err := importString(t, s, ctx, "hotspots", "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,Quán A\nH2,108.35,15.9,storage,Nhà B\n", importer.Options{}); err != nil {
		t.Fatal(err)
	}
	// A file need not be in time order: the timeline is.
	if _, err := importString(t, s, ctx, "events", "hotspot_ref,event,occurred_at,note\n"+
		"H1,recurred,2025-02-01,\nH1,note,2024-02-01,ghi chú\nH1,eliminated,2024-06-01,\nH1,detected,2024-01-10,\nH2,detected,2024-03-01,\n", importer.Options{}); err != nil {
		t.Fatal(err)
	}
	// One more through the API rebuilds H1's timeline.
	if _, err := s.AddEvent(ctx, 1, hotspot.Event{Kind: hotspot.EventEliminated, OccurredAt: time.Date(2025, 6, 1, 0, 0, 0, 0, hotspot.Zone)}); err != nil {
		t.Fatal(err)
	}
	kinds := func(id int64) []int16 {
		var k []int16
		if err := s.Pool().QueryRow(ctx, `SELECT kinds FROM hotspot_timelines WHERE hotspot_id = $1`, id).Scan(&k); err != nil {
			t.Fatalf("timeline of %d: %v", id, err)
		}
		return k
	}
	if got := kinds(1); len(got) != 4 || got[0] != 1 || got[1] != 2 || got[2] != 3 || got[3] != 2 {
		t.Errorf("H1 timeline kinds %v, want [1 2 3 2] (detected, eliminated, recurred, eliminated)", got)
	}
	if got := kinds(2); len(got) != 1 || got[0] != 1 {
		t.Errorf("H2 timeline kinds %v, want [1]", got)
	}
	var same bool
	if err := s.Pool().QueryRow(context.Background(), `
SELECT bool_and(t.occurred = x.occurred AND t.event_ids = x.ids)
FROM hotspot_timelines t JOIN (
    SELECT hotspot_id, array_agg(occurred_at ORDER BY occurred_at, id) AS occurred, array_agg(id ORDER BY occurred_at, id) AS ids
    FROM hotspot_events WHERE event <> 'note' GROUP BY hotspot_id) x USING (hotspot_id)`).Scan(&same); err != nil || !same {
		t.Errorf("timelines differ from the events they derive from (%v)", err)
	}
}

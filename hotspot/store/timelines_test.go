package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/importer"
	"github.com/diaban/diaban/hotspot/store"
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
	// The packed form the metrics read (migration 00011) holds the same
	// events, kinds and ids in the same order.
	rows, err := s.Pool().Query(ctx, `SELECT hotspot_id, kinds, occurred, event_ids, packed FROM hotspot_timelines ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	codes := map[hotspot.EventKind]int16{hotspot.EventDetected: 1, hotspot.EventEliminated: 2, hotspot.EventRecurred: 3}
	n := 0
	for rows.Next() {
		var (
			id       int64
			k        []int16
			occurred []time.Time
			ids      []int64
			packed   []byte
		)
		if err := rows.Scan(&id, &k, &occurred, &ids, &packed); err != nil {
			t.Fatal(err)
		}
		evs, err := store.DecodeTimeline(nil, packed, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil || len(evs) != len(k) {
			t.Fatalf("hotspot %d: packed timeline decodes to %d events (%v), want %d", id, len(evs), err, len(k))
		}
		for i, e := range evs {
			if codes[e.Kind] != k[i] || !e.OccurredAt.Equal(occurred[i]) || e.Seq != ids[i] {
				t.Errorf("hotspot %d event %d: packed %v %v %d, arrays %d %v %d", id, i, e.Kind, e.OccurredAt, e.Seq, k[i], occurred[i], ids[i])
			}
		}
		// Cut at an end: only the events before it.
		if cut, _ := store.DecodeTimeline(nil, packed, occurred[len(occurred)-1]); len(cut) != len(k)-1 {
			t.Errorf("hotspot %d: %d events before the last one's instant, want %d", id, len(cut), len(k)-1)
		}
		n++
	}
	if err := rows.Err(); err != nil || n != 2 {
		t.Errorf("%d timelines read (%v), want 2", n, err)
	}
}

// decodeTimeline reads what the trigger's SQL packs, times before 1970
// included, and refuses a torn value.
func TestDecodeTimeline(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	at := []time.Time{time.Date(1969, 7, 20, 20, 17, 40, 123456000, time.UTC), time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}
	var packed []byte
	if err := s.Pool().QueryRow(ctx, `
SELECT string_agg(int8send((extract(epoch FROM o) * 1000000)::bigint * 4 + k) || int8send(id), ''::bytea ORDER BY ord)
FROM unnest($1::timestamptz[], ARRAY[1, 2]::int8[], ARRAY[7, 9]::int8[]) WITH ORDINALITY u(o, k, id, ord)`, at).Scan(&packed); err != nil {
		t.Fatal(err)
	}
	evs, err := store.DecodeTimeline(nil, packed, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(evs) != 2 {
		t.Fatalf("decoded %v, %v", evs, err)
	}
	if !evs[0].OccurredAt.Equal(at[0]) || evs[0].Kind != hotspot.EventDetected || evs[0].Seq != 7 ||
		!evs[1].OccurredAt.Equal(at[1]) || evs[1].Kind != hotspot.EventEliminated || evs[1].Seq != 9 {
		t.Errorf("decoded %+v, want detected at %v (7), eliminated at %v (9)", evs, at[0], at[1])
	}
	if _, err := store.DecodeTimeline(nil, packed[:20], time.Now()); err == nil {
		t.Error("a torn timeline decoded without error")
	}
}

package store_test

import (
	"cmp"
	"context"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/metrics"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

// The timelines' area and status (migration 00014): the area is the
// hotspot's, through a move, so the policy on it shows what 00011's showed;
// the status is hotspot_status's.
func TestTimelinesFollowTheHotspotsArea(t *testing.T) {
	db, ctx, ids := rlsFixture(t)
	db.Import(t, "events", "hotspot_ref,event,occurred_at,note\nHB,eliminated,2025-02-10T08:00:00+07:00,\nHB,note,2025-03-10T08:00:00+07:00,seen\n")
	// A third hotspot with no event: no timeline, status unknown.
	db.Import(t, "hotspots", "ref,lon,lat,kind,name\nHC,108.36,15.9,dealing,C\n")

	check := func(when string) {
		t.Helper()
		rows, err := db.Pool.Query(ctx, `
SELECT h.ref, h.area_id, t.area_id, s.status, coalesce(t.status, 'unknown')
FROM hotspots h JOIN hotspot_status s ON s.hotspot_id = h.id
LEFT JOIN hotspot_timelines t ON t.hotspot_id = h.id ORDER BY h.ref`)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		var ref, want, got string
		var area int64
		var tArea *int64
		_, err = pgx.ForEachRow(rows, []any{&ref, &area, &tArea, &want, &got}, func() error {
			n++
			if tArea != nil && *tArea != area {
				t.Errorf("%s: timeline of %s in area %d, hotspot in %d", when, ref, *tArea, area)
			}
			if got != want {
				t.Errorf("%s: %s kept status %q, hotspot_status %q", when, ref, got, want)
			}
			return nil
		})
		if err != nil || n != 3 {
			t.Fatalf("%s: %d hotspots, %v", when, n, err)
		}
	}
	check("imported")
	var bStatus string
	if err := db.Pool.QueryRow(ctx, `SELECT t.status FROM hotspot_timelines t JOIN hotspots h ON h.id = t.hotspot_id WHERE h.ref = 'HB'`).Scan(&bStatus); err != nil || bStatus != "eliminated" {
		t.Fatalf("HB's status %q, %v; want eliminated", bStatus, err)
	}

	conn := appConn(t, ctx, db)
	sees := func(scope int64) []string {
		t.Helper()
		setScope(t, ctx, conn, "", "{"+strconv.FormatInt(scope, 10)+"}")
		rows, err := conn.Query(ctx, `SELECT h.ref FROM hotspot_timelines t JOIN hotspots h ON h.id = t.hotspot_id ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		refs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return refs
	}
	if a, b := sees(ids["20530"]), sees(ids["20533"]); !reflect.DeepEqual(a, []string{"HA"}) || !reflect.DeepEqual(b, []string{"HB"}) {
		t.Fatalf("before the move: 20530 sees %v, 20533 sees %v", a, b)
	}
	// HA moves to 20533 (as an edit of its point does); HB's area is
	// rewritten to the same value (no change).
	if _, err := db.Pool.Exec(ctx, `UPDATE hotspots SET area_id = $1 WHERE ref IN ('HA', 'HB')`, ids["20533"]); err != nil {
		t.Fatal(err)
	}
	check("moved")
	if a, b := sees(ids["20530"]), sees(ids["20533"]); len(a) != 0 || !reflect.DeepEqual(b, []string{"HA", "HB"}) {
		t.Fatalf("after the move: 20530 sees %v, 20533 sees %v", a, b)
	}
	// A later event keeps the area, and the status follows the events.
	db.Import(t, "events", "hotspot_ref,event,occurred_at,note\nHA,eliminated,2025-04-10T08:00:00+07:00,\nHC,detected,2025-04-10T08:00:00+07:00,\nHB,recurred,2025-03-01T08:00:00+07:00,\n")
	check("events added")
	if a := sees(ids["20530"]); len(a) != 0 {
		t.Errorf("after new events 20530 sees %v", a)
	}
}

// A rebuild of a timeline holds its hotspot's row until it commits, so a
// move of the hotspot waits for it (and then updates the timeline written)
// instead of missing a timeline it cannot see yet.
func TestTimelineRebuildHoldsTheHotspotsArea(t *testing.T) {
	db, ctx, ids := rlsFixture(t)
	db.Import(t, "hotspots", "ref,lon,lat,kind,name\nHN,108.26,15.9,dealing,N\n")
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO hotspot_events (hotspot_id, event, occurred_at)
SELECT id, 'detected', now() FROM hotspots WHERE ref = 'HN'`); err != nil {
		t.Fatal(err)
	}
	other, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback(ctx)
	if _, err := other.Exec(ctx, `SET LOCAL lock_timeout = '300ms'`); err != nil {
		t.Fatal(err)
	}
	_, err = other.Exec(ctx, `UPDATE hotspots SET area_id = $1 WHERE ref = 'HN'`, ids["20533"])
	if err == nil || !strings.Contains(err.Error(), "lock timeout") {
		t.Fatalf("the move during the rebuild: %v; want a lock timeout", err)
	}
	other.Rollback(ctx)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// After the commit the move goes through and the timeline follows.
	if _, err := db.Pool.Exec(ctx, `UPDATE hotspots SET area_id = $1 WHERE ref = 'HN'`, ids["20533"]); err != nil {
		t.Fatal(err)
	}
	var area int64
	if err := db.Pool.QueryRow(ctx, `SELECT t.area_id FROM hotspot_timelines t JOIN hotspots h ON h.id = t.hotspot_id WHERE h.ref = 'HN'`).Scan(&area); err != nil || area != ids["20533"] {
		t.Fatalf("HN's timeline in %d, %v; want %d", area, err, ids["20533"])
	}
}

// AreaAndChildMetricsAsOf reads each row once and answers what the two
// loads answered: the district's input (with a hotspot and an incident
// registered to the district itself, in none of its communes) and its
// communes'.
func TestAreaAndChildMetricsOneLoad(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db := pgtest.New(t)
	s := store.NewStore(db.Pool)
	db.ImportFile(t, "areas", "../testdata/areas.geojson")
	for _, in := range []struct{ kind, text string }{
		{"hotspots", metricsHotspots}, {"events", metricsEvents}, {"incidents", metricsIncidents},
		{"tips", metricsTips}, {"indicators", metricsIndicators},
	} {
		db.Import(t, in.kind, in.text)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE hotspots SET area_id = (SELECT id FROM areas WHERE code = '503') WHERE ref = 'E'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE incidents SET area_id = (SELECT id FROM areas WHERE code = '503') WHERE ref = 'I5'`); err != nil {
		t.Fatal(err)
	}
	cfg := metrics.DefaultConfig()
	for _, code := range []string{"503", "49", "20530"} {
		for _, p := range []hotspot.Period{hotspot.YearPeriod(2025), hotspot.MonthPeriod(2025, 3)} {
			got, kids, err := s.AreaAndChildMetricsAsOf(ctx, code, time.Time{}, cfg, p)
			if err != nil {
				t.Fatalf("%s %s: %v", code, p, err)
			}
			want, err := s.MetricsInputAsOf(ctx, code, time.Time{}, cfg, p)
			if err != nil {
				t.Fatal(err)
			}
			gm, wm := metrics.Compute(got.Input, p, cfg), metrics.Compute(want.Input, p, cfg)
			if !reflect.DeepEqual(gm, wm) {
				t.Errorf("%s %s: one load %+v\ntwo loads %+v", code, p, gm, wm)
			}
			if !reflect.DeepEqual(got.Notes, want.Notes) || !reflect.DeepEqual(sortedChildren(got.Input.Children), sortedChildren(want.Input.Children)) {
				t.Errorf("%s %s: notes %v children %+v\nwant notes %v children %+v", code, p, got.Notes, got.Input.Children, want.Notes, want.Input.Children)
			}
			if code == "20530" {
				if kids != nil {
					t.Errorf("a commune's children: %v", codes(kids))
				}
				continue
			}
			wantKids, _, err := s.ChildMetricsInputsAsOf(ctx, code, time.Time{}, p, cfg)
			if err != nil {
				t.Fatal(err)
			}
			gr, _ := metrics.ComputeRollUp(code, kids, p, cfg, 0)
			wr, _ := metrics.ComputeRollUp(code, wantKids, p, cfg, 0)
			if !reflect.DeepEqual(gr, wr) || !reflect.DeepEqual(codes(kids), codes(wantKids)) {
				t.Errorf("%s %s: roll-up %+v\nwant %+v", code, p, gr, wr)
			}
			// E (moved onto the district) and I5 (registered to it) count in
			// the district: A, B, C, E active; I1, I2, I5 in 2025.
			if p.String() == "2025" && (gm.ActiveDuring != 4 || gm.IncidentTotal() != 3) {
				t.Errorf("%s 2025: active %d incidents %d; want 4 and 3", code, gm.ActiveDuring, gm.IncidentTotal())
			}
		}
	}
}

// sortedChildren orders each child's indicators (they come in the order
// rows were read).
func sortedChildren(cs []metrics.ChildIndicators) []metrics.ChildIndicators {
	out := slices.Clone(cs)
	for i := range out {
		out[i].Indicators = slices.Clone(out[i].Indicators)
		slices.SortFunc(out[i].Indicators, func(a, b metrics.IndicatorValue) int {
			return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Period.String(), b.Period.String()))
		})
	}
	return out
}

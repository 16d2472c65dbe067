package inputs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/metrics"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/internal/pgtest"
)

// TestMakeMonthResumes: a run stopped part way (a restart, a dropped
// connection) keeps every unit it stored, whole with its audit row, and
// the next run makes only the missing units; a cancelled run writes
// nothing half.
func TestMakeMonthResumes(t *testing.T) {
	db := pgtest.New(t)
	db.ImportFile(t, "areas", "../testdata/areas.geojson")
	db.Import(t, "hotspots", "ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,Chợ\n")
	db.Import(t, "events", "hotspot_ref,event,occurred_at,note\nH1,detected,2025-05-10,\n")
	st := store.NewStore(db.Pool)
	run := time.Date(2025, 7, 14, 7, 0, 0, 0, hotspot.Zone)
	r := &Reporter{Store: st, Config: metrics.DefaultConfig(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return run }}
	p := MonthOfRun(run)
	ctx := store.WithSystemScope(context.Background())

	// the first run stored one commune, then stopped
	files, err := r.render(ctx, "20530", p, run)
	if err != nil || len(files) != ScheduledFiles {
		t.Fatalf("render: %d files, %v", len(files), err)
	}
	if err := st.SaveScheduledReports(store.WithAudit(ctx, &store.PendingAudit{Entry: store.AuditEntry{User: "scheduler", Role: "system", Action: "report.scheduled"}}), "20530", p.String(), files); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if made, err := r.MakeMonth(cancelled, p); !errors.Is(err, context.Canceled) || made != 0 {
		t.Fatalf("a cancelled run made %d: %v", made, err)
	}
	made, err := r.MakeMonth(context.Background(), p)
	if err != nil || made != 3 {
		t.Fatalf("the next run made %d (want the 3 missing units): %v", made, err)
	}
	var rows, units, audits int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT area_id) FROM scheduled_reports WHERE period = $1`, p.String()).Scan(&rows, &units); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit WHERE action = 'report.scheduled'`).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if rows != 4*ScheduledFiles || units != 4 || audits != 4 {
		t.Errorf("%d files of %d units, %d audit rows; want %d, 4, 4", rows, units, audits, 4*ScheduledFiles)
	}
	// stored files are never changed
	if _, err := db.Pool.Exec(context.Background(), `UPDATE scheduled_reports SET body = ''`); err == nil {
		t.Error("a stored report was changed")
	}
}

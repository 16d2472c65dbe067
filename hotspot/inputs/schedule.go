package inputs

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
	"github.com/diaban/diaban/hotspot/metrics"
	"github.com/diaban/diaban/hotspot/report"
	"github.com/diaban/diaban/hotspot/store"
)

// Schedule is when the monthly reports are made: a day of the month (1–28,
// so that every month has it) and a time of day, in Asia/Ho_Chi_Minh. The
// default is the 14th at 07:00: communes file the month's report before
// the 15th, districts before the 16th (DOMAIN.md, "Reporting rhythm").
type Schedule struct {
	Day          int
	Hour, Minute int
}

// DefaultSchedule is the 14th at 07:00.
var DefaultSchedule = Schedule{Day: 14, Hour: 7}

// ParseSchedule reads "14 07:00" (day, then hh:mm).
func ParseSchedule(s string) (Schedule, error) {
	day, hm, ok := strings.Cut(strings.TrimSpace(s), " ")
	h, m, ok2 := strings.Cut(strings.TrimSpace(hm), ":")
	d, err1 := strconv.Atoi(day)
	hh, err2 := strconv.Atoi(h)
	mm, err3 := strconv.Atoi(m)
	if !ok || !ok2 || err1 != nil || err2 != nil || err3 != nil || len(m) != 2 {
		return Schedule{}, fmt.Errorf("%q is not a day and a time such as \"14 07:00\"", s)
	}
	if d < 1 || d > 28 || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return Schedule{}, fmt.Errorf("%q: the day must be 1 to 28 (every month has it) and the time 00:00 to 23:59", s)
	}
	return Schedule{Day: d, Hour: hh, Minute: mm}, nil
}

func (s Schedule) String() string { return fmt.Sprintf("%d %02d:%02d", s.Day, s.Hour, s.Minute) }

// at returns the run of month m.
func (s Schedule) at(m hotspot.Month) time.Time {
	return time.Date(m.Year(), m.Month(), s.Day, s.Hour, s.Minute, 0, 0, hotspot.Zone)
}

// Last returns the latest run at or before now.
func (s Schedule) Last(now time.Time) time.Time {
	m := hotspot.MonthAt(now)
	if t := s.at(m); !t.After(now) {
		return t
	}
	return s.at(m - 1)
}

// Next returns the first run after now.
func (s Schedule) Next(now time.Time) time.Time {
	m := hotspot.MonthAt(now)
	if t := s.at(m); t.After(now) {
		return t
	}
	return s.at(m + 1)
}

// MonthOfRun returns the month a run at t reports on: the month before.
func MonthOfRun(t time.Time) hotspot.Period {
	m := hotspot.MonthAt(t) - 1
	return hotspot.MonthPeriod(m.Year(), m.Month())
}

// The stored files of a unit and month: each format for each audience.
var (
	scheduledFormats   = []report.Format{report.PDF, report.XLSX, report.CSV}
	scheduledAudiences = []struct {
		name string
		role hotspot.Role
	}{{"exact", hotspot.RoleAdmin}, {"limited", hotspot.RoleViewer}}
)

// ScheduledFiles is the number of files stored per unit and month.
var ScheduledFiles = len(scheduledFormats) * len(scheduledAudiences)

// AudienceOf is the stored audience a role reads: "limited" for a role
// whose disclosure rule limits it (a viewer), else "exact".
func AudienceOf(role hotspot.Role) string {
	if disclosure.For(role).Limited() {
		return "limited"
	}
	return "exact"
}

// Reporter makes and stores the monthly reports.
type Reporter struct {
	Store  *store.Store
	Config metrics.Config
	Log    *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (r *Reporter) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// MakeMonth stores the report of month p for every unit in force today
// (provinces, districts, communes; not hamlets) that does not have it yet,
// each unit in its own transaction with its audit row (report.scheduled,
// user "scheduler"): a failure or a restart in the middle loses no unit
// already stored, and running it again makes only the missing ones. It
// returns the number of units made.
func (r *Reporter) MakeMonth(ctx context.Context, p hotspot.Period) (int, error) {
	ctx = store.WithSystemScope(ctx)
	now := r.now()
	tree, err := r.Store.AreasAsOf(ctx, now)
	if err != nil {
		return 0, err
	}
	done, err := r.Store.ScheduledMonthsDone(ctx, p.String(), ScheduledFiles)
	if err != nil {
		return 0, err
	}
	made := 0
	for _, a := range tree.List() {
		if a.Level == hotspot.LevelHamlet || done[a.Code] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return made, err
		}
		files, err := r.render(ctx, a.Code, p, now)
		if err != nil {
			return made, fmt.Errorf("report of %s for %s: %w", a.Code, p, err)
		}
		actx := store.WithAudit(ctx, &store.PendingAudit{Entry: store.AuditEntry{User: "scheduler", Role: "system",
			Action: "report.scheduled", Detail: "period " + p.String()}})
		if err := r.Store.SaveScheduledReports(actx, a.Code, p.String(), files); err != nil {
			return made, err
		}
		made++
	}
	return made, nil
}

// render makes one unit's files: loaded once, rendered for each audience.
func (r *Reporter) render(ctx context.Context, code string, p hotspot.Period, now time.Time) ([]store.ScheduledFile, error) {
	d, err := LoadReport(ctx, r.Store, ReportRequest{Area: code, Period: p, AsOf: now, Config: r.Config, Role: hotspot.RoleAdmin, Now: now})
	if err != nil {
		return nil, err
	}
	var files []store.ScheduledFile
	for _, aud := range scheduledAudiences {
		v := *d
		v.Rule = disclosure.For(aud.role)
		if v.Rule.Limited() {
			v.Places, v.PlacesWithheld = nil, true
		}
		for _, f := range scheduledFormats {
			var b strings.Builder
			if err := report.Render(&b, &v, f); err != nil {
				return nil, err
			}
			files = append(files, store.ScheduledFile{Audience: aud.name, Format: string(f), Body: []byte(b.String())})
		}
	}
	return files, nil
}

// retryAfter is how long Run waits after a failed run before trying again.
const retryAfter = 5 * time.Minute

// Run makes the monthly reports on schedule until ctx ends. At start it
// makes the month of the latest run if any unit lacks it (a server that
// was down on the report day catches up); after a failure (the database
// restarting, a dropped connection) it tries again every five minutes,
// making only what is missing.
func (r *Reporter) Run(ctx context.Context, s Schedule) {
	due := s.Last(r.now())
	for {
		p := MonthOfRun(due)
		made, err := r.MakeMonth(ctx, p)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			r.Log.Error("monthly reports: retrying", "period", p.String(), "made", made, "err", err, "retry_in", retryAfter)
			if !sleep(ctx, retryAfter) {
				return
			}
			continue
		case made > 0:
			r.Log.Info("monthly reports made", "period", p.String(), "units", made)
		}
		due = s.Next(r.now())
		if !sleep(ctx, time.Until(due)) {
			return
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

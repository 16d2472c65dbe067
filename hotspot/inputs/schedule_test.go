package inputs

import (
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
)

func TestSchedule(t *testing.T) {
	s, err := ParseSchedule("14 07:00")
	if err != nil || s != DefaultSchedule || s.String() != "14 07:00" {
		t.Fatalf("%v %v", s, err)
	}
	at := func(v string) time.Time {
		x, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for _, tt := range []struct{ now, last, next, month string }{
		{"2025-10-14T07:00:00+07:00", "2025-10-14T07:00:00+07:00", "2025-11-14T07:00:00+07:00", "2025-09"},
		{"2025-10-14T06:59:59+07:00", "2025-09-14T07:00:00+07:00", "2025-10-14T07:00:00+07:00", "2025-08"},
		{"2025-10-14T00:30:00Z", "2025-10-14T07:00:00+07:00", "2025-11-14T07:00:00+07:00", "2025-09"}, // 07:30 in Vietnam
		{"2026-01-02T00:00:00+07:00", "2025-12-14T07:00:00+07:00", "2026-01-14T07:00:00+07:00", "2025-11"},
		{"2026-01-20T00:00:00+07:00", "2026-01-14T07:00:00+07:00", "2026-02-14T07:00:00+07:00", "2025-12"},
	} {
		now := at(tt.now)
		last, next := s.Last(now), s.Next(now)
		if !last.Equal(at(tt.last)) || !next.Equal(at(tt.next)) || MonthOfRun(last).String() != tt.month {
			t.Errorf("at %s: last %s, next %s, month %s; want %s, %s, %s", tt.now, last, next, MonthOfRun(last), tt.last, tt.next, tt.month)
		}
	}
	for _, bad := range []string{"", "14", "29 07:00", "0 07:00", "14 24:00", "14 7:0", "14 07:60", "x 07:00", "14-07:00"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if AudienceOf(hotspot.RoleViewer) != "limited" || AudienceOf(hotspot.RoleOfficer) != "exact" {
		t.Error("audiences")
	}
}

// FuzzParseSchedule: what parses prints back to itself, within its ranges,
// and its next run is after any instant and its last at or before it.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"14 07:00", "1 00:00", "28 23:59", "29 07:00", "14 7:00", " 14  07:00 ", "x", ""} {
		f.Add(s, int64(1760000000))
	}
	f.Fuzz(func(t *testing.T, s string, unix int64) {
		sc, err := ParseSchedule(s)
		if err != nil {
			return
		}
		if sc.Day < 1 || sc.Day > 28 || sc.Hour > 23 || sc.Minute > 59 {
			t.Fatalf("%q → %+v", s, sc)
		}
		back, err := ParseSchedule(sc.String())
		if err != nil || back != sc {
			t.Fatalf("%q → %s does not round-trip", s, sc)
		}
		now := time.Unix(unix%(1<<33), 0)
		if last, next := sc.Last(now), sc.Next(now); last.After(now) || !next.After(now) || next.Sub(last) > 32*24*time.Hour {
			t.Fatalf("%s at %s: last %s, next %s", sc, now, last, next)
		}
	})
}

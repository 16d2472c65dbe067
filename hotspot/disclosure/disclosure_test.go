package disclosure_test

import (
	"testing"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
)

func TestRulePerRole(t *testing.T) {
	for _, c := range []struct {
		role    hotspot.Role
		limited bool
	}{
		{hotspot.RoleViewer, true}, {hotspot.RoleOfficer, false}, {hotspot.RolePlanner, false},
		{hotspot.RoleAdmin, false}, {"", true},
	} {
		r := disclosure.For(c.role)
		if r.Limited() != c.limited {
			t.Errorf("%q: limited %v, want %v", c.role, r.Limited(), c.limited)
		}
		wantRes, want3 := 10, any(int64(3))
		if c.limited {
			wantRes, want3 = disclosure.ViewerMaxRes, disclosure.SuppressedText
		}
		if got := r.Res(10); got != wantRes {
			t.Errorf("%q: res 10 → %d, want %d", c.role, got, wantRes)
		}
		if got := r.Res(7); got != 7 {
			t.Errorf("%q: res 7 → %d", c.role, got)
		}
		if got := r.Value(3); got != want3 {
			t.Errorf("%q: count 3 → %v, want %v", c.role, got, want3)
		}
		if got := r.Value(5); got != int64(5) {
			t.Errorf("%q: count 5 → %v, want 5", c.role, got)
		}
	}
}

func TestWindowWholeMonths(t *testing.T) {
	z := hotspot.Zone
	from := time.Date(2025, 3, 14, 10, 1, 0, 0, z)
	to := time.Date(2025, 3, 14, 10, 2, 0, 0, z) // a one-minute window
	f, e := disclosure.For(hotspot.RoleViewer).Window(from, to)
	if !f.Equal(time.Date(2025, 3, 1, 0, 0, 0, 0, z)) || !e.Equal(time.Date(2025, 4, 1, 0, 0, 0, 0, z)) {
		t.Errorf("viewer window %v – %v, want March 2025", f, e)
	}
	// Already whole months: unchanged.
	f2, e2 := disclosure.For(hotspot.RoleViewer).Window(f, e)
	if !f2.Equal(f) || !e2.Equal(e) {
		t.Errorf("whole months moved: %v – %v", f2, e2)
	}
	if f, e := disclosure.For(hotspot.RoleOfficer).Window(from, to); !f.Equal(from) || !e.Equal(to) {
		t.Errorf("officer window changed: %v – %v", f, e)
	}
	if f, e := disclosure.For(hotspot.RoleViewer).Window(time.Time{}, time.Time{}); !f.IsZero() || !e.IsZero() {
		t.Errorf("open window closed: %v – %v", f, e)
	}
}

func TestZeroIsShown(t *testing.T) {
	if got := disclosure.For(hotspot.RoleViewer).Value(0); got != int64(0) {
		t.Errorf("viewer count 0 → %v, want 0", got)
	}
}

func TestPeriodWholeMonths(t *testing.T) {
	v, o := disclosure.For(hotspot.RoleViewer), disclosure.For(hotspot.RoleOfficer)
	for _, c := range []struct{ in, viewer string }{
		{"2025-03-14..2025-03-14", "2025-03-01..2025-03-31"},
		{"2024-04-15..2025-04-14", "2024-04-01..2025-04-30"},
		{"2024-04-01..2025-03-31", "2024-04-01..2025-03-31"},
		{"2025-07", "2025-07"}, {"2025-H1", "2025-H1"}, {"2025", "2025"},
	} {
		p, err := hotspot.ParsePeriod(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.Period(p).String(); got != c.viewer {
			t.Errorf("viewer %s → %s, want %s", c.in, got, c.viewer)
		}
		if got := o.Period(p); got != p {
			t.Errorf("officer %s → %s", c.in, got)
		}
	}
}

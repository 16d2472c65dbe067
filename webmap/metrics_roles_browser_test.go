package webmap_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/diaban/diaban/hotspot"
)

// consoleErrors collects what the page reports as an error: uncaught
// exceptions, console.error, and failed loads (a 404 is logged as one).
func consoleErrors(ctx context.Context) func() []string {
	var mu sync.Mutex
	var errs []string
	_ = chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			errs = append(errs, "exception: "+e.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				errs = append(errs, "console.error")
			}
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				errs = append(errs, e.Entry.Text+" "+e.Entry.URL)
			}
		}
	})
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

// TestBrowserMetricsForEveryRole: the committee's map works for the users it
// is for, not only for an admin. A viewer of the district and an officer of
// one commune open the map on a desktop and on a phone: their communes are
// shaded by class, a year typed in "Kỳ" reloads it, and the page asks for
// nothing outside their area (no 404 in the console); the panels are
// those of their role.
func TestBrowserMetricsForEveryRole(t *testing.T) {
	ts := newTestServer(t)
	// One more hotspot found in each commune every year from 2021: both
	// communes grow more complex each year, a significant rising trend over
	// the five years to 2025 (Mann–Kendall p ≈ 0.03), so every role sees
	// its arrow — a viewer gets the trend's direction, not the scores.
	importText(t, ts.store, "hotspots", "ref,lon,lat,kind,name\n"+
		"X1,108.31,15.81,dealing,Nhà 1\nX2,108.32,15.82,dealing,Nhà 2\nX3,108.33,15.83,dealing,Nhà 3\nX4,108.34,15.84,dealing,Nhà 4\n"+
		"Y1,108.21,15.81,dealing,Nhà 5\nY2,108.22,15.82,dealing,Nhà 6\nY3,108.23,15.83,dealing,Nhà 7\nY4,108.24,15.84,dealing,Nhà 8\n")
	importText(t, ts.store, "events", "hotspot_ref,event,occurred_at,note\n"+
		"X1,detected,2021-03-01,\nX2,detected,2022-03-01,\nX3,detected,2023-03-01,\nX4,detected,2024-03-01,\n"+
		"Y1,detected,2021-03-01,\nY2,detected,2022-03-01,\nY3,detected,2023-03-01,\nY4,detected,2024-03-01,\n")
	ts.settle(t)
	users := []struct {
		name    string
		role    hotspot.Role
		scope   string
		shaded  int    // communes shaded in 2025
		planner bool   // the camera planner is shown
		feed    bool   // the live feed of points is shown
		unit    string // the user's area, by name, in the top bar
	}{
		{"committee-503", hotspot.RoleViewer, "503", 2, false, false, "Huyện Thử"},
		{"viewer-20530", hotspot.RoleViewer, "20530", 1, false, false, "Phường Một"},
		{"officer-20530", hotspot.RoleOfficer, "20530", 1, false, true, "Phường Một"},
		{"planner-20533", hotspot.RolePlanner, "20533", 1, true, true, "Xã Hai"},
	}
	for _, u := range users {
		ts.addUser(t, u.name, u.role, u.scope)
	}
	for _, u := range users {
		t.Run(u.name, func(t *testing.T) {
			// One browser per user, logged in once, looked at on a desktop
			// and then on a phone (the page reloaded at that size).
			ctx := newBrowser(t, 1440, 900, 150*time.Second)
			errs := consoleErrors(ctx)
			if err := ts.browserLogin(ctx, u.name); err != nil {
				t.Fatal(err)
			}
			for _, screen := range []struct{ w, h int64 }{{1440, 900}, {390, 844}} {
				if screen.w != 1440 {
					if err := chromedp.Do(ctx, chromedp.EmulateViewport(screen.w, screen.h), chromedp.Reload()); err != nil {
						t.Fatal(err)
					}
				}
				checkMetricsForRole(t, ctx, u.role, u.shaded, u.planner, u.feed, u.unit, fmt.Sprintf("%dx%d", screen.w, screen.h))
			}
			for _, e := range errs() {
				if strings.Contains(e, "404") || strings.Contains(e, "exception") {
					t.Errorf("console: %s", e)
				}
			}
		})
	}
}

// checkMetricsForRole: the map is ready, 2025 typed in "Kỳ" shades the
// user's communes, no error is shown, the top bar names the user's unit and
// the panels are those of the role.
func checkMetricsForRole(t *testing.T, ctx context.Context, role hotspot.Role, shaded int, planner, feed bool, unit, screen string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.ready === "true" && document.body.dataset.metricsPeriod !== undefined`)); err != nil {
		t.Fatalf("%s: map not ready: %v", screen, err)
	}
	choosePeriod(t, ctx, "2025")
	js := fmt.Sprintf(`document.querySelectorAll('path.class-overlay.class-affected, path.class-overlay.class-key, path.class-overlay.class-clear').length === %d`, shaded)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js)); err != nil {
		t.Fatalf("%s: communes not shaded: %v", screen, err)
	}
	// Trend arrows: every shaded commune rises significantly.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.querySelectorAll('.trend-marker.dir-rising').length === %d`, shaded))); err != nil {
		t.Errorf("%s: trend arrows: %v", screen, err)
	}
	if msg := evaluate[string](t, ctx, `(document.querySelector('.metrics-panel .error:not([hidden])') || {}).textContent || ''`); msg != "" {
		t.Errorf("%s: the panel shows an error: %q", screen, msg)
	}
	if who := evaluate[string](t, ctx, `document.querySelector('#whoami').textContent`); !strings.Contains(who, unit) {
		t.Errorf("%s: top bar %q: want the unit's name %q", screen, who, unit)
	}
	for _, p := range []struct {
		sel  string
		want bool
	}{{"#planner-panel", planner}, {".feed-panel", feed}} {
		if shown := evaluate[bool](t, ctx, fmt.Sprintf(`getComputedStyle(document.querySelector(%q)).display !== 'none'`, p.sel)); shown != p.want {
			t.Errorf("%s: %s shown: %v, want %v for a %s", screen, p.sel, shown, p.want, role)
		}
	}
}

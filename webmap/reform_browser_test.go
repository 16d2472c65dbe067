package webmap_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/diaban/diaban/hotspot"
)

// TestBrowserAreasBeforeTheReform: on the demo, the area picker lists
// today's units; the switch "trước 01/07/2025" lists the old ones, each
// retired unit marked as such, and a retired unit chosen there opens its
// scorecard on the old map (the metrics are asked with as_of) — as an
// admin, the province's committee viewer and a ward's officer, on a desktop
// and on a phone, with no error in the console and the switch on screen.
func TestBrowserAreasBeforeTheReform(t *testing.T) {
	ts := newEmptyServer(t)
	loadDemoAcrossReform(t, ts)
	ts.settle(t)
	ts.addUser(t, "reform-viewer", hotspot.RoleViewer, "48")
	ts.addUser(t, "reform-officer", hotspot.RoleOfficer, "20410")
	users := []struct {
		name    string
		retired string // a retired unit the user may open on the old map
		unit    string // its name
	}{
		{testAdmin, "20416", "Phường Cửa Đại"},
		{"reform-viewer", "503", "Thành phố Hội An"},
		{"reform-officer", "20398", "Phường Minh An"},
	}
	for _, u := range users {
		t.Run(u.name, func(t *testing.T) {
			ctx := newBrowser(t, 1440, 900, 150*time.Second)
			errs := consoleErrors(ctx)
			if err := ts.browserLogin(ctx, u.name); err != nil {
				t.Fatal(err)
			}
			for _, screen := range []struct{ w, h int64 }{{1440, 900}, {390, 844}} {
				name := fmt.Sprintf("%dx%d", screen.w, screen.h)
				if screen.w != 1440 {
					if err := chromedp.Do(ctx, chromedp.EmulateViewport(screen.w, screen.h), chromedp.Reload()); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.ready === "true" && !!document.querySelector('#areas-before')`)); err != nil {
					t.Fatalf("%s: no switch beside the area picker: %v", name, err)
				}
				options := `[...document.querySelectorAll('#area-select option')].map((o) => o.value + '=' + o.textContent).join('|')`
				today := evaluate[string](t, ctx, options)
				if !strings.Contains(today, "20410=Phường Hội An —") || strings.Contains(today, "20398=") || strings.Contains(today, "giải thể") {
					t.Errorf("%s: today's picker: %s", name, today)
				}
				if label := evaluate[string](t, ctx, `document.querySelector('label.areas-before').textContent`); label != "trước 01/07/2025" {
					t.Errorf("%s: switch reads %q", name, label)
				}
				evaluate[bool](t, ctx, `(document.querySelector('#areas-before').click(), true)`)
				js := fmt.Sprintf(`[...document.querySelectorAll('#area-select option')].some((o) => o.value === %q)`, u.retired)
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js)); err != nil {
					t.Fatalf("%s: the old units never came: %s", name, evaluate[string](t, ctx, options))
				}
				old := evaluate[string](t, ctx, options)
				if !strings.Contains(old, u.retired+"=") || !strings.Contains(old, "(đã giải thể)") || strings.Contains(old, "Phường Hội An Tây") {
					t.Errorf("%s: the old picker: %s", name, old)
				}
				if n := evaluate[int](t, ctx, `document.querySelectorAll('path.area-retired').length`); n == 0 {
					t.Errorf("%s: no retired boundary drawn", name)
				}
				// Open a retired unit: its scorecard, on the old map.
				evaluate[bool](t, ctx, fmt.Sprintf(`(() => { const s = document.querySelector('#area-select'); s.value = %q; s.dispatchEvent(new Event('change')); return true; })()`, u.retired))
				js = fmt.Sprintf(`(document.querySelector('.scorecard') || {}).textContent.includes(%q)`, u.unit)
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js)); err != nil {
					t.Errorf("%s: no scorecard for %s: %q", name, u.retired, evaluate[string](t, ctx, `(document.querySelector('.metrics-panel') || {}).textContent || ''`))
				}
				if msg := evaluate[string](t, ctx, `(document.querySelector('.metrics-panel .error:not([hidden])') || {}).textContent || ''`); msg != "" {
					t.Errorf("%s: the panel shows an error: %q", name, msg)
				}
				// The switch lies on the screen, wholly (the page's own width is
				// the top bar's business).
				if r := evaluate[string](t, ctx, `(() => { const r = document.querySelector('label.areas-before').getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth && r.bottom <= window.innerHeight && r.width > 0 ? '' : JSON.stringify(r); })()`); r != "" {
					t.Errorf("%s: the switch is off the screen: %s", name, r)
				}
				// And back to today's map.
				evaluate[bool](t, ctx, `(document.querySelector('#areas-before').click(), true)`)
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`![...document.querySelectorAll('#area-select option')].some((o) => o.textContent.includes('giải thể'))`)); err != nil {
					t.Errorf("%s: the switch did not go back to today's units", name)
				}
			}
			for _, e := range errs() {
				if strings.Contains(e, "status of 40") && !strings.Contains(e, "status of 401") || strings.Contains(e, "status of 5") || strings.Contains(e, "exception") {
					t.Errorf("console: %s", e)
				}
			}
		})
	}
}

package webmap_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/inputs"
	"github.com/diaban/diaban/hotspot/metrics"
)

// choosePeriod picks a period in the panel's "Kỳ" selector as a user does
// (the kind, then the year and its part, or two dd/mm/yyyy days), submits
// it and waits until the map has loaded it.
func choosePeriod(t *testing.T, ctx context.Context, code string) {
	t.Helper()
	kind, year, part, from, to := "year", code, "", "", ""
	if m := regexp.MustCompile(`^(\d{4})-H([12])$`).FindStringSubmatch(code); m != nil {
		kind, year, part = "half", m[1], m[2]
	} else if m := regexp.MustCompile(`^(\d{4})-Q([1-4])$`).FindStringSubmatch(code); m != nil {
		kind, year, part = "quarter", m[1], m[2]
	} else if m := regexp.MustCompile(`^(\d{4})-(\d{2})$`).FindStringSubmatch(code); m != nil {
		kind, year, part = "month", m[1], strings.TrimPrefix(m[2], "0")
	} else if m := regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})\.\.(\d{4})-(\d{2})-(\d{2})$`).FindStringSubmatch(code); m != nil {
		kind, from, to = "custom", m[3]+"/"+m[2]+"/"+m[1], m[6]+"/"+m[5]+"/"+m[4]
	}
	js := fmt.Sprintf(`(() => {
  const $ = (s) => document.querySelector(s);
  const k = $('#metrics-kind'); k.value = %q; k.dispatchEvent(new Event('change'));
  if (%q) $('#metrics-year').value = %q;
  if (%q) $('#metrics-part').value = %q;
  if (%q) { $('#metrics-from').value = %q; $('#metrics-to').value = %q; }
  $('.metrics-form').requestSubmit();
  return true;
})()`, kind, year, year, part, part, from, from, to)
	evaluate[bool](t, ctx, js)
	wait := fmt.Sprintf(`document.body.dataset.metricsPeriod === %q || !!(document.querySelector('.metrics-panel .error:not([hidden])') || {}).textContent`, code)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](wait)); err != nil {
		t.Fatalf("period %s never loaded: %v", code, err)
	}
	if msg := evaluate[string](t, ctx, `(document.querySelector('.metrics-panel .error:not([hidden])') || {}).textContent || ''`); msg != "" {
		t.Fatalf("period %s: the panel shows an error: %q", code, msg)
	}
}

// noOverflow fails when anything on the page, or inside the element sel,
// reaches past the right edge of the window (the page would scroll
// sideways). Leaflet's panes are left out: the map clips them.
func noOverflow(t *testing.T, ctx context.Context, sel, screen string) {
	t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); const bad = [];
  if (e && e.scrollWidth > e.clientWidth + 1) bad.push(%q + ' ' + e.scrollWidth + ' > ' + e.clientWidth);
  for (const x of document.querySelectorAll('body *')) {
    if (x.closest('.leaflet-map-pane')) continue;
    const r = x.getBoundingClientRect();
    if (r.width && r.right > window.innerWidth + 1) { bad.push(x.tagName + '.' + x.className + ' right ' + Math.round(r.right)); break; }
  }
  return bad.join('; '); })()`, sel, sel)
	if bad := evaluate[string](t, ctx, js); bad != "" {
		t.Errorf("%s: horizontal overflow: %s", screen, bad)
	}
}

// downloads records the files the browser saves in dir.
type downloads struct {
	mu   sync.Mutex
	dir  string
	done map[string]string // guid -> suggested file name, once completed
	name map[string]string
}

func allowDownloads(t *testing.T, ctx context.Context) *downloads {
	t.Helper()
	d := &downloads{dir: t.TempDir(), done: map[string]string{}, name: map[string]string{}}
	_ = chromedp.Listen(ctx, func(ev any) {
		d.mu.Lock()
		defer d.mu.Unlock()
		switch e := ev.(type) {
		case *browser.EventDownloadWillBegin:
			d.name[e.GUID] = e.SuggestedFilename
		case *browser.EventDownloadProgress:
			if e.State == browser.DownloadProgressStateCompleted {
				d.done[e.GUID] = d.name[e.GUID]
			}
		}
	})
	on := true
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: d.dir, EventsEnabled: &on})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	return d
}

// click follows sel's link and waits for one more completed download; it
// returns the file's suggested name and its first bytes.
func (d *downloads) click(t *testing.T, ctx context.Context, sel string) (string, []byte) {
	t.Helper()
	d.mu.Lock()
	before := len(d.done)
	d.mu.Unlock()
	evaluate[bool](t, ctx, fmt.Sprintf(`(document.querySelector(%q).click(), true)`, sel))
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		d.mu.Lock()
		if len(d.done) > before {
			for guid, name := range d.done {
				if _, seen := d.name["seen:"+guid]; seen {
					continue
				}
				d.name["seen:"+guid] = name
				d.mu.Unlock()
				b, err := os.ReadFile(filepath.Join(d.dir, guid))
				if err != nil {
					t.Fatalf("download %s: %v", sel, err)
				}
				return name, b
			}
		}
		d.mu.Unlock()
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: no download completed", sel)
	return "", nil
}

// TestBrowserCommitteeForEveryRole: the committee's map as its users use it
// (issue 14). A viewer of the district, a viewer of a commune and an officer
// of a commune, each at 1440×900 and 390×844, open the map and see their
// communes shaded by class (above the hexagons) with the class legend;
// switch to last year, a half-year and a custom window, each set against
// its previous comparable period; read the scorecard with its monthly trend
// and the criteria's evidence; open the committee table, whose close button
// is on screen; download the report in each format. No console error, no
// sideways scrolling.
func TestBrowserCommitteeForEveryRole(t *testing.T) {
	ts := newTestServer(t)
	importText(t, ts.store, "events", "hotspot_ref,event,occurred_at,note\nH1,eliminated,2025-09-10,\n")
	importText(t, ts.store, "areas", hamletGeoJSON)
	// The server's own monthly reports of October 2025 (made on 14/11).
	makeMonth(t, ts, time.Date(2025, 11, 14, 7, 0, 0, 0, hotspot.Zone))
	ts.settle(t)
	users := []struct {
		name, scope, pick string
		role              hotspot.Role
		rows              int // rows of the committee table
	}{
		{"committee-503", "503", "20530", hotspot.RoleViewer, 2},
		{"viewer-20530", "20530", "20530", hotspot.RoleViewer, 1},
		{"officer-20530", "20530", "20530", hotspot.RoleOfficer, 1},
	}
	for _, u := range users {
		ts.addUser(t, u.name, u.role, u.scope)
	}
	for i, u := range users {
		t.Run(u.name, func(t *testing.T) {
			ctx := newBrowser(t, 1440, 900, 240*time.Second)
			errs := consoleErrors(ctx)
			dl := allowDownloads(t, ctx)
			if err := ts.browserLogin(ctx, u.name); err != nil {
				t.Fatal(err)
			}
			// The map's first /api/me before the login answers 401 (that is
			// how it finds the login screen); count errors from here on.
			before := len(errs())
			if i == 0 {
				samePreviousPeriods(t, ctx)
			}
			for _, screen := range []struct{ w, h int64 }{{1440, 900}, {390, 844}} {
				name := fmt.Sprintf("%dx%d", screen.w, screen.h)
				if screen.w != 1440 {
					// Marked so that nothing below is asked of the old page.
					evaluate[bool](t, ctx, `(document.body.dataset.ready = 'reloading', true)`)
					if err := chromedp.Do(ctx, chromedp.EmulateViewport(screen.w, screen.h), chromedp.Reload()); err != nil {
						t.Fatal(err)
					}
				}
				committeeSession(t, ctx, dl, u.pick, u.rows, u.role == hotspot.RoleViewer, name)
			}
			// A month's reports made while the map is open are announced.
			makeMonth(t, ts, time.Date(2025, time.Month(12+i), 14, 7, 0, 0, 0, hotspot.Zone))
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(document.querySelector('.report-notice:not([hidden])') || {}).textContent?.includes('Có báo cáo định kỳ mới')`)); err != nil {
				t.Errorf("no notice of the new monthly reports: %v", err)
			}
			for _, e := range errs()[before:] {
				t.Errorf("console: %s", e)
			}
		})
	}
}

// committeeSession is one user's meeting on one screen.
// A viewer's custom window is computed over whole months (hotspot/disclosure)
// and the page says so.
func committeeSession(t *testing.T, ctx context.Context, dl *downloads, pick string, rows int, viewer bool, screen string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.ready === "true" && document.body.dataset.metricsPeriod !== undefined`)); err != nil {
		t.Fatalf("%s: map not ready: %v", screen, err)
	}
	// Last year (the fixture's hotspots are of 2025), then a half-year, then
	// seed 001's window: each shades the user's communes and says what it is
	// compared with.
	for _, p := range []struct{ code, label, prev string }{
		{"2025", "Năm 2025", "Năm 2024"},
		{"2025-H2", "6 tháng cuối năm 2025", "6 tháng đầu năm 2025"},
		{"2024-04-15..2025-04-14", "15/04/2024 – 14/04/2025", "16/04/2023 – 14/04/2024"},
	} {
		choosePeriod(t, ctx, p.code)
		if n := evaluate[int](t, ctx, `document.querySelectorAll('.leaflet-class-pane path.class-overlay').length`); n == 0 {
			t.Errorf("%s %s: no commune shaded by class", screen, p.code)
		}
		text := evaluate[string](t, ctx, `document.querySelector('.period-text').textContent`)
		if !strings.Contains(text, p.label) || !strings.Contains(text, p.prev) {
			t.Errorf("%s: period line %q, want %q against %q", screen, text, p.label, p.prev)
		}
	}
	choosePeriod(t, ctx, "2025")
	// The shading sits above the hexagons, and the legend explains it.
	if above := evaluate[bool](t, ctx, `+getComputedStyle(document.querySelector('.leaflet-class-pane')).zIndex > +getComputedStyle(document.querySelector('.leaflet-cells-pane')).zIndex`); !above {
		t.Errorf("%s: class shading below the hexagons", screen)
	}
	legend := evaluate[string](t, ctx, `document.querySelector('.legend').textContent`)
	for _, w := range []string{"Trọng điểm về ma túy", "Có tệ nạn ma túy", "Không có tệ nạn ma túy"} {
		if !strings.Contains(legend, w) {
			t.Errorf("%s: legend lacks %q", screen, w)
		}
	}
	// The scorecard: figures with their change, the monthly trend with
	// axes, the criteria with their evidence.
	evaluate[bool](t, ctx, fmt.Sprintf(`(() => { const s = document.querySelector('#area-select'); s.value = %q; s.dispatchEvent(new Event('change')); return true; })()`, pick))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('.scorecard .criteria li').length === 6 && document.querySelector('.scorecard-period').textContent === 'Năm 2025'`)); err != nil {
		t.Fatalf("%s: no scorecard: %v", screen, err)
	}
	card := evaluate[string](t, ctx, `document.querySelector('.scorecard').textContent`)
	for _, w := range []string{"Năm 2025", "tin báo đã xử lý", "36 tháng", "Mann–Kendall"} {
		if !strings.Contains(card, w) {
			t.Errorf("%s: scorecard lacks %q: %q", screen, w, card)
		}
	}
	if n := evaluate[int](t, ctx, `document.querySelectorAll('.scorecard .delta').length`); n < 8 {
		t.Errorf("%s: %d figures carry their change against the previous period, want every one", screen, n)
	}
	// An officer sees the monthly chart with its axes; a viewer the test
	// without the scores (hotspot/disclosure), and is told why.
	if ticks := evaluate[int](t, ctx, `document.querySelectorAll('.scorecard .trend-chart .trend-tick').length`); viewer {
		if ticks != 0 || !strings.Contains(card, "không hiển thị với tài khoản Ban Chỉ đạo") {
			t.Errorf("%s: a viewer's trend shows %d axis labels, or no word of the withheld scores", screen, ticks)
		}
	} else if ticks < 4 {
		t.Errorf("%s: the trend chart has %d axis labels", screen, ticks)
	}
	// The unit's stored monthly reports are listed under its scorecard.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('.scorecard .scheduled li[data-period="2025-10"] a.scheduled-pdf')`)); err != nil {
		t.Errorf("%s: the scorecard lists no stored report of 10/2025: %v", screen, err)
	}
	// Seed 001: the commune judges one hamlet over the plan's window.
	if pick == "20530" {
		evaluate[bool](t, ctx, `(() => { const $ = (s) => document.querySelector(s);
  $('#hamlet-pick').value = '2053001'; $('#hamlet-from').value = '15/04/2024'; $('#hamlet-to').value = '14/04/2025';
  $('.hamlet-form').requestSubmit(); return true; })()`)
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('.hamlet-result .criteria li').length === 6`)); err != nil {
			t.Fatalf("%s: the hamlet's criteria: %v", screen, err)
		}
		res := evaluate[string](t, ctx, `document.querySelector('.hamlet-result').textContent`)
		window := "15/04/2024 – 14/04/2025"
		if viewer {
			window = "01/04/2024 – 30/04/2025"
		}
		for _, w := range []string{"Khu phố Một", window, "1 điểm còn hoạt động cuối kỳ, 0 trở lại, 1 mới", "Chưa đủ tiêu chí"} {
			if !strings.Contains(res, w) {
				t.Errorf("%s: the hamlet's result lacks %q: %q", screen, w, res)
			}
		}
	}
	// The committee table: on screen, its close button reachable.
	evaluate[bool](t, ctx, `(document.querySelector('.committee-open').click(), true)`)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.querySelectorAll('.committee-table tbody tr').length === %d`, rows))); err != nil {
		t.Fatalf("%s: committee table: %v", screen, err)
	}
	if n := evaluate[int](t, ctx, `document.querySelectorAll('.committee-table tbody .delta').length`); n == 0 {
		t.Errorf("%s: the committee table shows no change against the previous period", screen)
	}
	inView := evaluate[bool](t, ctx, `(() => { const r = document.querySelector('.committee-close').getBoundingClientRect();
  return r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= window.innerWidth && r.bottom <= window.innerHeight; })()`)
	if !inView {
		t.Errorf("%s: the committee table's close button is off screen", screen)
	}
	noOverflow(t, ctx, ".committee", screen)
	if rows > 1 {
		screenshot(t, ctx, "committee-"+strings.Split(screen, "x")[0]) // the README's picture
	}
	// Each report format downloads from the table.
	for _, f := range reportFormats {
		name, b := dl.click(t, ctx, ".committee .report-"+f.format)
		if !strings.HasPrefix(string(b), f.magic) || !strings.HasSuffix(name, "."+f.format) {
			t.Errorf("%s: %s download %q starts %q", screen, f.format, name, firstBytes(b))
		}
	}
	// The stored monthly reports of the table's units, one downloaded.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.querySelectorAll('.committee .scheduled li[data-area]').length === %d`, rows+boolInt(rows > 1)))); err != nil {
		t.Errorf("%s: the committee table lists the stored reports of %d units: %v", screen, rows+boolInt(rows > 1), err)
	}
	if name, b := dl.click(t, ctx, ".committee .scheduled a.scheduled-pdf"); !strings.HasPrefix(string(b), "%PDF") || !strings.HasSuffix(name, ".pdf") {
		t.Errorf("%s: stored report %q starts %q", screen, name, firstBytes(b))
	}
	noOverflow(t, ctx, ".committee", screen)
	// Printed, the page is the scorecard and the table, not the map's chrome.
	printed(t, ctx, screen)
	evaluate[bool](t, ctx, `(document.querySelector('.committee-close').click(), true)`)
	if hidden := evaluate[bool](t, ctx, `document.querySelector('#committee').hidden`); !hidden {
		t.Errorf("%s: the committee table did not close", screen)
	}
	noOverflow(t, ctx, ".side", screen)
}

// reportFormats are the report downloads checked, with the bytes each file
// starts with.
var reportFormats = []struct{ format, magic string }{{"pdf", "%PDF"}, {"xlsx", "PK"}, {"csv", "\ufeff"}}

// samePreviousPeriods: the page's previous comparable period
// (static/periods.js, which words the comparison and asks for the previous
// figures) is the server's (hotspot.Period.Previous) for every kind.
func samePreviousPeriods(t *testing.T, ctx context.Context) {
	t.Helper()
	for _, code := range []string{"2025", "2025-H1", "2025-H2", "2025-Q1", "2025-Q3", "2025-01", "2025-10",
		"2024-04-15..2025-04-14", "2024-03-01..2024-03-31", "2025-01-01..2025-12-31", "2024-02-29..2024-02-29"} {
		p, err := hotspot.ParsePeriod(code)
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`import('/periods.js').then((m) => m.previousPeriod(%q))`, code), chromedp.EvalAwaitPromise))
		if err != nil || got != p.Previous().String() {
			t.Errorf("previous of %s: the page says %q (%v), the server %q", code, got, err, p.Previous().String())
		}
	}
}

// printed checks the print stylesheet with the page's media emulated as
// print: the scorecard and the committee table shown, the top bar, the
// map, the legend, the other panels and the controls not.
func printed(t *testing.T, ctx context.Context, screen string) {
	t.Helper()
	media := func(m string) {
		if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return err
		})); err != nil {
			t.Fatal(err)
		}
	}
	media("print")
	defer media("")
	js := `(() => { const shown = (s) => { const e = document.querySelector(s); return !!e && getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().height > 0; };
  const want = ['.scorecard', '.committee-table', '.scorecard .criteria'], not = ['.topbar', '#map', '.legend', '.cells-panel', '.metrics-form', '.committee .report-links', '.committee-close'];
  return [...want.filter((s) => !shown(s)).map((s) => 'missing ' + s), ...not.filter(shown).map((s) => 'printed ' + s)].join('; '); })()`
	if bad := evaluate[string](t, ctx, js); bad != "" {
		t.Errorf("%s: print: %s", screen, bad)
	}
}

// makeMonth runs the server's monthly reporter as it runs at `run`: the
// previous month's reports of every unit, stored and announced.
func makeMonth(t *testing.T, ts *testServer, run time.Time) {
	t.Helper()
	rep := &inputs.Reporter{Store: ts.store, Config: metrics.DefaultConfig(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return run }}
	if n, err := rep.MakeMonth(context.Background(), inputs.MonthOfRun(run)); err != nil || n == 0 {
		t.Fatalf("monthly reports of %s: %d units, %v", inputs.MonthOfRun(run), n, err)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func firstBytes(b []byte) string {
	if len(b) > 16 {
		b = b[:16]
	}
	return string(b)
}

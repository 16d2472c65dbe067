package webmap_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/diaban/diaban/hotspot/demo"
)

// chromiumPath finds Debian's chromium (scripts/test.sh installs it).
func chromiumPath(t *testing.T) string {
	for _, p := range []string{os.Getenv("DIABAN_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatal("chromium not found: install Debian's chromium package (scripts/test.sh does) or set DIABAN_CHROMIUM")
	return ""
}

// newBrowser starts headless Chromium with a window of w×h and returns a
// context whose actions time out after limit; the browser stops with t.
func newBrowser(t *testing.T, w, h int, limit time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("user-data-dir", t.TempDir()),
		chromedp.WindowSize(w, h),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	// The first action starts the browser and must not carry a timeout; later ones may.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	t.Cleanup(cancelTimeout)
	return ctx
}

// loadDemo imports the demo district into the test server's database.
func loadDemo(t *testing.T, ts *testServer) {
	t.Helper()
	ds, err := demo.Generate(demo.DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := ds.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{demo.FileAreas, demo.FileHotspots, demo.FileEvents, demo.FileIncidents, demo.FileCameras} {
		kind := strings.TrimSuffix(strings.TrimSuffix(f, ".csv"), ".geojson")
		importFile(t, ts.store, kind, filepath.Join(dir, f))
	}
}

// browserLogin opens the map, which sends the browser to the login screen,
// logs in there as name (password testPassword) and waits for the map.
func (ts *testServer) browserLogin(ctx context.Context, name string) error {
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/")); err != nil {
		return err
	}
	if err := pollAcrossNavigation(ctx, `location.pathname === "/login.html" && !!document.querySelector("#login-user")`); err != nil {
		return fmt.Errorf("the map did not send us to the login screen: %w", err)
	}
	fill := fmt.Sprintf(`document.querySelector("#login-user").value = %q;
document.querySelector("#login-pass").value = %q;
document.querySelector("#login-submit").click(); true`, name, testPassword)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fill)); err != nil {
		return err
	}
	if err := pollAcrossNavigation(ctx, `location.pathname === "/" && !!document.querySelector("#map")`); err != nil {
		return fmt.Errorf("login did not reach the map: %w", err)
	}
	return nil
}

// pollAcrossNavigation polls js until true, starting over when the page
// navigates underneath (which ends a poll with an error).
func pollAcrossNavigation(ctx context.Context, js string) error {
	var err error
	for range 20 {
		if _, err = chromedp.Run(ctx, chromedp.Poll[bool](js)); err == nil || ctx.Err() != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// TestBrowserMapShowsLiveElimination opens the map in headless Chromium,
// finds the demo hotspots, posts an elimination through the API and sees
// that marker turn eliminated without a reload.
func TestBrowserMapShowsLiveElimination(t *testing.T) {
	ts := newEmptyServer(t)
	loadDemo(t, ts)
	ts.settle(t)

	var apiActive featureCollection
	if code := ts.do(t, "GET", "/api/hotspots?status=active", "", &apiActive); code != 200 || len(apiActive.Features) == 0 {
		t.Fatalf("no active demo hotspots: %d", code)
	}
	var apiAll featureCollection
	ts.do(t, "GET", "/api/hotspots", "", &apiAll)
	target := int64(apiActive.Features[0].ID.(float64))

	ctx := newBrowser(t, 1280, 800, 90*time.Second)

	if err := ts.browserLogin(ctx, testAdmin); err != nil {
		t.Fatalf("open map: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.ready === "true"`)); err != nil {
		t.Fatalf("the map never became ready: %v", err)
	}
	// Each hotspot is drawn, alone or counted in a cluster where they would overlap.
	markers := evaluate[int](t, ctx, `document.querySelectorAll('[data-hotspot-id]').length +
		[...document.querySelectorAll('.hs-cluster')].reduce((n, e) => n + Number(e.dataset.count), 0)`)
	if markers != len(apiAll.Features) {
		t.Errorf("map shows %d hotspot markers (alone or in clusters), the API has %d hotspots", markers, len(apiAll.Features))
	}
	// Zoomed to the target, it stands alone.
	evaluate[bool](t, ctx, fmt.Sprintf(`(diaban.hotspots.focus(%d), diaban.map.closePopup(), true)`, target))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`!!document.querySelector('[data-hotspot-id="%d"]')`, target))); err != nil {
		t.Fatalf("marker %d not shown after zooming to it: %v", target, err)
	}
	if lang := evaluate[string](t, ctx, `document.documentElement.lang`); lang != "vi" {
		t.Errorf("page language %q, want vi (Vietnamese first)", lang)
	}
	evaluate[int](t, ctx, `window.__noReload = 42`) // a mark that a reload would wipe out
	status := evaluate[string](t, ctx, fmt.Sprintf(`document.querySelector('[data-hotspot-id="%d"]').getAttribute('data-status')`, target))
	if status != "active" {
		t.Fatalf("marker %d status %q, want active", target, status)
	}

	posted := time.Now()
	if code := ts.do(t, "POST", fmt.Sprintf("/api/hotspots/%d/events", target), `{"event":"eliminated","note":"kiểm thử trình duyệt"}`, nil); code != 201 {
		t.Fatalf("post elimination: %d", code)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`!!document.querySelector('[data-hotspot-id="%d"][data-status="eliminated"]')`, target))); err != nil {
		t.Fatalf("marker never turned eliminated: %v", err)
	}
	t.Logf("marker changed %v after the API call", time.Since(posted))
	screenshot(t, ctx, "admin-1280")
	if still := evaluate[int](t, ctx, `window.__noReload`); still != 42 {
		t.Error("the page reloaded; the marker must change in place")
	}
	if n := evaluate[int](t, ctx, `document.querySelectorAll('#feed li').length`); n == 0 {
		t.Error("the live feed does not list the elimination")
	}
	// A refusal is said in Vietnamese, with the server's date kept.
	said, err := chromedp.Run(ctx, chromedp.Evaluate[string](`import('/errors.js').then((m) => m.sayError(409, 'event',
		'illegal lifecycle transition: cannot record "recurred" at 23/11/2026 19:54: the hotspot is active then'))`, chromedp.EvalAwaitPromise))
	if err != nil || said != "Không thể ghi «Phức tạp trở lại» lúc 23/11/2026 19:54: khi đó tụ điểm đang hoạt động." {
		t.Errorf("the refusal reads %q (%v)", said, err)
	}
}

func evaluate[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

package webmap_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/diaban/diaban/hotspot"
)

// screens are the two sizes every role's map is walked at.
var screens = []struct {
	name string
	w, h int
}{{"1440", 1440, 900}, {"390", 390, 844}}

// checkLayout: no horizontal overflow, and the language switch, the user
// and the log-out button lie on screen.
func checkLayout(t *testing.T, ctx context.Context, screen string) {
	t.Helper()
	if over := evaluate[int](t, ctx, `document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
		t.Errorf("%s: the page is %d px wider than the screen", screen, over)
	}
	off := evaluate[string](t, ctx, `['#lang-toggle', '#whoami', '#logout'].filter((s) => {
		const r = document.querySelector(s).getBoundingClientRect();
		return !(r.width > 0 && r.left >= 0 && r.right <= window.innerWidth && r.top >= 0 && r.bottom <= window.innerHeight);
	}).join(' ')`)
	if off != "" {
		t.Errorf("%s: off screen: %s", screen, off)
	}
	if evaluate[bool](t, ctx, `(() => { const s = document.querySelector('.side'); return getComputedStyle(s).overflowY !== 'auto'; })()`) {
		t.Errorf("%s: the sidebar does not scroll on its own", screen)
	}
}

// screenshot writes the page to dir/name.png when DIABAN_SCREENSHOTS names
// a directory (the README's pictures are taken so).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("DIABAN_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func noConsoleErrors(t *testing.T, errs func() []string, where string) {
	t.Helper()
	for _, e := range errs() {
		t.Errorf("%s: console: %s", where, e)
	}
}

// TestBrowserOfficerDay walks a ward officer's day on the demo, on a
// desktop and on a phone: the map opens on the ward, "phuong hoi an" finds its
// hotspots, a click creates one, its elimination is confirmed before it is
// sent, a second browser sees both live, and a recurrence posted through
// the API raises a toast whose unread count survives a reload.
func TestBrowserOfficerDay(t *testing.T) {
	ts := newEmptyServer(t)
	loadDemo(t, ts)
	const ward = "20410" // Phường Hội An (Minh An, Cẩm Phô, Sơn Phong, Cẩm Kim and Cẩm Nam until 2025)
	ts.addUser(t, "officer-cuadai", hotspot.RoleOfficer, ward)
	ts.addUser(t, "officer-cuadai-2", hotspot.RoleOfficer, ward)
	ts.settle(t)

	other := newBrowser(t, 1440, 900, 240*time.Second)
	otherErrs := consoleErrors(other)
	if err := ts.browserLogin(other, "officer-cuadai-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(other, chromedp.Poll[bool](`document.body.dataset.ready === "true" && document.body.dataset.ws === "open"`)); err != nil {
		t.Fatalf("second map not ready: %v; %v; ready=%s ws=%s", err, otherErrs(), evaluate[string](t, other, `document.body.dataset.ready`), evaluate[string](t, other, `document.querySelector("#banner").textContent`))
	}

	for i, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			ctx := newBrowser(t, 1440, 900, 180*time.Second)
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(sc.w), int64(sc.h))); err != nil {
				t.Fatal(err)
			}
			errs := consoleErrors(ctx)
			if err := ts.browserLogin(ctx, "officer-cuadai"); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.ready === "true" && document.body.dataset.ws === "open"`)); err != nil {
				t.Fatalf("map not ready: %v", err)
			}
			// Opened on the ward: its bounds in view and filling much of it.
			fit := evaluate[float64](t, ctx, fmt.Sprintf(`(() => {
				const m = diaban.map, b = diaban.areas.bounds(%q);
				if (!m.getBounds().pad(0.01).contains(b)) return -1;
				const a = m.latLngToContainerPoint(b.getNorthWest()), c = m.latLngToContainerPoint(b.getSouthEast());
				const s = m.getSize();
				return Math.max((c.x - a.x) / s.x, (c.y - a.y) / s.y);
			})()`, ward))
			if fit < 0.5 {
				t.Errorf("the ward fills %.2f of the map (want it fitted: ≥ 0.5, -1 = not in view)", fit)
			}
			if sel := evaluate[string](t, ctx, `document.querySelector('#area-select').value`); sel != ward {
				t.Errorf("area picker %q, want the officer's ward", sel)
			}
			checkLayout(t, ctx, sc.name)
			// Hotspots above the area labels.
			if z := evaluate[string](t, ctx, `getComputedStyle(diaban.map.getPane('hotspotsPane')).zIndex + '>' + getComputedStyle(diaban.map.getPane('tooltipPane')).zIndex`); z != "660>650" {
				t.Errorf("hotspot pane over tooltip pane: %s", z)
			}

			// Find: "phuong hoi an" without marks finds the ward and its hotspots.
			evaluate[bool](t, ctx, `(() => { const i = document.querySelector('#search-input'); i.value = 'phuong hoi an'; i.dispatchEvent(new Event('input')); return true; })()`)
			nHits := evaluate[int](t, ctx, `document.querySelectorAll('[data-hit-hotspot]').length`)
			if nHits == 0 || !evaluate[bool](t, ctx, fmt.Sprintf(`!!document.querySelector('[data-hit-area="%s"]')`, ward)) {
				t.Fatalf("'phuong hoi an' found %d hotspots and not the ward: %q", nHits, evaluate[string](t, ctx, `document.querySelector('#search-results').textContent`))
			}
			if q := evaluate[string](t, ctx, `new URLSearchParams(location.search).get('q')`); q != "phuong hoi an" {
				t.Errorf("the address holds q=%q", q)
			}
			hitID := evaluate[string](t, ctx, `(document.querySelector('[data-hit-hotspot]').click(), document.querySelector('[data-hit-hotspot]').dataset.hitHotspot)`)
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`!!document.querySelector('.hs-popup[data-popup-hotspot-id="%s"]')`, hitID))); err != nil {
				t.Fatalf("picking the hit did not open hotspot %s: %v", hitID, err)
			}
			// The popup lies clear of the map's controls (once it has settled:
			// it grows as its history arrives and then pans itself clear).
			clashJS := `(() => {
				const p = document.querySelector('.leaflet-popup').getBoundingClientRect();
				return [...document.querySelectorAll('.leaflet-control')].filter((c) => {
					const r = c.getBoundingClientRect();
					return r.width && r.left < p.right && r.right > p.left && r.top < p.bottom && r.bottom > p.top;
				}).map((c) => c.className).join(' | ');
			})()`
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](clashJS+` === ''`)); err != nil {
				t.Errorf("the popup lies under: %s (%v)", evaluate[string](t, ctx, clashJS), err)
			}
			// No event chosen beforehand.
			if ev := evaluate[string](t, ctx, `document.querySelector('.hs-form select[name=event]').value`); ev != "" {
				t.Errorf("event %q preselected", ev)
			}
			evaluate[bool](t, ctx, `(diaban.map.closePopup(), true)`)

			// Create by clicking: the tool, then a real click inside the ward.
			evaluate[bool](t, ctx, `(document.querySelector('.edit-add-hotspot').click(), true)`)
			evaluate[bool](t, ctx, fmt.Sprintf(`(diaban.map.fitBounds(diaban.areas.bounds(%q), {animate: false}), true)`, ward))
			pt := evaluate[[]float64](t, ctx, fmt.Sprintf(`(() => {
				// a point inside the ward's polygon, on its outline or a hexagon, clear of markers and labels
				const m = diaban.map, poly = diaban.areas.layers.get(%q).getLayers()[0];
				const rings = poly.getLatLngs().flat(2).length ? [poly.getLatLngs()].flat(3) : [];
				const inside = (ll) => {
					let ins = false;
					for (let a = 0, b = rings.length - 1; a < rings.length; b = a++) {
						const p = rings[a], q = rings[b];
						if ((p.lat > ll.lat) !== (q.lat > ll.lat) && ll.lng < (q.lng - p.lng) * (ll.lat - p.lat) / (q.lat - p.lat) + p.lng) ins = !ins;
					}
					return ins;
				};
				const r = m.getContainer().getBoundingClientRect();
				for (let i = 3; i < 18; i++) for (let j = 3; j < 18; j++) {
					const x = r.left + r.width * j / 20, y = r.top + r.height * i / 20;
					const el = document.elementFromPoint(x, y);
					if (!el || !(el === poly.getElement() || el.classList.contains('h3-cell'))) continue;
					if (inside(m.containerPointToLatLng([x - r.left, y - r.top]))) return [x, y];
				}
				return [];
			})()`, ward))
			if len(pt) != 2 {
				t.Fatal("no free point of the ward on screen to click")
			}
			if err := chromedp.Do(ctx, chromedp.MouseClickXY(pt[0], pt[1])); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('.edit-hotspot-form')`)); err != nil {
				t.Fatalf("no form after clicking the map: %v", err)
			}
			ref := fmt.Sprintf("TĐ-TEST-%d", i)
			// Saving without a kind is refused on the page, in Vietnamese.
			evaluate[bool](t, ctx, fmt.Sprintf(`(() => { const f = document.querySelector('.edit-hotspot-form'); f.ref.value = %q; f.name.value = 'Nhà trọ kiệt 88, tổ 9'; f.requestSubmit(); return true; })()`, ref))
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('.edit-hotspot-form .form-error:not([hidden])')`)); err != nil {
				t.Fatalf("no refusal shown for a missing kind: %v; popup %q", err, evaluate[string](t, ctx, `(document.querySelector('.leaflet-popup') || {}).textContent || 'closed'`))
			}
			if msg := evaluate[string](t, ctx, `document.querySelector('.edit-hotspot-form .form-error').textContent`); msg != "Chọn loại tụ điểm." {
				t.Errorf("no kind: %q", msg)
			}
			evaluate[bool](t, ctx, `(() => { const f = document.querySelector('.edit-hotspot-form'); f.kind.value = 'dealing'; f.requestSubmit(); return true; })()`)
			js := fmt.Sprintf(`diaban.hotspots.features().some((f) => f.properties.ref === %q)`, ref)
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js)); err != nil {
				t.Fatalf("the hotspot was not created: %v; %q", err, evaluate[string](t, ctx, `(document.querySelector('.edit-hotspot-form .form-error') || {}).textContent || ''`))
			}
			id := evaluate[string](t, ctx, fmt.Sprintf(`String(diaban.hotspots.features().find((f) => f.properties.ref === %q).id)`, ref))
			if _, err := chromedp.Run(other, chromedp.Poll[bool](fmt.Sprintf(`!!diaban.hotspots.get(%s)`, id))); err != nil {
				t.Errorf("the second map never saw the new hotspot: %v", err)
			}

			// Eliminate it: the confirmation first, nothing sent before it.
			// Everything below looks in the popup open now (a closed one
			// lingers in the page while it fades out).
			open := fmt.Sprintf(`((p) => p && p.isOpen() && p.getElement() ? p.getElement().querySelector('.hs-popup[data-popup-hotspot-id="%s"]') : null)(diaban.map._popup)`, id)
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!`+open+`?.querySelector('.hs-form')`)); err != nil {
				t.Fatalf("the new hotspot's popup is not open: %v", err)
			}
			// (Every popup closed from here on is recorded with what closed it,
			// for the failure message.)
			evaluate[bool](t, ctx, `(window.__closes = [], diaban.map.on('popupclose', () => window.__closes.push(new Error().stack.split('\n').slice(2, 9).join(' < '))), true)`)
			ask := `(() => { const f = ` + open + `.querySelector('.hs-form'); f.event.value = 'eliminated'; f.event.dispatchEvent(new Event('change', {bubbles: true})); f.requestSubmit(); return true; })()`
			asked := `!!` + open + `?.querySelector('.hs-confirm-yes')`
			evaluate[bool](t, ctx, ask)
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](asked, chromedp.WithPollingTimeout(3*time.Second))); err != nil {
				// The popup went away under the officer (what closed it is in
				// the log): open it again and ask again, once, as they would.
				t.Logf("no confirmation in the open popup (%v); popups closed meanwhile: %q; asking again", err, evaluate[[]string](t, ctx, `window.__closes`))
				evaluate[bool](t, ctx, fmt.Sprintf(`(diaban.hotspots.focus(%s), true)`, id))
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!`+open+`?.querySelector('.hs-form')`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
					t.Fatalf("the popup did not open again: %v", err)
				}
				if !evaluate[bool](t, ctx, asked) {
					evaluate[bool](t, ctx, ask)
				}
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](asked, chromedp.WithPollingTimeout(3*time.Second))); err != nil {
					t.Fatalf("no confirmation asked for an elimination: %v; popups closed meanwhile: %q", err, evaluate[[]string](t, ctx, `window.__closes`))
				}
			}
			if st := evaluate[string](t, ctx, fmt.Sprintf(`diaban.hotspots.get(%s).properties.status`, id)); st != "active" {
				t.Errorf("status %q before confirming", st)
			}
			// The popup closed and opened again (by the officer, or by the map
			// re-adding the marker) takes the form up where it was: the
			// confirmation is still there to answer.
			evaluate[bool](t, ctx, fmt.Sprintf(`(diaban.map.closePopup(), diaban.hotspots.focus(%s), true)`, id))
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](asked+` && `+open+`.querySelector('.hs-form select[name=event]').value === 'eliminated'`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
				t.Fatalf("the confirmation was lost when the popup opened again: %v", err)
			}
			evaluate[bool](t, ctx, `(`+open+`.querySelector('.hs-confirm-yes').click(), true)`)
			for name, c := range map[string]context.Context{"this": ctx, "second": other} {
				if _, err := chromedp.Run(c, chromedp.Poll[bool](fmt.Sprintf(`diaban.hotspots.get(%s).properties.status === 'eliminated'`, id))); err != nil {
					t.Errorf("%s map: the elimination did not arrive: %v", name, err)
				}
			}

			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('.hs-history li').length === 2 && !!document.querySelector('.hs-history li[data-event="eliminated"]')`)); err != nil {
				t.Errorf("the popup's history does not show the elimination: %v; %q", err, evaluate[string](t, ctx, `(document.querySelector('.hs-history-wrap') || {}).textContent || 'no popup'`))
			}

			// Told: a recurrence posted through the API raises a toast.
			if code := ts.do(t, "POST", "/api/hotspots/"+id+"/events", `{"event":"recurred","note":"kiểm thử"}`, nil); code != 201 {
				t.Fatalf("post recurrence: %d", code)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('.toast[data-notice="notice.recurred"]') && Number(document.querySelector('#notice-bell').dataset.unread) >= 1`)); err != nil {
				t.Fatalf("no toast for the recurrence: %v", err)
			}
			toast := evaluate[string](t, ctx, `document.querySelector('.toast[data-notice="notice.recurred"]').textContent`)
			if !strings.Contains(toast, ref) || !strings.Contains(toast, "phức tạp trở lại") {
				t.Errorf("toast %q", toast)
			}
			screenshot(t, ctx, "officer-"+sc.name)
			unread := evaluate[int](t, ctx, `Number(document.querySelector('#notice-bell').dataset.unread)`)
			if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.ready === "true"`)); err != nil {
				t.Fatal(err)
			}
			if after := evaluate[int](t, ctx, `Number(document.querySelector('#notice-bell').dataset.unread)`); after != unread {
				t.Errorf("unread %d after a reload, was %d", after, unread)
			}
			evaluate[bool](t, ctx, `(document.querySelector('#notice-bell').click(), true)`)
			if n := evaluate[int](t, ctx, `Number(document.querySelector('#notice-bell').dataset.unread)`); n != 0 {
				t.Errorf("unread %d after opening the notices", n)
			}
			noConsoleErrors(t, errs, sc.name)
		})
	}
	noConsoleErrors(t, otherErrs, "second map")
}

// TestBrowserViewerMap: a committee member of the demo district opens the
// map on a desktop and a phone: fitted to the district, aggregates only (no
// point layers offered, no feed, no notices), no console error, nothing off
// screen.
func TestBrowserViewerMap(t *testing.T) {
	ts := newEmptyServer(t)
	loadDemo(t, ts)
	var areas featureCollection
	ts.do(t, "GET", "/api/areas", "", &areas)
	district := ""
	for _, f := range areas.Features {
		// The unit above the communes: since 1 July 2025 the province.
		if (f.Properties["level"] == "district" || f.Properties["level"] == "province") && district == "" {
			district = f.Properties["code"].(string)
		}
	}
	ts.addUser(t, "committee-district", hotspot.RoleViewer, district)
	ts.settle(t)
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			ctx := newBrowser(t, 1440, 900, 120*time.Second)
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(sc.w), int64(sc.h))); err != nil {
				t.Fatal(err)
			}
			errs := consoleErrors(ctx)
			if err := ts.browserLogin(ctx, "committee-district"); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.ready === "true"`)); err != nil {
				t.Fatalf("map not ready: %v", err)
			}
			layers := evaluate[string](t, ctx, `document.querySelector('.leaflet-control-layers').textContent`)
			for _, no := range []string{"Tụ điểm", "Camera", "Vụ việc"} {
				if strings.Contains(layers, no) {
					t.Errorf("a viewer is offered the point layer %q: %q", no, layers)
				}
			}
			for _, sel := range []string{".feed-panel", "#notice-bell", ".planner-panel", ".timeline-panel"} {
				if evaluate[bool](t, ctx, fmt.Sprintf(`getComputedStyle(document.querySelector(%q)).display !== 'none'`, sel)) {
					t.Errorf("%s shown to a viewer", sel)
				}
			}
			// Its communes in view (a province's outline reaches far beyond
			// the demo's drawn communes: the map opens on the units it holds).
			if !evaluate[bool](t, ctx, `diaban.map.getBounds().pad(0.01).contains(diaban.areas.bounds())`) {
				t.Error("the viewer's communes are not in view")
			}
			checkLayout(t, ctx, sc.name)
			screenshot(t, ctx, "viewer-"+sc.name)
			noConsoleErrors(t, errs, sc.name)
		})
	}
}

// TestBrowserFindFilterReplay: a shared address opens with its filters and
// search in place; changing a filter or replaying a month writes them back
// into the address; a camera marked offline from its popup raises the
// notice — on a desktop and on a phone.
func TestBrowserFindFilterReplay(t *testing.T) {
	ts := newEmptyServer(t)
	loadDemo(t, ts)
	const ward = "20413"
	officer := ts.addUser(t, "officer-filters", hotspot.RoleOfficer, ward)
	ts.settle(t)
	var hs featureCollection
	ts.doAs(t, officer, "GET", "/api/hotspots", "", &hs)
	elim := 0
	for _, f := range hs.Features {
		if f.Properties["status"] == "eliminated" {
			elim++
		}
	}
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			ctx := newBrowser(t, 1440, 900, 150*time.Second)
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(sc.w), int64(sc.h))); err != nil {
				t.Fatal(err)
			}
			errs := consoleErrors(ctx)
			if err := ts.browserLogin(ctx, "officer-filters"); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/?status=eliminated&q=cua%20dai")); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.ready === "true" && document.body.dataset.ws === "open"`)); err != nil {
				t.Fatalf("map not ready: %v", err)
			}
			if v := evaluate[string](t, ctx, `document.querySelector('#filter-status').value + '|' + document.querySelector('#search-input').value`); v != "eliminated|cua dai" {
				t.Errorf("the address's filter and search not applied: %q", v)
			}
			want := fmt.Sprintf("Đang hiện %d/%d tụ điểm", elim, len(hs.Features))
			if got := evaluate[string](t, ctx, `document.querySelector('#filter-shown').textContent`); got != want {
				t.Errorf("shown %q, want %q", got, want)
			}
			evaluate[bool](t, ctx, `(() => { const s = document.querySelector('#filter-kind'); s.value = 'dealing'; s.dispatchEvent(new Event('change')); return true; })()`)
			if q := evaluate[string](t, ctx, `location.search`); !strings.Contains(q, "kind=dealing") || !strings.Contains(q, "status=eliminated") {
				t.Errorf("the address after a filter: %q", q)
			}
			// Replay the first month: the address holds it, the hexagons follow it.
			evaluate[bool](t, ctx, `(() => { const s = document.querySelector('#timeline-slider'); s.value = '0'; s.dispatchEvent(new Event('input')); return true; })()`)
			month := evaluate[string](t, ctx, `new URLSearchParams(location.search).get('month') || ''`)
			if len(month) != 7 || evaluate[string](t, ctx, `diaban.cells.params.from`) != month+"-01" {
				t.Errorf("replayed month %q, cells from %q", month, evaluate[string](t, ctx, `diaban.cells.params.from`))
			}
			if label := evaluate[string](t, ctx, `document.querySelector('#timeline-label').textContent`); !strings.HasPrefix(label, "Tháng "+month[5:]+"/"+month[:4]) {
				t.Errorf("replay label %q", label)
			}
			evaluate[bool](t, ctx, `(document.querySelector('.timeline-now').click(), true)`)
			if q := evaluate[string](t, ctx, `location.search`); strings.Contains(q, "month=") {
				t.Errorf("back to now kept the month: %q", q)
			}
			// Clear the filters, then mark a camera offline from its popup.
			evaluate[bool](t, ctx, `(() => { for (const id of ['#filter-kind', '#filter-status']) { const s = document.querySelector(id); s.value = ''; s.dispatchEvent(new Event('change')); } return true; })()`)
			cam := evaluate[string](t, ctx, `(() => {
				const el = document.querySelector('path.camera-marker[data-camera-status="active"]');
				if (!el) return '';
				el.dispatchEvent(new MouseEvent('click', { bubbles: true }));
				return el.dataset.cameraId;
			})()`)
			if cam == "" {
				t.Skip("no active camera of the ward on screen")
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('.cam-mark-offline')`)); err != nil {
				t.Fatalf("no offline button in camera %s's popup: %v", cam, err)
			}
			evaluate[bool](t, ctx, `(document.querySelector('.cam-mark-offline').click(), true)`)
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('.toast[data-notice="notice.offline"]')`)); err != nil {
				t.Errorf("no notice of the camera going offline: %v", err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`!!document.querySelector('path.camera-marker[data-camera-id="%s"][data-camera-status="offline"]')`, cam))); err != nil {
				t.Errorf("camera %s not drawn offline: %v", cam, err)
			}
			// Back in service, for the next screen.
			if code := ts.do(t, "PATCH", "/api/cameras/"+cam, `{"status":"active"}`, nil); code != 200 {
				t.Errorf("back in service: %d", code)
			}
			checkLayout(t, ctx, sc.name)
			noConsoleErrors(t, errs, sc.name)
		})
	}
}

// TestBrowserProvinceTiles walks the map at province scale (forced here by
// ?tiles=1 on the demo: the same path a province's thousands take): areas,
// hexagons and hotspots come as vector tiles, for each role at both screens.
// The officer clicks a hotspot drawn by a tile and gets its popup, and a
// change posted through the API makes the page fetch again only the tiles
// around that hotspot: every other tile it holds is the same object as
// before.
func TestBrowserProvinceTiles(t *testing.T) {
	ts := newEmptyServer(t)
	loadDemo(t, ts)
	const ward = "20410"
	officer := ts.addUser(t, "officer-tiles", hotspot.RoleOfficer, ward)
	var areas featureCollection
	ts.do(t, "GET", "/api/areas", "", &areas)
	province := ""
	for _, f := range areas.Features {
		if f.Properties["level"] == "province" {
			province = f.Properties["code"].(string)
		}
	}
	ts.addUser(t, "viewer-tiles", hotspot.RoleViewer, province)
	ts.addUser(t, "planner-tiles", hotspot.RolePlanner, province)
	ts.addUser(t, "admin-tiles", hotspot.RoleAdmin, "")
	var hs struct {
		Features []struct {
			ID       int64 `json:"id"`
			Geometry struct {
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	ts.doAs(t, officer, "GET", "/api/hotspots", "", &hs)
	if len(hs.Features) == 0 {
		t.Fatal("the ward has no hotspot")
	}
	h0 := hs.Features[0]
	var cams struct {
		Features []struct {
			ID         int64          `json:"id"`
			Properties map[string]any `json:"properties"`
			Geometry   struct {
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	ts.doAs(t, officer, "GET", "/api/cameras", "", &cams)
	c0 := -1
	for i, c := range cams.Features {
		if st := c.Properties["status"]; st == "active" || st == "offline" {
			c0 = i
			break
		}
	}
	if c0 < 0 {
		t.Fatal("the ward has no installed camera")
	}
	cam := cams.Features[c0]
	ts.settle(t)

	for _, role := range []struct{ user, role string }{{"officer-tiles", "officer"}, {"viewer-tiles", "viewer"}, {"planner-tiles", "planner"}, {"admin-tiles", "admin"}} {
		for _, sc := range screens {
			t.Run(role.role+"-"+sc.name, func(t *testing.T) {
				ctx := newBrowser(t, 1440, 900, 120*time.Second)
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(sc.w), int64(sc.h))); err != nil {
					t.Fatal(err)
				}
				errs := consoleErrors(ctx)
				if err := ts.browserLogin(ctx, role.user); err != nil {
					t.Fatal(err)
				}
				if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/?tiles=1")); err != nil {
					t.Fatal(err)
				}
				settled := `((l) => !!l && Object.keys(l._tiles).length > 0 && Object.values(l._tiles).every((x) => x.loaded))`
				ready := fmt.Sprintf(`document.body.dataset.ready === "true" && document.body.dataset.ws === "open" && document.body.dataset.areasTiled === "true" && !!document.body.dataset.paintMs && %s(diaban.tiles.areas && diaban.tiles.areas.layer) && %s(diaban.tiles.cells && diaban.tiles.cells.layer)`, settled, settled)
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](ready)); err != nil {
					t.Fatalf("areas and hexagons not drawn from tiles: %v; %v", err, errs())
				}
				// The boundaries come as tiles: the page asked for boxes.
				if n := evaluate[int](t, ctx, `performance.getEntriesByType('resource').filter((e) => e.name.includes('/tiles/areas/')).length`); n == 0 {
					t.Error("no area tile fetched")
				}
				hasPoints := role.role != "viewer"
				if got := evaluate[bool](t, ctx, `!!diaban.tiles.hotspots`); got != hasPoints {
					t.Errorf("hotspot tiles: %v, want %v", got, hasPoints)
				}
				// Cameras too come as tiles: never as GeoJSON at province scale.
				if got := evaluate[bool](t, ctx, `!!diaban.tiles.cameras`); got != hasPoints {
					t.Errorf("camera tiles: %v, want %v", got, hasPoints)
				}
				if n := evaluate[int](t, ctx, `performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/cameras')).length`); n != 0 {
					t.Errorf("%d GeoJSON camera requests at province scale, want none", n)
				}
				if hasPoints {
					if _, err := chromedp.Run(ctx, chromedp.Poll[bool](settled+`(diaban.tiles.cameras.layer) && performance.getEntriesByType('resource').some((e) => e.name.includes('/tiles/cameras/'))`)); err != nil {
						t.Errorf("no camera tile drawn: %v", err)
					}
				}
				checkLayout(t, ctx, sc.name)
				if role.role != "officer" {
					noConsoleErrors(t, errs, role.role)
					return
				}

				// Around one hotspot at zoom 15: several tiles held.
				lon, lat := h0.Geometry.Coordinates[0], h0.Geometry.Coordinates[1]
				evaluate[bool](t, ctx, fmt.Sprintf(`(diaban.map.setView([%f, %f], 15, { animate: false }), true)`, lat, lon))
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](settled+`(diaban.tiles.hotspots.layer) && diaban.tiles.hotspots.keys().some((k) => k.endsWith(':15'))`)); err != nil {
					t.Fatalf("hotspot tiles at zoom 15 not drawn: %v", err)
				}
				evaluate[bool](t, ctx, `(window.__before = new Map(diaban.tiles.hotspots.cache), window.__fetched = performance.getEntriesByType('resource').filter((e) => e.name.includes('/tiles/hotspots/')).length, true)`)
				if code := ts.do(t, "POST", fmt.Sprintf("/api/hotspots/%d/events", h0.ID), `{"event":"note","note":"kiểm thử ô bản đồ"}`, nil); code != 201 {
					t.Fatalf("post note: %d", code)
				}
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`diaban.tiles.hotspots.refetched > 0 && `+settled+`(diaban.tiles.hotspots.layer)`)); err != nil {
					t.Fatalf("no hotspot tile fetched again after the change: %v", err)
				}
				// (The feed may tell of the change twice: the event, then the
				// hotspot's status.)
				time.Sleep(time.Second)
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](settled+`(diaban.tiles.hotspots.layer)`)); err != nil {
					t.Fatal(err)
				}
				r := tileChange(t, ctx, "hotspots", lon, lat, h0.ID)
				if r.Dropped == 0 || r.Kept == 0 || r.Far > 0 {
					t.Errorf("after a change at one hotspot: %d tiles dropped (%d far from it), %d kept; want some dropped, none far, some kept", r.Dropped, r.Far, r.Kept)
				}
				if r.Fetched > r.Refetched {
					t.Errorf("%d hotspot tiles fetched after the change, %d of them dropped by it", r.Fetched, r.Refetched)
				}

				// A click on the hotspot drawn by a tile opens its popup.
				pt := evaluate[struct{ X, Y float64 }](t, ctx, fmt.Sprintf(`(() => {
					const p = diaban.map.latLngToContainerPoint([%f, %f]), r = diaban.map.getContainer().getBoundingClientRect();
					return { X: r.left + p.x, Y: r.top + p.y };
				})()`, lat, lon))
				if err := chromedp.Do(ctx, chromedp.MouseClickXY(pt.X, pt.Y)); err != nil {
					t.Fatal(err)
				}
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`!!document.querySelector('.hs-popup[data-popup-hotspot-id="%d"]')`, h0.ID))); err != nil {
					t.Errorf("a click on the tile's hotspot at %v opened no popup: %v; there: %s", pt, err, evaluate[string](t, ctx, fmt.Sprintf(`(() => { const e = document.elementFromPoint(%f, %f); return e.tagName + ' ' + innerWidth + 'x' + innerHeight + ' z' + diaban.map.getZoom() + ' query ' + JSON.stringify((diaban.tiles.hotspots.layer.queryTileFeaturesDebug(%f, %f, 8).get('') || []).map((x) => x.feature.id)) + ' held ' + !!diaban.hotspots.get(%d) + ' keys ' + diaban.tiles.hotspots.keys().join(' ') + ' popup ' + !!document.querySelector('.leaflet-popup'); })()`, pt.X, pt.Y, lon, lat, h0.ID)))
				}
				// On a phone the map's controls (the "trước 01/07/2025" switch
				// too) step aside while a popup is open.
				if sc.name == "390" {
					if over := evaluate[string](t, ctx, `(() => {
						const p = document.querySelector('.leaflet-popup');
						if (!p) return 'no popup';
						const a = p.getBoundingClientRect(), o = [];
						for (const c of document.querySelectorAll('.leaflet-control')) {
							const b = c.getBoundingClientRect();
							if (b.width && b.height && b.left < a.right && a.left < b.right && b.top < a.bottom && a.top < b.bottom) o.push(c.className);
						}
						return o.join('; ');
					})()`); over != "" {
						t.Errorf("at 390 px, the popup lies under: %s", over)
					}
				}
				// The marker shown for the popup goes when it closes (the
				// tile draws the hotspot).
				evaluate[bool](t, ctx, `(diaban.map.closePopup(), true)`)
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`!document.querySelector('.leaflet-pane [data-hotspot-id="%d"]')`, h0.ID))); err != nil {
					t.Errorf("the hotspot's marker stayed after its popup closed: %v", err)
				}

				// A camera drawn by a tile: a click opens its popup; marked
				// offline, the tiles that drew it are fetched again (and no
				// other), and draw it offline.
				clon, clat := cam.Geometry.Coordinates[0], cam.Geometry.Coordinates[1]
				evaluate[bool](t, ctx, fmt.Sprintf(`(diaban.map.closePopup(), diaban.map.setView([%f, %f], 16, { animate: false }), true)`, clat, clon))
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](settled+`(diaban.tiles.cameras.layer) && diaban.tiles.cameras.keys().some((k) => k.endsWith(':16'))`)); err != nil {
					t.Fatalf("camera tiles at zoom 16 not drawn: %v", err)
				}
				cpt := evaluate[struct{ X, Y float64 }](t, ctx, fmt.Sprintf(`(() => {
					const p = diaban.map.latLngToContainerPoint([%f, %f]), r = diaban.map.getContainer().getBoundingClientRect();
					return { X: r.left + p.x, Y: r.top + p.y };
				})()`, clat, clon))
				if err := chromedp.Do(ctx, chromedp.MouseClickXY(cpt.X, cpt.Y)); err != nil {
					t.Fatal(err)
				}
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`!!document.querySelector('.cam-popup[data-popup-camera-id="%d"]')`, cam.ID))); err != nil {
					t.Errorf("a click on the tile's camera at %v opened no popup: %v", cpt, err)
				}
				evaluate[bool](t, ctx, `(diaban.map.closePopup(), window.__before = new Map(diaban.tiles.cameras.cache), window.__fetched = performance.getEntriesByType('resource').filter((e) => e.name.includes('/tiles/cameras/')).length, true)`)
				was := evaluate[string](t, ctx, fmt.Sprintf(`(() => { for (const e of diaban.tiles.cameras.cache.values()) for (const f of e.data.get('cameras') || []) if (Number(f.id) === %d) return String(f.props.status); return ''; })()`, cam.ID))
				next := map[string]string{"active": "offline", "offline": "active"}[was]
				if next == "" {
					t.Fatalf("camera %d not in the tiles held (status %q)", cam.ID, was)
				}
				if code, body := ts.doAs(t, officer, "PATCH", fmt.Sprintf("/api/cameras/%d", cam.ID), `{"status":"`+next+`"}`, nil); code != 200 {
					t.Fatalf("mark camera %s: %d %s", next, code, body)
				}
				drawn := fmt.Sprintf(`[...diaban.tiles.cameras.cache.values()].some((e) => (e.data.get('cameras') || []).some((f) => Number(f.id) === %d && f.props.status === %q))`, cam.ID, next)
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`diaban.tiles.cameras.refetched > 0 && `+settled+`(diaban.tiles.cameras.layer) && `+drawn)); err != nil {
					t.Fatalf("camera tiles not fetched again with the camera %s: %v", next, err)
				}
				cr := tileChange(t, ctx, "cameras", clon, clat, cam.ID)
				if cr.Dropped == 0 || cr.Kept == 0 || cr.Far > 0 {
					t.Errorf("after a camera change: %d tiles dropped (%d far from it), %d kept; want some dropped, none far, some kept", cr.Dropped, cr.Far, cr.Kept)
				}
				if cr.Fetched > cr.Refetched {
					t.Errorf("%d camera tiles fetched after the change, %d of them dropped by it", cr.Fetched, cr.Refetched)
				}
				screenshot(t, ctx, "tiles-officer-"+sc.name)
				// An incident kind and a period chosen: the hexagons come from
				// tiles cut by them, never as GeoJSON, and those held before go.
				if evaluate[bool](t, ctx, `!!document.querySelector('#filter-ikind')`) {
					evaluate[bool](t, ctx, `(() => {
						window.__cellsBefore = new Map(diaban.tiles.cells.cache);
						window.__apiCells = 0;
						const orig = window.fetch;
						window.fetch = (u, i) => { if (String(u).includes('/api/cells')) window.__apiCells++; return orig(u, i); };
						const s = document.querySelector('#filter-ikind');
						s.value = 'use';
						s.dispatchEvent(new Event('change'));
						return true;
					})()`)
					// Every tile held now was fetched anew, from the filtered address.
					refetched := `diaban.tiles.cells.layer.views.get('').tileCache.source.url.includes('kind=use') && diaban.tiles.cells.cache.size > 0 && [...diaban.tiles.cells.cache].every(([k, e]) => window.__cellsBefore.get(k) !== e)`
					if _, err := chromedp.Run(ctx, chromedp.Poll[bool](refetched+` && `+settled+`(diaban.tiles.cells.layer)`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
						t.Errorf("hexagon tiles not fetched again with kind=use: %v; source %q, %d held", err,
							evaluate[string](t, ctx, `diaban.tiles.cells.layer.views.get('').tileCache.source.url`), evaluate[int](t, ctx, `diaban.tiles.cells.cache.size`))
					}
					if n := evaluate[int](t, ctx, `window.__apiCells`); n != 0 {
						t.Errorf("%d GeoJSON hexagon requests at province scale with a filter, want none", n)
					}
				}
				checkLayout(t, ctx, sc.name)
				noConsoleErrors(t, errs, role.role)
			})
		}
	}
}

// tileChange compares a tile layer's cache with the one saved in
// window.__before (and the count of its tiles fetched, window.__fetched)
// after a change at (lon, lat) to the feature id: tiles kept as they were,
// dropped, dropped though far from the change and not drawing the feature,
// fetched again by forget, fetched at all.
func tileChange(t *testing.T, ctx context.Context, layer string, lon, lat float64, id int64) struct{ Kept, Dropped, Far, Refetched, Fetched int } {
	t.Helper()
	return evaluate[struct{ Kept, Dropped, Far, Refetched, Fetched int }](t, ctx, fmt.Sprintf(`(() => {
		const vt = diaban.tiles[%q], lon = %f, lat = %f;
		let kept = 0, dropped = 0, far = 0;
		for (const [k, e] of window.__before) {
			if (vt.cache.get(k) === e) { kept++; continue; }
			dropped++;
			const [x, y, z] = k.split(':').map(Number), n = 2 ** z;
			const w = (x / n) * 360 - 180, east = ((x + 1) / n) * 360 - 180;
			const lat2 = (j) => Math.atan(Math.sinh(Math.PI * (1 - (2 * j) / n))) * 180 / Math.PI;
			const [dLon, dLat] = vt.reach(z, lat);
			if (!(lon >= w - dLon && lon <= east + dLon && lat >= lat2(y + 1) - dLat && lat <= lat2(y) + dLat) &&
				![...e.data.values()].some((fs) => fs.some((f) => Number(f.id) === %d))) far++;
		}
		const fetched = performance.getEntriesByType('resource').filter((e) => e.name.includes('/tiles/%s/')).length - window.__fetched;
		return { Kept: kept, Dropped: dropped, Far: far, Refetched: vt.refetched, Fetched: fetched };
	})()`, layer, lon, lat, id, layer))
}

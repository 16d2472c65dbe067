package webmap_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/diaban/diaban/hotspot"
)

// TestBrowserFeedTellsEdits: an edit of a hotspot made elsewhere (through
// the API) is told in the live feed in its own words, not as a change of
// status: renamed to its new name, moved, edited; in Vietnamese, and again
// in English after the toggle. For each role that has the feed (officer,
// planner, admin), scoped to a commune and to a province, at 1440×900 and
// 390×844, with no console error and no horizontal overflow.
func TestBrowserFeedTellsEdits(t *testing.T) {
	ts := newEmptyServer(t)
	loadDemo(t, ts)
	const ward = "20410"
	var areas featureCollection
	ts.do(t, "GET", "/api/areas", "", &areas)
	province := ""
	for _, f := range areas.Features {
		if f.Properties["level"] == "province" {
			province = f.Properties["code"].(string)
		}
	}
	if province == "" {
		t.Fatal("the demo has no province")
	}
	users := []struct{ name, role string }{
		{"officer-ward", "officer"}, {"officer-province", "officer"},
		{"planner-ward", "planner"}, {"planner-province", "planner"}, {"admin-feed", "admin"},
	}
	for _, u := range users {
		scope := ward
		switch {
		case u.role == "admin":
			scope = ""
		case strings.HasSuffix(u.name, "province"):
			scope = province
		}
		ts.addUser(t, u.name, hotspot.Role(u.role), scope)
	}
	var hs struct {
		Features []struct {
			ID         int64          `json:"id"`
			Properties map[string]any `json:"properties"`
			Geometry   struct {
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	ts.do(t, "GET", "/api/hotspots?area="+ward, "", &hs)
	if len(hs.Features) == 0 {
		t.Fatal("the ward has no hotspot")
	}
	h0 := hs.Features[0]
	ref, _ := h0.Properties["ref"].(string)
	lon, lat := h0.Geometry.Coordinates[0], h0.Geometry.Coordinates[1]
	ts.settle(t)

	n := 0
	for _, u := range users {
		for _, sc := range screens {
			t.Run(u.name+"-"+sc.name, func(t *testing.T) {
				n++
				ctx := newBrowser(t, 1440, 900, 90*time.Second)
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(sc.w), int64(sc.h))); err != nil {
					t.Fatal(err)
				}
				errs := consoleErrors(ctx)
				if err := ts.browserLogin(ctx, u.name); err != nil {
					t.Fatal(err)
				}
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.ready === "true" && document.body.dataset.ws === "open" && !!diaban.hotspots.get(`+fmt.Sprint(h0.ID)+`)`)); err != nil {
					t.Fatalf("map not ready with the hotspot held: %v; %v", err, errs())
				}
				// told waits for a feed line with exactly this text.
				told := func(text string) {
					t.Helper()
					js := fmt.Sprintf(`[...document.querySelectorAll('#feed li')].some((li) => li.textContent.includes(%q))`, text)
					if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
						t.Errorf("the feed does not say %q: %v; it says: %s", text, err,
							evaluate[string](t, ctx, `[...document.querySelectorAll('#feed li')].map((li) => li.textContent).join(' | ')`))
					}
				}
				patch := func(body string) {
					t.Helper()
					if code, b := ts.doAs(t, ts.token, "PATCH", fmt.Sprintf("/api/hotspots/%d", h0.ID), body, nil); code != 200 {
						t.Fatalf("PATCH %s: %d %s", body, code, b)
					}
				}
				name := fmt.Sprintf("Kho kiểm thử số %d", n)
				patch(fmt.Sprintf(`{"name":%q}`, name))
				told(fmt.Sprintf("Tụ điểm %s được đổi tên thành “%s”", ref, name))
				// A step of a few metres, back and forth between the runs.
				d := 0.00003
				if n%2 == 0 {
					d = -d
				}
				lon += d
				patch(fmt.Sprintf(`{"lon":%f,"lat":%f}`, lon, lat))
				told(fmt.Sprintf("Tụ điểm %s được dời vị trí", ref))
				// The same name again: neither renamed nor moved.
				patch(fmt.Sprintf(`{"name":%q}`, name))
				told(fmt.Sprintf("Tụ điểm %s được sửa thông tin", ref))
				// Never worded as a change of status.
				if s := evaluate[string](t, ctx, `[...document.querySelectorAll('#feed li')].map((li) => li.textContent).filter((x) => x.includes('đang hoạt động') || x.includes('đã triệt xóa')).join(' | ')`); s != "" {
					t.Errorf("an edit told as a status: %s", s)
				}
				checkLayout(t, ctx, sc.name)

				evaluate[bool](t, ctx, `(document.querySelector('#lang-toggle').click(), true)`)
				told(fmt.Sprintf("Hotspot %s renamed “%s”", ref, name))
				told(fmt.Sprintf("Hotspot %s moved", ref))
				told(fmt.Sprintf("Hotspot %s edited", ref))
				checkLayout(t, ctx, sc.name)
				noConsoleErrors(t, errs, u.name)
			})
		}
	}
}

package webmap_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserMetricsPanel opens the map on the fixture district: communes
// are shaded by class, the district's committee table lists both communes
// and sorts, and a commune's scorecard shows its numbers and the criteria.
func TestBrowserMetricsPanel(t *testing.T) {
	ts := newTestServer(t)
	ctx := newBrowser(t, 1280, 800, 60*time.Second)
	if err := ts.browserLogin(ctx, testAdmin); err != nil {
		t.Fatal(err)
	}
	// The fixture's hotspots were found in 2025: ask for 2025.
	steps := []struct{ name, js string }{
		{"ready", `document.body.dataset.ready === "true"`},
		{"panel", `!!document.querySelector('#metrics-kind') && document.body.dataset.metricsPeriod !== undefined`},
	}
	for _, s := range steps {
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](s.js)); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	choosePeriod(t, ctx, "2025")
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('path.class-overlay.class-affected').length === 2`)); err != nil {
		t.Fatalf("communes not shaded: %v", err)
	}
	evaluate[bool](t, ctx, `(() => { const s = document.querySelector('#area-select'); s.value = '20530'; s.dispatchEvent(new Event('change')); return true; })()`)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('.scorecard .criteria li').length === 6`)); err != nil {
		t.Fatalf("no scorecard: %v", err)
	}
	card := evaluate[string](t, ctx, `document.querySelector('.scorecard').textContent`)
	for _, want := range []string{"Phường Một", "2025", "Có tệ nạn ma túy", "Tỷ lệ triệt xóa"} {
		if !strings.Contains(card, want) {
			t.Errorf("scorecard lacks %q: %q", want, card)
		}
	}
	evaluate[bool](t, ctx, `(document.querySelector('.committee-open').click(), true)`)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('.committee-table tbody tr').length === 2`)); err != nil {
		t.Fatalf("no committee table: %v", err)
	}
	href := evaluate[string](t, ctx, `document.querySelector('.committee a.report-csv').getAttribute('href')`)
	if href != "/api/reports?area=503&period=2025&format=csv" {
		t.Errorf("CSV link %q", href)
	}
	evaluate[bool](t, ctx, `(document.querySelector('.committee-table th button').click(), true)`)
	first := evaluate[string](t, ctx, `document.querySelector('.committee-table tbody tr').dataset.area`)
	evaluate[bool](t, ctx, `(document.querySelector('.committee-table th button').click(), true)`)
	if again := evaluate[string](t, ctx, `document.querySelector('.committee-table tbody tr').dataset.area`); again == first {
		t.Errorf("sorting by name both ways keeps %s first", first)
	}
	evaluate[bool](t, ctx, `(document.querySelector('#lang-toggle').click(), true)`)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('.metrics-panel h2').textContent === 'Area transformation'`)); err != nil {
		t.Errorf("English toggle: %v", err)
	}
	if text := evaluate[string](t, ctx, `document.querySelector('.period-text').textContent + ' | ' + document.querySelector('#metrics-kind').selectedOptions[0].textContent`); text != "Year 2025 · against Year 2024 | Year" {
		t.Errorf("the period in English: %q", text)
	}
}

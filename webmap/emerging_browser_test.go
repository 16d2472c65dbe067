package webmap_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserEmergingControls switches the emerging layer on and changes
// the analysis from its legend: grid resolution, neighbourhood, date range
// (typed dd/mm/yyyy, a bad one refused on the spot) and the FDR correction,
// each reaching the API and the legend's summary.
func TestBrowserEmergingControls(t *testing.T) {
	ts := newTestServer(t)
	importText(t, ts.store, "incidents", plantedIncidents(""))
	ctx := newBrowser(t, 1280, 800, 60*time.Second)
	if err := ts.browserLogin(ctx, testAdmin); err != nil {
		t.Fatal(err)
	}
	poll := func(name, js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js)); err != nil {
			t.Fatalf("%s: %v (legend: %q)", name, err, evaluate[string](t, ctx, `document.querySelector('.em-legend')?.textContent || ''`))
		}
	}
	// loaded says the layer has answered the query whose params match.
	loaded := func(cond string) string {
		return `(() => { const e = window.diaban.emerging; return !!e.query && !e.loading && !e.error && ` + cond + `; })()`
	}
	change := func(sel, value string) {
		t.Helper()
		evaluate[bool](t, ctx, `(() => { const el = document.querySelector('`+sel+`'); el.value = '`+value+`'; el.dispatchEvent(new Event('change')); return true; })()`)
	}
	poll("ready", `document.body.dataset.ready === "true"`)
	evaluate[bool](t, ctx, `(window.diaban.map.addLayer(window.diaban.emerging.layer), true)`)
	poll("first analysis", loaded(`e.query.res == 9 && e.data.bins.length === 12`))
	if legend := evaluate[string](t, ctx, `document.querySelector('.em-legend').textContent`); !strings.Contains(legend, "lưới H3 cấp 9") {
		t.Errorf("legend before: %q", legend)
	}

	change(".em-res", "8")
	poll("resolution 8", loaded(`e.query.res == 8 && document.querySelector('.em-legend').textContent.includes('lưới H3 cấp 8')`))
	change(".em-ring", "2")
	poll("two rings", loaded(`e.query.ring == 2`))

	change(".em-from", "31/02/2025") // no such day: refused before any request
	poll("bad date shown", `document.querySelector('.em-from').getAttribute('aria-invalid') === 'true' && document.querySelector('.em-legend .error') !== null`)
	if from := evaluate[string](t, ctx, `String(window.diaban.emerging.query.from || '')`); from != "" {
		t.Errorf("a bad date reached the query: %q", from)
	}
	change(".em-from", "01/07/2025")
	change(".em-to", "31/12/2025")
	poll("second half of 2025", loaded(`e.query.from === '2025-07-01' && e.query.to === '2025-12-31' && e.data.bins.length === 6`))
	if v := evaluate[string](t, ctx, `document.querySelector('.em-from').value`); v != "01/07/2025" {
		t.Errorf("from field shows %q after the reload, want 01/07/2025", v)
	}

	evaluate[bool](t, ctx, `(() => { const c = document.querySelector('.em-fdr'); c.checked = true; c.dispatchEvent(new Event('change')); return true; })()`)
	poll("FDR", loaded(`e.query.fdr === 'true'`))

	evaluate[bool](t, ctx, `(document.querySelector('#lang-toggle').click(), true)`)
	poll("English", `document.querySelector('.em-legend').textContent.includes('H3 cell size') && document.querySelector('.em-legend').textContent.includes('H3 resolution 8')`)
}

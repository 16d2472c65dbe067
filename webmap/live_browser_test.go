package webmap_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserLiveReplayAndMetricsPush: the map's own client (live.js)
// applies a metrics push (its seq repeats the change's; it is not dropped
// as a duplicate), and after its socket drops, the replay on reconnect
// brings the change made meanwhile into the feed.
func TestBrowserLiveReplayAndMetricsPush(t *testing.T) {
	ts := newTestServer(t)
	ctx := newBrowser(t, 1280, 800, 90*time.Second)
	if err := ts.browserLogin(ctx, testAdmin); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.ready === "true" && window.diaban.live.ws && window.diaban.live.ws.readyState === 1`)); err != nil {
		t.Fatalf("map not ready: %v", err)
	}
	time.Sleep(300 * time.Millisecond) // the subscribe lands

	// A live change and the metrics push it causes.
	if code := ts.do(t, "POST", "/api/hotspots/1/events", `{"event":"eliminated","note":"live"}`, nil); code != 201 {
		t.Fatalf("post: %d", code)
	}
	seq, _ := ts.store.LatestSeq(context.Background())
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(
		`!!document.querySelector('li[data-seq="%d"]') && (window.diaban.live.derived.metrics?.seq ?? 0) >= %d`, seq, seq))); err != nil {
		t.Fatalf("the live change or its metrics push was not applied: %v (derived %s)", err,
			evaluate[string](t, ctx, `JSON.stringify(window.diaban.live.derived)`))
	}

	// The socket drops; a change is made while it is away; the reconnect
	// replays it.
	evaluate[bool](t, ctx, `(window.diaban.live.ws.close(), true)`)
	if code := ts.do(t, "POST", "/api/hotspots/2/events", `{"event":"eliminated","note":"while away"}`, nil); code != 201 {
		t.Fatalf("post: %d", code)
	}
	missed, _ := ts.store.LatestSeq(context.Background())
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(
		`!!document.querySelector('li[data-seq="%d"]') && window.diaban.live.replays.some((r) => r.count >= 1 && r.seq >= %d)`, missed, missed))); err != nil {
		t.Fatalf("the replay was not applied: %v (replays %s)", err, evaluate[string](t, ctx, `JSON.stringify(window.diaban.live.replays)`))
	}
	if n := evaluate[float64](t, ctx, fmt.Sprintf(`document.querySelectorAll('li[data-seq="%d"]').length`, missed)); n != 1 {
		t.Errorf("the replayed change is in the feed %v times", n)
	}
}

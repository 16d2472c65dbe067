package webmap

import (
	"context"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/inputs"
)

// coveragePushDelay is how long the push waits after a change before
// recomputing, so that a burst of changes in one area costs one computation.
const coveragePushDelay = 250 * time.Millisecond

// coverageMoves lists the change kinds that can move an area's coverage.
// Coverage is what the cameras see of the area's active hotspots and
// incident cells, so a camera, a hotspot, a lifecycle event (a hotspot
// eliminated is no longer to be watched) or an incident moves it.
var coverageMoves = map[hotspot.ChangeKind]bool{
	hotspot.ChangeCamera: true, hotspot.ChangeHotspot: true, hotspot.ChangeEvent: true, hotspot.ChangeIncident: true,
}

// watchCoverage registers the coverage push (a liveView): after a change
// that moves an area's coverage, when a client subscribed to the topic
// "coverage" could receive it, it recomputes the area's coverage and
// publishes its summary (figures per scope, no list of uncovered hotspots)
// as a "coverage" message, debounced per area. Bulk loads carry no area and
// are not pushed; maps reload then.
func (c *coverageAPI) watchCoverage() {
	// A loader of its own, on the recomputes' pool: the push never takes
	// the API's connections (the API's loader caches what it reads).
	loader := inputs.NewLoader(c.s.hub.recompute)
	watch(c.s, liveView[string, int64]{
		name: "coverage", delay: coveragePushDelay, timeout: 10 * time.Second,
		wanted: func(ctx context.Context, area string) bool { return c.s.hub.wants(ctx, MessageCoverage, area) },
		key:    func(ch changed) (string, bool) { return ch.area, coverageMoves[ch.kind] && ch.area != "" },
		merge: func(seq *int64, ch changed) {
			*seq = ch.seq // newest change sequence
		},
		compute: func(ctx context.Context, area string, seq int64) ([]*Message, error) {
			return recomputeCoverage(ctx, loader, area, seq)
		},
	})
}

// recomputeCoverage computes the coverage of one area.
func recomputeCoverage(ctx context.Context, loader *inputs.Loader, area string, seq int64) ([]*Message, error) {
	in, err := loader.Load(ctx, inputs.Query{AreaCode: area})
	if err != nil {
		return nil, err
	}
	rep, err := inputs.Measure(in, in.Cameras, 0) // the summary
	if err != nil {
		return nil, err
	}
	return []*Message{{Seq: seq, Type: MessageCoverage, Op: hotspot.ChangeUpdate, Area: area, Data: &coverageData{Report: rep}}}, nil
}

package webmap

import (
	"context"
	"sync"
	"time"

	"github.com/diaban/diaban/hotspot/inputs"
)

// coveragePushDelay is how long the push waits after a change before
// recomputing, so that a burst of changes in one area costs one computation.
const coveragePushDelay = 250 * time.Millisecond

// coveragePusher recomputes an area's coverage after a change that moves it
// and publishes it to the websocket clients as a "coverage" message,
// debounced per area. Coverage is what the cameras see of the area's active
// hotspots and incident cells, so a camera, a hotspot, a lifecycle event (a
// hotspot eliminated is no longer to be watched) or an incident moves it.
type coveragePusher struct {
	api     *coverageAPI
	delay   time.Duration
	mu      sync.Mutex
	pending map[string]int64 // area code → newest camera change sequence
}

func newCoveragePusher(api *coverageAPI, delay time.Duration) *coveragePusher {
	return &coveragePusher{api: api, delay: delay, pending: map[string]int64{}}
}

// coverageMoves lists the change types that can move an area's coverage.
var coverageMoves = map[string]bool{"camera": true, "hotspot": true, "event": true, "incident": true}

// afterChange is the hub's hook: it schedules a push for the change's area.
// Bulk loads carry no area and are not pushed; maps reload then.
func (p *coveragePusher) afterChange(ctx context.Context, m *Message) {
	if !coverageMoves[m.Type] || m.Area == "" {
		return
	}
	area := m.Area
	p.mu.Lock()
	_, waiting := p.pending[area]
	p.pending[area] = m.Seq
	p.mu.Unlock()
	if !waiting {
		time.AfterFunc(p.delay, func() { p.push(ctx, area) })
	}
}

// push computes and publishes the coverage of one area.
func (p *coveragePusher) push(ctx context.Context, area string) {
	p.mu.Lock()
	seq := p.pending[area]
	delete(p.pending, area)
	p.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	log := p.api.s.log
	in, err := p.api.loader.Load(ctx, inputs.Query{AreaCode: area})
	if err != nil {
		log.Warn("coverage not pushed", "area", area, "seq", seq, "err", err)
		return
	}
	rep, err := inputs.Measure(in, in.Cameras, uncoveredListed)
	if err != nil {
		log.Warn("coverage not pushed", "area", area, "seq", seq, "err", err)
		return
	}
	if err := p.api.s.hub.Publish(ctx, &Message{Seq: seq, Type: "coverage", Op: "update", Area: area, Data: rep}); err != nil {
		log.Warn("coverage not pushed", "area", area, "seq", seq, "err", err)
	}
}

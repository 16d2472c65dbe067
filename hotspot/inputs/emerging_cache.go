package inputs

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/emerging"
	"github.com/diaban/diaban/hotspot/store"
)

// Sizes of the emerging cache.
const (
	emergingCacheSize = 16 // analyses kept
	emergingRecent    = 4  // recent questions kept for Recent
	// EmergingTimeout bounds one emerging analysis.
	EmergingTimeout = 2 * time.Minute
)

// EmergingQuestion is one emerging-hot-spot question: which cube and which
// analysis of it.
type EmergingQuestion struct {
	Query   hotspot.EmergingQuery
	Options emerging.Options
}

// emergingKey is an EmergingQuestion made comparable: times as instants.
type emergingKey struct {
	area     string
	kind     hotspot.IncidentKind
	bin      hotspot.TimeBin
	from, to int64 // Unix nanoseconds; 0 when open
	res      int
	opt      emerging.Options
}

func (q EmergingQuestion) key() emergingKey {
	k := emergingKey{area: q.Query.AreaCode, kind: q.Query.Kind, bin: q.Query.Bin, res: q.Query.Res, opt: q.Options}
	if !q.Query.From.IsZero() {
		k.from = q.Query.From.UnixNano()
	}
	if !q.Query.To.IsZero() {
		k.to = q.Query.To.UnixNano()
	}
	return k
}

// EmergingVersion is the version of the data an emerging analysis reads:
// the sequences of the newest incident and area changes.
type EmergingVersion struct{ Incidents, Areas int64 }

// EmergingAnalysis is one question's cube and its analysis.
type EmergingAnalysis struct {
	Question EmergingQuestion
	Version  EmergingVersion
	Cube     *store.EmergingCube // nil when the area has no incidents
	Result   *emerging.Result    // nil when the area has no incidents
	Labels   []string            // the bins' labels
}

// AnalyseEmerging loads the cube of q from the store and analyses it. An
// area without incidents gives an analysis without a cube.
func AnalyseEmerging(ctx context.Context, s *store.Store, q EmergingQuestion, v EmergingVersion) (*EmergingAnalysis, error) {
	a := &EmergingAnalysis{Question: q, Version: v}
	ec, err := s.EmergingCube(ctx, q.Query)
	if errors.Is(err, hotspot.ErrNoIncidents) {
		return a, nil
	}
	if err != nil {
		return nil, err
	}
	r, err := emerging.Analyze(ctx, ec.Cube, q.Options)
	if err != nil {
		return nil, err
	}
	a.Cube, a.Result, a.Labels = ec, r, make([]string, len(ec.Starts))
	for i, st := range ec.Starts {
		a.Labels[i] = ec.Query.Bin.BinLabel(st)
	}
	return a, nil
}

// EmergingCache answers emerging-hot-spot questions from a Cache keyed by
// the question, the EmergingVersion and the scope, and remembers the most
// recent questions so that they can be recomputed after a change, before
// the maps ask again. R is what its user keeps of an analysis (the web map:
// the analysis with its GeoJSON marshalled once).
type EmergingCache[R any] struct {
	store *store.Store
	keep  func(*EmergingAnalysis) (R, error)
	cache *Cache[emergingKey, EmergingVersion, R]

	mu     sync.Mutex
	recent []EmergingQuestion // newest first
}

// NewEmergingCache returns a cache of analyses read from s; keep makes what
// is kept of each.
func NewEmergingCache[R any](s *store.Store, keep func(*EmergingAnalysis) (R, error)) *EmergingCache[R] {
	return &EmergingCache[R]{store: s, keep: keep, cache: NewCache[emergingKey, EmergingVersion, R](emergingCacheSize, EmergingTimeout)}
}

// Get returns what is kept of the analysis of q at the data's current
// version, computed once however many ask at the same time. The analysis
// reads in the system scope and is shared by every caller: check first
// that the caller may see q's area.
func (c *EmergingCache[R]) Get(ctx context.Context, q EmergingQuestion) (R, error) {
	return c.GetFrom(ctx, c.store, q)
}

// GetFrom is Get reading from s instead of the cache's store (the live
// push recomputes on a pool of its own: Store.Sibling).
func (c *EmergingCache[R]) GetFrom(ctx context.Context, s *store.Store, q EmergingQuestion) (R, error) {
	ctx = store.WithSystemScope(ctx)
	inc, areas, err := s.EmergingVersion(ctx)
	if err != nil {
		var zero R
		return zero, err
	}
	c.remember(q)
	v := EmergingVersion{Incidents: inc, Areas: areas}
	return c.cache.Get(ctx, q.key(), v, func(ctx context.Context) (R, error) {
		a, err := AnalyseEmerging(ctx, s, q, v)
		if err != nil {
			var zero R
			return zero, err
		}
		return c.keep(a)
	})
}

// remember puts q first in the recent questions.
func (c *EmergingCache[R]) remember(q EmergingQuestion) {
	k := q.key()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recent = slices.DeleteFunc(c.recent, func(p EmergingQuestion) bool { return p.key() == k })
	c.recent = append([]EmergingQuestion{q}, c.recent...)
	if len(c.recent) > emergingRecent {
		c.recent = c.recent[:emergingRecent]
	}
}

// Recent returns the most recent questions asked, newest first.
func (c *EmergingCache[R]) Recent() []EmergingQuestion {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.recent)
}

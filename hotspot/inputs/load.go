package inputs

import (
	"context"
	"fmt"
	"time"

	"github.com/paulmach/orb/planar"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/placement"
	"github.com/diaban/diaban/hotspot/store"
)

// Defaults of Query.
const (
	// DefaultRiskRes is the H3 resolution of risk cells (about 15,000 m²).
	DefaultRiskRes = 10
	// DefaultSiteRes is the H3 resolution whose cell centres are the
	// candidate sites when none are given (centres about 50 m apart).
	DefaultSiteRes = geo.DefaultCameraResolution
	// MinSiteRes and MaxSiteRes bound the candidate site resolution.
	MinSiteRes = 7
	MaxSiteRes = 12
)

// Query says which demand to load for an area.
type Query struct {
	AreaCode string
	RiskRes  int       // resolution of risk cells, 7..10; 0 means DefaultRiskRes
	From, To time.Time // incidents counted in [From, To); zero means unbounded
}

func (q *Query) normalise() error {
	if q.AreaCode == "" {
		return &hotspot.ValidationError{Field: "area", Reason: "is required"}
	}
	if q.RiskRes == 0 {
		q.RiskRes = DefaultRiskRes
	}
	if q.RiskRes < geo.MinPointResolution || q.RiskRes > geo.MaxPointResolution {
		return &hotspot.ValidationError{Field: "risk_res", Reason: fmt.Sprintf("must be between %d and %d, got %d", geo.MinPointResolution, geo.MaxPointResolution, q.RiskRes)}
	}
	return nil
}

// CoverageInputs is what coverage and planning need for one area. It is read-only
// once loaded, and may be shared between goroutines.
type CoverageInputs struct {
	Area    *hotspot.AreaShape
	RiskRes int
	// Hotspots are the area's active hotspots as demand points (ID is the
	// ref, Hotspot is true, Weight is the risk around them), and Info the
	// stored hotspots in the same order.
	Hotspots []placement.DemandPoint
	Info     []hotspot.Hotspot
	// Cells are the risk cells holding at least one incident (ID is the
	// cell's hex spelling, Point its centre, Weight its incident count).
	Cells []placement.DemandPoint
	// Cameras are the stored cameras of the area that are not offline.
	Cameras []placement.Camera
	// Seq is the change sequence the inputs reflect (for caching).
	Seq int64
}

// Demand returns the planning demand: the hotspots, then the risk cells.
func (in *CoverageInputs) Demand() []placement.DemandPoint {
	out := make([]placement.DemandPoint, 0, len(in.Hotspots)+len(in.Cells))
	return append(append(out, in.Hotspots...), in.Cells...)
}

// Sites returns the candidate sites of the area at resolution res: the cell
// centres inside the area (ID being the cell's hex spelling, in a fixed
// order). When rangeM > 0 only the centres within rangeM of some point of
// demand are kept: a camera anywhere else could see none of it.
func (in *CoverageInputs) Sites(res int, demand []placement.DemandPoint, rangeM float64) ([]placement.Site, error) {
	return in.SitesContext(context.Background(), res, demand, rangeM)
}

// SitesContext is Sites that stops with ctx's error when ctx ends (asked
// every 64 points of demand: seconds for fine cells over a commune).
func (in *CoverageInputs) SitesContext(ctx context.Context, res int, demand []placement.DemandPoint, rangeM float64) ([]placement.Site, error) {
	if res == 0 {
		res = DefaultSiteRes
	}
	if res < MinSiteRes || res > MaxSiteRes {
		return nil, &hotspot.ValidationError{Field: "res", Reason: fmt.Sprintf("must be between %d and %d, got %d", MinSiteRes, MaxSiteRes, res)}
	}
	if rangeM <= 0 {
		cells := geo.MultiPolygonCells(in.Area.Geometry, res)
		out := make([]placement.Site, len(cells))
		for i, c := range cells {
			out[i] = placement.Site{ID: c.String(), Point: c.Center()}
		}
		return out, nil
	}
	// From the demand outwards, not from the area inwards: a province holds
	// tens of millions of fine cells, the neighbourhood of its demand few.
	bound := in.Area.Geometry.Bound()
	seen := map[geo.Cell]bool{}
	var out []placement.Site
	for i, d := range demand {
		if i%64 == 63 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if d.Weight <= 0 {
			continue
		}
		for _, c := range (geo.FieldOfView{Site: d.Point, FOV: 360, RangeM: rangeM}).Cells(res) {
			if seen[c] {
				continue
			}
			seen[c] = true
			p := c.Center()
			if bound.Contains(p.Orb()) && planar.MultiPolygonContains(in.Area.Geometry, p.Orb()) {
				out = append(out, placement.Site{ID: c.String(), Point: p})
			}
		}
	}
	return out, nil
}

// Load reads an area's inputs from the store.
func Load(ctx context.Context, s *store.Store, q Query) (*CoverageInputs, error) {
	if err := q.normalise(); err != nil {
		return nil, err
	}
	seq, err := s.LatestSeq(ctx)
	if err != nil {
		return nil, fmt.Errorf("coverage inputs: %w", err)
	}
	return load(ctx, s, q, seq)
}

func load(ctx context.Context, s *store.Store, q Query, seq int64) (*CoverageInputs, error) {
	idx, err := s.Areas(ctx)
	if err != nil {
		return nil, err
	}
	area, ok := idx.ByCode(q.AreaCode)
	if !ok {
		return nil, &hotspot.ValidationError{Field: "area", Reason: fmt.Sprintf("unknown area %q", q.AreaCode)}
	}
	in := &CoverageInputs{Area: area, RiskRes: q.RiskRes, Seq: seq}
	counts, err := s.CellCounts(ctx, store.CellFilter{AreaCode: q.AreaCode, Res: q.RiskRes, From: q.From, To: q.To})
	if err != nil {
		return nil, err
	}
	byCell := make(map[geo.Cell]int64, len(counts))
	in.Cells = make([]placement.DemandPoint, 0, len(counts))
	for _, c := range counts {
		byCell[c.Cell] = c.Count
		in.Cells = append(in.Cells, placement.DemandPoint{ID: c.Cell.String(), Point: c.Cell.Center(), Weight: float64(c.Count)})
	}
	hs, err := s.ListHotspots(ctx, store.HotspotFilter{AreaCode: q.AreaCode, Status: hotspot.StatusActive})
	if err != nil {
		return nil, err
	}
	in.Info = hs
	in.Hotspots = make([]placement.DemandPoint, len(hs))
	for i, h := range hs {
		in.Hotspots[i] = placement.DemandPoint{ID: h.Ref, Point: h.Point, Weight: HotspotRisk(h.Point, q.RiskRes, byCell), Hotspot: true}
	}
	cams, err := s.ListCameras(ctx, q.AreaCode)
	if err != nil {
		return nil, err
	}
	for _, c := range cams {
		if c.Status == hotspot.CameraOffline {
			continue
		}
		in.Cameras = append(in.Cameras, FromStored(c))
	}
	return in, nil
}

// HotspotRisk is a hotspot's weight: 1 plus the incidents counted in its cell
// at resolution res and in the cells one step around it.
func HotspotRisk(p geo.Point, res int, counts map[geo.Cell]int64) float64 {
	risk := 1.0
	for _, c := range geo.CellOf(p, res).Disk(1) {
		risk += float64(counts[c])
	}
	return risk
}

// FromStored converts a stored camera to the solver's.
func FromStored(c hotspot.Camera) placement.Camera {
	return placement.Camera{
		Ref:    c.Ref,
		View:   geo.FieldOfView{Site: c.Point, Bearing: c.Bearing, FOV: c.FOV, RangeM: c.RangeM},
		Owner:  placement.Owner(c.Owner),
		Status: placement.Status(c.Status),
	}
}

// Loader loads CoverageInputs and keeps the newest of each query and
// scope until the database records a change, so that the planner panel's
// many evaluations cost one sequence lookup each. Results are keyed by the
// scope of the caller's context (Cache), so one area's inputs are never
// served to a caller of another scope. It is safe for concurrent use.
type Loader struct {
	store *store.Store
	cache *Cache[Query, int64, *CoverageInputs]
}

// maxCached bounds the Loader's cache; loadTimeout bounds one load.
const (
	maxCached   = 32
	loadTimeout = time.Minute
)

// NewLoader returns a caching loader over s.
func NewLoader(s *store.Store) *Loader {
	return &Loader{store: s, cache: NewCache[Query, int64, *CoverageInputs](maxCached, loadTimeout)}
}

// Load returns the inputs of q, from the cache when no change was recorded
// since they were read in the caller's scope.
func (l *Loader) Load(ctx context.Context, q Query) (*CoverageInputs, error) {
	if err := q.normalise(); err != nil {
		return nil, err
	}
	// Times are compared by instant, not by location.
	q.From, q.To = q.From.UTC(), q.To.UTC()
	seq, err := l.store.LatestSeq(ctx)
	if err != nil {
		return nil, fmt.Errorf("coverage inputs: %w", err)
	}
	// Read under the sequence seen first: a change committed meanwhile makes
	// the next call reload, never the reverse.
	return l.cache.Get(ctx, q, seq, func(ctx context.Context) (*CoverageInputs, error) {
		return load(ctx, l.store, q, seq)
	})
}

package webmap

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/inputs"
	"github.com/diaban/diaban/hotspot/placement"
)

// coverageAPI answers the camera coverage and planning endpoints. Its loader
// caches each area's demand until the database records a change, so the
// planner panel's evaluations on every drag cost one sequence lookup.
type coverageAPI struct {
	s      *Server
	loader *inputs.Loader
	// emerging answers the analysis a plan weighted by emerging hot spots
	// reads (the cache /api/emerging uses).
	emerging *emergingAPI
}

// newCoverageAPI builds the coverage endpoints and registers, on the hub,
// the push of fresh coverage after camera changes.
func newCoverageAPI(s *Server, em *emergingAPI) *coverageAPI {
	c := &coverageAPI{s: s, loader: inputs.NewLoader(s.store), emerging: em}
	c.watchCoverage()
	return c
}

// Limits of the planning endpoints.
const (
	maxPlanK        = 200
	maxPlanRange    = 1000 // metres: a camera of a plan sees at most this far
	maxPlanRangeR12 = 300  // metres, at site resolution 12 (cells of about 10 m)
	maxPlanSites    = 60000
	maxPlanBearings = 72
	maxEvalCameras  = 500
	uncoveredListed = 20
)

// handleCoverage answers GET /api/coverage?area=&risk_res=&from=&to=: what
// the stored cameras (not offline) cover in an area, per owner and status.
func (c *coverageAPI) handleCoverage(w http.ResponseWriter, r *http.Request) error {
	q := inputs.Query{AreaCode: r.URL.Query().Get("area")}
	var err error
	if q.RiskRes, err = queryInt(r, "risk_res", 0); err == nil {
		if q.From, err = queryTime(r, "from"); err == nil {
			q.To, err = queryDayEnd(r, "to")
		}
	}
	if err == nil {
		err = checkSpan(q.From, q.To)
	}
	if err != nil {
		return err
	}
	in, err := c.loader.Load(r.Context(), q)
	if err != nil {
		return err
	}
	rep, err := inputs.Measure(in, in.Cameras, uncoveredListed)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// demandBody is the part of a planning request that selects the demand.
type demandBody struct {
	Area    string `json:"area"`
	RiskRes int    `json:"risk_res"`
	From    string `json:"from"`
	To      string `json:"to"`
}

func (b demandBody) query() (inputs.Query, error) {
	q := inputs.Query{AreaCode: b.Area, RiskRes: b.RiskRes}
	if b.Area == "" {
		return q, errBad("area", "is required")
	}
	var err error
	if b.From != "" {
		if q.From, err = hotspot.ParseInstant(b.From); err != nil {
			return q, errBad("from", err.Error())
		}
	}
	if b.To != "" {
		if q.To, err = hotspot.ParseRangeEnd(b.To); err != nil {
			return q, errBad("to", err.Error())
		}
	}
	return q, checkSpan(q.From, q.To)
}

// planBody is POST /api/plans.
type planBody struct {
	demandBody
	K          int       `json:"k"`
	RangeM     *float64  `json:"range_m"`
	FOV        *float64  `json:"fov"`
	Bearings   []float64 `json:"bearings"`
	Res        int       `json:"res"`
	MaxPerSite int       `json:"max_per_site"`
	Owner      string    `json:"owner"`
	Demand     string    `json:"demand"`
	// Weight is how risk is weighed: "incidents" (the default) or
	// "emerging" (inputs.WeightEmerging).
	Weight     string       `json:"weight"`
	Candidates []siteBody   `json:"candidates"`
	Planned    []planCamera `json:"planned"`
}

type siteBody struct {
	ID  string  `json:"id"`
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

// planCamera is a camera of a plan as the planner panel sends it.
type planCamera struct {
	Ref     string   `json:"ref"`
	Lon     *float64 `json:"lon"`
	Lat     *float64 `json:"lat"`
	Bearing float64  `json:"bearing"`
	FOV     float64  `json:"fov"`
	RangeM  float64  `json:"range_m"`
	Owner   string   `json:"owner"`
}

func (p planCamera) camera(field string) (hotspot.Camera, error) {
	if err := checkTexts(text{field + ".ref", p.Ref, hotspot.MaxRef, false}); err != nil {
		return hotspot.Camera{}, err
	}
	if p.Lon == nil {
		return hotspot.Camera{}, errBad(field+".lon", "is required")
	}
	if p.Lat == nil {
		return hotspot.Camera{}, errBad(field+".lat", "is required")
	}
	owner := p.Owner
	if owner == "" {
		owner = string(placement.OwnerPolice)
	}
	c := hotspot.Camera{Ref: p.Ref, Point: geo.Point{Lon: *p.Lon, Lat: *p.Lat}, Bearing: p.Bearing, FOV: p.FOV, RangeM: p.RangeM,
		Owner: hotspot.CameraOwner(owner), Status: "planned"}
	if err := c.Validate(); err != nil {
		if ve, ok := err.(*hotspot.ValidationError); ok {
			return c, errBad(field+"."+ve.Field, ve.Reason)
		}
		return c, err
	}
	return c, nil
}

func planCameras(list []planCamera) ([]placement.Camera, error) {
	if len(list) > maxEvalCameras {
		return nil, errBad("cameras", fmt.Sprintf("at most %d cameras", maxEvalCameras))
	}
	out := make([]placement.Camera, len(list))
	for i, p := range list {
		c, err := p.camera(fmt.Sprintf("cameras[%d]", i))
		if err != nil {
			return nil, err
		}
		out[i] = inputs.FromStored(c)
	}
	return out, nil
}

// planTimeLimit bounds a plan asked over HTTP: the planner's panel waits
// for it, so it gets the solver's proof for a few seconds, not its default
// ten; the answer says whether it was proven optimal or how far it may be.
const planTimeLimit = 3 * time.Second

func (b *planBody) request() (inputs.PlanRequest, error) {
	req := inputs.PlanRequest{K: b.K, MaxPerSite: b.MaxPerSite, SiteRes: b.Res, MaxSites: maxPlanSites,
		Owner: placement.Owner(b.Owner), Demand: inputs.DemandKind(b.Demand), TimeLimit: planTimeLimit}
	req.Model = placement.Model{RangeM: 120, FOV: 90, Bearings: b.Bearings}
	if b.RangeM != nil {
		req.Model.RangeM = *b.RangeM
	}
	if b.FOV != nil {
		req.Model.FOV = *b.FOV
	}
	switch {
	case b.K < 1 || b.K > maxPlanK:
		return req, errBad("k", fmt.Sprintf("must be a number of cameras between 1 and %d", maxPlanK))
	case !(req.Model.RangeM > 0 && req.Model.RangeM <= maxPlanRange):
		return req, errBad("range_m", fmt.Sprintf("must be a number of metres in (0, %d]", maxPlanRange))
	case b.Res != 0 && (b.Res < inputs.MinSiteRes || b.Res > inputs.MaxSiteRes):
		return req, errBad("res", fmt.Sprintf("must be between %d and %d", inputs.MinSiteRes, inputs.MaxSiteRes))
	case b.Res == inputs.MaxSiteRes && req.Model.RangeM > maxPlanRangeR12:
		return req, errBad("range_m", fmt.Sprintf("at resolution %d, at most %d metres", inputs.MaxSiteRes, maxPlanRangeR12))
	case !(req.Model.FOV > 0 && req.Model.FOV <= 360):
		return req, errBad("fov", "must be a number in (0, 360] (360 for a dome)")
	case len(b.Bearings) > maxPlanBearings:
		return req, errBad("bearings", fmt.Sprintf("at most %d bearings", maxPlanBearings))
	case b.MaxPerSite < 0:
		return req, errBad("max_per_site", "must not be negative")
	}
	for i, x := range b.Bearings {
		if math.IsNaN(x) || x < 0 || x >= 360 {
			return req, errBad(fmt.Sprintf("bearings[%d]", i), "must be in [0, 360)")
		}
	}
	if b.Candidates != nil {
		if len(b.Candidates) == 0 {
			return req, errBad("candidates", "is empty")
		}
		req.Sites = make([]placement.Site, len(b.Candidates))
		for i, s := range b.Candidates {
			p := geo.Point{Lon: s.Lon, Lat: s.Lat}
			if s.ID == "" {
				return req, errBad(fmt.Sprintf("candidates[%d].id", i), "is empty")
			}
			if err := checkTexts(text{fmt.Sprintf("candidates[%d].id", i), s.ID, hotspot.MaxSiteID, false}); err != nil {
				return req, err
			}
			if err := p.Validate(); err != nil {
				return req, errBad(fmt.Sprintf("candidates[%d].lon", i), err.Error())
			}
			req.Sites[i] = placement.Site{ID: s.ID, Point: p}
		}
	}
	var err error
	req.Existing, err = planCameras(b.Planned)
	return req, err
}

// handlePlan answers POST /api/plans: the cameras to add to an area as
// GeoJSON (their sectors, and the demand each newly covers) with the
// coverage before and after and the solver's upper bound.
func (c *coverageAPI) handlePlan(w http.ResponseWriter, r *http.Request) error {
	var b planBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	req, err := b.request()
	if err != nil {
		return err
	}
	q, err := b.query()
	if err != nil {
		return err
	}
	in, err := c.loader.Load(r.Context(), q)
	if err != nil {
		return err
	}
	if in, err = c.weigh(r.Context(), in, q, b.Weight); err != nil {
		return err
	}
	start := time.Now()
	plan, err := inputs.Plan(r.Context(), in, req)
	if err != nil {
		return err
	}
	writeGeoJSON(w, http.StatusOK, planCollection(in, req, plan, time.Since(start)))
	return nil
}

// weigh applies the plan's risk weighting to in. With "emerging", every
// hotspot's and risk cell's risk is multiplied by inputs.EmergingFactor of
// the Gi* z-score, in the last month, of the emerging analysis's cell
// (resolution 9, monthly bins, over the plan's window) holding it: the
// analysis the emerging layer shows for the same area and window, from the
// same cache. The plan's risk figures (before, after, each camera's gain)
// are then in weighted risk points.
func (c *coverageAPI) weigh(ctx context.Context, in *inputs.CoverageInputs, q inputs.Query, weight string) (*inputs.CoverageInputs, error) {
	switch inputs.RiskWeighting(weight) {
	case "", inputs.WeightIncidents:
		return in, nil
	case inputs.WeightEmerging:
	default:
		return nil, errBad("weight", fmt.Sprintf("%q is not incidents or emerging", weight))
	}
	eq, err := hotspot.EmergingQuery{AreaCode: q.AreaCode, From: q.From, To: q.To}.Normalize()
	if err != nil {
		return nil, err
	}
	res, err := c.emerging.result(ctx, inputs.EmergingQuestion{Query: eq, Options: defaultEmergingOptions()})
	if err != nil {
		return nil, err
	}
	return in.Weighted(inputs.EmergingWeightsOf(res.r, eq.Res)), nil
}

// planTotals are the headline figures of one scope.
type planTotals struct {
	Cameras         int     `json:"cameras"`
	Hotspots        int     `json:"hotspots"`
	HotspotsCovered int     `json:"hotspots_covered"`
	HotspotShare    float64 `json:"hotspot_share"`
	Risk            float64 `json:"risk"`
	RiskCovered     float64 `json:"risk_covered"`
	RiskShare       float64 `json:"risk_share"`
}

func totalsOf(s inputs.ScopeCoverage) planTotals {
	return planTotals{Cameras: s.Cameras, Hotspots: s.Hotspots, HotspotsCovered: s.HotspotsCovered, HotspotShare: s.HotspotShare,
		Risk: s.Risk, RiskCovered: s.RiskCovered, RiskShare: s.RiskShare}
}

// planSummary is the "plan" member of a plan's FeatureCollection.
type planSummary struct {
	Area           string             `json:"area"`
	K              int                `json:"k"`
	Sites          int                `json:"sites"`
	RangeM         float64            `json:"range_m"`
	FOV            float64            `json:"fov"`
	Chosen         []placement.Choice `json:"chosen"`
	CoveredWeight  float64            `json:"covered_weight"`
	TotalWeight    float64            `json:"total_weight"`
	UpperBound     float64            `json:"upper_bound"`
	ExistingWeight float64            `json:"existing_weight"`
	Gain           float64            `json:"gain"`
	Quality        float64            `json:"quality"` // CoveredWeight / UpperBound: at least this share of the optimum
	Optimal        bool               `json:"optimal"` // proven optimal
	Gap            float64            `json:"gap"`     // proven: the optimum covers at most this share more than the plan`
	Before         planTotals         `json:"before"`
	After          planTotals         `json:"after"`
	Millis         int64              `json:"ms"`
}

// planFeatures is a FeatureCollection with the plan's figures as a foreign member.
type planFeatures struct {
	Type     string             `json:"type"`
	Features []*geojson.Feature `json:"features"`
	Plan     planSummary        `json:"plan"`
}

func planCollection(in *inputs.CoverageInputs, req inputs.PlanRequest, p *inputs.PlanResult, took time.Duration) planFeatures {
	res := p.Result
	sum := planSummary{
		Area: in.Area.Code, K: req.K, Sites: p.Sites, RangeM: req.Model.RangeM, FOV: req.Model.FOV, Chosen: res.Chosen,
		CoveredWeight: res.CoveredWeight, TotalWeight: res.TotalWeight, UpperBound: res.UpperBound,
		ExistingWeight: res.ExistingWeight, Gain: res.Gain, Optimal: res.Optimal, Gap: res.Gap,
		Before: totalsOf(p.Before.Get(placement.Scope{})), After: totalsOf(p.After.Get(placement.Scope{})),
		Millis: took.Milliseconds(),
	}
	if res.UpperBound > 0 {
		sum.Quality = res.CoveredWeight / res.UpperBound
	}
	out := planFeatures{Type: "FeatureCollection", Features: []*geojson.Feature{}, Plan: sum}
	for i, pr := range p.Proposals {
		v := pr.Camera.View
		f := geojson.NewFeature(v.Polygon(32))
		gain, hotspots := 0.0, 0
		for _, d := range pr.Gained {
			gain += d.Weight
			if d.Hotspot {
				hotspots++
			}
		}
		f.Properties = geojson.Properties{
			"kind": "camera", "index": i, "ref": pr.Camera.Ref, "site": pr.Site.ID, "lon": v.Site.Lon, "lat": v.Site.Lat,
			"bearing": v.Bearing, "fov": v.FOV, "range_m": v.RangeM, "owner": string(pr.Camera.Owner),
			"gain": gain, "gained_hotspots": hotspots,
		}
		out.Features = append(out.Features, f)
		for _, d := range pr.Gained {
			out.Features = append(out.Features, gainFeature(i, d))
		}
	}
	return out
}

// gainFeature is one demand point a proposed camera newly covers: a hotspot
// as a point, a risk cell as its hexagon.
func gainFeature(camera int, d placement.DemandPoint) *geojson.Feature {
	props := geojson.Properties{"kind": "gain", "camera": camera, "weight": d.Weight}
	if d.Hotspot {
		props["hotspot"] = d.ID
		f := geojson.NewFeature(d.Point.Orb())
		f.Properties = props
		return f
	}
	if cell, err := geo.ParseCell(d.ID); err == nil {
		return cellFeature(cell, props)
	}
	f := geojson.NewFeature(d.Point.Orb())
	f.Properties = props
	return f
}

// evaluateBody is POST /api/plans/evaluate.
type evaluateBody struct {
	demandBody
	Cameras []planCamera `json:"cameras"`
}

// evaluation is the answer of POST /api/plans/evaluate.
type evaluation struct {
	Area   string     `json:"area"`
	Before planTotals `json:"before"`
	After  planTotals `json:"after"`
	Micros int64      `json:"us"` // time spent counting, without the cache lookup
}

// handleEvaluate answers POST /api/plans/evaluate: the coverage of an area
// by its stored cameras (before) and with the listed planned cameras added
// (after). It is what the planner panel calls while a camera is dragged or
// turned, so it only counts: the demand comes from the loader's cache.
func (c *coverageAPI) handleEvaluate(w http.ResponseWriter, r *http.Request) error {
	var b evaluateBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	q, err := b.query()
	if err != nil {
		return err
	}
	planned, err := planCameras(b.Cameras)
	if err != nil {
		return err
	}
	in, err := c.loader.Load(r.Context(), q)
	if err != nil {
		return err
	}
	start := time.Now()
	before, err := inputs.Measure(in, in.Cameras, 0)
	if err != nil {
		return err
	}
	after, err := inputs.Measure(in, append(append([]placement.Camera(nil), in.Cameras...), planned...), 0)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, evaluation{
		Area: in.Area.Code, Before: totalsOf(before.Get(placement.Scope{})), After: totalsOf(after.Get(placement.Scope{})),
		Micros: time.Since(start).Microseconds(),
	})
	return nil
}

// acceptBody is POST /api/plans/accept.
type acceptBody struct {
	Area    string       `json:"area"`
	Cameras []planCamera `json:"cameras"`
}

// handleAccept answers POST /api/plans/accept: it stores a plan's cameras
// as planned, all in one transaction. Cameras without a ref get one made of
// the area, the time and their order ("KH-20530-…-01").
func (c *coverageAPI) handleAccept(w http.ResponseWriter, r *http.Request) error {
	var b acceptBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if len(b.Cameras) == 0 {
		return errBad("cameras", "is empty")
	}
	if len(b.Cameras) > inputs.MaxAccept {
		return errBad("cameras", fmt.Sprintf("at most %d cameras", inputs.MaxAccept))
	}
	stamp := strconv.FormatInt(time.Now().UnixMilli(), 36)
	cams := make([]hotspot.Camera, len(b.Cameras))
	for i, p := range b.Cameras {
		if p.Ref == "" {
			area := b.Area
			if area == "" {
				area = "plan"
			}
			p.Ref = fmt.Sprintf("KH-%s-%s-%02d", area, stamp, i+1)
		}
		cam, err := p.camera(fmt.Sprintf("cameras[%d]", i))
		if err != nil {
			return err
		}
		cams[i] = cam
	}
	stored, err := inputs.Accept(r.Context(), c.s.store, cams)
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for i := range stored {
		fc.Append(cameraFeature(&stored[i], false))
	}
	writeGeoJSON(w, http.StatusCreated, fc)
	return nil
}

// planPoints are the points of a list of plan cameras, for the scope check.
func planPoints(field string, list []planCamera) []bodyPoint {
	out := make([]bodyPoint, len(list))
	for i, c := range list {
		out[i] = bodyPoint{fmt.Sprintf("%s[%d]", field, i), c.Lon, c.Lat}
	}
	return out
}

func (b *planBody) place() bodyPlace {
	return bodyPlace{area: b.Area, points: planPoints("planned", b.Planned)}
}

func (b *evaluateBody) place() bodyPlace {
	return bodyPlace{area: b.Area, points: planPoints("cameras", b.Cameras)}
}

func (b *acceptBody) place() bodyPlace {
	return bodyPlace{area: b.Area, points: planPoints("cameras", b.Cameras)}
}

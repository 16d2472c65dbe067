package webmap

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
	"github.com/diaban/diaban/hotspot/emerging"
	"github.com/diaban/diaban/hotspot/inputs"
	"github.com/diaban/diaban/hotspot/store"
)

// Limits of the emerging-hot-spot endpoints' analysis options.
const (
	maxEmergingRing     = 5
	maxEmergingTimeStep = 24
)

// defaultEmergingOptions are the analysis options of /api/emerging when
// its query sets none (ring 1, space only, alpha 0.05, no FDR): also those
// of a plan weighted by emerging hot spots, so both read one cached analysis.
func defaultEmergingOptions() emerging.Options {
	return emerging.Options{Ring: 1, Alpha: emerging.DefaultAlpha}
}

// parseEmergingParams reads area, kind, from, to (a date is inclusive: to
// the end of that day in Asia/Ho_Chi_Minh, as elsewhere in the API), res,
// bin, ring, time_step, alpha and fdr. The cube's fields are checked by
// hotspot.EmergingQuery.Normalize, then brought within the caller's
// disclosure rule (hotspot/disclosure): for a viewer res is at most 8 and
// from/to are widened to whole months (bins are a month or longer for
// everyone); the answer's res, from and to say what was analysed.
func parseEmergingParams(r *http.Request) (inputs.EmergingQuestion, error) {
	v := r.URL.Query()
	p := inputs.EmergingQuestion{Query: hotspot.EmergingQuery{
		AreaCode: v.Get("area"),
		Kind:     hotspot.IncidentKind(v.Get("kind")),
		Bin:      hotspot.TimeBin(v.Get("bin")),
	}, Options: defaultEmergingOptions()}
	var err error
	if p.Query.From, err = queryTime(r, "from"); err != nil {
		return p, err
	}
	if p.Query.To, err = queryDayEnd(r, "to"); err != nil {
		return p, err
	}
	if p.Query.Res, err = queryInt(r, "res", 9); err != nil {
		return p, err
	}
	if p.Options.Ring, err = queryInt(r, "ring", p.Options.Ring); err != nil {
		return p, err
	}
	if p.Options.Ring < 1 || p.Options.Ring > maxEmergingRing {
		return p, errBad("ring", fmt.Sprintf("must be between 1 and %d", maxEmergingRing))
	}
	if p.Options.TimeStep, err = queryInt(r, "time_step", 0); err != nil {
		return p, err
	}
	if p.Options.TimeStep < 0 || p.Options.TimeStep > maxEmergingTimeStep {
		return p, errBad("time_step", fmt.Sprintf("must be between 0 and %d", maxEmergingTimeStep))
	}
	if s := v.Get("alpha"); s != "" {
		a, err := strconv.ParseFloat(s, 64)
		if err != nil || !emerging.AlphaValid(a) || math.Abs(a*1000-math.Round(a*1000)) > 1e-9 {
			return p, errBad("alpha", fmt.Sprintf("%q is not a significance level in (0, %g] with at most 3 decimals", s, emerging.MaxAlpha))
		}
		a = math.Round(a*1000) / 1000 // one cache key per level: 0.05 and 0.050 are one question
		p.Options.Alpha = a
	}
	if s := v.Get("fdr"); s != "" {
		if p.Options.FDR, err = strconv.ParseBool(s); err != nil {
			return p, errBad("fdr", fmt.Sprintf("%q is not true or false", s))
		}
	}
	if p.Query, err = p.Query.Normalize(); err != nil {
		return p, err
	}
	rule := disclosure.For(roleOf(userFrom(r.Context())))
	p.Query.Res = rule.Res(p.Query.Res)
	p.Query.From, p.Query.To = rule.Window(p.Query.From, p.Query.To)
	return p, checkSpan(p.Query.From, p.Query.To)
}

// handleEmerging answers GET /api/emerging: every cell of the area's cube
// as a GeoJSON hexagon with its category (and Vietnamese label), the
// Mann–Kendall trend of its Gi* z-scores (mk_z, mk_p) and the last bin's
// Gi* (z, p; null where undefined). The collection carries the bin labels,
// the range counted and the legend with counts per category.
func (a *emergingAPI) handleEmerging(w http.ResponseWriter, r *http.Request) error {
	p, err := parseEmergingParams(r)
	if err != nil {
		return err
	}
	res, err := a.result(r.Context(), p)
	if err != nil {
		return err
	}
	body, err := res.bodyFor(disclosure.For(roleOf(userFrom(r.Context()))))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return nil
}

// handleEmergingCell answers GET /api/emerging/cells/{cell}?...: one
// cell's category, trend, and per bin its count and Gi* z and p, for the
// map's z-score chart. The query is that of /api/emerging, so the answer
// comes from the same cached analysis.
func (a *emergingAPI) handleEmergingCell(w http.ResponseWriter, r *http.Request) error {
	cell, err := geo.ParseCell(r.PathValue("cell"))
	if err != nil {
		return errBad("cell", fmt.Sprintf("%q is not an H3 cell", r.PathValue("cell")))
	}
	p, err := parseEmergingParams(r)
	if err != nil {
		return err
	}
	res, err := a.result(r.Context(), p)
	if err != nil {
		return err
	}
	if res.r == nil {
		return hotspot.ErrNotFound
	}
	i, ok := res.ec.Cube.Index(cell)
	if !ok {
		return fmt.Errorf("cell %s: %w", cell, hotspot.ErrNotFound)
	}
	rule := disclosure.For(roleOf(userFrom(r.Context())))
	type binOut struct {
		Bin        string   `json:"bin"`
		Start      string   `json:"start"`
		Count      any      `json:"count"` // a number, or "< 5" for a viewer (hotspot/disclosure)
		Suppressed bool     `json:"suppressed,omitempty"`
		Z          *float64 `json:"z"`
		P          *float64 `json:"p"`
		Hot        bool     `json:"hot"`
		Cold       bool     `json:"cold"`
	}
	rr, bins := res.r, res.r.Bins
	out := struct {
		Cell     string   `json:"cell"`
		Category string   `json:"category"`
		Label    string   `json:"label"`
		LabelEN  string   `json:"label_en"`
		Colour   string   `json:"colour"`
		MKZ      float64  `json:"mk_z"`
		MKP      float64  `json:"mk_p"`
		MKS      float64  `json:"mk_s"`
		Alpha    float64  `json:"alpha"`
		Bins     []binOut `json:"bins"`
	}{
		Cell: cell.String(), Category: string(rr.Category[i]), Label: rr.Category[i].LabelVI(), LabelEN: rr.Category[i].LabelEN(),
		Colour: rr.Category[i].Colour(), MKZ: round4(rr.Trend[i].Z), MKP: round4(rr.Trend[i].P), MKS: rr.Trend[i].S,
		Alpha: p.Options.Alpha, Bins: make([]binOut, bins),
	}
	series := res.ec.Cube.Series(i)
	for t := 0; t < bins; t++ {
		k := i*bins + t
		n := int64(math.Round(series[t]))
		b := binOut{Bin: res.labels[t], Start: res.ec.Starts[t].Format(time.RFC3339), Count: rule.Value(n), Suppressed: rule.Suppressed(n)}
		if rr.Defined[k] {
			z, pv := round4(rr.Z[k]), round4(rr.P[k])
			b.Z, b.P = &z, &pv
			b.Hot = rr.Z[k] > 0 && rr.P[k] < p.Options.Alpha
			b.Cold = rr.Z[k] < 0 && rr.P[k] < p.Options.Alpha
		}
		out.Bins[t] = b
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// emergingResult is one analysis, with its GeoJSON answer marshalled once
// per disclosure rule: exact when the cache fills it, limited (a viewer's)
// on the first viewer's request.
type emergingResult struct {
	an     *inputs.EmergingAnalysis
	ec     *store.EmergingCube // nil when the area has no incidents
	r      *emerging.Result
	labels []string
	body   []byte // under the exact rule

	limOnce sync.Once
	limBody []byte // under the viewer's rule
	limErr  error
}

// bodyFor returns the answer under rule.
func (res *emergingResult) bodyFor(rule disclosure.Rule) ([]byte, error) {
	if !rule.Limited() {
		return res.body, nil
	}
	res.limOnce.Do(func() { res.limBody, res.limErr = renderEmerging(res, rule) })
	return res.limBody, res.limErr
}

// render marshals an analysis as the answer of /api/emerging: what the
// emerging cache keeps of it.
func (a *emergingAPI) render(an *inputs.EmergingAnalysis) (*emergingResult, error) {
	res := &emergingResult{an: an, ec: an.Cube, r: an.Result, labels: an.Labels}
	var err error
	res.body, err = renderEmerging(res, disclosure.Rule{})
	return res, err
}

// renderEmerging marshals the analysis under rule: a cell's count (its
// incidents over the range) and last_count (in the last bin), and the
// collection's incidents, are counts of incidents (a number, or "< 5" with
// "suppressed": true for a viewer). Categories, z and p are statistics of
// a cell's neighbourhood and stay.
func renderEmerging(res *emergingResult, rule disclosure.Rule) ([]byte, error) {
	an := res.an
	p, seq := an.Question, an.Version.Incidents
	if an.Cube == nil {
		fc := geojson.NewFeatureCollection()
		fc.ExtraMembers = geojson.Properties{"area": p.Query.AreaCode, "bins": []string{}, "seq": seq, "incidents": 0, "legend": emergingLegend(nil)}
		return json.Marshal(fc)
	}
	ec, r := an.Cube, an.Result
	fc := geojson.NewFeatureCollection()
	last := r.Bins - 1
	tally := map[emerging.Category]int{}
	for i, c := range r.Cells {
		cat := r.Category[i]
		tally[cat]++
		series := ec.Cube.Series(i)
		total := 0.0
		for _, x := range series {
			total += x
		}
		props := geojson.Properties{
			"category": string(cat), "label": cat.LabelVI(), "colour": cat.Colour(),
			"mk_z": round4(r.Trend[i].Z), "mk_p": round4(r.Trend[i].P),
			"z": nil, "p": nil,
		}
		rule.Properties(props, "count", int64(math.Round(total)))
		rule.Properties(props, "last_count", int64(math.Round(series[last])))
		if k := i*r.Bins + last; r.Defined[k] {
			props["z"], props["p"] = round4(r.Z[k]), round4(r.P[k])
		}
		fc.Append(cellFeature(c, props))
	}
	q := ec.Query
	fc.ExtraMembers = geojson.Properties{
		"area": q.AreaCode, "kind": string(q.Kind), "res": q.Res, "bin": string(q.Bin),
		"from": q.From.In(hotspot.Zone).Format(time.RFC3339), "to": q.To.In(hotspot.Zone).Format(time.RFC3339),
		"bins": res.labels, "seq": seq, "incidents": rule.Value(int64(ec.Incidents)), "fringe_cells": ec.Fringe,
		"ring": p.Options.Ring, "time_step": p.Options.TimeStep, "alpha": p.Options.Alpha, "fdr": p.Options.FDR,
		"legend": emergingLegend(tally),
	}
	return json.Marshal(fc)
}

// emergingLegend lists every category in legend order with its labels,
// colour and number of cells.
func emergingLegend(tally map[emerging.Category]int) []map[string]any {
	out := make([]map[string]any, 0, len(emerging.Categories))
	for _, c := range emerging.Categories {
		out = append(out, map[string]any{"category": string(c), "label": c.LabelVI(), "label_en": c.LabelEN(), "colour": c.Colour(), "cells": tally[c]})
	}
	return out
}

// round4 rounds to 4 decimals: enough for a map, a third of the bytes.
func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

package inputs

import (
	"context"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
	"github.com/diaban/diaban/hotspot/metrics"
	"github.com/diaban/diaban/hotspot/report"
	"github.com/diaban/diaban/hotspot/store"
)

// ReportRequest is what a committee's report is about and for whom.
type ReportRequest struct {
	Area   string
	Period hotspot.Period
	AsOf   time.Time // the geography's date; zero: today
	Config metrics.Config
	Role   hotspot.Role // the reader: its disclosure rule applies
	// English writes the report in English.
	English bool
	// Now is the report's date; zero: time.Now().
	Now time.Time
}

// LoadReport gathers a report's data through the store, with the same
// loaders and computations as the metrics API (GET /api/areas/{code}/metrics
// and GET /api/metrics): the area as one, its criteria judged on the
// rolled-up indicators (metrics.AreaCriteria), and for a district or
// province the roll-up over its communes with each commune's metrics this
// period and the previous one. The units' boundaries are those in force
// on AsOf. New and recurred hotspots are listed as places only for roles
// that may read hotspot points (not a viewer). The context's scope (row-
// level security) applies to every read.
func LoadReport(ctx context.Context, st *store.Store, req ReportRequest) (*report.Data, error) {
	// A viewer's custom window of days is widened to whole months, as the
	// metrics routes do (disclosure.Rule.Period).
	cfg, p := req.Config, disclosure.For(req.Role).Period(req.Period)
	asOf := store.DateOf(req.AsOf)
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	got, err := st.MetricsInputAsOf(ctx, req.Area, asOf, cfg, p)
	if err != nil {
		return nil, err
	}
	a := got.Area
	d := &report.Data{Period: p, AsOf: asOf, Generated: now, Rule: disclosure.For(req.Role), English: req.English}
	d.Total = metrics.Compute(got.Input, p, cfg)
	d.Previous = metrics.Compute(got.Input, p.Previous(), cfg)
	d.Criteria = metrics.AreaCriteria(d.Total, got.Input)
	tree, err := st.AreasAsOf(ctx, asOf)
	if err != nil {
		return nil, err
	}
	if parent, ok := tree.ByCode(a.ParentCode); ok {
		d.Parent = parent.Name
	}
	d.Area = report.Unit{Code: a.Code, Name: a.Name, Level: a.Level}
	units := []*store.AreaAsOf{a}
	if hotspot.LevelRank(a.Level) < hotspot.LevelRank(hotspot.LevelCommune) {
		children, _, err := st.ChildMetricsInputsAsOf(ctx, a.Code, asOf, p, cfg)
		if err != nil {
			return nil, err
		}
		ru, ms := metrics.ComputeRollUp(a.Code, children, p, cfg, 0)
		prev := metrics.ComputeMany(children, p.Previous(), cfg, 0)
		d.RollUp = &ru
		units = units[:0]
		for i, c := range children {
			u, _ := tree.ByCode(c.Code)
			units = append(units, u)
			d.Units = append(d.Units, report.UnitRow{Unit: report.Unit{Code: c.Code, Name: u.Name, Level: u.Level}, Cur: ms[i], Prev: prev[i]})
		}
	} else {
		d.Units = []report.UnitRow{{Unit: d.Area, Cur: d.Total, Prev: d.Previous}}
	}
	ids := make([]int64, len(units))
	for i, u := range units {
		ids[i] = u.VersionID
	}
	shapes, err := st.VersionShapes(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, u := range units {
		d.Units[i].Shape = shapes[u.VersionID]
	}
	if d.Rule.Limited() {
		d.PlacesWithheld = true // a viewer reads no hotspot point
		return d, nil
	}
	places, err := st.ChangedPlaces(ctx, a.VersionID, p.Start(), p.End())
	if err != nil {
		return nil, err
	}
	for _, pl := range places {
		rp := report.Place{Ref: pl.Ref, Name: pl.Name, Kind: hotspot.HotspotKind(pl.Kind), Event: hotspot.EventKind(pl.Event), At: pl.At}
		pt := orb.Point{pl.Lon, pl.Lat}
		for _, u := range d.Units {
			if u.Shape != nil && planar.MultiPolygonContains(u.Shape, pt) {
				rp.Unit = u.Name
				break
			}
		}
		d.Places = append(d.Places, rp)
	}
	return d, nil
}

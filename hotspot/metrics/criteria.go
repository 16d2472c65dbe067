package metrics

import (
	"github.com/diaban/diaban/hotspot"
)

// Criterion is one of seed 001's six criteria for recognising an area as
// drug-free (Hóc Môn 2024), judged for one period from the metrics and the
// area's indicators where they exist.
type Criterion struct {
	// ID is the criterion's number in seed 001, 1 to 6.
	ID int `json:"id"`
	// Status is met, not_met or unknown (an indicator needed is not reported).
	Status string `json:"status"`
	// Values are the numbers judged, by metric or indicator key; null when
	// not reported.
	Values map[string]*float64 `json:"values"`
}

// The criterion statuses.
const (
	CriterionMet     = "met"
	CriterionNotMet  = "not_met"
	CriterionUnknown = "unknown"
)

// check is one condition of a criterion: known is false when a value it
// needs is missing.
type check struct{ ok, known bool }

func judge(checks ...check) string {
	status := CriterionMet
	for _, c := range checks {
		switch {
		case c.known && !c.ok:
			return CriterionNotMet
		case !c.known:
			status = CriterionUnknown
		}
	}
	return status
}

// covers checks that part ≥ whole (100% reached); a whole of 0 is covered.
func covers(part, whole *float64) check {
	if part == nil || whole == nil {
		return check{known: false}
	}
	return check{ok: *part >= *whole, known: true}
}

// zero checks that v is 0.
func zero(v *float64) check {
	if v == nil {
		return check{known: false}
	}
	return check{ok: *v == 0, known: true}
}

func num(v int) *float64 { f := float64(v); return &f }

// Criteria judges seed 001's six criteria for m (the area's metrics for p)
// and the area's indicators. Indicators are read as the metrics package
// reads registered_users: the latest value reported for a period ending in
// or before p's last month.
//
//  1. tips handled as required: tips handled in the period ≥ tips received.
//  2. outreach: households_reached ≥ households_total and
//     high_risk_reached ≥ high_risk_total.
//  3. hotspots: none active at the period's end, none recurred, none new.
//  4. cases traced to the users: cases_traced_to_users ≥ cases_total.
//  5. plants destroyed and no production: plant_area_destroyed_m2 ≥
//     plant_area_found_m2 and no production incident in the period.
//  6. no public use and every user offered services: public_use_reports = 0
//     and users_offered_services ≥ registered_users.
func Criteria(m AreaMetrics, inds []IndicatorValue, p hotspot.Period) []Criterion {
	ind := func(key string) *float64 {
		if v, ok := latestIndicator(inds, key, p.LastMonth()); ok {
			return &v
		}
		return nil
	}
	tipsRecv, tipsHandled := num(m.TipsReceived), num(m.TipsHandled)
	hhTotal, hhReached := ind(hotspot.IndHouseholdsTotal), ind(hotspot.IndHouseholdsReached)
	hrTotal, hrReached := ind(hotspot.IndHighRiskTotal), ind(hotspot.IndHighRiskReached)
	activeEnd, recurred, newH := num(m.ActiveEnd), num(m.Recurred), num(m.New)
	casesTotal, casesTraced := ind(hotspot.IndCasesTotal), ind(hotspot.IndCasesTracedToUsers)
	plantFound, plantDestroyed := ind(hotspot.IndPlantAreaFoundM2), ind(hotspot.IndPlantAreaDestroyedM2)
	production := num(m.Incidents[hotspot.IncProduction])
	publicUse := ind(hotspot.IndPublicUseReports)
	offered, registered := ind(hotspot.IndUsersOfferedServices), ind(hotspot.IndRegisteredUsers)
	return []Criterion{
		{ID: 1, Status: judge(covers(tipsHandled, tipsRecv)),
			Values: map[string]*float64{"tips_received": tipsRecv, "tips_handled": tipsHandled}},
		{ID: 2, Status: judge(covers(hhReached, hhTotal), covers(hrReached, hrTotal)),
			Values: map[string]*float64{hotspot.IndHouseholdsTotal: hhTotal, hotspot.IndHouseholdsReached: hhReached, hotspot.IndHighRiskTotal: hrTotal, hotspot.IndHighRiskReached: hrReached}},
		{ID: 3, Status: judge(zero(activeEnd), zero(recurred), zero(newH)),
			Values: map[string]*float64{"active_end": activeEnd, "recurred": recurred, "new": newH}},
		{ID: 4, Status: judge(covers(casesTraced, casesTotal)),
			Values: map[string]*float64{hotspot.IndCasesTotal: casesTotal, hotspot.IndCasesTracedToUsers: casesTraced}},
		{ID: 5, Status: judge(zero(production), covers(plantDestroyed, plantFound)),
			Values: map[string]*float64{"incidents_production": production, hotspot.IndPlantAreaFoundM2: plantFound, hotspot.IndPlantAreaDestroyedM2: plantDestroyed}},
		{ID: 6, Status: judge(zero(publicUse), covers(offered, registered)),
			Values: map[string]*float64{hotspot.IndPublicUseReports: publicUse, hotspot.IndUsersOfferedServices: offered, hotspot.IndRegisteredUsers: registered}},
	}
}

// AreaCriteria judges the six criteria for m (in's metrics for m.Period)
// from in's indicators: for an area with children (a district or province,
// AreaInput.Children set) the indicators rolled up from its children
// (RollUpIndicators), never the parent's own rows where a child reports the
// key. Callers judging an area they loaded should use this rather than
// Criteria.
func AreaCriteria(m AreaMetrics, in AreaInput) []Criterion {
	ind := in.Indicators
	if len(in.Children) > 0 {
		ind = RollUpIndicators(in.Indicators, in.Children)
	}
	return Criteria(m, ind, m.Period)
}

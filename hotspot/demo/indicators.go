package demo

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/diaban/diaban/hotspot"
)

// The indicator keys are the hotspot package's: one list for the whole product.
const (
	IndRegisteredUsers      = hotspot.IndRegisteredUsers
	IndUsersInTreatment     = hotspot.IndUsersInTreatment
	IndUsersLeftRegister    = hotspot.IndUsersLeftRegister
	IndUsersOfferedServices = hotspot.IndUsersOfferedServices
	IndHouseholdsTotal      = hotspot.IndHouseholdsTotal
	IndHouseholdsReached    = hotspot.IndHouseholdsReached
	IndHighRiskTotal        = hotspot.IndHighRiskTotal
	IndHighRiskReached      = hotspot.IndHighRiskReached
	IndCasesTotal           = hotspot.IndCasesTotal
	IndCasesTracedToUsers   = hotspot.IndCasesTracedToUsers
	IndPlantAreaFoundM2     = hotspot.IndPlantAreaFoundM2
	IndPlantAreaDestroyedM2 = hotspot.IndPlantAreaDestroyedM2
	IndPublicUseReports     = hotspot.IndPublicUseReports
)

// IndicatorKeys lists the keys in the order written for each commune-month.
var IndicatorKeys = hotspot.IndicatorKeys

// householdsBase is a rough household count per commune (synthetic, of the
// right order for Hội An's wards and communes).
var householdsBase = map[string]int{
	"20398": 1650, "20401": 1500, "20404": 3100, "20407": 2700, "20410": 1550,
	"20413": 2400, "20416": 2300, "20419": 1500, "20422": 2100, "20425": 1500,
	"20428": 1600, "20431": 2500, "20434": 750,
}

// caseKinds are incident kinds that count as criminal cases.
var caseKinds = map[string]bool{
	IncTrafficking: true, IncStorage: true, IncTransport: true, IncProduction: true, IncOrganisedUse: true,
}

// monthTally is what the incidents say about one commune-month.
type monthTally struct{ cases, cultivation, publicUse int }

// genIndicators writes a month of counts per unit for every month of the
// window: the old communes before the reform, the new units after. Stocks
// (registered users, households, high-risk group) are end-of-month values;
// flows (users leaving the register, cases, plant area, public-use reports)
// are counts within the month; "reached" values are cumulative since the
// start of the calendar year. cases_total, plant area found and
// public_use_reports are derived from the incidents.
func (g *generator) genIndicators() error {
	r := g.rng(5)
	months := windowMonths()
	tally := g.tallyIncidents(months)
	vals := make([][][]int, len(g.layout.communes))
	for ci := range vals {
		vals[ci] = make([][]int, len(months))
	}
	periods := make([]string, len(months))
	for ci, c := range g.layout.communes {
		hs := hotspotsPerCommune[c.code]
		reg := 3 + 4*hs + r.IntN(6)
		if c.code == islandCode {
			reg = 1
		}
		treat := 0.70 + 0.22*r.Float64()
		leave := 0.0005 + 0.0012*r.Float64()
		hh := float64(householdsBase[c.code])
		hhCover := 0.90 + 0.10*r.Float64()
		risk := 5 + 3*hs + r.IntN(5)
		riskCover := 0.85 + 0.15*r.Float64()
		traced := 0.75 + 0.25*r.Float64()
		for mi, m := range months {
			period := m.Format("2006-01")
			left := binomial(r, reg, leave)
			reg = max(0, reg+poisson(r, float64(reg)*0.015+0.1)-left-binomial(r, reg, 0.008))
			inT := min(reg, int(math.Round(float64(reg)*clamp(treat+0.04*r.NormFloat64(), 0, 1))))
			offered := inT + int(math.Round(float64(reg-inT)*(0.3+0.7*r.Float64())))
			hh *= 1.0008
			k := float64(m.Month())
			ramp := math.Pow(k/12, 0.7)
			hhReached := int(math.Round(math.Floor(hh) * math.Min(1, hhCover*ramp)))
			if mi%12 == 0 && r.Float64() < 0.3 {
				risk = max(2, risk+r.IntN(5)-2)
			}
			riskReached := min(risk, int(math.Round(float64(risk)*riskCover*ramp)))
			t := tally[ci][mi]
			found := 0
			for range t.cultivation {
				found += 5 + r.IntN(56)
			}
			destroyed := found
			if found > 0 && r.Float64() < 0.12 {
				destroyed = int(float64(found) * 0.8)
			}
			values := []int{reg, inT, left, offered, int(hh), hhReached, risk, riskReached,
				t.cases, binomial(r, t.cases, traced), found, destroyed, t.publicUse}
			vals[ci][mi] = values
			periods[mi] = period
		}
	}
	// Recorded on the units in force: the old communes until June 2025, the
	// new units (their predecessors' sums, so the series run on) after.
	for ci, c := range g.layout.communes {
		for mi, m := range months {
			if m.Before(ReformStart) {
				for i, key := range IndicatorKeys {
					g.ds.Indicators = append(g.ds.Indicators, Indicator{AreaCode: c.code, Period: periods[mi], Key: key, Value: int64(vals[ci][mi][i])})
				}
			}
		}
	}
	ciOf := map[string]int{}
	for ci, c := range g.layout.communes {
		ciOf[c.code] = ci
	}
	for _, u := range g.layout.reform {
		for mi, m := range months {
			if m.Before(ReformStart) {
				continue
			}
			for i, key := range IndicatorKeys {
				var v int
				for _, p := range u.preds {
					v += vals[ciOf[p]][mi][i]
				}
				g.ds.Indicators = append(g.ds.Indicators, Indicator{AreaCode: u.code, Period: periods[mi], Key: key, Value: int64(v)})
			}
		}
	}
	return nil
}

// windowMonths lists the first day of each month from WindowStart to the
// month of the last day.
func windowMonths() []time.Time {
	var out []time.Time
	for m := WindowStart; m.Before(WindowEnd); m = m.AddDate(0, 1, 0) {
		out = append(out, m)
	}
	return out
}

func (g *generator) tallyIncidents(months []time.Time) [][]monthTally {
	idx := map[string]int{}
	for i, c := range g.layout.communes {
		idx[c.code] = i
	}
	out := make([][]monthTally, len(g.layout.communes))
	for i := range out {
		out[i] = make([]monthTally, len(months))
	}
	for _, in := range g.ds.Incidents {
		mi := (in.OccurredAt.Year()-WindowStart.Year())*12 + int(in.OccurredAt.Month()) - int(WindowStart.Month())
		t := &out[idx[in.AreaCode]][mi]
		switch {
		case caseKinds[in.Kind]:
			t.cases++
		case in.Kind == IncCultivation:
			t.cultivation++
		case in.Kind == IncUse && in.source >= 0 && g.plans[in.source].kind == KindPublicUse:
			t.publicUse++
		}
	}
	return out
}

func binomial(r *rand.Rand, n int, p float64) int {
	k := 0
	for range n {
		if r.Float64() < p {
			k++
		}
	}
	return k
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

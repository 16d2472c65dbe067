package demo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/diaban/diaban/hotspot"
	"github.com/paulmach/orb"
)

// Incident kinds, as written to incidents.csv.
const (
	IncTrafficking  = string(hotspot.IncTrafficking)
	IncStorage      = string(hotspot.IncStorage)
	IncTransport    = string(hotspot.IncTransport)
	IncOrganisedUse = string(hotspot.IncOrganisedUse)
	IncUse          = string(hotspot.IncUse)
	IncCultivation  = string(hotspot.IncCultivation)
	IncProduction   = string(hotspot.IncProduction)
	IncOther        = string(hotspot.IncOther)
)

// TargetIncidents is the expected number of incidents in the data set.
const TargetIncidents = 40000

// incidentKinds weights the kind of an incident by what caused it: the kind
// of hotspot nearby, or "" for background.
var incidentKinds = map[string][]choice{
	KindDealing:      {{IncUse, 50}, {IncTrafficking, 30}, {IncTransport, 8}, {IncStorage, 5}, {IncOther, 7}},
	KindStorage:      {{IncStorage, 35}, {IncTrafficking, 25}, {IncTransport, 15}, {IncUse, 20}, {IncOther, 5}},
	KindOrganisedUse: {{IncOrganisedUse, 35}, {IncUse, 50}, {IncTrafficking, 10}, {IncOther, 5}},
	KindPublicUse:    {{IncUse, 80}, {IncTrafficking, 8}, {IncOther, 12}},
	KindCultivation:  {{IncCultivation, 60}, {IncUse, 25}, {IncOther, 15}},
	KindProduction:   {{IncProduction, 40}, {IncStorage, 25}, {IncTrafficking, 20}, {IncUse, 15}},
	"":               {{IncUse, 60}, {IncTrafficking, 12}, {IncTransport, 8}, {IncStorage, 6}, {IncOrganisedUse, 4}, {IncOther, 10}},
}

// draw is one event drawn from the intensity: a day, a place, and its source.
type draw struct {
	day    int
	point  orb.Point
	source int // hotspot index or -1
	area   int // commune index
}

// drawEvents draws about target events from the intensity over the window.
// spreadScale shrinks or widens the distance decay around hotspots.
func (g *generator) drawEvents(r *rand.Rand, target float64, spreadScale float64) ([]draw, error) {
	n := days(WindowStart, WindowEnd)
	comm := g.layout.communes
	// Totals first, to scale both parts to the target.
	var hot, bg float64
	for i := 0; i < n; i++ {
		s := season(i)
		for _, p := range g.plans {
			hot += p.activity(i) * s
		}
	}
	for ci := range comm {
		bg += comm[ci].backgroundRate() * float64(n)
	}
	hotScale := target * (1 - backgroundShare) / hot
	bgScale := target * backgroundShare / bg

	var out []draw
	for i := 0; i < n; i++ {
		s := season(i)
		for hi, p := range g.plans {
			k := poisson(r, p.activity(i)*s*hotScale)
			for ; k > 0; k-- {
				pt, ok := g.nearHotspot(r, p, spreadScale)
				if !ok {
					return nil, fmt.Errorf("no point near hotspot %d", hi)
				}
				out = append(out, draw{day: i, point: pt, source: hi, area: p.commune})
			}
		}
		for ci := range comm {
			k := poisson(r, comm[ci].backgroundRate()*s*bgScale)
			for ; k > 0; k-- {
				pt, ok := g.inCommune(r, ci)
				if !ok {
					return nil, fmt.Errorf("no background point in %s", comm[ci].code)
				}
				out = append(out, draw{day: i, point: pt, source: -1, area: ci})
			}
		}
	}
	return out, nil
}

// nearHotspot draws a point around p with exponential distance decay. A
// draw that lands outside every commune (the sea, the river border) is
// retried; points may fall in a neighbouring commune.
func (g *generator) nearHotspot(r *rand.Rand, p *plan, spreadScale float64) (orb.Point, bool) {
	for try := 0; try < 200; try++ {
		d := r.ExpFloat64() * p.spreadM * spreadScale / 2
		th := 2 * math.Pi * r.Float64()
		q := roundPoint(offset(p.point, d*math.Cos(th), d*math.Sin(th)), coordScale)
		if g.layout.locate(q, 2) >= 0 {
			return q, true
		}
	}
	return orb.Point{}, false
}

// inCommune draws a point in commune ci, denser towards its centre.
func (g *generator) inCommune(r *rand.Rand, ci int) (orb.Point, bool) {
	c := &g.layout.communes[ci]
	sigma := math.Sqrt(c.areaKm2) * 1000 / 2.5
	for try := 0; try < 500; try++ {
		q := roundPoint(offset(c.seed.centre, sigma*r.NormFloat64(), sigma*r.NormFloat64()), coordScale)
		if g.layout.locate(q, 2) == ci {
			return q, true
		}
	}
	return orb.Point{}, false
}

func (g *generator) genIncidents() error {
	r := g.rng(2)
	draws, err := g.drawEvents(r, TargetIncidents, 1)
	if err != nil {
		return err
	}
	ins := make([]Incident, 0, len(draws))
	for _, d := range draws {
		src := ""
		if d.source >= 0 {
			src = g.plans[d.source].kind
		}
		ins = append(ins, Incident{
			Point:      d.point,
			Kind:       pick(r, incidentKinds[src]),
			OccurredAt: atRandomTime(r, dayAt(d.day), hourWeights),
			AreaCode:   g.layout.communes[g.layout.locate(d.point, 0)].code,
			source:     d.source,
		})
	}
	slices.SortStableFunc(ins, func(a, b Incident) int { return cmp.Compare(a.OccurredAt.Unix(), b.OccurredAt.Unix()) })
	for i := range ins {
		ins[i].Ref = fmt.Sprintf("HA-IN-%05d", i+1)
	}
	g.ds.Incidents = ins
	return nil
}

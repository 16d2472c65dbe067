package demo

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"
)

// TargetTips is the expected number of tips in the data set.
const TargetTips = 3000

// genTips draws tips from the same intensity as incidents (residents report
// what goes on around hotspots, often before police detect them), then
// decides what each tip locates and when it was handled: most within days,
// some recent ones not yet, and a handful of old ones left open.
func (g *generator) genTips() error {
	r := g.rng(3)
	draws, err := g.drawEvents(r, TargetTips, 0.6)
	if err != nil {
		return err
	}
	tips := make([]Tip, 0, len(draws))
	recent := WindowEnd.AddDate(0, 0, -21)
	successor := g.layout.newUnitOf()
	for _, d := range draws {
		t := Tip{ReceivedAt: atRandomTime(r, dayAt(d.day), hourWeights)}
		// The ward a tip names is the unit in force when it came in: an
		// old commune before the reform, today's unit after it.
		code := g.layout.communes[g.layout.locate(d.point, 0)].code
		if !t.ReceivedAt.Before(ReformStart) {
			code = successor[code]
		}
		switch u := r.Float64(); {
		case u < 0.60: // a place on the map (app, hotline with an address)
			t.HasPoint, t.Point = true, d.point
		case u < 0.75: // a point and its ward, named as today (the point tells the old one)
			t.HasPoint, t.Point, t.AreaCode = true, d.point, successor[g.layout.communes[g.layout.locate(d.point, 0)].code]
		default: // tip box or letter: only the ward is known
			t.AreaCode = code
		}
		hours := math.Min(math.Exp(math.Log(30)+1.0*r.NormFloat64()), 20*24)
		handled := t.ReceivedAt.Add(time.Duration(hours * float64(time.Hour))).Truncate(time.Minute)
		switch {
		case t.ReceivedAt.After(recent) && r.Float64() < 0.35:
		case r.Float64() < 0.004:
		case !handled.Before(WindowEnd):
		default:
			t.HandledAt = handled
		}
		tips = append(tips, t)
	}
	slices.SortStableFunc(tips, func(a, b Tip) int { return cmp.Compare(a.ReceivedAt.Unix(), b.ReceivedAt.Unix()) })
	for i := range tips {
		tips[i].Ref = fmt.Sprintf("HA-TIP-%04d", i+1)
	}
	g.ds.Tips = tips
	return nil
}

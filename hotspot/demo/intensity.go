package demo

import (
	"math"
	"time"
)

// This file is the space-time intensity that incidents and tips are drawn
// from: each hotspot's activity over its lifecycle, a background per
// commune, and the season.

// tetDates are the first days of the lunar new year in the window.
var tetDates = []time.Time{
	time.Date(2021, 2, 12, 0, 0, 0, 0, Location),
	time.Date(2022, 2, 1, 0, 0, 0, 0, Location),
	time.Date(2023, 1, 22, 0, 0, 0, 0, Location),
	time.Date(2024, 2, 10, 0, 0, 0, 0, Location),
	time.Date(2025, 1, 29, 0, 0, 0, 0, Location),
	time.Date(2026, 2, 17, 0, 0, 0, 0, Location),
}

// season is the multiplier for day i: a bump in the weeks before Tết
// (peaking a week before it), a summer tourist bump, and busier weekends.
func season(i int) float64 {
	d := dayAt(i)
	m := 1.0
	for _, t := range tetDates {
		x := float64(days(t, d)) // negative before Tết
		switch {
		case x >= -50 && x < -7:
			m += 0.6 * (x + 50) / 43
		case x >= -7 && x < 5:
			m += 0.6 * (5 - x) / 12
		}
	}
	if mo := d.Month(); mo >= time.June && mo <= time.August {
		m += 0.15
	}
	if wd := d.Weekday(); wd == time.Friday || wd == time.Saturday {
		m += 0.15
	}
	return m
}

// activity is hotspot p's relative incident rate on day i (before the
// season): rising before police detect it, full while active (growing for
// an emerging hotspot), and decaying to a residual after elimination.
func (p *plan) activity(i int) float64 {
	det := p.events[0].day
	if i < det {
		start := det - p.leadDays
		if i < start {
			return 0
		}
		return p.base * (0.4 + 0.4*float64(i-start)/float64(p.leadDays))
	}
	state, since := EventDetected, det
	for _, e := range p.events {
		if e.day > i {
			break
		}
		if e.kind != EventNote {
			state, since = e.kind, e.day
		}
	}
	if state == EventEliminated {
		return p.base * (0.1 + 0.9*math.Exp(-float64(i-since)/25))
	}
	a := p.base
	if state == EventRecurred {
		a *= 0.8
	}
	if p.emerging {
		end := days(WindowStart, WindowEnd)
		a *= 1 + 1.5*float64(i-det)/float64(end-det)
	}
	return a
}

// backgroundShare is the fraction of incidents not tied to any hotspot.
const backgroundShare = 0.3

// backgroundRate is commune c's relative background rate per day.
func (c *commune) backgroundRate() float64 { return c.seed.density * math.Sqrt(c.areaKm2) }

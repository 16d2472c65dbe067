package metrics

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/diaban/diaban/hotspot"
)

// Class is a commune's class in the yearly review (phân loại xã, phường).
type Class string

// The three classes, from the most complex.
const (
	ClassKey      Class = "key"      // xã trọng điểm về ma túy
	ClassAffected Class = "affected" // xã có tệ nạn ma túy
	ClassClear    Class = "clear"    // xã không có tệ nạn ma túy
)

// rank orders classes: a lower rank is an improvement.
func (c Class) rank() int {
	switch c {
	case ClassKey:
		return 2
	case ClassAffected:
		return 1
	}
	return 0
}

// AreaMetrics is everything a committee reviews for one area and period.
// Ratios are nil (JSON null) when their denominator is 0.
type AreaMetrics struct {
	Area   string         `json:"area"`
	Period hotspot.Period `json:"period"`

	// Hotspots. Status at an instant counts every event strictly before it.
	ActiveStart         int      `json:"active_start"`         // active at the period's start
	ActiveDuring        int      `json:"active_during"`        // active at some instant of [start, end)
	ActiveEnd           int      `json:"active_end"`           // active at the period's end
	New                 int      `json:"new"`                  // a detected event in the period
	Eliminated          int      `json:"eliminated"`           // an eliminated event (finding it active) in the period
	EliminatedSustained int      `json:"eliminated_sustained"` // of those, still eliminated at the end
	Recurred            int      `json:"recurred"`             // a recurred event in the period
	EliminationRate     *float64 `json:"elimination_rate"`     // eliminated / active_during
	PreviousEliminated  int      `json:"previous_eliminated"`  // eliminated in the previous period of the same length
	EliminationGrowth   *float64 `json:"elimination_growth"`   // (eliminated − previous) / previous
	Target              Target   `json:"target"`
	// IrregularEvents counts events in the period that the lifecycle rules
	// forbid (eliminated twice, recurred while active, a note before
	// detection, an unknown kind): data for the "đúng, đủ, sạch, sống" check.
	IrregularEvents int `json:"irregular_events"`

	// Incidents by kind, every kind present.
	Incidents map[hotspot.IncidentKind]int `json:"incidents"`

	// Tips: TipsReceived by received_at in the period; TipsHandled of
	// those, handled by the period's end; the share is handled/received
	// (at most 1). TipsHandledEarlier counts tips handled in the period
	// that were received before it (a backlog cleared), apart from the share.
	TipsReceived       int      `json:"tips_received"`
	TipsHandled        int      `json:"tips_handled"`
	TipsHandledShare   *float64 `json:"tips_handled_share"`
	TipsHandledEarlier int      `json:"tips_handled_earlier"`

	// RegisteredUsers is the latest registered_users reported in or before
	// the period's last month; nil when never reported. For an area with
	// children (AreaInput.Children) it is the sum of theirs, nil while a
	// child lacks one (Notes names it).
	RegisteredUsers *float64 `json:"registered_users"`

	// Notes explain a missing value, such as a roll-up lacking a child's
	// indicator ("registered_users: no value from 20401, 20434").
	Notes []string `json:"notes,omitempty"`

	ComplexityScore float64 `json:"complexity_score"`
	Class           Class   `json:"class"`
	Trend           Trend   `json:"trend"`
}

// IncidentTotal returns the number of incidents of every kind.
func (m AreaMetrics) IncidentTotal() int {
	n := 0
	for _, c := range m.Incidents {
		n += c
	}
	return n
}

// Compute returns the metrics of one area for period p. cfg must come from
// DefaultConfig or LoadConfig. Compute never panics on odd input (unsorted
// or illegal events, counts outside the period); a zero p gives metrics with
// only Area set and undefined statuses.
func Compute(in AreaInput, p hotspot.Period, cfg Config) AreaMetrics {
	if p.IsZero() {
		return AreaMetrics{Area: in.Code, Incidents: zeroIncidents(),
			Target: Target{Status: StatusUndefined, Projection: Projection{Status: StatusUndefined}},
			Class:  ClassClear, Trend: Trend{Direction: DirectionNone}}
	}
	c := newComputation(p, cfg)
	c.hotspots(in.Hotspots)
	c.incidents(in.Incidents)
	return c.result(in)
}

// computation holds one Compute call's windows and sums.
type computation struct {
	p, prev, prevYear hotspot.Period
	cfg               Config
	ytdMonths         int
	ytdStart          time.Time
	trend             []hotspot.Period // oldest first, ends with p
	trendEnds         []time.Time

	cur          hotspotCounts
	prevElim     int
	ytdElim      int
	ytdDuring    int
	prevYearElim int
	activeEndAt  []int // per trend period

	firstMonth hotspot.Month
	weighted   []float64 // weighted incidents per month from firstMonth
	byKind     [hotspot.NumIncidentKinds]int
}

func newComputation(p hotspot.Period, cfg Config) *computation {
	c := &computation{p: p, prev: p.Previous(), prevYear: hotspot.YearPeriod(p.Year() - 1), cfg: cfg}
	c.ytdMonths, c.ytdStart = p.YearToDate()
	n := cfg.Trend.Length(p)
	if n < 2 {
		n = 2 // the previous period is always needed for the score change
	}
	c.trend = p.Last(n)
	c.trendEnds = make([]time.Time, n)
	for i, q := range c.trend {
		c.trendEnds[i] = q.End()
	}
	c.activeEndAt = make([]int, n)
	c.firstMonth = c.trend[0].FirstMonth()
	c.weighted = make([]float64, int(p.LastMonth()-c.firstMonth)+1)
	return c
}

// hotspots replays every hotspot over the period, the previous period, the
// year to date, the previous year and the trend periods' ends.
func (c *computation) hotspots(hs []Hotspot) {
	start, end := c.p.Start(), c.p.End()
	prevStart, prevYearStart := c.prev.Start(), c.prevYear.Start()
	isYear := c.p.Kind() == hotspot.PeriodYear
	last := len(c.trend) - 1
	for _, h := range hs {
		evs := sortedEvents(h.Events)
		if len(evs) == 0 {
			continue
		}
		w := scan(evs, start, end)
		c.cur.add(w)
		c.prevElim += b2i(scan(evs, prevStart, start).eliminated)
		if isYear {
			c.ytdElim += b2i(w.eliminated)
			c.ytdDuring += b2i(w.during)
		} else {
			y := scan(evs, c.ytdStart, end)
			c.ytdElim += b2i(y.eliminated)
			c.ytdDuring += b2i(y.during)
			c.prevYearElim += b2i(scan(evs, prevYearStart, c.ytdStart).eliminated)
		}
		for i, t := range c.trendEnds[:last] {
			c.activeEndAt[i] += b2i(stateAt(evs, t) == stActive)
		}
	}
	c.activeEndAt[last] = c.cur.activeEnd
	if isYear {
		c.prevYearElim = c.prevElim
	}
}

// incidents spreads the monthly counts over the table of weighted counts
// and sums the period's counts by kind.
func (c *computation) incidents(counts []IncidentCount) {
	w := c.cfg.Complexity.incidentWeights()
	lo, hi := c.p.FirstMonth(), c.p.LastMonth()
	for _, ic := range counts {
		i := int(ic.Month - c.firstMonth)
		if i < 0 || i >= len(c.weighted) {
			continue
		}
		k := ic.Kind.Index()
		c.weighted[i] += w[k] * float64(ic.N)
		if ic.Month >= lo && ic.Month <= hi {
			c.byKind[k] += ic.N
		}
	}
}

// score returns the complexity score of trend period i.
func (c *computation) score(i int, ind []IndicatorValue) float64 {
	q := c.trend[i]
	x := c.cfg.Complexity
	from := int(q.FirstMonth() - c.firstMonth)
	var inc float64
	for _, v := range c.weighted[from : from+q.Months()] {
		inc += v
	}
	s := x.ActiveHotspotWeight*float64(c.activeEndAt[i]) + inc/float64(q.Months())
	if users, ok := latestIndicator(ind, hotspot.IndRegisteredUsers, q.LastMonth()); ok {
		pop, ok := latestIndicator(ind, x.PopulationKey, q.LastMonth())
		if !ok || pop <= 0 {
			pop = x.DefaultPopulation
		}
		if pop > 0 {
			s += x.RegisteredUsersPer1000Weight * users / pop * 1000
		}
	}
	return math.Round(s*1e6) / 1e6 // equal situations must tie exactly in Mann–Kendall
}

// latestIndicator returns the value of key whose period ends last in or
// before month m; between periods ending in the same month the shortest
// wins, then the later row. NaN and infinite values are ignored: they would
// poison the score and cannot be written as JSON.
func latestIndicator(ind []IndicatorValue, key string, m hotspot.Month) (float64, bool) {
	var v float64
	found, at, months := false, hotspot.Month(math.MinInt32), 0
	for _, x := range ind {
		if x.Key != key || x.Period.IsZero() || math.IsNaN(x.Value) || math.IsInf(x.Value, 0) {
			continue
		}
		end, n := x.Period.LastMonth(), x.Period.Months()
		if end <= m && (end > at || (end == at && n <= months)) {
			v, found, at, months = x.Value, true, end, n
		}
	}
	return v, found
}

func (c *computation) result(in AreaInput) AreaMetrics {
	p, h := c.p, c.cur
	m := AreaMetrics{
		Area: in.Code, Period: p,
		ActiveStart: h.activeStart, ActiveDuring: h.activeDuring, ActiveEnd: h.activeEnd,
		New: h.new, Eliminated: h.eliminated, EliminatedSustained: h.sustained, Recurred: h.recurred,
		PreviousEliminated: c.prevElim, IrregularEvents: h.irregular,
		Incidents: make(map[hotspot.IncidentKind]int, hotspot.NumIncidentKinds),
	}
	e := c.elimination()
	m.EliminationRate, m.EliminationGrowth = e.rate(), e.growth()
	m.Target = e.target(c.cfg.Target)

	total := 0
	for i, k := range hotspot.IncidentKinds {
		m.Incidents[k] = c.byKind[i]
		total += c.byKind[i]
	}
	lo, hi := p.FirstMonth(), p.LastMonth()
	for _, t := range in.Tips {
		h := t.handledMonth()
		switch {
		case t.Month >= lo && t.Month <= hi:
			m.TipsReceived += t.Received
			if h <= hi {
				m.TipsHandled += t.Handled
			}
		case t.Month < lo && h >= lo && h <= hi:
			m.TipsHandledEarlier += t.Handled
		}
	}
	m.TipsHandledShare = ratio(float64(m.TipsHandled), float64(m.TipsReceived))
	ind := in.Indicators
	if len(in.Children) > 0 {
		ind = RollUpIndicators(in.Indicators, in.Children)
	}
	if v, ok := latestIndicator(ind, hotspot.IndRegisteredUsers, hi); ok {
		m.RegisteredUsers = &v
	} else if miss := MissingIndicator(in.Children, hotspot.IndRegisteredUsers, hi); len(miss) > 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("%s: no value from %s", hotspot.IndRegisteredUsers, strings.Join(miss, ", ")))
	}

	scores := make([]float64, len(c.trend))
	for i := range c.trend {
		scores[i] = c.score(i, ind)
	}
	last := len(scores) - 1
	m.ComplexityScore = scores[last]
	m.Class = classify(c.cfg.Complexity, m.ActiveEnd, total, m.RegisteredUsers, m.ComplexityScore)
	m.Trend = trendOf(c.trend, scores, in.DataSince, c.cfg.Trend.Alpha)
	return m
}

func (c *computation) elimination() elimination {
	return elimination{
		months: c.p.Months(), eliminated: c.cur.eliminated, activeDuring: c.cur.activeDuring,
		prevElim: c.prevElim, ytdMonths: c.ytdMonths, ytdElim: c.ytdElim,
		ytdDuring: c.ytdDuring, prevYearElim: c.prevYearElim,
	}
}

// classify: clear when nothing is active at the end, no incident happened
// and nobody is registered (an absent register counts as 0 unless the
// config requires it); otherwise key from KeyMinScore, else affected.
func classify(x ComplexityConfig, activeEnd, incidents int, users *float64, score float64) Class {
	noUsers := (users == nil && !x.ClearRequiresRegisteredUsers) || (users != nil && *users <= 0)
	switch {
	case activeEnd == 0 && incidents == 0 && noUsers:
		return ClassClear
	case score >= x.KeyMinScore:
		return ClassKey
	}
	return ClassAffected
}

func zeroIncidents() map[hotspot.IncidentKind]int {
	m := make(map[hotspot.IncidentKind]int, hotspot.NumIncidentKinds)
	for _, k := range hotspot.IncidentKinds {
		m[k] = 0
	}
	return m
}

// ComputeHistory returns the metrics of the n periods ending with p, oldest
// first: the rows behind a trend chart.
func ComputeHistory(in AreaInput, p hotspot.Period, n int, cfg Config) []AreaMetrics {
	ps := p.Last(n)
	out := make([]AreaMetrics, len(ps))
	for i, q := range ps {
		out[i] = Compute(in, q, cfg)
	}
	return out
}

// ComputeMany computes every area for p on up to workers goroutines (0
// means GOMAXPROCS). The result is in the order of areas.
func ComputeMany(areas []AreaInput, p hotspot.Period, cfg Config, workers int) []AreaMetrics {
	out := make([]AreaMetrics, len(areas))
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(areas))
	var wg sync.WaitGroup
	const chunk = 64
	next := make(chan int, workers)
	for range workers {
		wg.Go(func() {
			for lo := range next {
				for i := lo; i < min(lo+chunk, len(areas)); i++ {
					out[i] = Compute(areas[i], p, cfg)
				}
			}
		})
	}
	for lo := 0; lo < len(areas); lo += chunk {
		next <- lo
	}
	close(next)
	wg.Wait()
	return out
}

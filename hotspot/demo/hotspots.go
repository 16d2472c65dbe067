package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Hotspot kinds, as written to hotspots.csv.
const (
	KindDealing      = "dealing"
	KindStorage      = "storage"
	KindOrganisedUse = "organised_use"
	KindPublicUse    = "public_use"
	KindCultivation  = "cultivation"
	KindProduction   = "production"
)

// Lifecycle events, as written to events.csv.
const (
	EventDetected   = "detected"
	EventEliminated = "eliminated"
	EventRecurred   = "recurred"
	EventNote       = "note"
)

// hotspotsPerCommune: most hotspots are in the dense wards; Tân Hiệp (the
// islands) has none.
var hotspotsPerCommune = map[string]int{
	"20398": 9, "20404": 9, "20401": 7, "20413": 7, "20416": 7,
	"20410": 4, "20407": 4, "20419": 4, "20428": 3,
	"20422": 2, "20425": 2, "20431": 2,
}

// Story codes: where the data set plants a pattern an analysis should find.
const (
	emergingCommune = "20416" // Cửa Đại: new hotspots in 2026, rising incidents, a burst in November
	cooledCommune   = "20404" // Cẩm Phô: a hot cluster dismantled in 2024
	emergingCount   = 3
	cooledCount     = 4
)

// plan is a hotspot while it is generated: its place and lifecycle, plus
// what drives incidents around it.
type plan struct {
	commune  int
	kind     string
	point    orb.Point
	base     float64 // relative incidents per day while active
	spreadM  float64 // distance-decay scale of its incidents
	leadDays int     // activity before detection
	emerging bool    // activity grows after detection
	burst    bool    // appears in the last month only
	cooled   bool    // one of the cluster dismantled in 2024
	events   []lifeEvent
}

// lifeEvent is a lifecycle event; day counts from WindowStart (negative
// before it).
type lifeEvent struct {
	day  int
	kind string
	at   time.Time
	note string
}

// kindIntensity scales incident rates by hotspot kind.
var kindIntensity = map[string]float64{
	KindDealing: 1.0, KindStorage: 0.5, KindOrganisedUse: 0.9,
	KindPublicUse: 1.2, KindCultivation: 0.25, KindProduction: 0.3,
}

func (g *generator) genHotspots() error {
	r := g.rng(1)
	var plans []*plan
	for ci, c := range g.layout.communes {
		n := hotspotsPerCommune[c.code]
		rate := 0.05 + 0.10*r.Float64() // yearly elimination rate of this commune
		kinds := communeKinds(r, c, n)
		for k := 0; k < n; k++ {
			p := &plan{commune: ci, kind: kinds[k]}
			p.base = math.Exp(0.45*r.NormFloat64()) * kindIntensity[p.kind]
			p.spreadM = 50 + 250*r.Float64()
			p.leadDays = 30 + r.IntN(90)
			switch {
			case c.code == emergingCommune && k < emergingCount:
				p.emerging = true
				p.base *= 1.3
				p.spreadM = 80 + 80*r.Float64()
				p.leadDays = 60 + r.IntN(60)
				p.events = emergingLife(r)
			case c.code == emergingCommune && k == emergingCount:
				// A burst in the last month: a new hot spot for the analysis.
				p.burst = true
				p.base *= 3.5
				p.spreadM = 60 + 40*r.Float64()
				p.leadDays = 8
				d := days(WindowStart, time.Date(2026, 11, 3, 0, 0, 0, 0, Location)) + r.IntN(6)
				p.events = []lifeEvent{{day: d, kind: EventDetected}}
			case c.code == cooledCommune && k < cooledCount:
				p.cooled = true
				p.base *= 1.8
				p.spreadM = 80 + 100*r.Float64()
				p.events = cooledLife(r, k)
			default:
				p.events = randomLife(r, rate)
			}
			plans = append(plans, p)
		}
	}
	if err := g.placeHotspots(r, plans); err != nil {
		return err
	}
	addNotes(r, plans)
	g.plans = plans
	g.writeHotspots(r)
	return nil
}

// communeKinds picks n hotspot kinds for a commune: rural communes get a
// plant-growing spot; the rest follow urban weights.
func communeKinds(r *rand.Rand, c commune, n int) []string {
	var kinds []string
	switch c.code {
	case "20422", "20425", "20431": // Cẩm Hà, Cẩm Kim, Cẩm Thanh
		kinds = append(kinds, KindCultivation)
	case "20407": // Thanh Hà: an old workshop
		kinds = append(kinds, KindProduction)
	}
	if c.code == "20422" {
		kinds = append(kinds, KindProduction)
	}
	urban := []choice{{KindDealing, 0.32}, {KindOrganisedUse, 0.25}, {KindStorage, 0.15}, {KindPublicUse, 0.28}}
	if c.code == emergingCommune || c.code == cooledCommune {
		// Story clusters first: dealing and organised use around them.
		story := []string{KindDealing, KindOrganisedUse, KindPublicUse, KindDealing}
		if c.code == emergingCommune {
			story[emergingCount] = KindOrganisedUse // the burst: a karaoke bar or rented room
		}
		kinds = append(story[:min(len(story), n)], kinds...)
	}
	for len(kinds) < n {
		kinds = append(kinds, pick(r, urban))
	}
	return kinds[:n]
}

// emergingLife: detected in spring–summer 2026, still active.
func emergingLife(r *rand.Rand) []lifeEvent {
	d := days(WindowStart, time.Date(2026, 3, 1, 0, 0, 0, 0, Location)) + r.IntN(135)
	return []lifeEvent{{day: d, kind: EventDetected}}
}

// cooledLife: known for years, dismantled in the first half of 2024; one
// came back in 2025 and was dismantled again.
func cooledLife(r *rand.Rand, k int) []lifeEvent {
	ev := []lifeEvent{
		{day: -200 - r.IntN(700), kind: EventDetected},
		{day: days(WindowStart, time.Date(2024, 2, 20, 0, 0, 0, 0, Location)) + 30*k + r.IntN(25), kind: EventEliminated},
	}
	if k == 1 {
		rec := days(WindowStart, time.Date(2025, 4, 1, 0, 0, 0, 0, Location)) + r.IntN(45)
		ev = append(ev,
			lifeEvent{day: rec, kind: EventRecurred},
			lifeEvent{day: rec + 90 + r.IntN(60), kind: EventEliminated})
	}
	return ev
}

// randomLife simulates one hotspot day by day: detection (mostly before
// the window), then elimination at the commune's yearly rate, recurrence of
// eliminated hotspots, and faster re-elimination of recurred ones.
func randomLife(r *rand.Rand, rate float64) []lifeEvent {
	last := days(WindowStart, WindowEnd) - 1
	var det int
	switch u := r.Float64(); {
	case u < 0.78:
		det = -30 - r.IntN(1000)
	case u < 0.93:
		det = r.IntN(days(WindowStart, time.Date(2026, 1, 1, 0, 0, 0, 0, Location)))
	default:
		det = days(WindowStart, time.Date(2026, 1, 1, 0, 0, 0, 0, Location)) + r.IntN(300)
	}
	ev := []lifeEvent{{day: det, kind: EventDetected}}
	active, recurred, since := true, false, det
	for d := max(det+1, 0); d <= last; d++ {
		if d-since < 21 {
			continue
		}
		var hazard float64
		switch {
		case active && recurred:
			hazard = 0.6 / 365
		case active:
			hazard = rate / 365
		default:
			hazard = 0.3 / 365
		}
		if r.Float64() >= hazard {
			continue
		}
		kind := EventEliminated
		if !active {
			kind, recurred = EventRecurred, true
		}
		active = !active
		since = d
		ev = append(ev, lifeEvent{day: d, kind: kind})
	}
	return ev
}

// Notes attached to events; places and actions only, never people.
var (
	detectedNotes = []string{
		"Phát hiện qua tin báo của quần chúng", "Phát hiện qua tuần tra, kiểm soát",
		"Phát hiện qua rà soát địa bàn", "Phát hiện qua camera giám sát", "",
	}
	eliminatedNotes = []string{
		"Triệt xóa trong đợt cao điểm", "Triệt xóa, chuyển hồ sơ khởi tố vụ án",
		"Triệt xóa, xử lý hành chính", "Chủ cơ sở cam kết không tái phạm", "",
	}
	recurredNotes = []string{
		"Phức tạp trở lại theo tin báo của tổ dân phố", "Phức tạp trở lại, phát hiện qua tuần tra", "",
	}
	freeNotes = []string{
		"Tăng cường tuần tra, kiểm tra hành chính", "Đã lắp camera giám sát khu vực",
		"Đưa vào danh sách theo dõi chuyển hóa địa bàn", "Tổ dân phố phản ánh tụ tập về đêm",
		"Phối hợp Ban quản lý chợ giám sát", "Cắm biển cảnh báo, tuyên truyền tại chỗ",
	}
)

// addNotes sets event times and notes and adds a few free notes.
func addNotes(r *rand.Rand, plans []*plan) {
	last := days(WindowStart, WindowEnd) - 1
	for _, p := range plans {
		for i := range p.events {
			e := &p.events[i]
			e.at = atRandomTime(r, dayAt(e.day), officeHours)
			switch e.kind {
			case EventDetected:
				e.note = detectedNotes[r.IntN(len(detectedNotes))]
			case EventEliminated:
				e.note = eliminatedNotes[r.IntN(len(eliminatedNotes))]
			case EventRecurred:
				e.note = recurredNotes[r.IntN(len(recurredNotes))]
			}
		}
	}
	for n := 0; n < 14; n++ {
		p := plans[r.IntN(len(plans))]
		from := max(p.events[0].day+1, 0)
		if from >= last {
			continue
		}
		d := from + r.IntN(last-from)
		p.events = append(p.events, lifeEvent{day: d, kind: EventNote,
			at: atRandomTime(r, dayAt(d), officeHours), note: freeNotes[r.IntN(len(freeNotes))]})
	}
	for _, p := range plans {
		slices.SortStableFunc(p.events, func(a, b lifeEvent) int { return a.at.Compare(b.at) })
	}
}

// placeHotspots puts each hotspot in its commune: story clusters close
// together, the rest around the commune's centre, at least 120 m apart and
// 40 m inside the boundary.
func (g *generator) placeHotspots(r *rand.Rand, plans []*plan) error {
	var placed []orb.Point
	for i, p := range plans {
		c := g.layout.communes[p.commune]
		centre := c.seed.centre
		sigma := math.Sqrt(c.areaKm2) * 1000 / 3
		switch {
		case p.emerging:
			centre, sigma = offset(c.seed.centre, 250, 250), 180
		case p.burst:
			centre, sigma = offset(c.seed.centre, -450, 300), 120
		case p.cooled:
			centre, sigma = offset(c.seed.centre, -120, -60), 150
		case p.kind == KindCultivation || p.kind == KindProduction:
			sigma *= 1.5
		}
		ok := false
		for try := 0; try < 2000 && !ok; try++ {
			q := roundPoint(offset(centre, sigma*r.NormFloat64(), sigma*r.NormFloat64()), coordScale)
			if g.layout.locate(q, 40) != p.commune || tooClose(q, placed, 120) {
				continue
			}
			p.point, ok = q, true
		}
		if !ok {
			return fmt.Errorf("cannot place hotspot %d in %s", i, c.code)
		}
		placed = append(placed, p.point)
	}
	return nil
}

func tooClose(q orb.Point, pts []orb.Point, m float64) bool {
	for _, p := range pts {
		if dist(toKm(p), toKm(q))*1000 < m {
			return true
		}
	}
	return false
}

// Place-name parts. A name describes a place: a kind of premises and where.
var placeNames = map[string][]string{
	KindDealing: {"Quán cà phê ven sông", "Quán nước đầu kiệt %d", "Tiệm game kiệt %d", "Quán bi-a gần chợ",
		"Quán cà phê sân vườn kiệt %d", "Quán nhậu ven đường", "Tiệm tạp hóa đầu hẻm %d"},
	KindStorage: {"Nhà kho kiệt %d", "Căn nhà bỏ trống hẻm %d", "Phòng trọ cuối kiệt %d", "Kho hàng gần bến ghe"},
	KindOrganisedUse: {"Quán karaoke kiệt %d", "Nhà trọ hẻm %d", "Homestay cuối kiệt %d", "Dãy phòng trọ sau chợ",
		"Quán karaoke ven đường", "Căn hộ cho thuê gần bãi biển"},
	KindPublicUse: {"Bãi đất trống sau chợ", "Chân cầu", "Bờ kè ven sông", "Bãi ghe thuyền ven biển",
		"Công viên ven sông", "Khu nhà hoang gần bãi xe", "Bến đò"},
	KindCultivation: {"Vườn dừa nước ven sông", "Vườn rau sau nhà kiệt %d", "Ruộng ven đê", "Bãi bồi ven sông"},
	KindProduction:  {"Xưởng gỗ bỏ hoang", "Nhà xưởng cũ gần ruộng"},
}

// placeName returns a unique place description for a hotspot.
func placeName(r *rand.Rand, kind string, c commune, used map[string]bool) string {
	unit := "tổ"
	if strings.HasPrefix(c.name, "Xã") {
		unit = "thôn"
	}
	coastal := c.code == "20416" || c.code == "20419" || c.code == islandCode
	for {
		t := placeNames[kind][r.IntN(len(placeNames[kind]))]
		if strings.Contains(t, "biển") && !coastal {
			continue
		}
		if strings.Contains(t, "%d") {
			t = fmt.Sprintf(t, 2+r.IntN(120))
		}
		name := fmt.Sprintf("%s, %s %d", t, unit, 1+r.IntN(12))
		if !used[name] {
			used[name] = true
			return name
		}
	}
}

// writeHotspots fills the data set's hotspots and events from the plans.
func (g *generator) writeHotspots(r *rand.Rand) {
	used := map[string]bool{}
	for i, p := range g.plans {
		c := g.layout.communes[p.commune]
		ref := fmt.Sprintf("HA-HS-%03d", i+1)
		g.ds.Hotspots = append(g.ds.Hotspots, Hotspot{Ref: ref, Point: p.point, Kind: p.kind,
			Name: placeName(r, p.kind, c, used), AreaCode: c.code})
		for _, e := range p.events {
			g.ds.Events = append(g.ds.Events, Event{HotspotRef: ref, Event: e.kind, OccurredAt: e.at, Note: e.note})
		}
	}
}

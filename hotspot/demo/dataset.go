package demo

import (
	"fmt"
	"math/rand/v2"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh without system tzdata.

	"github.com/diaban/diaban/hotspot"
	"github.com/paulmach/orb"
)

// DefaultSeed is the seed of the published demo data set.
const DefaultSeed int64 = 20231201

// Location is Vietnam's time zone (UTC+07:00, no daylight saving); every
// timestamp in the data set is in it.
var Location = hotspot.Zone

// WindowStart and WindowEnd bound the history, 2021 to November 2026
// across the reform of 1 July 2025 (reform.go): incidents,
// tips and the lifecycle events of the window fall in [WindowStart,
// WindowEnd). Hotspots detected earlier carry their detection before
// WindowStart.
var (
	WindowStart = time.Date(2021, 1, 1, 0, 0, 0, 0, Location)
	WindowEnd   = time.Date(2026, 11, 23, 0, 0, 0, 0, Location) // end of 2026-11-22
)

// Dataset is one generated demo data set. Slices are in output order.
type Dataset struct {
	Seed       int64
	Areas      []Area
	Hotspots   []Hotspot
	Events     []Event
	Incidents  []Incident
	Tips       []Tip
	Cameras    []Camera
	Indicators []Indicator
}

// Area is an administrative unit with its boundary (orb.Polygon or
// orb.MultiPolygon, lon/lat).
type Area struct {
	Code       string
	Name       string
	Level      string // province, district, commune or hamlet
	ParentCode string // "" for the province
	ValidFrom  string // YYYY-MM-DD or "" (from the beginning)
	ValidTo    string // YYYY-MM-DD (exclusive) or "" (in force today)
	Type       string // xã, phường, tổ dân phố... or ""
	Geometry   orb.Geometry
}

// Hotspot is a drug hotspot: a place, never a person. Name describes the
// place. AreaCode is the commune it lies in (not written to hotspots.csv).
type Hotspot struct {
	Ref      string
	Point    orb.Point
	Kind     string
	Name     string
	AreaCode string
}

// Event is one step in a hotspot's lifecycle: detected, eliminated,
// recurred or note.
type Event struct {
	HotspotRef string
	Event      string
	OccurredAt time.Time
	Note       string
}

// Incident is a recorded drug incident (vụ việc) at a point.
type Incident struct {
	Ref        string
	Point      orb.Point
	Kind       string
	OccurredAt time.Time
	AreaCode   string // commune containing Point (not written)
	source     int    // index of the hotspot that caused it, -1 for background
}

// Tip is a tip or report from residents (tin báo, tố giác). A zero
// HandledAt means not yet handled. HasPoint says whether Point is known;
// AreaCode may be empty when it is.
type Tip struct {
	Ref        string
	ReceivedAt time.Time
	HandledAt  time.Time
	HasPoint   bool
	Point      orb.Point
	AreaCode   string
}

// Camera is a surveillance camera. Bearing is degrees clockwise from north
// (0..359), FOV degrees (360 for a dome), RangeM metres.
type Camera struct {
	Ref     string
	Point   orb.Point
	Bearing int
	FOV     int
	RangeM  int
	Owner   string // police or community
	Status  string // planned, active or offline
}

// Indicator is one monthly count for one commune. Period is YYYY-MM.
type Indicator struct {
	AreaCode string
	Period   string
	Key      string
	Value    int64
}

// Generate builds the demo data set for seed. The same seed always yields
// the same data set.
func Generate(seed int64) (*Dataset, error) {
	g, err := newGenerator(seed)
	if err != nil {
		return nil, err
	}
	return g.run()
}

// generator holds the state shared by the generation steps.
type generator struct {
	seed   int64
	layout *layout
	ds     *Dataset
	plans  []*plan // hotspots while generated, in Hotspots order
}

func newGenerator(seed int64) (*generator, error) {
	lay, err := buildLayout()
	if err != nil {
		return nil, err
	}
	return &generator{seed: seed, layout: lay, ds: &Dataset{Seed: seed}}, nil
}

// rng returns a random stream for one generation step. Each step has its own
// stream, so changing one step leaves the others' output unchanged.
func (g *generator) rng(step uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(g.seed), step*0x9E3779B97F4A7C15+1))
}

func (g *generator) run() (*Dataset, error) {
	g.ds.Areas = g.layout.areas()
	steps := []struct {
		name string
		fn   func() error
	}{
		{"hotspots", g.genHotspots},
		{"incidents", g.genIncidents},
		{"tips", g.genTips},
		{"cameras", g.genCameras},
		{"indicators", g.genIndicators},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return nil, fmt.Errorf("demo: %s: %w", s.name, err)
		}
	}
	return g.ds, nil
}

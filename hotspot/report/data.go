package report

import (
	"time"

	"github.com/paulmach/orb"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
	"github.com/diaban/diaban/hotspot/metrics"
)

// Data is everything one report shows.
type Data struct {
	Area   Unit
	Parent string // the name of the area above (the issuing body's superior); may be empty
	Period hotspot.Period
	AsOf   time.Time // the geography's date
	// Generated is when the report was made (its date line).
	Generated time.Time

	// Total is the area as one (all its hotspots, incidents, tips);
	// Previous the same for Period.Previous().
	Total, Previous metrics.AreaMetrics
	Criteria        []metrics.Criterion
	// RollUp is the committee's view over the communes of a district or
	// province; nil for a commune.
	RollUp *metrics.RollUpMetrics
	// Units are the rows of the per-unit table, sorted by code.
	Units []UnitRow
	// Places are the hotspots new or recurred in the period. Nil and
	// PlacesWithheld for a role that may not see hotspot places.
	Places         []Place
	PlacesWithheld bool

	// Rule is the disclosure rule of the reader's role.
	Rule disclosure.Rule
	// English switches every label and number format to English.
	English bool
}

// Unit is an area with its name and boundary (for the map).
type Unit struct {
	Code  string
	Name  string
	Level hotspot.Level
	Shape orb.MultiPolygon
}

// UnitRow is one unit's metrics this period and the previous one.
type UnitRow struct {
	Unit
	Cur, Prev metrics.AreaMetrics
}

// Place is a hotspot new or recurred in the period: a place, never a person.
type Place struct {
	Ref   string
	Name  string
	Kind  hotspot.HotspotKind
	Event hotspot.EventKind // detected or recurred
	At    time.Time
	Unit  string // the name of the unit it lies in
}

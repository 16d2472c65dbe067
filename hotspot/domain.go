package hotspot

import (
	"math"
	"time"

	"github.com/diaban/diaban/geo"
)

// Level is an administrative level.
type Level string

// The administrative levels, from the top. Vietnam removed the district level
// on 1 July 2025; older areas keep it in their history.
const (
	LevelProvince Level = "province"
	LevelDistrict Level = "district"
	LevelCommune  Level = "commune"
	LevelHamlet   Level = "hamlet"
)

// Levels lists the levels from the top down.
var Levels = []Level{LevelProvince, LevelDistrict, LevelCommune, LevelHamlet}

// HotspotKind says what happens at a hotspot.
type HotspotKind string

// The hotspot kinds.
var HotspotKinds = []HotspotKind{"dealing", "storage", "organised_use", "public_use", "cultivation", "production"}

// IncidentKind says what an incident (vụ án / vụ việc) was about.
type IncidentKind string

// The incident kinds, in display and CSV order.
const (
	IncTrafficking  IncidentKind = "trafficking"
	IncStorage      IncidentKind = "storage"
	IncTransport    IncidentKind = "transport"
	IncOrganisedUse IncidentKind = "organised_use"
	IncUse          IncidentKind = "use"
	IncCultivation  IncidentKind = "cultivation"
	IncProduction   IncidentKind = "production"
	IncOther        IncidentKind = "other"
)

// IncidentKinds lists every incident kind in display order; the schema's
// CHECK on incidents.kind names the same (migrations/00001_schema.sql).
var IncidentKinds = []IncidentKind{IncTrafficking, IncStorage, IncTransport, IncOrganisedUse, IncUse, IncCultivation, IncProduction, IncOther}

// NumIncidentKinds is len(IncidentKinds), as a constant for arrays indexed
// by IncidentKind.Index.
const NumIncidentKinds = 8

// Index returns k's position in IncidentKinds; an unknown kind counts as
// IncOther.
func (k IncidentKind) Index() int {
	switch k {
	case IncTrafficking:
		return 0
	case IncStorage:
		return 1
	case IncTransport:
		return 2
	case IncOrganisedUse:
		return 3
	case IncUse:
		return 4
	case IncCultivation:
		return 5
	case IncProduction:
		return 6
	}
	return 7
}

// EventKind is a step in a hotspot's lifecycle.
type EventKind string

// The lifecycle events.
const (
	EventDetected   EventKind = "detected"
	EventEliminated EventKind = "eliminated"
	EventRecurred   EventKind = "recurred"
	EventNote       EventKind = "note"
)

// EventKinds lists the lifecycle events.
var EventKinds = []EventKind{EventDetected, EventEliminated, EventRecurred, EventNote}

// Status is a hotspot's state, derived from its events.
type Status string

// The derived statuses. StatusUnknown is a hotspot with no detection yet.
const (
	StatusUnknown    Status = "unknown"
	StatusActive     Status = "active"
	StatusEliminated Status = "eliminated"
)

// CameraOwner says who runs a camera.
type CameraOwner string

// The camera owners.
const (
	CameraPolice    CameraOwner = "police"
	CameraCommunity CameraOwner = "community"
)

// CameraOwners lists the owners.
var CameraOwners = []CameraOwner{CameraPolice, CameraCommunity}

// CameraStatus is a camera's state.
type CameraStatus string

// The camera states. An offline camera covers nothing; a planned one is
// not installed yet and is counted apart from installed ones.
const (
	CameraPlanned CameraStatus = "planned"
	CameraActive  CameraStatus = "active"
	CameraOffline CameraStatus = "offline"
)

// CameraStatuses lists the camera states.
var CameraStatuses = []CameraStatus{CameraPlanned, CameraActive, CameraOffline}

func OneOf[T ~string](v T, set []T) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

// Area is an administrative area as it is now.
type Area struct {
	ID         int64     `json:"-"`
	Code       string    `json:"code"`
	Name       string    `json:"name"`
	Level      Level     `json:"level"`
	ParentCode string    `json:"parent_code"`
	ValidFrom  time.Time `json:"valid_from"`
}

// Hotspot is a drug hotspot: a place, never a person.
type Hotspot struct {
	ID       int64       `json:"id"`
	Ref      string      `json:"ref"`
	Name     string      `json:"name"`
	Kind     HotspotKind `json:"kind"`
	Status   Status      `json:"status"`
	AreaCode string      `json:"area"`
	Point    geo.Point   `json:"-"`
	Events   []Event     `json:"events,omitempty"`
}

// Event is one step of a hotspot's lifecycle.
type Event struct {
	ID         int64     `json:"id"`
	HotspotID  int64     `json:"hotspot_id"`
	Kind       EventKind `json:"event"`
	OccurredAt time.Time `json:"occurred_at"`
	RecordedAt time.Time `json:"recorded_at"`
	Note       string    `json:"note"`
}

// Incident is a recorded drug case or incident at a point.
type Incident struct {
	ID         int64        `json:"id"`
	Ref        string       `json:"ref"`
	Kind       IncidentKind `json:"kind"`
	OccurredAt time.Time    `json:"occurred_at"`
	AreaCode   string       `json:"area"`
	Point      geo.Point    `json:"-"`
}

// Tip is a resident's tip: when it came and when it was handled, and where
// (a point or only an area). Never who sent it.
type Tip struct {
	ID         int64      `json:"id"`
	Ref        string     `json:"ref"`
	ReceivedAt time.Time  `json:"received_at"`
	HandledAt  *time.Time `json:"handled_at"`
	Point      *geo.Point `json:"-"`
	AreaCode   string     `json:"area"`
}

// Camera is a surveillance camera with its field of view.
type Camera struct {
	ID       int64        `json:"id"`
	Ref      string       `json:"ref"`
	Point    geo.Point    `json:"-"`
	Bearing  float64      `json:"bearing"`
	FOV      float64      `json:"fov"`
	RangeM   float64      `json:"range_m"`
	Owner    CameraOwner  `json:"owner"`
	Status   CameraStatus `json:"status"`
	AreaCode string       `json:"area"`
}

// Validate checks a camera's fields (not its area).
func (c *Camera) Validate() error {
	if err := ValidatePoint(c.Point); err != nil {
		return err
	}
	switch {
	case !Finite(c.Bearing) || c.Bearing < 0 || c.Bearing >= 360:
		return Invalid("bearing", "must be a number in [0, 360), got %v", c.Bearing)
	case !Finite(c.FOV) || c.FOV <= 0 || c.FOV > 360:
		return Invalid("fov", "must be a number in (0, 360] (360 for a dome), got %v", c.FOV)
	case !Finite(c.RangeM) || c.RangeM <= 0 || c.RangeM > 5000:
		return Invalid("range_m", "must be a number of metres in (0, 5000], got %v", c.RangeM)
	case !OneOf(c.Owner, CameraOwners):
		return Invalid("owner", "must be police or community, got %q", c.Owner)
	case !OneOf(c.Status, CameraStatuses):
		return Invalid("status", "must be planned, active or offline, got %q", c.Status)
	}
	return nil
}

// ValidateHotspotKind checks a hotspot kind.
func ValidateHotspotKind(k HotspotKind) error {
	if !OneOf(k, HotspotKinds) {
		return Invalid("kind", "unknown hotspot kind %q (want one of dealing, storage, organised_use, public_use, cultivation, production)", k)
	}
	return nil
}

// ValidateIncidentKind checks an incident kind.
func ValidateIncidentKind(k IncidentKind) error {
	if !OneOf(k, IncidentKinds) {
		return Invalid("kind", "unknown incident kind %q (want one of trafficking, storage, transport, organised_use, use, cultivation, production, other)", k)
	}
	return nil
}

func ValidatePoint(p geo.Point) error {
	if !Finite(p.Lon) || p.Lon < -180 || p.Lon > 180 {
		return Invalid("lon", "longitude must be a number in [-180, 180], got %v", p.Lon)
	}
	if !Finite(p.Lat) || p.Lat < -90 || p.Lat > 90 {
		return Invalid("lat", "latitude must be a number in [-90, 90], got %v", p.Lat)
	}
	return nil
}

func Finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

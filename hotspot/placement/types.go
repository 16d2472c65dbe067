package placement

import (
	"fmt"
	"math"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
)

// DemandPoint is something cameras should watch: a hotspot's centre, an
// incident, a tip. Weight is its risk (any non-negative unit).
type DemandPoint struct {
	ID      string
	Point   geo.Point
	Weight  float64
	Hotspot bool // counted in the hotspot shares of a coverage report
}

// Site is a place where a camera may be mounted (a junction, a pole).
type Site struct {
	ID    string
	Point geo.Point
}

// Owner says who runs a camera: the domain's camera owner.
type Owner = hotspot.CameraOwner

// The owners a camera may have.
const (
	OwnerPolice    = hotspot.CameraPolice
	OwnerCommunity = hotspot.CameraCommunity
)

// Status is where a camera stands in its life: the domain's camera status.
type Status = hotspot.CameraStatus

// The statuses a camera may have.
const (
	StatusPlanned = hotspot.CameraPlanned
	StatusActive  = hotspot.CameraActive
	StatusOffline = hotspot.CameraOffline
)

// Camera is a camera in place or in a plan.
type Camera struct {
	Ref    string
	View   geo.FieldOfView
	Owner  Owner
	Status Status
}

// ValidationError reports an input that cannot be used; Field names it
// (for instance "demand[3].weight"). It is the domain's one field-error type.
type ValidationError = hotspot.ValidationError

func invalid(field string, format string, args ...any) error {
	return hotspot.Invalid(field, format, args...)
}

// ParseOwner parses an owner name.
func ParseOwner(s string) (Owner, error) {
	switch o := Owner(s); o {
	case OwnerPolice, OwnerCommunity:
		return o, nil
	}
	return "", fmt.Errorf("owner %q is not police or community", s)
}

// ParseStatus parses a status name.
func ParseStatus(s string) (Status, error) {
	switch st := Status(s); st {
	case StatusPlanned, StatusActive, StatusOffline:
		return st, nil
	}
	return "", fmt.Errorf("status %q is not planned, active or offline", s)
}

// validateDemand checks ids (non-empty, unique), positions and weights.
func validateDemand(demand []DemandPoint) error {
	seen := make(map[string]int, len(demand))
	for i, d := range demand {
		if d.ID == "" {
			return invalid(fmt.Sprintf("demand[%d].id", i), "is empty")
		}
		if j, dup := seen[d.ID]; dup {
			return invalid(fmt.Sprintf("demand[%d].id", i), "%q repeats demand[%d]", d.ID, j)
		}
		seen[d.ID] = i
		if err := d.Point.Validate(); err != nil {
			return invalid(fmt.Sprintf("demand[%d].point", i), "%v", err)
		}
		if math.IsNaN(d.Weight) || math.IsInf(d.Weight, 0) || d.Weight < 0 {
			return invalid(fmt.Sprintf("demand[%d].weight", i), "%g is not a finite non-negative number", d.Weight)
		}
	}
	return nil
}

func validateSites(sites []Site) error {
	seen := make(map[string]int, len(sites))
	for i, s := range sites {
		if s.ID == "" {
			return invalid(fmt.Sprintf("sites[%d].id", i), "is empty")
		}
		if j, dup := seen[s.ID]; dup {
			return invalid(fmt.Sprintf("sites[%d].id", i), "%q repeats sites[%d]", s.ID, j)
		}
		seen[s.ID] = i
		if err := s.Point.Validate(); err != nil {
			return invalid(fmt.Sprintf("sites[%d].point", i), "%v", err)
		}
	}
	return nil
}

func validateCamera(field string, c Camera) error {
	if err := c.View.Validate(); err != nil {
		return invalid(field+".view", "%v", err)
	}
	if _, err := ParseOwner(string(c.Owner)); err != nil {
		return invalid(field+".owner", "%v", err)
	}
	if _, err := ParseStatus(string(c.Status)); err != nil {
		return invalid(field+".status", "%v", err)
	}
	return nil
}

package hotspot

import (
	"errors"
	"fmt"
)

// ErrNotFound is returned when a looked-up record does not exist.
var ErrNotFound = errors.New("not found")

// ValidationError says which field of an input is wrong and why.
// Line is the 1-based line (CSV) or feature number (GeoJSON) when the input
// came from a file, 0 otherwise.
type ValidationError struct {
	Line   int
	Field  string
	Reason string
}

func (e *ValidationError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Reason)
}

// invalid builds a ValidationError for field.
func Invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// TransitionError is returned when an event would break a hotspot's
// lifecycle: eliminating an eliminated hotspot, recurring an active one, or
// a backdated event that makes a later one illegal.
type TransitionError struct {
	Event  EventKind
	From   Status
	Reason string
}

func (e *TransitionError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("illegal lifecycle transition: %s", e.Reason)
	}
	return fmt.Sprintf("illegal lifecycle transition: cannot record %q on a hotspot that is %s", e.Event, e.From)
}

// ImportError collects every bad row of an import file.
type ImportError struct {
	Kind string
	Rows []*ValidationError
}

func (e *ImportError) Error() string {
	msg := fmt.Sprintf("%s: %d bad row(s)", e.Kind, len(e.Rows))
	for i, r := range e.Rows {
		if i == 20 {
			msg += fmt.Sprintf("\n  ... and %d more", len(e.Rows)-20)
			break
		}
		msg += "\n  " + r.Error()
	}
	return msg
}

// ConflictError is returned when a write collides with what is stored
// (a ref already taken, an event already recorded).
type ConflictError struct {
	Field  string
	Reason string
}

func (e *ConflictError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }

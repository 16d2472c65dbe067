package hotspot

import (
	"fmt"
	"sort"
)

// Apply returns the status after event e on a hotspot in status s, or a
// TransitionError when the step is illegal. Notes change nothing but need a
// detected hotspot.
func Apply(s Status, e EventKind) (Status, error) {
	switch e {
	case EventDetected:
		if s == StatusUnknown {
			return StatusActive, nil
		}
	case EventEliminated:
		if s == StatusActive {
			return StatusEliminated, nil
		}
	case EventRecurred:
		if s == StatusEliminated {
			return StatusActive, nil
		}
	case EventNote:
		if s != StatusUnknown {
			return s, nil
		}
	default:
		return s, Invalid("event", "unknown event %q (want detected, eliminated, recurred or note)", e)
	}
	return s, &TransitionError{Event: e, From: s}
}

// SortEvents orders events by occurrence, ties by ID (recording order).
func SortEvents(events []Event) {
	sort.SliceStable(events, func(i, j int) bool {
		if !events[i].OccurredAt.Equal(events[j].OccurredAt) {
			return events[i].OccurredAt.Before(events[j].OccurredAt)
		}
		return events[i].ID < events[j].ID
	})
}

// Replay derives the status from events and checks every step, so a
// backdated event that would make a later event illegal is caught. events
// must be sorted (SortEvents). On failure it also returns the index of the
// first event that cannot follow the ones before it.
func Replay(events []Event) (Status, int, error) {
	s := StatusUnknown
	for i, e := range events {
		next, err := Apply(s, e.Kind)
		if err != nil {
			if te, ok := err.(*TransitionError); ok {
				te.Reason = fmt.Sprintf("cannot record %q at %s: the hotspot is %s then",
					e.Kind, e.OccurredAt.In(Zone).Format("02/01/2006 15:04"), s)
			}
			return s, i, err
		}
		s = next
	}
	return s, -1, nil
}

package hotspot

import (
	"fmt"
	"sort"
)

// StatusAfter is the one rule that derives a hotspot's status: a detected
// or recurred event leaves it active, an eliminated event eliminated; a note
// (or an unknown kind) changes nothing (ok false). A hotspot's status is
// therefore decided by its last state-changing event, whatever the order of
// the events before it; the view hotspot_status (migrations/00001_schema.sql)
// is the same rule in SQL. Whether a step is legal is Apply's question.
func (e EventKind) StatusAfter() (s Status, ok bool) {
	switch e {
	case EventDetected, EventRecurred:
		return StatusActive, true
	case EventEliminated:
		return StatusEliminated, true
	}
	return "", false
}

// Apply returns the status after event e on a hotspot in status s, or a
// TransitionError when the step is illegal: detected only on an unknown
// hotspot, eliminated only on an active one, recurred only on an eliminated
// one, a note on any detected hotspot.
func Apply(s Status, e EventKind) (Status, error) {
	legal := false
	switch e {
	case EventDetected:
		legal = s == StatusUnknown
	case EventEliminated:
		legal = s == StatusActive
	case EventRecurred:
		legal = s == StatusEliminated
	case EventNote:
		legal = s != StatusUnknown
	default:
		return s, Invalid("event", "unknown event %q (want detected, eliminated, recurred or note)", e)
	}
	if !legal {
		return s, &TransitionError{Event: e, From: s}
	}
	if next, ok := e.StatusAfter(); ok {
		return next, nil
	}
	return s, nil
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

package metrics

import (
	"cmp"
	"slices"
	"sort"
	"time"

	"github.com/diaban/diaban/hotspot"
)

// The lifecycle as scan and stateBefore walk it, millions of events a
// second: a table over small codes, derived once from hotspot's own rules
// (hotspot.Apply says which step is legal, hotspot.EventKind.StatusAfter
// which status it leaves), so nothing here restates them.

// state is a hotspot status as a table index.
type state uint8

const (
	stUnknown state = iota
	stActive
	stEliminated
	numStates
)

var stateStatus = [numStates]hotspot.Status{hotspot.StatusUnknown, hotspot.StatusActive, hotspot.StatusEliminated}

// kindCode is an event kind as a table index; codeOther is any kind the
// vocabulary does not know.
type kindCode uint8

const (
	codeDetected kindCode = iota
	codeEliminated
	codeRecurred
	codeNote
	codeOther
	numCodes
)

func codeOf(k hotspot.EventKind) kindCode {
	switch k {
	case hotspot.EventDetected:
		return codeDetected
	case hotspot.EventEliminated:
		return codeEliminated
	case hotspot.EventRecurred:
		return codeRecurred
	case hotspot.EventNote:
		return codeNote
	}
	return codeOther
}

// step is what one event does to a hotspot in a given state.
type step struct {
	next    state // the state after it: the event decides whatever came before
	changes bool  // it is a state-changing event (StatusAfter's ok)
	legal   bool  // hotspot.Apply allows it from this state
}

var steps = func() (t [numCodes][numStates]step) {
	kinds := [numCodes]hotspot.EventKind{hotspot.EventDetected, hotspot.EventEliminated, hotspot.EventRecurred, hotspot.EventNote, "other"}
	for c, k := range kinds {
		for s, status := range stateStatus {
			st := step{next: state(s)}
			if after, ok := k.StatusAfter(); ok {
				st.changes = true
				for n, x := range stateStatus {
					if x == after {
						st.next = state(n)
					}
				}
			}
			_, err := hotspot.Apply(status, k)
			st.legal = err == nil
			t[c][s] = st
		}
	}
	return t
}()

// sortedEvents returns evs sorted by OccurredAt, ties by Seq. Sorted input
// (the normal case) is returned as is; otherwise a sorted copy, stable so
// that ties without a Seq keep the caller's order.
func sortedEvents(evs []Event) []Event {
	for i := 1; i < len(evs); i++ {
		a, b := &evs[i-1].OccurredAt, &evs[i].OccurredAt
		if b.Before(*a) || (b.Equal(*a) && evs[i].Seq < evs[i-1].Seq) {
			c := slices.Clone(evs)
			slices.SortStableFunc(c, eventCmp)
			return c
		}
	}
	return evs
}

func eventCmp(a, b Event) int {
	return cmp.Or(a.OccurredAt.Compare(b.OccurredAt), cmp.Compare(a.Seq, b.Seq))
}

// firstAtOrAfter returns the index of the first event occurring at or after t.
func firstAtOrAfter(evs []Event, t time.Time) int {
	return sort.Search(len(evs), func(i int) bool { return !evs[i].OccurredAt.Before(t) })
}

// stateBefore returns the state after evs[:i]: the last state-changing
// event decides (hotspot.EventKind.StatusAfter).
func stateBefore(evs []Event, i int) state {
	for i--; i >= 0; i-- {
		if st := steps[codeOf(evs[i].Kind)][stUnknown]; st.changes {
			return st.next
		}
	}
	return stUnknown
}

// stateAt returns the status at instant t: after every event strictly
// before t.
func stateAt(evs []Event, t time.Time) state {
	return stateBefore(evs, firstAtOrAfter(evs, t))
}

// window is what one hotspot did in one period [start, end).
type window struct {
	activeStart bool // active at start
	during      bool // active at some instant of [start, end)
	activeEnd   bool // active at end
	new         bool // a detected event in the period
	eliminated  bool // an eliminated event that found the hotspot active
	sustained   bool // eliminated, and still eliminated at end
	recurred    bool // a recurred event in the period
	irregular   int  // events in the period that the lifecycle rules forbid
}

// scan replays evs (sorted) over [start, end).
//
// Status follows the events whatever their order (detected and recurred
// make a hotspot active, eliminated makes it eliminated), so an illegal
// sequence never panics and never loses the latest fact. The lifecycle
// rules (hotspot.Apply) only allow detected from unknown, eliminated from
// active, recurred from eliminated and notes after detection; other events
// are counted as irregular. new and recurred count their events as such;
// eliminated counts only an elimination that found the hotspot active, so
// that eliminated ≤ active_during and the elimination rate stays within
// [0, 1] even on bad data. On legal histories this is exactly the
// definition "a hotspot with an eliminated event in the period".
func scan(evs []Event, start, end time.Time) window {
	i := firstAtOrAfter(evs, start)
	s := stateBefore(evs, i)
	w := window{activeStart: s == stActive, during: s == stActive}
	for ; i < len(evs) && evs[i].OccurredAt.Before(end); i++ {
		c := codeOf(evs[i].Kind)
		st := steps[c][s]
		if !st.legal {
			w.irregular++
		}
		switch c {
		case codeDetected:
			w.new = true
		case codeRecurred:
			w.recurred = true
		case codeEliminated:
			w.eliminated = w.eliminated || s == stActive
		}
		s = st.next
		w.during = w.during || s == stActive
	}
	w.activeEnd = s == stActive
	w.sustained = w.eliminated && s == stEliminated
	return w
}

// hotspotCounts sums windows over an area's hotspots.
type hotspotCounts struct {
	activeStart, activeDuring, activeEnd int
	new, eliminated, sustained, recurred int
	irregular                            int
}

func (c *hotspotCounts) add(w window) {
	c.activeStart += b2i(w.activeStart)
	c.activeDuring += b2i(w.during)
	c.activeEnd += b2i(w.activeEnd)
	c.new += b2i(w.new)
	c.eliminated += b2i(w.eliminated)
	c.sustained += b2i(w.sustained)
	c.recurred += b2i(w.recurred)
	c.irregular += w.irregular
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

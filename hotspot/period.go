package hotspot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PeriodKind says how long a period is.
type PeriodKind string

// The period kinds.
const (
	PeriodYear    PeriodKind = "year"
	PeriodQuarter PeriodKind = "quarter"
	PeriodMonth   PeriodKind = "month"
)

// ErrInvalidPeriod is wrapped by every *PeriodError.
var ErrInvalidPeriod = errors.New("invalid period")

// PeriodError says why a period string was refused. It unwraps to
// ErrInvalidPeriod.
type PeriodError struct {
	Input  string
	Reason string
}

func (e *PeriodError) Error() string {
	return fmt.Sprintf("invalid period %q: %s (want a year 2025, a quarter 2025-Q3 or a month 2025-07)", e.Input, e.Reason)
}

// Unwrap returns ErrInvalidPeriod.
func (e *PeriodError) Unwrap() error { return ErrInvalidPeriod }

// Period is a calendar year, quarter or month in Asia/Ho_Chi_Minh. The zero
// Period is invalid; build one with ParsePeriod, YearPeriod, QuarterPeriod or
// MonthPeriod.
type Period struct {
	kind  PeriodKind
	year  int
	index int // quarter 1–4 or month 1–12; 0 for a year
}

// Years accepted by ParsePeriod: wide enough for any plan, narrow enough to
// catch typos such as 20255.
const (
	minYear = 1900
	maxYear = 2200
)

// YearPeriod returns the calendar year y.
func YearPeriod(y int) Period { return Period{kind: PeriodYear, year: y} }

// QuarterPeriod returns quarter q of year y; q outside 1–4 carries into
// the years around (quarter 5 of 2025 is 2026-Q1), as time.Date does.
func QuarterPeriod(y, q int) Period {
	i := y*4 + q - 1
	return Period{kind: PeriodQuarter, year: floorDiv(i, 4), index: i - floorDiv(i, 4)*4 + 1}
}

// MonthPeriod returns month m of year y; m outside 1–12 carries into the
// years around (month 13 of 2025 is 2026-01).
func MonthPeriod(y int, m time.Month) Period {
	i := MonthOf(y, m)
	return Period{kind: PeriodMonth, year: i.Year(), index: int(i.Month())}
}

// ParsePeriod reads "2025" (a year), "2025-Q3" (a quarter; "q3" also
// accepted) or "2025-07" (a month). Errors are *PeriodError.
func ParsePeriod(s string) (Period, error) {
	in := s
	s = strings.TrimSpace(s)
	fail := func(format string, args ...any) (Period, error) {
		return Period{}, &PeriodError{Input: in, Reason: fmt.Sprintf(format, args...)}
	}
	if s == "" {
		return fail("empty")
	}
	ys, rest, hasRest := strings.Cut(s, "-")
	if len(ys) != 4 {
		return fail("the year must have four digits")
	}
	y, err := strconv.Atoi(ys)
	if err != nil || y < minYear || y > maxYear {
		return fail("year %q is not a number between %d and %d", ys, minYear, maxYear)
	}
	if !hasRest {
		return YearPeriod(y), nil
	}
	if len(rest) == 2 && (rest[0] == 'Q' || rest[0] == 'q') {
		q := int(rest[1] - '0')
		if q < 1 || q > 4 {
			return fail("quarter %q is not Q1 to Q4", rest)
		}
		return QuarterPeriod(y, q), nil
	}
	if len(rest) != 2 {
		return fail("%q is neither a quarter (Q1–Q4) nor a two-digit month (01–12)", rest)
	}
	m, err := strconv.Atoi(rest)
	if err != nil || m < 1 || m > 12 {
		return fail("month %q is not 01 to 12", rest)
	}
	return MonthPeriod(y, time.Month(m)), nil
}

// IsZero reports whether p is the zero (invalid) Period.
func (p Period) IsZero() bool { return p.kind == "" }

// Kind returns year, quarter or month.
func (p Period) Kind() PeriodKind { return p.kind }

// Year returns the calendar year p falls in.
func (p Period) Year() int { return p.year }

// Months returns the number of months in p: 12, 3 or 1 (0 for the zero Period).
func (p Period) Months() int {
	switch p.kind {
	case PeriodYear:
		return 12
	case PeriodQuarter:
		return 3
	case PeriodMonth:
		return 1
	}
	return 0
}

// FirstMonth returns the first month of p.
func (p Period) FirstMonth() Month {
	switch p.kind {
	case PeriodQuarter:
		return MonthOf(p.year, time.Month(3*p.index-2))
	case PeriodMonth:
		return MonthOf(p.year, time.Month(p.index))
	}
	return MonthOf(p.year, time.January)
}

// LastMonth returns the last month of p.
func (p Period) LastMonth() Month { return p.FirstMonth() + Month(p.Months()-1) }

// Start returns the first instant of p (UTC).
func (p Period) Start() time.Time { return p.FirstMonth().Start() }

// End returns the first instant after p (UTC): p is [Start, End).
func (p Period) End() time.Time { return (p.LastMonth() + 1).Start() }

// Contains reports whether t falls in [Start, End).
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start()) && t.Before(p.End())
}

// Previous returns the period of the same kind just before p: 2025-Q1 →
// 2024-Q4, 2025-01 → 2024-12, 2025 → 2024.
func (p Period) Previous() Period { return p.shift(-1) }

// Next returns the period of the same kind just after p.
func (p Period) Next() Period { return p.shift(1) }

func (p Period) shift(n int) Period {
	switch p.kind {
	case PeriodYear:
		return YearPeriod(p.year + n)
	case PeriodQuarter:
		return QuarterPeriod(p.year, p.index+n)
	case PeriodMonth:
		return MonthPeriod(p.year, time.Month(p.index+n))
	}
	return p
}

// Last returns the n periods of p's kind ending with p, oldest first (nil
// when n < 1): the window of a trend.
func (p Period) Last(n int) []Period {
	if n < 1 {
		return nil
	}
	out := make([]Period, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = p
		p = p.Previous()
	}
	return out
}

// YearToDate returns the months from 1 January of p's year to the end of p
// (12 for a year, 9 for 2025-Q3, 7 for 2025-07) and the instant January
// starts.
func (p Period) YearToDate() (months int, start time.Time) {
	return int(p.LastMonth()-YearPeriod(p.year).FirstMonth()) + 1, YearPeriod(p.year).Start()
}

// String returns "2025", "2025-Q3" or "2025-07".
func (p Period) String() string {
	switch p.kind {
	case PeriodYear:
		return fmt.Sprintf("%04d", p.year)
	case PeriodQuarter:
		return fmt.Sprintf("%04d-Q%d", p.year, p.index)
	case PeriodMonth:
		return fmt.Sprintf("%04d-%02d", p.year, p.index)
	}
	return ""
}

// MarshalText writes p as String does.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads p as ParsePeriod does.
func (p *Period) UnmarshalText(b []byte) error {
	q, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// Month is a calendar month in Asia/Ho_Chi_Minh, counted from year 0
// (year*12 + month − 1): the unit the database groups incident and tip
// counts by.
type Month int32

// MonthOf returns month m of year y.
func MonthOf(y int, m time.Month) Month { return Month(y*12 + int(m) - 1) }

// MonthAt returns the month, in Asia/Ho_Chi_Minh, that contains t.
func MonthAt(t time.Time) Month {
	t = t.In(Zone)
	return MonthOf(t.Year(), t.Month())
}

// Year returns the month's year.
func (m Month) Year() int { return floorDiv(int(m), 12) }

// Month returns the month of the year.
func (m Month) Month() time.Month { return time.Month(int(m) - m.Year()*12 + 1) }

// Start returns the month's first instant (UTC).
func (m Month) Start() time.Time {
	return time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, Zone).UTC()
}

// String returns "2025-07".
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year(), int(m.Month())) }

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

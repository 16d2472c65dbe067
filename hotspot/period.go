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
	PeriodHalf    PeriodKind = "half" // 6 months: sơ kết (H1) and the second half
	PeriodQuarter PeriodKind = "quarter"
	PeriodMonth   PeriodKind = "month"
	PeriodCustom  PeriodKind = "custom" // a window of whole days, such as a transformation plan's
)

// PeriodForms names the forms ParsePeriod reads, for help texts and errors.
const PeriodForms = "a year 2025, a half 2025-H1, a quarter 2025-Q3, a month 2025-07 or a window of dates 2024-04-15..2025-04-14"

// ErrInvalidPeriod is wrapped by every *PeriodError.
var ErrInvalidPeriod = errors.New("invalid period")

// PeriodError says why a period string was refused. It unwraps to
// ErrInvalidPeriod.
type PeriodError struct {
	Input  string
	Reason string
}

func (e *PeriodError) Error() string {
	return fmt.Sprintf("invalid period %q: %s (want %s)", e.Input, e.Reason, PeriodForms)
}

// Unwrap returns ErrInvalidPeriod.
func (e *PeriodError) Unwrap() error { return ErrInvalidPeriod }

// Period is a calendar year, half, quarter or month, or a custom window of
// whole days, in Asia/Ho_Chi_Minh. The zero Period is invalid; build one
// with ParsePeriod, YearPeriod, HalfPeriod, QuarterPeriod, MonthPeriod or
// WindowPeriod.
//
// A custom window is exact to the day for everything kept as an instant
// (hotspot events). What the database counts by month (incidents, tips)
// and the yearly band's proration use the window's months: the calendar
// months at least half of whose days fall inside it (FirstMonth to
// LastMonth; the month of its middle day when none does), so that
// 2024-04-15..2025-04-14 counts 2024-04 to 2025-03, twelve months.
type Period struct {
	kind     PeriodKind
	year     int
	index    int   // half 1–2, quarter 1–4 or month 1–12; 0 for a year or a window
	from, to int32 // a window's first and last day (days since 1970-01-01), inclusive
}

// Years accepted by ParsePeriod: wide enough for any plan, narrow enough to
// catch typos such as 20255.
const (
	minYear = 1900
	maxYear = 2200
)

// YearPeriod returns the calendar year y.
func YearPeriod(y int) Period { return Period{kind: PeriodYear, year: y} }

// HalfPeriod returns half h (1 or 2) of year y; h outside 1–2 carries into
// the years around (half 3 of 2025 is 2026-H1).
func HalfPeriod(y, h int) Period {
	i := y*2 + h - 1
	return Period{kind: PeriodHalf, year: floorDiv(i, 2), index: i - floorDiv(i, 2)*2 + 1}
}

// MaxWindowDays is the longest custom window ParsePeriod accepts: ten
// years (a trend reaches back several windows, and the inputs with it).
const MaxWindowDays = 3653

// WindowPeriod returns the custom window of the days from first to last,
// both inclusive, read as calendar dates (their year, month and day, in
// whatever location). It does not check the length; last before first
// gives a one-day window of first.
func WindowPeriod(first, last time.Time) Period {
	f, l := dayNumber(first), dayNumber(last)
	if l < f {
		l = f
	}
	p := Period{kind: PeriodCustom, from: f, to: l}
	p.year = p.LastMonth().Year()
	return p
}

// dayNumber returns the days from 1970-01-01 to t's calendar date.
func dayNumber(t time.Time) int32 {
	y, m, d := t.Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// dayDate returns the calendar date of day n as year, month, day.
func dayDate(n int32) (int, time.Month, int) {
	return time.Unix(int64(n)*86400, 0).UTC().Date()
}

// dayStart returns the first instant of day n in Asia/Ho_Chi_Minh (UTC).
func dayStart(n int32) time.Time {
	y, m, d := dayDate(n)
	return time.Date(y, m, d, 0, 0, 0, 0, Zone).UTC()
}

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

// ParsePeriod reads "2025" (a year), "2025-H1" (a half; "h1" also
// accepted), "2025-Q3" (a quarter; "q3" also accepted), "2025-07" (a month)
// or "2024-04-15..2025-04-14" (a custom window of dates, both inclusive;
// "15/04/2024..14/04/2025" as written on screen is accepted too). Errors
// are *PeriodError.
func ParsePeriod(s string) (Period, error) {
	in := s
	s = strings.TrimSpace(s)
	fail := func(format string, args ...any) (Period, error) {
		return Period{}, &PeriodError{Input: in, Reason: fmt.Sprintf(format, args...)}
	}
	if s == "" {
		return fail("empty")
	}
	if a, b, ok := strings.Cut(s, ".."); ok {
		first, err := parseWindowDate(strings.TrimSpace(a))
		if err != nil {
			return fail("the first date %s", err)
		}
		last, err := parseWindowDate(strings.TrimSpace(b))
		if err != nil {
			return fail("the last date %s", err)
		}
		f, l := dayNumber(first), dayNumber(last)
		switch {
		case l < f:
			return fail("the last date %s is before the first %s", last.Format(time.DateOnly), first.Format(time.DateOnly))
		case l-f+1 > MaxWindowDays:
			return fail("the window is %d days long; at most %d (ten years)", l-f+1, MaxWindowDays)
		}
		return WindowPeriod(first, last), nil
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
	if len(rest) == 2 && (rest[0] == 'H' || rest[0] == 'h') {
		h := int(rest[1] - '0')
		if h < 1 || h > 2 {
			return fail("half %q is not H1 or H2", rest)
		}
		return HalfPeriod(y, h), nil
	}
	if len(rest) == 2 && (rest[0] == 'Q' || rest[0] == 'q') {
		q := int(rest[1] - '0')
		if q < 1 || q > 4 {
			return fail("quarter %q is not Q1 to Q4", rest)
		}
		return QuarterPeriod(y, q), nil
	}
	if len(rest) != 2 {
		return fail("%q is neither a half (H1, H2), a quarter (Q1–Q4) nor a two-digit month (01–12)", rest)
	}
	m, err := strconv.Atoi(rest)
	if err != nil || m < 1 || m > 12 {
		return fail("month %q is not 01 to 12", rest)
	}
	return MonthPeriod(y, time.Month(m)), nil
}

// parseWindowDate reads one date of a window: 2024-04-15 or 15/04/2024
// (two-digit day and month, four-digit year), within minYear–maxYear.
func parseWindowDate(s string) (time.Time, error) {
	layout := time.DateOnly
	if strings.Contains(s, "/") {
		layout = "02/01/2006"
	}
	if len(s) != 10 {
		return time.Time{}, fmt.Errorf("%q is not a date 2024-04-15 or 15/04/2024", s)
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date 2024-04-15 or 15/04/2024", s)
	}
	if t.Year() < minYear || t.Year() > maxYear {
		return time.Time{}, fmt.Errorf("%q is not between the years %d and %d", s, minYear, maxYear)
	}
	return t, nil
}

// IsZero reports whether p is the zero (invalid) Period.
func (p Period) IsZero() bool { return p.kind == "" }

// Kind returns year, half, quarter, month or custom.
func (p Period) Kind() PeriodKind { return p.kind }

// Year returns the calendar year p falls in; for a custom window, the year
// of its last month (the year its year-to-date projection is about).
func (p Period) Year() int { return p.year }

// Months returns the number of months in p: 12, 6, 3 or 1, a custom
// window's months (see Period), 0 for the zero Period.
func (p Period) Months() int {
	switch p.kind {
	case PeriodYear:
		return 12
	case PeriodHalf:
		return 6
	case PeriodQuarter:
		return 3
	case PeriodMonth:
		return 1
	case PeriodCustom:
		return int(p.LastMonth()-p.FirstMonth()) + 1
	}
	return 0
}

// Days returns the number of calendar days in p.
func (p Period) Days() int {
	if p.kind == PeriodCustom {
		return int(p.to-p.from) + 1
	}
	if p.kind == "" {
		return 0
	}
	return int(dayNumber(p.End().In(Zone)) - dayNumber(p.Start().In(Zone)))
}

// FirstDay and LastDay return p's first and last calendar day (dates at
// midnight UTC: read their Date, not their instant).
func (p Period) FirstDay() time.Time {
	if p.kind == PeriodCustom {
		return time.Unix(int64(p.from)*86400, 0).UTC()
	}
	return time.Unix(int64(dayNumber(p.Start().In(Zone)))*86400, 0).UTC()
}

// LastDay: see FirstDay.
func (p Period) LastDay() time.Time {
	if p.kind == PeriodCustom {
		return time.Unix(int64(p.to)*86400, 0).UTC()
	}
	return time.Unix(int64(dayNumber(p.End().In(Zone))-1)*86400, 0).UTC()
}

// FirstMonth returns the first month of p.
func (p Period) FirstMonth() Month {
	switch p.kind {
	case PeriodHalf:
		return MonthOf(p.year, time.Month(6*p.index-5))
	case PeriodQuarter:
		return MonthOf(p.year, time.Month(3*p.index-2))
	case PeriodMonth:
		return MonthOf(p.year, time.Month(p.index))
	case PeriodCustom:
		f, _ := p.windowMonths()
		return f
	}
	return MonthOf(p.year, time.January)
}

// LastMonth returns the last month of p.
func (p Period) LastMonth() Month {
	if p.kind == PeriodCustom {
		_, l := p.windowMonths()
		return l
	}
	return p.FirstMonth() + Month(p.Months()-1)
}

// windowMonths returns a custom window's months: those at least half of
// whose days lie inside it, else the month of its middle day.
func (p Period) windowMonths() (first, last Month) {
	monthOfDay := func(n int32) (Month, int32, int32) { // the month, its first day, its day count
		y, m, _ := dayDate(n)
		start := dayNumber(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC))
		next := dayNumber(time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC))
		return MonthOf(y, m), start, next - start
	}
	fm, fStart, fLen := monthOfDay(p.from)
	first = fm
	if inside := min(p.to, fStart+fLen-1) - p.from + 1; 2*inside < fLen {
		first++
	}
	lm, lStart, lLen := monthOfDay(p.to)
	last = lm
	if inside := p.to - max(p.from, lStart) + 1; 2*inside < lLen {
		last--
	}
	if first > last {
		mid, _, _ := monthOfDay(p.from + (p.to-p.from)/2)
		return mid, mid
	}
	return first, last
}

// Start returns the first instant of p (UTC).
func (p Period) Start() time.Time {
	if p.kind == PeriodCustom {
		return dayStart(p.from)
	}
	return p.FirstMonth().Start()
}

// End returns the first instant after p (UTC): p is [Start, End).
func (p Period) End() time.Time {
	if p.kind == PeriodCustom {
		return dayStart(p.to + 1)
	}
	return (p.LastMonth() + 1).Start()
}

// Contains reports whether t falls in [Start, End).
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start()) && t.Before(p.End())
}

// Previous returns the comparable period just before p: 2025-Q1 →
// 2024-Q4, 2025-01 → 2024-12, 2025-H1 → 2024-H2, 2025 → 2024, and for a
// custom window the window of as many days ending the day before it.
func (p Period) Previous() Period { return p.shift(-1) }

// Next returns the period of the same kind just after p.
func (p Period) Next() Period { return p.shift(1) }

func (p Period) shift(n int) Period {
	switch p.kind {
	case PeriodYear:
		return YearPeriod(p.year + n)
	case PeriodHalf:
		return HalfPeriod(p.year, p.index+n)
	case PeriodCustom:
		d := int32(n) * (p.to - p.from + 1)
		q := Period{kind: PeriodCustom, from: p.from + d, to: p.to + d}
		q.year = q.LastMonth().Year()
		return q
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

// YearToDate returns the months from 1 January of p's year to p's last
// month (12 for a year, 9 for 2025-Q3, 7 for 2025-07, 3 for
// 2024-04-15..2025-04-14) and the instant January starts.
func (p Period) YearToDate() (months int, start time.Time) {
	return int(p.LastMonth()-YearPeriod(p.year).FirstMonth()) + 1, YearPeriod(p.year).Start()
}

// String returns "2025", "2025-H1", "2025-Q3", "2025-07" or
// "2024-04-15..2025-04-14".
func (p Period) String() string {
	switch p.kind {
	case PeriodYear:
		return fmt.Sprintf("%04d", p.year)
	case PeriodHalf:
		return fmt.Sprintf("%04d-H%d", p.year, p.index)
	case PeriodCustom:
		return p.FirstDay().Format(time.DateOnly) + ".." + p.LastDay().Format(time.DateOnly)
	case PeriodQuarter:
		return fmt.Sprintf("%04d-Q%d", p.year, p.index)
	case PeriodMonth:
		return fmt.Sprintf("%04d-%02d", p.year, p.index)
	}
	return ""
}

// Label returns p as the map and the reports write it: "năm 2025",
// "6 tháng đầu năm 2025", "quý III/2025", "tháng 10/2025",
// "từ 15/04/2024 đến 14/04/2025"; English when en is true.
func (p Period) Label(en bool) string {
	roman := [...]string{"", "I", "II", "III", "IV"}
	date := func(t time.Time) string { return t.Format("02/01/2006") }
	switch {
	case p.kind == PeriodYear && en:
		return fmt.Sprintf("year %d", p.year)
	case p.kind == PeriodYear:
		return fmt.Sprintf("năm %d", p.year)
	case p.kind == PeriodHalf && en:
		return fmt.Sprintf("%s half of %d", map[int]string{1: "first", 2: "second"}[p.index], p.year)
	case p.kind == PeriodHalf && p.index == 1:
		return fmt.Sprintf("6 tháng đầu năm %d", p.year)
	case p.kind == PeriodHalf:
		return fmt.Sprintf("6 tháng cuối năm %d", p.year)
	case p.kind == PeriodQuarter && en:
		return fmt.Sprintf("Q%d %d", p.index, p.year)
	case p.kind == PeriodQuarter:
		return fmt.Sprintf("quý %s/%d", roman[p.index], p.year)
	case p.kind == PeriodMonth && en:
		return time.Month(p.index).String() + fmt.Sprintf(" %d", p.year)
	case p.kind == PeriodMonth:
		return fmt.Sprintf("tháng %02d/%d", p.index, p.year)
	case p.kind == PeriodCustom && en:
		return "from " + date(p.FirstDay()) + " to " + date(p.LastDay())
	case p.kind == PeriodCustom:
		return "từ " + date(p.FirstDay()) + " đến " + date(p.LastDay())
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

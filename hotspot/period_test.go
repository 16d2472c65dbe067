package hotspot

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in                string
		kind              PeriodKind
		str               string
		start, end        string
		months, ytdMonths int
	}{
		{"2025", PeriodYear, "2025", "2025-01-01T00:00:00+07:00", "2026-01-01T00:00:00+07:00", 12, 12},
		{"2025-Q1", PeriodQuarter, "2025-Q1", "2025-01-01T00:00:00+07:00", "2025-04-01T00:00:00+07:00", 3, 3},
		{"2025-q3", PeriodQuarter, "2025-Q3", "2025-07-01T00:00:00+07:00", "2025-10-01T00:00:00+07:00", 3, 9},
		{"2025-Q4", PeriodQuarter, "2025-Q4", "2025-10-01T00:00:00+07:00", "2026-01-01T00:00:00+07:00", 3, 12},
		{"2025-07", PeriodMonth, "2025-07", "2025-07-01T00:00:00+07:00", "2025-08-01T00:00:00+07:00", 1, 7},
		{" 2024-02 ", PeriodMonth, "2024-02", "2024-02-01T00:00:00+07:00", "2024-03-01T00:00:00+07:00", 1, 2},
		{"2025-12", PeriodMonth, "2025-12", "2025-12-01T00:00:00+07:00", "2026-01-01T00:00:00+07:00", 1, 12},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePeriod(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if p.Kind() != tt.kind || p.String() != tt.str || p.Months() != tt.months {
				t.Errorf("got %s %s %d months", p.Kind(), p, p.Months())
			}
			if !p.Start().Equal(at(tt.start)) || !p.End().Equal(at(tt.end)) {
				t.Errorf("got [%s, %s)", p.Start(), p.End())
			}
			if p.Start().Location() != time.UTC {
				t.Errorf("Start not in UTC: %v", p.Start().Location())
			}
			if n, s := p.YearToDate(); n != tt.ytdMonths || !s.Equal(YearPeriod(p.Year()).Start()) {
				t.Errorf("YearToDate = %d %s", n, s)
			}
		})
	}
}

func TestParsePeriodErrors(t *testing.T) {
	for _, in := range []string{"", "25", "20255", "abcd", "2025-", "2025-Q0", "2025-Q5", "2025-Q12", "2025-13", "2025-00", "2025-7", "2025-007", "2025/07", "1800", "2025-W3"} {
		t.Run(in, func(t *testing.T) {
			_, err := ParsePeriod(in)
			var pe *PeriodError
			if !errors.Is(err, ErrInvalidPeriod) || !errors.As(err, &pe) || pe.Input != in {
				t.Fatalf("ParsePeriod(%q) err = %v", in, err)
			}
		})
	}
}

func TestPeriodPreviousNextLast(t *testing.T) {
	tests := []struct{ p, prev, next string }{
		{"2025", "2024", "2026"},
		{"2025-Q1", "2024-Q4", "2025-Q2"},
		{"2025-Q4", "2025-Q3", "2026-Q1"},
		{"2025-01", "2024-12", "2025-02"},
		{"2025-12", "2025-11", "2026-01"},
	}
	for _, tt := range tests {
		t.Run(tt.p, func(t *testing.T) {
			p, _ := ParsePeriod(tt.p)
			if got := p.Previous().String(); got != tt.prev {
				t.Errorf("Previous = %s, want %s", got, tt.prev)
			}
			if got := p.Next().String(); got != tt.next {
				t.Errorf("Next = %s, want %s", got, tt.next)
			}
			if !p.Previous().End().Equal(p.Start()) {
				t.Errorf("previous period does not end where %s starts", p)
			}
			if p.Previous().Months() != p.Months() {
				t.Errorf("previous period of another length")
			}
		})
	}
	p, _ := ParsePeriod("2025-02")
	var got []string
	for _, q := range p.Last(4) {
		got = append(got, q.String())
	}
	if want := "[2024-11 2024-12 2025-01 2025-02]"; fmtSlice(got) != want {
		t.Errorf("Last(4) = %v, want %s", got, want)
	}
	if p.Last(0) != nil {
		t.Error("Last(0) not nil")
	}
}

func fmtSlice(s []string) string {
	out := []byte{'['}
	for i, x := range s {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, x...)
	}
	return string(append(out, ']'))
}

func TestYearBoundaryInHoChiMinh(t *testing.T) {
	y2025, y2026 := YearPeriod(2025), YearPeriod(2026)
	tests := []struct {
		name   string
		t      string
		in2025 bool
	}{
		{"23:30 on 31 December local is still 2025", "2025-12-31T23:30:00+07:00", true},
		{"the same instant written in UTC", "2025-12-31T16:30:00Z", true},
		{"midnight local opens 2026", "2026-01-01T00:00:00+07:00", false},
		{"17:00 UTC on 31 December is already 2026", "2025-12-31T17:00:00Z", false},
		{"one nanosecond before midnight local", "2025-12-31T23:59:59.999999999+07:00", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := at(tt.t)
			if y2025.Contains(ts) != tt.in2025 || y2026.Contains(ts) == tt.in2025 {
				t.Errorf("%s: in 2025 = %v, in 2026 = %v", tt.t, y2025.Contains(ts), y2026.Contains(ts))
			}
			wantMonth := MonthOf(2025, time.December)
			if !tt.in2025 {
				wantMonth = MonthOf(2026, time.January)
			}
			if MonthAt(ts) != wantMonth {
				t.Errorf("MonthAt = %s, want %s", MonthAt(ts), wantMonth)
			}
		})
	}
}

func TestPeriodJSON(t *testing.T) {
	p := QuarterPeriod(2025, 3)
	b, err := json.Marshal(struct{ P Period }{p})
	if err != nil || string(b) != `{"P":"2025-Q3"}` {
		t.Fatalf("marshal = %s, %v", b, err)
	}
	var back struct{ P Period }
	if err := json.Unmarshal(b, &back); err != nil || back.P != p {
		t.Fatalf("unmarshal = %v, %v", back.P, err)
	}
	if err := json.Unmarshal([]byte(`{"P":"2025-Q9"}`), &back); !errors.Is(err, ErrInvalidPeriod) {
		t.Fatalf("bad period accepted: %v", err)
	}
}

func TestMonth(t *testing.T) {
	for _, m := range []Month{MonthOf(2025, time.January), MonthOf(2024, time.December), MonthOf(0, time.January), MonthOf(-1, time.December)} {
		if MonthOf(m.Year(), m.Month()) != m {
			t.Errorf("%d does not round-trip: %d %s", m, m.Year(), m.Month())
		}
	}
	if got := MonthOf(2025, time.July).String(); got != "2025-07" {
		t.Errorf("String = %s", got)
	}
}

func TestConstructorsCarry(t *testing.T) {
	tests := []struct {
		got  Period
		want string
	}{
		{QuarterPeriod(2025, 5), "2026-Q1"},
		{QuarterPeriod(2025, 0), "2024-Q4"},
		{QuarterPeriod(2025, -4), "2023-Q4"},
		{MonthPeriod(2025, 13), "2026-01"},
		{MonthPeriod(2025, 0), "2024-12"},
		{MonthPeriod(2025, -12), "2023-12"},
	}
	for _, tt := range tests {
		if tt.got.String() != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}

func TestHalvesAndWindows(t *testing.T) {
	tests := []struct {
		in, str, prev, next string
		kind                PeriodKind
		start, end          string
		first, last         string // the months counts are read over
		months, ytd, days   int
	}{
		{"2025-H1", "2025-H1", "2024-H2", "2025-H2", PeriodHalf, "2025-01-01T00:00:00+07:00", "2025-07-01T00:00:00+07:00", "2025-01", "2025-06", 6, 6, 181},
		{"2025-h2", "2025-H2", "2025-H1", "2026-H1", PeriodHalf, "2025-07-01T00:00:00+07:00", "2026-01-01T00:00:00+07:00", "2025-07", "2025-12", 6, 12, 184},
		{"2024-04-15..2025-04-14", "2024-04-15..2025-04-14", "2023-04-16..2024-04-14", "2025-04-15..2026-04-14", PeriodCustom,
			"2024-04-15T00:00:00+07:00", "2025-04-15T00:00:00+07:00", "2024-04", "2025-03", 12, 3, 365},
		{" 15/04/2024 .. 14/04/2025 ", "2024-04-15..2025-04-14", "2023-04-16..2024-04-14", "2025-04-15..2026-04-14", PeriodCustom,
			"2024-04-15T00:00:00+07:00", "2025-04-15T00:00:00+07:00", "2024-04", "2025-03", 12, 3, 365},
		{"2025-01-01..2025-01-31", "2025-01-01..2025-01-31", "2024-12-01..2024-12-31", "2025-02-01..2025-03-03", PeriodCustom,
			"2025-01-01T00:00:00+07:00", "2025-02-01T00:00:00+07:00", "2025-01", "2025-01", 1, 1, 31},
		{"2025-01-30..2025-02-02", "2025-01-30..2025-02-02", "2025-01-26..2025-01-29", "2025-02-03..2025-02-06", PeriodCustom,
			"2025-01-30T00:00:00+07:00", "2025-02-03T00:00:00+07:00", "2025-01", "2025-01", 1, 1, 4},
		{"2024-02-29..2024-02-29", "2024-02-29..2024-02-29", "2024-02-28..2024-02-28", "2024-03-01..2024-03-01", PeriodCustom,
			"2024-02-29T00:00:00+07:00", "2024-03-01T00:00:00+07:00", "2024-02", "2024-02", 1, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePeriod(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if p.Kind() != tt.kind || p.String() != tt.str || p.Previous().String() != tt.prev || p.Next().String() != tt.next {
				t.Errorf("got %s %s, previous %s, next %s", p.Kind(), p, p.Previous(), p.Next())
			}
			if !p.Start().Equal(at(tt.start)) || !p.End().Equal(at(tt.end)) {
				t.Errorf("got [%s, %s)", p.Start(), p.End())
			}
			if p.FirstMonth().String() != tt.first || p.LastMonth().String() != tt.last || p.Months() != tt.months {
				t.Errorf("months %s..%s (%d), want %s..%s (%d)", p.FirstMonth(), p.LastMonth(), p.Months(), tt.first, tt.last, tt.months)
			}
			if n, _ := p.YearToDate(); n != tt.ytd {
				t.Errorf("YearToDate = %d, want %d", n, tt.ytd)
			}
			if p.Days() != tt.days || p.Previous().Days() != tt.days && tt.kind == PeriodCustom {
				t.Errorf("Days = %d (previous %d), want %d", p.Days(), p.Previous().Days(), tt.days)
			}
			if !p.Previous().End().Equal(p.Start()) {
				t.Errorf("previous period does not end where %s starts", p)
			}
			var back Period
			if err := back.UnmarshalText([]byte(p.String())); err != nil || back != p {
				t.Errorf("round trip: %v %v", back, err)
			}
		})
	}
}

func TestWindowErrorsNameTheProblem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2025-H0", "half"},
		{"2025-H3", "half"},
		{"2025-04-14..2024-04-15", "before the first"},
		{"2024-04-15..", "last date"},
		{"..2025-04-14", "first date"},
		{"2024-02-30..2024-03-01", "first date"},
		{"2024-4-15..2025-04-14", "first date"},
		{"31/13/2024..01/01/2025", "first date"},
		{"1899-12-31..1900-01-05", "between the years"},
		{"2000-01-01..2025-01-01", "at most 3653"},
		{"2024-04-15...2025-04-14", "last date"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParsePeriod(tt.in)
			var pe *PeriodError
			if !errors.As(err, &pe) || !errors.Is(err, ErrInvalidPeriod) {
				t.Fatalf("ParsePeriod(%q) err = %v", tt.in, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%v does not say %q", err, tt.want)
			}
		})
	}
}

func TestPeriodLabels(t *testing.T) {
	for in, want := range map[string][2]string{
		"2025":                   {"năm 2025", "year 2025"},
		"2025-H1":                {"6 tháng đầu năm 2025", "first half of 2025"},
		"2025-H2":                {"6 tháng cuối năm 2025", "second half of 2025"},
		"2025-Q3":                {"quý III/2025", "Q3 2025"},
		"2025-10":                {"tháng 10/2025", "October 2025"},
		"2024-04-15..2025-04-14": {"từ 15/04/2024 đến 14/04/2025", "from 15/04/2024 to 14/04/2025"},
	} {
		p, _ := ParsePeriod(in)
		if p.Label(false) != want[0] || p.Label(true) != want[1] {
			t.Errorf("%s: %q / %q", in, p.Label(false), p.Label(true))
		}
	}
}

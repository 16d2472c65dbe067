package hotspot

import (
	"testing"
	"time"
)

func TestParseRangeEnd(t *testing.T) {
	vn := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, Zone).UTC() }
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"2025-12-31", vn(2026, 1, 1, 0)},              // a date is inclusive: to the end of the day
		{" 2024-02-28 ", vn(2024, 2, 29, 0)},           // leap year, spaces trimmed
		{"2025-12-31T10:00", vn(2025, 12, 31, 10)},     // an instant is excluded, as it is
		{"2025-12-31T03:00:00Z", vn(2025, 12, 31, 10)}, // RFC 3339
	} {
		got, err := ParseRangeEnd(c.in)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseRangeEnd(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	if _, err := ParseRangeEnd("31/12/2025"); err == nil {
		t.Error("31/12/2025 accepted; want an error naming the format")
	}
}

// at parses an RFC 3339 instant; the fixtures write Vietnamese local time
// as +07:00.
func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

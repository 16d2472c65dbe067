package hotspot

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // periods are cut in Asia/Ho_Chi_Minh even where the system has no zone data
)

// Zone is Asia/Ho_Chi_Minh: where a date without an offset is read and where
// every period is cut. Vietnam has kept UTC+7 without daylight saving since
// 1975, so the fixed zone is the fallback should the embedded database ever
// fail to load.
var Zone = loadZone("Asia/Ho_Chi_Minh")

func loadZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return loc
}

// ParseInstant reads an RFC 3339 time, or a date or date-time with no
// offset (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS]) in Asia/Ho_Chi_Minh.
func ParseInstant(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, Zone); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (want RFC 3339 such as 2025-07-01T08:30:00+07:00, or YYYY-MM-DD read in Asia/Ho_Chi_Minh)", s)
}

// ParseRangeEnd reads the end of a time range, the one day-end rule of
// every `to`: a bare date (YYYY-MM-DD) is inclusive, the range runs to the
// end of that day in Asia/Ho_Chi_Minh; an instant (RFC 3339, or a date with
// a time of day) is excluded. An empty string is the zero time.
func ParseRangeEnd(s string) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, nil
	}
	t, err := ParseInstant(s)
	if err != nil {
		return t, err
	}
	if _, dateOnly := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), Zone); dateOnly == nil {
		t = t.In(Zone).AddDate(0, 0, 1).UTC()
	}
	return t, nil
}

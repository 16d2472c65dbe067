package webmap

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/diaban/diaban/hotspot"
)

// pathID reads a positive integer path value.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errBad(name, fmt.Sprintf("%q is not an id", r.PathValue(name)))
	}
	return id, nil
}

// queryBBox reads bbox=west,south,east,north (degrees).
func queryBBox(r *http.Request) (*[4]float64, error) {
	s := r.URL.Query().Get("bbox")
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, errBad("bbox", "want west,south,east,north")
	}
	var b [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, errBad("bbox", fmt.Sprintf("%q is not a number", p))
		}
		b[i] = f
	}
	if b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[0] > b[2] || b[1] > b[3] {
		return nil, errBad("bbox", "want west ≤ east in [-180, 180] and south ≤ north in [-90, 90]")
	}
	return &b, nil
}

// queryTime reads a time parameter: RFC 3339, or YYYY-MM-DD in Asia/Ho_Chi_Minh.
func queryTime(r *http.Request, name string) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := hotspot.ParseInstant(s)
	if err != nil {
		return time.Time{}, errBad(name, err.Error())
	}
	return t, nil
}

// queryDayEnd reads the end of a range by hotspot.ParseRangeEnd: a date is
// inclusive (`to=2025-12-31` runs to the end of that day in
// Asia/Ho_Chi_Minh), an instant is excluded.
func queryDayEnd(r *http.Request, name string) (time.Time, error) {
	t, err := hotspot.ParseRangeEnd(r.URL.Query().Get(name))
	if err != nil {
		return time.Time{}, errBad(name, err.Error())
	}
	return t, nil
}

func queryInt(r *http.Request, name string, def int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errBad(name, fmt.Sprintf("%q is not an integer", s))
	}
	return n, nil
}

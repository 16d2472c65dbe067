package webmap

import (
	"fmt"
	"math"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
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

// text is a free-text field of a body and its limit (hotspot/limits.go).
type text struct {
	field, value string
	max          int
	multiline    bool
}

// checkTexts checks each field's length and characters (hotspot.CheckText).
func checkTexts(fields ...text) error {
	for _, f := range fields {
		if err := hotspot.CheckText(f.field, f.value, f.max, f.multiline); err != nil {
			return err
		}
	}
	return nil
}

// The analyses (a plan, an emerging-hot-spot analysis, a coverage load) are
// the requests that can keep a core busy for seconds. At most
// Config.Analyses run at once in total and Config.AnalysesPerUser per user;
// one more is refused at once (429 for the user's own limit, 503 for the
// total) rather than queued. Each is cancelled with its request.
const (
	DefaultAnalysesPerUser = 3
	// maxAnalysisSpan bounds the date range of an analysis (from–to).
	maxAnalysisSpan = 10 * 366 * 24 * time.Hour
)

// DefaultAnalyses is the total when Config.Analyses is 0: twice the cores, at least 4.
func DefaultAnalyses() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

type analysisGate struct {
	mu      sync.Mutex
	total   int
	perUser int
	running int
	byUser  map[string]int
}

func newAnalysisGate(total, perUser int) *analysisGate {
	if total <= 0 {
		total = DefaultAnalyses()
	}
	if perUser <= 0 {
		perUser = DefaultAnalysesPerUser
	}
	return &analysisGate{total: total, perUser: perUser, byUser: map[string]int{}}
}

// enter takes a place for user's analysis, or refuses at once; call the
// returned func when the analysis has ended.
func (g *analysisGate) enter(user string, w http.ResponseWriter) (func(), error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.byUser[user] >= g.perUser {
		w.Header().Set("Retry-After", "1")
		return nil, errStatus(http.StatusTooManyRequests, "analysis", fmt.Sprintf("at most %d analyses at once per user", g.perUser))
	}
	if g.running >= g.total {
		w.Header().Set("Retry-After", "1")
		return nil, errStatus(http.StatusServiceUnavailable, "analysis", fmt.Sprintf("the server runs %d analyses already; try again in a second", g.total))
	}
	g.running++
	g.byUser[user]++
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.running--
		if g.byUser[user]--; g.byUser[user] <= 0 {
			delete(g.byUser, user)
		}
	}, nil
}

// analysis wraps a heavy handler in the analysis gate.
func (s *Server) analysis(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := ""
		if u := userFrom(r.Context()); u != nil {
			name = u.Name
		}
		done, err := s.analyses.enter(name, w)
		if err != nil {
			return err
		}
		defer done()
		return h(w, r)
	}
}

// checkSpan refuses a date range longer than maxAnalysisSpan.
func checkSpan(from, to time.Time) error {
	if !from.IsZero() && !to.IsZero() && to.Sub(from) > maxAnalysisSpan {
		return errBad("from", "the range from–to is at most 10 years")
	}
	return nil
}

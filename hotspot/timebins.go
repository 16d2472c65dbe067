package hotspot

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/diaban/diaban/geo"
)

// TimeBin is the width of a cube's time bins.
type TimeBin string

// The time bins.
const (
	BinMonth   TimeBin = "month"
	BinQuarter TimeBin = "quarter"
	BinYear    TimeBin = "year"
)

// Months returns the number of calendar months in one bin (0 if invalid).
func (b TimeBin) Months() int {
	switch b {
	case BinMonth:
		return 1
	case BinQuarter:
		return 3
	case BinYear:
		return 12
	}
	return 0
}

// MaxEmergingValues bounds cells × bins of one cube (about 400 MB of
// counts, z-scores and p-values), so that a province at resolution 10 over
// ten years is refused rather than exhausting the server's memory.
const MaxEmergingValues = 20_000_000

// EmergingQuery selects the incidents of an emerging-hot-spot cube.
type EmergingQuery struct {
	// AreaCode is the area analysed, with every area below it. Required.
	AreaCode string
	// Kind keeps one incident kind; empty keeps all.
	Kind IncidentKind
	// From and To bound occurred_at to [From, To). A zero From starts at the
	// bin of the area's first incident, a zero To ends with the bin of its
	// last one.
	From, To time.Time
	// Res is the H3 resolution, 7..10; 0 means 9.
	Res int
	// Bin is the time bin width; empty means month.
	Bin TimeBin
}

// Normalize fills the defaults of q and checks it; a bad field is a
// *ValidationError naming it (area, kind, res, bin, to).
func (q EmergingQuery) Normalize() (EmergingQuery, error) {
	if q.Res == 0 {
		q.Res = 9
	}
	if q.Bin == "" {
		q.Bin = BinMonth
	}
	switch {
	case strings.TrimSpace(q.AreaCode) == "":
		return q, Invalid("area", "is required")
	case q.Res < geo.MinPointResolution || q.Res > geo.MaxPointResolution:
		return q, Invalid("res", "must be between %d and %d, got %d", geo.MinPointResolution, geo.MaxPointResolution, q.Res)
	case q.Bin.Months() == 0:
		return q, Invalid("bin", "must be month, quarter or year, got %q", q.Bin)
	case !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From):
		return q, Invalid("to", "must be after from")
	}
	if q.Kind != "" {
		if err := ValidateIncidentKind(q.Kind); err != nil {
			return q, err
		}
	}
	return q, nil
}

// ErrNoIncidents is returned by EmergingCube when no range was given and
// the area has no incident of the kind asked, so there is no time axis.
var ErrNoIncidents = errors.New("no incidents to analyse")

// BinStart returns the first month of the bin holding month m.
func (b TimeBin) BinStart(m Month) Month { return m - m%Month(b.Months()) }

// BinLabel names bin start t of width b: 2025-07, 2025-Q3, 2025.
func (b TimeBin) BinLabel(t time.Time) string {
	t = t.In(Zone)
	switch b {
	case BinQuarter:
		return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())-1)/3+1)
	case BinYear:
		return fmt.Sprintf("%d", t.Year())
	}
	return t.Format("2006-01")
}

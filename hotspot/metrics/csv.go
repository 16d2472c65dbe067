package metrics

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/diaban/diaban/hotspot"
)

// CSVHeader returns the column names of CSVRecord: the JSON names, nested
// ones joined with "_" (target_status, trend_sen_slope, incidents_use);
// columns added later go at the end, so a reader by position keeps working.
func CSVHeader() []string {
	h := []string{
		"area", "period",
		"active_start", "active_during", "active_end", "new", "eliminated", "eliminated_sustained", "recurred",
		"elimination_rate", "previous_eliminated", "elimination_growth",
		"target_measure", "target_min", "target_max", "target_value", "target_status",
		"target_projection_months_elapsed", "target_projection_value", "target_projection_status",
		"irregular_events",
	}
	for _, k := range hotspot.IncidentKinds {
		h = append(h, "incidents_"+string(k))
	}
	return append(h,
		"tips_received", "tips_handled", "tips_handled_share", "registered_users",
		"complexity_score", "class",
		"trend_score_change", "trend_n", "trend_s", "trend_var_s", "trend_z", "trend_p", "trend_sen_slope", "trend_direction",
		"tips_handled_earlier", "notes",
	)
}

// CSVRecord flattens m in the order of CSVHeader. Null values are empty
// cells; numbers use the shortest exact decimal form.
func (m AreaMetrics) CSVRecord() []string {
	t := m.Target
	r := []string{
		m.Area, m.Period.String(),
		itoa(m.ActiveStart), itoa(m.ActiveDuring), itoa(m.ActiveEnd), itoa(m.New),
		itoa(m.Eliminated), itoa(m.EliminatedSustained), itoa(m.Recurred),
		fmtPtr(m.EliminationRate), itoa(m.PreviousEliminated), fmtPtr(m.EliminationGrowth),
		string(t.Measure), ftoa(t.Min), ftoa(t.Max), fmtPtr(t.Value), string(t.Status),
		itoa(t.Projection.MonthsElapsed), fmtPtr(t.Projection.Value), string(t.Projection.Status),
		itoa(m.IrregularEvents),
	}
	for _, k := range hotspot.IncidentKinds {
		r = append(r, itoa(m.Incidents[k]))
	}
	tr := m.Trend
	return append(r,
		itoa(m.TipsReceived), itoa(m.TipsHandled), fmtPtr(m.TipsHandledShare), fmtPtr(m.RegisteredUsers),
		ftoa(m.ComplexityScore), string(m.Class),
		fmtPtr(tr.ScoreChange), itoa(tr.N), ftoa(tr.S), ftoa(tr.VarS), ftoa(tr.Z), ftoa(tr.P), ftoa(tr.SenSlope), string(tr.Direction),
		itoa(m.TipsHandledEarlier), strings.Join(m.Notes, "; "),
	)
}

// WriteCSV writes the header and one row per area.
func WriteCSV(w io.Writer, ms []AreaMetrics) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader()); err != nil {
		return err
	}
	for _, m := range ms {
		if err := cw.Write(m.CSVRecord()); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func itoa(n int) string { return strconv.Itoa(n) }

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func fmtPtr(v *float64) string {
	if v == nil {
		return ""
	}
	return ftoa(*v)
}

package webmap

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/inputs"
	"github.com/diaban/diaban/hotspot/report"
	"github.com/diaban/diaban/hotspot/store"
)

// The committee's reports (issue 14).
//
//	GET /api/reports?area=CODE&period=P&format=pdf|xlsx|csv[&as_of=D][&lang=en]
//
// answers the report of an area for a period as an attachment
// (hotspot/report: a PDF laid out as a Vietnamese administrative report,
// an XLSX workbook, or a CSV of the per-unit table), computed as GET
// /api/areas/{code}/metrics computes the same area, period and as_of. Who
// may ask, and where, is the metrics routes' rule (authz.go); a viewer's
// report passes its counts through hotspot/disclosure and lists no hotspot
// place. Every report is audited (report.generate) before its first byte
// is sent: the whole file is made first, so a failure is an error answer,
// never half a file.
func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	area := strings.TrimSpace(q.Get("area"))
	if area == "" {
		return errBad("area", "required: the code of the area to report on")
	}
	p, err := queryPeriod(r)
	if err != nil {
		return err
	}
	f, err := report.ParseFormat(q.Get("format"))
	if err != nil {
		return errBad("format", err.Error())
	}
	lang := q.Get("lang")
	if lang != "" && lang != "vi" && lang != "en" {
		return errBad("lang", "want vi or en")
	}
	asOf, err := queryAsOf(r)
	if err != nil {
		return err
	}
	d, err := inputs.LoadReport(r.Context(), s.store, inputs.ReportRequest{Area: area, Period: p, AsOf: asOf,
		Config: s.metricsConfig(), Role: roleOf(userFrom(r.Context())), English: lang == "en"})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, d, f); err != nil {
		return err
	}
	store.AuditTouch(r.Context(), area)
	sendFile(w, f, report.FileName(d)+"."+string(f), buf.Bytes())
	return nil
}

// sendFile answers a report file as an attachment.
func sendFile(w http.ResponseWriter, f report.Format, name string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", f.ContentType())
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// The monthly reports the server stores by itself (inputs.Reporter,
// serve --report-at):
//
//	GET /api/reports/scheduled?area=CODE
//
// lists the stored reports of the area and every unit below it, newest
// month first ({"reports": [{"area","name","period","format","size",
// "made_at","url"}]}), in the version for the caller's role (a viewer's
// has its small counts suppressed and no hotspot places), and
//
//	GET /api/reports/scheduled/file?area=CODE&period=2025-10&format=pdf
//
// downloads one (audited, report.download). A websocket message of type
// "report" (op insert, area) announces each unit's new month.
func (s *Server) handleScheduledReports(w http.ResponseWriter, r *http.Request) error {
	area := strings.TrimSpace(r.URL.Query().Get("area"))
	if area == "" {
		u := userFrom(r.Context())
		if u == nil || u.Scope == "" {
			return errBad("area", "required: the code of an area")
		}
		area = u.Scope
	}
	idx, err := s.store.Areas(r.Context())
	if err != nil {
		return err
	}
	ids, ok := idx.Descendants(area)
	if !ok {
		return errBad("area", "unknown area "+strconv.Quote(area))
	}
	list, err := s.store.ListScheduledReports(r.Context(), ids, inputs.AudienceOf(roleOf(userFrom(r.Context()))), 1000)
	if err != nil {
		return err
	}
	type item struct {
		store.ScheduledReport
		URL string `json:"url"`
	}
	out := make([]item, len(list))
	for i, x := range list {
		out[i] = item{x, "/api/reports/scheduled/file?area=" + x.Area + "&period=" + x.Period + "&format=" + x.Format}
	}
	writeJSON(w, http.StatusOK, map[string]any{"area": area, "reports": out})
	return nil
}

func (s *Server) handleScheduledReportFile(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	area := strings.TrimSpace(q.Get("area"))
	if area == "" {
		return errBad("area", "required: the code of an area")
	}
	p, err := queryPeriod(r)
	if err != nil {
		return err
	}
	if p.Kind() != hotspot.PeriodMonth {
		return errBad("period", "the stored reports are monthly: want a month such as 2025-10")
	}
	f, err := report.ParseFormat(q.Get("format"))
	if err != nil {
		return errBad("format", err.Error())
	}
	body, _, err := s.store.ScheduledReportFile(r.Context(), area, p.String(), inputs.AudienceOf(roleOf(userFrom(r.Context()))), string(f))
	if err != nil {
		return err
	}
	store.AuditTouch(r.Context(), area)
	sendFile(w, f, "bao-cao-"+safeFileName(area)+"-"+p.String()+"."+string(f), body)
	return nil
}

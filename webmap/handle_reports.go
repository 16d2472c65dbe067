package webmap

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

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

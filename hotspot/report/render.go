package report

import (
	"fmt"
	"io"
)

// Format is a report's file format.
type Format string

// The formats.
const (
	PDF  Format = "pdf"
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// ParseFormat reads pdf, xlsx or csv.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case PDF, XLSX, CSV:
		return f, nil
	}
	return "", fmt.Errorf("%q is not pdf, xlsx or csv", s)
}

// ContentType is the format's media type.
func (f Format) ContentType() string {
	switch f {
	case PDF:
		return "application/pdf"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Render writes d in format f.
func Render(w io.Writer, d *Data, f Format) error {
	switch f {
	case PDF:
		return WritePDF(w, d)
	case XLSX:
		return WriteXLSX(w, d)
	case CSV:
		return WriteCSV(w, d)
	}
	return fmt.Errorf("report: unknown format %q", f)
}

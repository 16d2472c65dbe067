package webmap

import (
	"encoding/csv"
	"errors"
	"io"
	"strconv"
)

// writeSafeCSV copies a CSV from src to dst with every cell that a
// spreadsheet would read as a formula neutralised: a cell beginning with
// =, +, -, @, a tab or a carriage return gets a leading apostrophe, unless
// it is a plain number (-0.25 stays a number). Every CSV the server sends
// goes through it, so a code, name or note written by one user cannot run
// in the spreadsheet of another.
func writeSafeCSV(dst io.Writer, src io.Reader) error {
	r := csv.NewReader(src)
	r.FieldsPerRecord = -1
	w := csv.NewWriter(dst)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		for i, c := range rec {
			rec[i] = neutraliseCell(c)
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// neutraliseCell prefixes a formula-looking cell with an apostrophe.
func neutraliseCell(c string) string {
	if c == "" {
		return c
	}
	switch c[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(c, 64); err == nil {
			return c
		}
		return "'" + c
	}
	return c
}

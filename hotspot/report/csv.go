package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// BOM is the UTF-8 byte-order mark a CSV starts with: Excel then reads
// the file as UTF-8 and the Vietnamese stays intact.
const BOM = "\ufeff"

// WriteCSV writes the per-unit table: a byte-order mark, one heading row
// (Vietnamese, or English), a row per unit with its code and name, and a
// totals row. Counts are plain digits (1234: read as the same number in
// any locale), the score and its change one decimal with the language's
// decimal mark (12,5 / 12.5), shares as on the map (22,2 %); a withheld
// figure reads "< 5" or "—". A text cell that a spreadsheet could take
// for a formula (beginning with = + - @, a tab or a carriage return) gets
// an invisible U+200B ZERO WIDTH SPACE before it, no visible quote;
// numbers, signed or not, are left as they are.
func WriteCSV(w io.Writer, d *Data) error {
	if _, err := io.WriteString(w, BOM); err != nil {
		return err
	}
	t := d.unitTable()
	cw := csv.NewWriter(w)
	head := make([]string, len(t.cols))
	for i, c := range t.cols {
		head[i] = d.heading(c)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range append(t.rows, t.total) {
		rec := make([]string, len(r))
		for i, c := range r {
			rec[i] = d.csvCell(c)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvCell writes one cell: numbers in a form any locale reads back.
func (d *Data) csvCell(c cell) string {
	if !c.isNum || c.hidden {
		return Neutralise(c.text)
	}
	switch c.kind {
	case kInt:
		return strconv.FormatFloat(c.num, 'f', 0, 64)
	case kScore, kSigned:
		s := strconv.FormatFloat(c.num, 'f', 1, 64)
		if c.kind == kSigned && c.num > 0 {
			s = "+" + s
		}
		if !d.English {
			s = strings.Replace(s, ".", ",", 1)
		}
		return s
	}
	return c.text // a share: 22,2 %
}

// Neutralise makes a text cell safe to open in a spreadsheet: one that
// begins with = + - @, a tab or a carriage return gets a U+200B ZERO
// WIDTH SPACE before it, so it is read as text, not a formula.
func Neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "\u200b" + s
	}
	return s
}

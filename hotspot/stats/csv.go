package stats

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// CSVError is a problem in one line of a CSV input. Field names the column
// (empty when the whole line is at fault).
type CSVError struct {
	Line  int
	Field string
	Err   error
}

func (e *CSVError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("line %d, field %s: %v", e.Line, e.Field, e.Err)
}

func (e *CSVError) Unwrap() error { return e.Err }

// CSVReader reads a UTF-8 CSV file whose first row is a fixed header. It
// is shared by the readers of this package and of hotspot/emerging.
type CSVReader struct {
	r      *csv.Reader
	header []string
}

// NewCSVReader checks the header row of r against header (names compared
// case-insensitively, surrounding spaces and a UTF-8 byte-order mark
// ignored) and returns a reader positioned on the first data row.
func NewCSVReader(r io.Reader, header ...string) (*CSVReader, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked here, to name the line
	cr.ReuseRecord = true
	c := &CSVReader{r: cr, header: header}
	rec, line, err := c.next()
	if err == io.EOF {
		return nil, &CSVError{Line: 1, Err: fmt.Errorf("missing header row %q", strings.Join(header, ","))}
	}
	if err != nil {
		return nil, err
	}
	for i, want := range header {
		got := rec[i]
		if i == 0 {
			got = strings.TrimSpace(strings.TrimPrefix(got, "\uFEFF"))
		}
		if !strings.EqualFold(got, want) {
			return nil, &CSVError{Line: line, Field: want, Err: fmt.Errorf("header has %q where %q belongs", got, want)}
		}
	}
	return c, nil
}

// Next returns the next data row and its line number, or io.EOF after the
// last. The row has exactly as many fields as the header, each trimmed of
// surrounding spaces; it is overwritten by the following call.
func (c *CSVReader) Next() (rec []string, line int, err error) {
	return c.next()
}

func (c *CSVReader) next() ([]string, int, error) {
	rec, err := c.r.Read()
	if err != nil {
		if err == io.EOF {
			return nil, 0, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, 0, &CSVError{Line: pe.Line, Err: pe.Err}
		}
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0) // valid only after a successful Read
	if len(rec) != len(c.header) {
		return nil, line, &CSVError{Line: line, Err: fmt.Errorf("%d fields, want %d (%s)", len(rec), len(c.header), strings.Join(c.header, ","))}
	}
	for i, f := range rec {
		if !utf8Valid(f) {
			return nil, line, &CSVError{Line: line, Field: c.header[i], Err: errors.New("not valid UTF-8")}
		}
		rec[i] = strings.TrimSpace(f)
	}
	return rec, line, nil
}

// ParseFloat parses a finite number in field of line.
func ParseFloat(s string, line int, field string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, &CSVError{Line: line, Field: field, Err: fmt.Errorf("%q is not a number", s)}
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, &CSVError{Line: line, Field: field, Err: fmt.Errorf("%q is not a finite number", s)}
	}
	return v, nil
}

// ParseInt parses an integer in [lo, hi] in field of line.
func ParseInt(s string, line int, field string, lo, hi int) (int, error) {
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, &CSVError{Line: line, Field: field, Err: fmt.Errorf("%q is not an integer", s)}
	}
	if v < lo || v > hi {
		return 0, &CSVError{Line: line, Field: field, Err: fmt.Errorf("%d is outside [%d, %d]", v, lo, hi)}
	}
	return v, nil
}

// Values are observations read by ReadValues: IDs[i] has value X[i].
type Values struct {
	IDs   []string
	X     []float64
	Index map[string]int // position of each id
}

// ReadValues reads a CSV "id,value" file. Ids must be non-empty and
// distinct; values finite numbers.
func ReadValues(r io.Reader) (*Values, error) {
	c, err := NewCSVReader(r, "id", "value")
	if err != nil {
		return nil, err
	}
	v := &Values{Index: make(map[string]int)}
	for {
		rec, line, err := c.Next()
		if err == io.EOF {
			return v, nil
		}
		if err != nil {
			return nil, err
		}
		id := rec[0]
		if id == "" {
			return nil, &CSVError{Line: line, Field: "id", Err: errors.New("empty id")}
		}
		if _, dup := v.Index[id]; dup {
			return nil, &CSVError{Line: line, Field: "id", Err: fmt.Errorf("id %q appears twice", id)}
		}
		x, err := ParseFloat(rec[1], line, "value")
		if err != nil {
			return nil, err
		}
		v.Index[id] = len(v.IDs)
		v.IDs = append(v.IDs, id)
		v.X = append(v.X, x)
	}
}

// ReadNeighbors reads a CSV "id,neighbor" file, one row per ordered pair,
// over the ids of index (id → observation). An unknown id, a self pair or
// a repeated pair is an error. Observations absent from the file have no
// neighbours.
func ReadNeighbors(r io.Reader, index map[string]int) (*Neighbors, error) {
	c, err := NewCSVReader(r, "id", "neighbor")
	if err != nil {
		return nil, err
	}
	var pairs []Pair
	var lines []int
	for {
		rec, line, err := c.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		from, ok := index[rec[0]]
		if !ok {
			return nil, &CSVError{Line: line, Field: "id", Err: fmt.Errorf("unknown id %q", rec[0])}
		}
		to, ok := index[rec[1]]
		if !ok {
			return nil, &CSVError{Line: line, Field: "neighbor", Err: fmt.Errorf("unknown id %q", rec[1])}
		}
		if from == to {
			return nil, &CSVError{Line: line, Field: "neighbor", Err: fmt.Errorf("%q is listed as its own neighbour", rec[0])}
		}
		pairs = append(pairs, Pair{from, to})
		lines = append(lines, line)
	}
	nb, err := NewNeighbors(len(index), pairs)
	var rep *repeatError
	if errors.As(err, &rep) {
		// Name the line of the pair's second occurrence (a scan only on
		// error: no map of seen pairs while reading).
		count := 0
		for k, p := range pairs {
			if p != rep.p {
				continue
			}
			if count++; count == 2 {
				ids := make([]string, len(index))
				for id, i := range index {
					ids[i] = id
				}
				return nil, &CSVError{Line: lines[k], Field: "neighbor", Err: fmt.Errorf("pair (%q, %q) appears twice", ids[p.From], ids[p.To])}
			}
		}
	}
	return nb, err
}

// Series is one id's values ordered by time step.
type Series struct {
	ID    string
	Start int // time step of X[0]
	X     []float64
}

// ReadSeries reads a CSV "id,t,value" file: t an integer time step, value a
// finite number. Rows may come in any order; each id's steps must be
// distinct and, once sorted, consecutive (a gap is an error: the trend
// tests assume equal spacing). Series come out in the order their ids first
// appear.
func ReadSeries(r io.Reader) ([]Series, error) {
	c, err := NewCSVReader(r, "id", "t", "value")
	if err != nil {
		return nil, err
	}
	type point struct {
		t, line int
		v       float64
	}
	var ids []string
	byID := make(map[string][]point)
	for {
		rec, line, err := c.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if rec[0] == "" {
			return nil, &CSVError{Line: line, Field: "id", Err: errors.New("empty id")}
		}
		t, err := ParseInt(rec[1], line, "t", math.MinInt32, math.MaxInt32)
		if err != nil {
			return nil, err
		}
		v, err := ParseFloat(rec[2], line, "value")
		if err != nil {
			return nil, err
		}
		if _, ok := byID[rec[0]]; !ok {
			ids = append(ids, rec[0])
		}
		byID[rec[0]] = append(byID[rec[0]], point{t, line, v})
	}
	out := make([]Series, 0, len(ids))
	for _, id := range ids {
		pts := byID[id]
		slices.SortStableFunc(pts, func(a, b point) int { return a.t - b.t })
		s := Series{ID: id, Start: pts[0].t, X: make([]float64, len(pts))}
		for k, p := range pts {
			if k > 0 && p.t == pts[k-1].t {
				return nil, &CSVError{Line: p.line, Field: "t", Err: fmt.Errorf("id %q has t=%d twice", id, p.t)}
			}
			if k > 0 && p.t != pts[k-1].t+1 {
				return nil, &CSVError{Line: p.line, Field: "t", Err: fmt.Errorf("id %q has no value at t=%d", id, pts[k-1].t+1)}
			}
			s.X[k] = p.v
		}
		out = append(out, s)
	}
	return out, nil
}

func utf8Valid(s string) bool { return utf8.ValidString(s) }

package importer

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
)

// record is one row of an import file, as named fields, with where it came from.
type record struct {
	line    int            // CSV line or GeoJSON feature number, 1-based
	columns map[string]int // column name -> index in values, shared by every row of a file
	values  []string
	problem string       // a row-shape problem found while reading, reported by shapeError
	field   string       // the field problem is about ("" for the row)
	geom    orb.Geometry // from a GeoJSON feature, else nil
}

// get returns a trimmed field ("" when absent).
func (r *record) get(name string) string {
	i, ok := r.columns[name]
	if !ok || i >= len(r.values) {
		return ""
	}
	return strings.TrimSpace(r.values[i])
}

func (r *record) fail(field, format string, args ...any) *hotspot.ValidationError {
	return &hotspot.ValidationError{Line: r.line, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// point reads the record's point: a GeoJSON Point geometry, or lon/lat fields.
// optional says whether both may be missing.
func (r *record) point(optional bool) (*geo.Point, *hotspot.ValidationError) {
	if r.geom != nil {
		p, ok := r.geom.(orb.Point)
		if !ok {
			return nil, r.fail("geometry", "must be a Point, got %s", r.geom.GeoJSONType())
		}
		gp := geo.PointFromOrb(p)
		if err := hotspot.ValidatePoint(gp); err != nil {
			return nil, r.fail("geometry", "%s", err.(*hotspot.ValidationError).Reason)
		}
		return &gp, nil
	}
	lonS, latS := r.get("lon"), r.get("lat")
	if lonS == "" && latS == "" && optional {
		return nil, nil
	}
	lon, err := strconv.ParseFloat(lonS, 64)
	if err != nil {
		return nil, r.fail("lon", "%q is not a number", lonS)
	}
	lat, err := strconv.ParseFloat(latS, 64)
	if err != nil {
		return nil, r.fail("lat", "%q is not a number", latS)
	}
	p := geo.Point{Lon: lon, Lat: lat}
	if err := hotspot.ValidatePoint(p); err != nil {
		ve := err.(*hotspot.ValidationError)
		return nil, r.fail(ve.Field, "%s", ve.Reason)
	}
	return &p, nil
}

func (r *record) float(name string) (float64, *hotspot.ValidationError) {
	s := r.get(name)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !hotspot.Finite(f) {
		return 0, r.fail(name, "%q is not a number", s)
	}
	return f, nil
}

// readRecords reads a CSV file with a header row, or a GeoJSON
// FeatureCollection whose features carry the same names as properties.
// Every name in required must be present.
func readRecords(in io.Reader, required []string, allowGeoJSON bool) ([]*record, error) {
	br := bufio.NewReader(in)
	// Skip a UTF-8 byte order mark and find the first significant byte.
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	first := firstSignificant(br)
	if first == '{' {
		if !allowGeoJSON {
			return nil, &hotspot.ValidationError{Line: 1, Field: "file", Reason: "this kind is CSV only"}
		}
		return readGeoJSONRecords(br, required)
	}
	return readCSVRecords(br, required)
}

func firstSignificant(br *bufio.Reader) byte {
	for i := 1; i <= 4096; i++ {
		b, err := br.Peek(i)
		if err != nil || len(b) < i {
			return 0
		}
		switch c := b[i-1]; c {
		case ' ', '\t', '\r', '\n':
			continue
		default:
			return c
		}
	}
	return 0
}

func readCSVRecords(in io.Reader, required []string) ([]*record, error) {
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &hotspot.ValidationError{Line: 1, Field: "header", Reason: "the file is empty; want a header row: " + strings.Join(required, ",")}
	}
	if err != nil {
		return nil, &hotspot.ValidationError{Line: 1, Field: "header", Reason: err.Error()}
	}
	columns := make(map[string]int, len(header))
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if _, dup := columns[name]; dup {
			return nil, &hotspot.ValidationError{Line: 1, Field: "header", Reason: fmt.Sprintf("column %q appears twice", name)}
		}
		columns[name] = i
	}
	for _, want := range required {
		if _, ok := columns[want]; !ok {
			return nil, &hotspot.ValidationError{Line: 1, Field: "header", Reason: fmt.Sprintf("missing column %q; want %s", want, strings.Join(required, ","))}
		}
	}
	var out []*record
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			line := 0
			if pe, ok := err.(*csv.ParseError); ok {
				line = pe.Line
			}
			return out, &hotspot.ValidationError{Line: line, Field: "row", Reason: err.Error()}
		}
		line, _ := cr.FieldPos(0)
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue
		}
		rec := &record{line: line, columns: columns, values: row}
		if len(row) != len(header) {
			rec.problem = fmt.Sprintf("has %d fields, the header has %d", len(row), len(header))
		}
		for i, v := range row {
			if reason := textProblem(v); reason != "" && i < len(header) && rec.problem == "" {
				rec.field, rec.problem = strings.ToLower(strings.TrimSpace(header[i])), reason
			}
		}
		out = append(out, rec)
	}
}

// shapeError returns the row-shape problem recorded by readCSVRecords, if any.
func (r *record) shapeError() *hotspot.ValidationError {
	if r.problem != "" {
		return r.fail(cmp.Or(r.field, "row"), "%s", r.problem)
	}
	return nil
}

// textProblem says why PostgreSQL could not store v as text, or "": text
// must be valid UTF-8 without NUL bytes (a file saved in another encoding,
// say), and the COPY would otherwise fail as a whole with no line number.
func textProblem(v string) string {
	switch {
	case !utf8.ValidString(v):
		return "is not valid UTF-8 text (save the file as UTF-8)"
	case strings.IndexByte(v, 0) >= 0:
		return "holds a NUL byte"
	}
	return ""
}

func readGeoJSONRecords(in io.Reader, required []string) ([]*record, error) {
	data, err := io.ReadAll(in)
	if err != nil {
		return nil, err
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, &hotspot.ValidationError{Line: 1, Field: "file", Reason: "malformed JSON: " + err.Error()}
	}
	if head.Type != "FeatureCollection" {
		return nil, &hotspot.ValidationError{Line: 1, Field: "type", Reason: fmt.Sprintf("want a GeoJSON FeatureCollection, got %q", head.Type)}
	}
	var raw struct {
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, &hotspot.ValidationError{Line: 1, Field: "features", Reason: err.Error()}
	}
	out := make([]*record, 0, len(raw.Features))
	for i, rf := range raw.Features {
		rec := &record{line: i + 1, columns: map[string]int{}}
		f, err := geojson.UnmarshalFeature(rf)
		if err != nil {
			rec.problem = "not a valid GeoJSON Feature: " + err.Error()
			out = append(out, rec)
			continue
		}
		rec.geom = f.Geometry
		for k, v := range f.Properties {
			var text string
			switch v := v.(type) {
			case nil:
				continue
			case string:
				text = v
				if reason := textProblem(v); reason != "" {
					rec.field, rec.problem = strings.ToLower(k), reason
				}
			case float64:
				text = strconv.FormatFloat(v, 'f', -1, 64)
			case bool:
				text = strconv.FormatBool(v)
			default:
				rec.field, rec.problem = strings.ToLower(k), fmt.Sprintf("property %q must be a string or a number", k)
				continue
			}
			rec.columns[strings.ToLower(k)] = len(rec.values)
			rec.values = append(rec.values, text)
		}
		if rec.geom == nil {
			rec.field, rec.problem = "geometry", "feature has no geometry"
		}
		out = append(out, rec)
	}
	_ = required // GeoJSON properties are checked per field by each kind's parser
	return out, nil
}

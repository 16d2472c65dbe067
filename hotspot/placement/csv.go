package placement

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot/stats"
)

// CSVError reports a bad row of an input file: the 1-based line, the field
// (column name) and why. It is the statistics readers' error type, so every
// offline tool reports bad rows alike.
type CSVError = stats.CSVError

// table reads a CSV with a required header holding at least the required
// columns (any order, case-insensitive; optional ones may be present, other
// columns are an error) and hands each row to fn as a column lookup.
func table(r io.Reader, required, optional []string, fn func(line int, get func(col string) (string, bool)) error) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return &CSVError{Line: 1, Err: errors.New("no header row")}
	}
	if err != nil {
		return csvReadError(err)
	}
	cols := map[string]int{}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := cols[h]; dup {
			return &CSVError{Line: 1, Field: h, Err: errors.New("column repeats")}
		}
		cols[h] = i
	}
	known := map[string]bool{}
	for _, c := range append(append([]string{}, required...), optional...) {
		known[c] = true
	}
	for _, c := range required {
		if _, ok := cols[c]; !ok {
			return &CSVError{Line: 1, Field: c, Err: fmt.Errorf("header lacks column %q (want %s)", c, strings.Join(required, ","))}
		}
	}
	for c := range cols {
		if !known[c] {
			return &CSVError{Line: 1, Field: c, Err: fmt.Errorf("unknown column %q", c)}
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return csvReadError(err)
		}
		line, _ := cr.FieldPos(0)
		get := func(col string) (string, bool) {
			i, ok := cols[col]
			if !ok {
				return "", false
			}
			return strings.TrimSpace(rec[i]), true
		}
		for _, f := range rec {
			if !utf8.ValidString(f) {
				return &CSVError{Line: line, Err: errors.New("not valid UTF-8")}
			}
		}
		if err := fn(line, get); err != nil {
			return err
		}
	}
}

func csvReadError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &CSVError{Line: pe.Line, Err: pe.Err}
	}
	return err
}

// ids checks that every id of a file is present and unique.
type ids map[string]int

func (seen ids) check(line int, field, id string) error {
	if id == "" {
		return &CSVError{Line: line, Field: field, Err: errors.New("is empty")}
	}
	if first, dup := seen[id]; dup {
		return &CSVError{Line: line, Field: field, Err: fmt.Errorf("duplicate id %q (first on line %d)", id, first)}
	}
	seen[id] = line
	return nil
}

func parseFloat(line int, field, s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, &CSVError{Line: line, Field: field, Err: fmt.Errorf("%q is not a finite number", s)}
	}
	return v, nil
}

func parsePoint(line int, get func(string) (string, bool)) (geo.Point, error) {
	lonS, _ := get("lon")
	latS, _ := get("lat")
	lon, err := parseFloat(line, "lon", lonS)
	if err != nil {
		return geo.Point{}, err
	}
	if lon < -180 || lon > 180 {
		return geo.Point{}, &CSVError{Line: line, Field: "lon", Err: fmt.Errorf("%g is outside [-180, 180]", lon)}
	}
	lat, err := parseFloat(line, "lat", latS)
	if err != nil {
		return geo.Point{}, err
	}
	if lat < -90 || lat > 90 {
		return geo.Point{}, &CSVError{Line: line, Field: "lat", Err: fmt.Errorf("%g is outside [-90, 90]", lat)}
	}
	return geo.Point{Lon: lon, Lat: lat}, nil
}

// ReadDemandCSV reads demand points from a UTF-8 CSV with the header
// id,lon,lat,weight and an optional hotspot column (true/false, 1/0).
// Every bad row is an error naming its line and field.
func ReadDemandCSV(r io.Reader) ([]DemandPoint, error) {
	var out []DemandPoint
	seen := ids{}
	err := table(r, []string{"id", "lon", "lat", "weight"}, []string{"hotspot"}, func(line int, get func(string) (string, bool)) error {
		id, _ := get("id")
		if err := seen.check(line, "id", id); err != nil {
			return err
		}
		p, err := parsePoint(line, get)
		if err != nil {
			return err
		}
		ws, _ := get("weight")
		w, err := parseFloat(line, "weight", ws)
		if err != nil {
			return err
		}
		if w < 0 {
			return &CSVError{Line: line, Field: "weight", Err: fmt.Errorf("%g is negative", w)}
		}
		hot := false
		if hs, ok := get("hotspot"); ok && hs != "" {
			if hot, err = strconv.ParseBool(hs); err != nil {
				return &CSVError{Line: line, Field: "hotspot", Err: fmt.Errorf("%q is not true or false", hs)}
			}
		}
		out = append(out, DemandPoint{ID: id, Point: p, Weight: w, Hotspot: hot})
		return nil
	})
	return out, err
}

// ReadSitesCSV reads candidate sites from a UTF-8 CSV with the header
// id,lon,lat.
func ReadSitesCSV(r io.Reader) ([]Site, error) {
	var out []Site
	seen := ids{}
	err := table(r, []string{"id", "lon", "lat"}, nil, func(line int, get func(string) (string, bool)) error {
		id, _ := get("id")
		if err := seen.check(line, "id", id); err != nil {
			return err
		}
		p, err := parsePoint(line, get)
		if err != nil {
			return err
		}
		out = append(out, Site{ID: id, Point: p})
		return nil
	})
	return out, err
}

// ReadCamerasCSV reads cameras from a UTF-8 CSV with the header
// ref,lon,lat,bearing,fov,range_m,owner,status.
func ReadCamerasCSV(r io.Reader) ([]Camera, error) {
	var out []Camera
	seen := ids{}
	cols := []string{"ref", "lon", "lat", "bearing", "fov", "range_m", "owner", "status"}
	err := table(r, cols, nil, func(line int, get func(string) (string, bool)) error {
		ref, _ := get("ref")
		if err := seen.check(line, "ref", ref); err != nil {
			return err
		}
		p, err := parsePoint(line, get)
		if err != nil {
			return err
		}
		var v [3]float64
		for i, f := range []string{"bearing", "fov", "range_m"} {
			s, _ := get(f)
			if v[i], err = parseFloat(line, f, s); err != nil {
				return err
			}
		}
		view := geo.FieldOfView{Site: p, Bearing: v[0], FOV: v[1], RangeM: v[2]}
		switch {
		case view.Bearing < 0 || view.Bearing >= 360:
			return &CSVError{Line: line, Field: "bearing", Err: fmt.Errorf("%g is outside [0, 360)", view.Bearing)}
		case view.FOV <= 0 || view.FOV > 360:
			return &CSVError{Line: line, Field: "fov", Err: fmt.Errorf("%g is outside (0, 360]", view.FOV)}
		case view.RangeM <= 0:
			return &CSVError{Line: line, Field: "range_m", Err: fmt.Errorf("%g is not positive", view.RangeM)}
		}
		os, _ := get("owner")
		owner, err := ParseOwner(os)
		if err != nil {
			return &CSVError{Line: line, Field: "owner", Err: err}
		}
		ss, _ := get("status")
		status, err := ParseStatus(ss)
		if err != nil {
			return &CSVError{Line: line, Field: "status", Err: err}
		}
		out = append(out, Camera{Ref: ref, View: view, Owner: owner, Status: status})
		return nil
	})
	return out, err
}

package importer

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/diaban/diaban/hotspot"
	"github.com/paulmach/orb"
)

// fuzzAreas is a two-commune district for the parsers to locate points in.
func fuzzAreas() *hotspot.AreaIndex {
	square := func(w, s, e, n float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}}}
	}
	return hotspot.NewAreaIndex([]*hotspot.AreaShape{
		{Area: hotspot.Area{ID: 1, Code: "503", Level: hotspot.LevelDistrict}, Geometry: square(108.2, 15.8, 108.4, 16.0)},
		{Area: hotspot.Area{ID: 2, Code: "20530", Level: hotspot.LevelCommune, ParentCode: "503"}, Geometry: square(108.2, 15.8, 108.3, 16.0)},
		{Area: hotspot.Area{ID: 3, Code: "20533", Level: hotspot.LevelCommune, ParentCode: "503"}, Geometry: square(108.3, 15.8, 108.4, 16.0)},
	})
}

// FuzzParseImport feeds arbitrary files to every importer's parser: bad
// input must come back as errors naming a line, never as a panic.
func FuzzParseImport(f *testing.F) {
	seeds := []string{
		"ref,lon,lat,kind,name\nH1,108.25,15.9,dealing,Quán\n",
		"ref,lon,lat,kind,occurred_at\nI1,108.25,15.9,use,2025-01-01\nI2,NaN,15.9,use,2025-01-01\n",
		"hotspot_ref,event,occurred_at,note\nH1,detected,2025-01-10T08:00:00+07:00,\n",
		"ref,received_at,handled_at,lon,lat,area_code\nT1,2025-01-01,,,,20530\n",
		"ref,lon,lat,bearing,fov,range_m,owner,status\nC1,108.25,15.9,90,90,120,police,active\n",
		"area_code,period,key,value\n20530,2025-Q3,registered_users,4\n",
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ref":"H1","kind":"dealing"},"geometry":{"type":"Point","coordinates":[108.25,15.9]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"1","name":"A","level":"commune"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`,
		"\xef\xbb\xbfref,lon\n\"unterminated,1\n",
	}
	for _, s := range seeds {
		for _, kind := range Kinds {
			f.Add(kind, []byte(s))
		}
	}
	idx := fuzzAreas()
	f.Fuzz(func(t *testing.T, kind string, data []byte) {
		if !strings.Contains(strings.Join(Kinds, " "), kind) || kind == "" {
			kind = "incidents"
		}
		parsed, rows, bad, err := parseFile(kind, bytes.NewReader(data), idx)
		if err == nil && parsed.stream != nil {
			var more []*hotspot.ValidationError
			_, more, err = parsed.stream(context.Background(), nil, false, Options{})
			bad = append(bad, more...)
		}
		if err != nil {
			if _, ok := err.(*hotspot.ImportError); !ok {
				if _, ok := err.(*hotspot.ValidationError); !ok {
					t.Fatalf("%s: error of type %T: %v", kind, err, err)
				}
			}
			return
		}
		if len(bad) > rows {
			t.Fatalf("%s: %d bad rows out of %d", kind, len(bad), rows)
		}
		for _, b := range bad {
			if b.Field == "" || b.Reason == "" || b.Line < 1 {
				t.Fatalf("%s: a bad row must name its line and field: %+v", kind, b)
			}
		}
	})
}

// FuzzParseInstant: any text is a time or an error, never a panic.
func FuzzParseInstant(f *testing.F) {
	for _, s := range []string{"2025-07-01", "2025-07-01T08:30:00+07:00", "2025-12-31T23:30", "", "31/12/2025", "2025-02-30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if tm, err := hotspot.ParseInstant(s); err == nil && tm.Location().String() != "UTC" {
			t.Fatalf("%q parsed to a non-UTC time %v", s, tm)
		}
	})
}

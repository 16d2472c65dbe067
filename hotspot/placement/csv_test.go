package placement

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestReadDemandCSV(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		wantN     int
		wantLine  int
		wantField string
	}{
		{"ok", "id,lon,lat,weight\na,105.8,21.0,1.5\nb,105.9,21.1,0\n", 2, 0, ""},
		{"ok with hotspot and BOM", "\ufeffID,Lon,Lat,Weight,Hotspot\na,105.8,21.0,1,true\nb,105.8,21.0,1,\n", 2, 0, ""},
		{"columns in any order", "weight,lat,lon,id\n2,21,105,a\n", 1, 0, ""},
		{"empty file", "", 0, 1, ""},
		{"missing column", "id,lon,lat\na,1,2\n", 0, 1, "weight"},
		{"unknown column", "id,lon,lat,weight,name\na,1,2,3,x\n", 0, 1, "name"},
		{"lat out of range", "id,lon,lat,weight\na,105,21,1\nb,105,91,1\n", 0, 3, "lat"},
		{"lon out of range", "id,lon,lat,weight\na,181,21,1\n", 0, 2, "lon"},
		{"NaN", "id,lon,lat,weight\na,NaN,21,1\n", 0, 2, "lon"},
		{"Inf weight", "id,lon,lat,weight\na,105,21,Inf\n", 0, 2, "weight"},
		{"negative weight", "id,lon,lat,weight\na,105,21,-1\n", 0, 2, "weight"},
		{"duplicate id", "id,lon,lat,weight\na,105,21,1\na,105,21,1\n", 0, 3, "id"},
		{"empty id", "id,lon,lat,weight\n,105,21,1\n", 0, 2, "id"},
		{"bad hotspot", "id,lon,lat,weight,hotspot\na,105,21,1,maybe\n", 0, 2, "hotspot"},
		{"short row", "id,lon,lat,weight\na,105,21\n", 0, 2, ""},
		{"bad UTF-8", "id,lon,lat,weight\n\xff,105,21,1\n", 0, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadDemandCSV(strings.NewReader(tt.in))
			if tt.wantLine == 0 {
				if err != nil || len(got) != tt.wantN {
					t.Fatalf("got %d rows, %v; want %d", len(got), err, tt.wantN)
				}
				return
			}
			var ce *CSVError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a CSVError", err)
			}
			if ce.Line != tt.wantLine || ce.Field != tt.wantField {
				t.Errorf("error at line %d field %q, want line %d field %q (%v)", ce.Line, ce.Field, tt.wantLine, tt.wantField, err)
			}
		})
	}
}

func TestReadCamerasCSV(t *testing.T) {
	head := "ref,lon,lat,bearing,fov,range_m,owner,status\n"
	tests := []struct {
		name      string
		row       string
		wantField string
	}{
		{"ok", "c1,105.8,21.0,90,60,120,police,active", ""},
		{"dome", "c1,105.8,21.0,0,360,50,community,planned", ""},
		{"bearing 360", "c1,105.8,21.0,360,60,120,police,active", "bearing"},
		{"fov 0", "c1,105.8,21.0,0,0,120,police,active", "fov"},
		{"range 0", "c1,105.8,21.0,0,60,0,police,active", "range_m"},
		{"owner", "c1,105.8,21.0,0,60,10,army,active", "owner"},
		{"status", "c1,105.8,21.0,0,60,10,police,broken", "status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadCamerasCSV(strings.NewReader(head + tt.row + "\n"))
			if tt.wantField == "" {
				if err != nil || len(got) != 1 || got[0].View.Validate() != nil {
					t.Fatalf("got %v, %v", got, err)
				}
				return
			}
			var ce *CSVError
			if !errors.As(err, &ce) || ce.Line != 2 || ce.Field != tt.wantField {
				t.Errorf("error %v, want line 2 field %s", err, tt.wantField)
			}
		})
	}
}

// The fuzz targets check that the readers never panic and that what they
// accept is valid input for the solver.

func FuzzReadDemandCSV(f *testing.F) {
	f.Add("id,lon,lat,weight\na,105.8,21.0,1.5\n")
	f.Add("id,lon,lat,weight,hotspot\na,105.8,21.0,1,true\nb,-180,-90,0,0\n")
	f.Add("id,lon,lat,weight\na,NaN,21,1\n")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ReadDemandCSV(strings.NewReader(in))
		if err != nil {
			return
		}
		if err := validateDemand(got); err != nil {
			t.Fatalf("accepted invalid demand: %v", err)
		}
	})
}

func FuzzReadSitesCSV(f *testing.F) {
	f.Add("id,lon,lat\nj1,105.8,21.0\n")
	f.Add("id,lon,lat\nj1,105.8,21.0\nj1,1,1\n")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ReadSitesCSV(strings.NewReader(in))
		if err != nil {
			return
		}
		if err := validateSites(got); err != nil {
			t.Fatalf("accepted invalid sites: %v", err)
		}
	})
}

func FuzzReadCamerasCSV(f *testing.F) {
	f.Add("ref,lon,lat,bearing,fov,range_m,owner,status\nc1,105.8,21.0,90,60,120,police,active\n")
	f.Add("ref,lon,lat,bearing,fov,range_m,owner,status\nc1,105.8,21.0,359.9,360,1e9,community,offline\n")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ReadCamerasCSV(strings.NewReader(in))
		if err != nil {
			return
		}
		for i, c := range got {
			if err := validateCamera("c", c); err != nil || math.IsNaN(c.View.RangeM) {
				t.Fatalf("accepted invalid camera %d: %v", i, err)
			}
		}
	})
}

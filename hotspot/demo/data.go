package demo

import (
	"embed"
	"encoding/json"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// data holds the small extracts of real data the demo builds on; see
// data/SOURCES.md.
//
//go:embed data/hoian_units.json data/quang_nam_ne10m.geojson data/crosswalk_da_nang_checked.csv
var data embed.FS

// unitsFile is the shape of data/hoian_units.json (extracted from the npm
// package vietnam-provinces-js).
type unitsFile struct {
	Province struct {
		ID   string `json:"idProvince"`
		Name string `json:"name"`
	} `json:"province"`
	District struct {
		ID   string `json:"idDistrict"`
		Name string `json:"name"`
	} `json:"district"`
	Communes []struct {
		ID   string `json:"idCommune"`
		Name string `json:"name"`
	} `json:"communes"`
}

func loadUnits() (*unitsFile, error) {
	b, err := data.ReadFile("data/hoian_units.json")
	if err != nil {
		return nil, err
	}
	var u unitsFile
	if err := json.Unmarshal(b, &u); err != nil {
		return nil, fmt.Errorf("hoian_units.json: %w", err)
	}
	return &u, nil
}

// loadProvinceOutline returns Quảng Nam's Natural Earth 1:10m outline.
func loadProvinceOutline() (orb.Polygon, error) {
	b, err := data.ReadFile("data/quang_nam_ne10m.geojson")
	if err != nil {
		return nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, fmt.Errorf("quang_nam_ne10m.geojson: %w", err)
	}
	if len(fc.Features) != 1 {
		return nil, fmt.Errorf("quang_nam_ne10m.geojson: want 1 feature, got %d", len(fc.Features))
	}
	p, ok := fc.Features[0].Geometry.(orb.Polygon)
	if !ok {
		return nil, fmt.Errorf("quang_nam_ne10m.geojson: want a Polygon, got %s", fc.Features[0].Geometry.GeoJSONType())
	}
	return p, nil
}

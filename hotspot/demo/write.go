package demo

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// The files WriteFiles writes, in writing order.
const (
	FileAreas      = "areas.geojson"
	FileHotspots   = "hotspots.csv"
	FileEvents     = "events.csv"
	FileIncidents  = "incidents.csv"
	FileTips       = "tips.csv"
	FileCameras    = "cameras.csv"
	FileIndicators = "indicators.csv"
)

// Files lists the import kind of each file WriteFiles writes, in the order
// they are imported: areas, then the crosswalk (tips may name a retired
// unit, which the crosswalk leads to today's), then the records.
var Files = []struct{ Kind, Name string }{
	{"areas", FileAreas}, {"crosswalk", FileCrosswalk}, {"hotspots", FileHotspots}, {"events", FileEvents},
	{"incidents", FileIncidents}, {"tips", FileTips}, {"cameras", FileCameras}, {"indicators", FileIndicators},
}

// WriteFiles writes the data set into dir (created if missing) as
// areas.geojson, Đà Nẵng's crosswalk as shipped (crosswalk.csv) and six
// UTF-8 CSV files with a header row each. Output
// depends only on the data set, so the same seed gives identical bytes.
func (ds *Dataset) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := ds.writeAreas(filepath.Join(dir, FileAreas)); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, FileCrosswalk), Crosswalk(), 0o644); err != nil {
		return err
	}
	tables := []struct {
		name string
		rows func() [][]string
	}{
		{FileHotspots, ds.hotspotRows},
		{FileEvents, ds.eventRows},
		{FileIncidents, ds.incidentRows},
		{FileTips, ds.tipRows},
		{FileCameras, ds.cameraRows},
		{FileIndicators, ds.indicatorRows},
	}
	for _, t := range tables {
		if err := writeCSV(filepath.Join(dir, t.name), t.rows()); err != nil {
			return err
		}
	}
	return nil
}

func (ds *Dataset) writeAreas(path string) error {
	fc := geojson.NewFeatureCollection()
	for _, a := range ds.Areas {
		f := geojson.NewFeature(a.Geometry)
		f.Properties["code"] = a.Code
		f.Properties["name"] = a.Name
		f.Properties["level"] = a.Level
		if a.ParentCode != "" {
			f.Properties["parent_code"] = a.ParentCode
		}
		if a.ValidFrom != "" {
			f.Properties["valid_from"] = a.ValidFrom
		}
		if a.ValidTo != "" {
			f.Properties["valid_to"] = a.ValidTo
		}
		if a.Type != "" {
			f.Properties["type"] = a.Type
		}
		fc.Append(f)
	}
	b, err := fc.MarshalJSON()
	if err != nil {
		return fmt.Errorf("%s: %w", FileAreas, err)
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func writeCSV(path string, rows [][]string) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return nil
}

func coord(x float64) string { return strconv.FormatFloat(x, 'f', 6, 64) }

func lonLat(p orb.Point) (string, string) { return coord(p[0]), coord(p[1]) }

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Location).Format(time.RFC3339)
}

func (ds *Dataset) hotspotRows() [][]string {
	rows := [][]string{{"ref", "lon", "lat", "kind", "name"}}
	for _, h := range ds.Hotspots {
		lon, lat := lonLat(h.Point)
		rows = append(rows, []string{h.Ref, lon, lat, h.Kind, h.Name})
	}
	return rows
}

func (ds *Dataset) eventRows() [][]string {
	rows := [][]string{{"hotspot_ref", "event", "occurred_at", "note"}}
	for _, e := range ds.Events {
		rows = append(rows, []string{e.HotspotRef, e.Event, stamp(e.OccurredAt), e.Note})
	}
	return rows
}

func (ds *Dataset) incidentRows() [][]string {
	rows := [][]string{{"ref", "lon", "lat", "kind", "occurred_at"}}
	for _, in := range ds.Incidents {
		lon, lat := lonLat(in.Point)
		rows = append(rows, []string{in.Ref, lon, lat, in.Kind, stamp(in.OccurredAt)})
	}
	return rows
}

func (ds *Dataset) tipRows() [][]string {
	rows := [][]string{{"ref", "received_at", "handled_at", "lon", "lat", "area_code"}}
	for _, t := range ds.Tips {
		lon, lat := "", ""
		if t.HasPoint {
			lon, lat = lonLat(t.Point)
		}
		rows = append(rows, []string{t.Ref, stamp(t.ReceivedAt), stamp(t.HandledAt), lon, lat, t.AreaCode})
	}
	return rows
}

func (ds *Dataset) cameraRows() [][]string {
	rows := [][]string{{"ref", "lon", "lat", "bearing", "fov", "range_m", "owner", "status"}}
	for _, c := range ds.Cameras {
		lon, lat := lonLat(c.Point)
		rows = append(rows, []string{c.Ref, lon, lat, strconv.Itoa(c.Bearing), strconv.Itoa(c.FOV),
			strconv.Itoa(c.RangeM), c.Owner, c.Status})
	}
	return rows
}

func (ds *Dataset) indicatorRows() [][]string {
	rows := [][]string{{"area_code", "period", "key", "value"}}
	for _, in := range ds.Indicators {
		rows = append(rows, []string{in.AreaCode, in.Period, in.Key, strconv.FormatInt(in.Value, 10)})
	}
	return rows
}

package webmap

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
)

func areaFeature(a *hotspot.AreaShape) *geojson.Feature {
	f := geojson.NewFeature(a.Geometry)
	f.Properties = geojson.Properties{
		"code": a.Code, "name": a.Name, "level": string(a.Level), "parent_code": a.ParentCode,
		"valid_from": a.ValidFrom.Format("2006-01-02"),
	}
	return f
}

// hotspotFeature is a hotspot as GeoJSON: numeric id, place properties, and
// its events when they were loaded.
func hotspotFeature(h *hotspot.Hotspot) *geojson.Feature {
	f := geojson.NewFeature(h.Point.Orb())
	f.ID = h.ID
	f.Properties = geojson.Properties{
		"ref": h.Ref, "name": h.Name, "kind": string(h.Kind), "status": string(h.Status), "area": h.AreaCode,
	}
	if h.Events != nil {
		f.Properties["events"] = h.Events
	}
	return f
}

func incidentFeature(i *hotspot.Incident) *geojson.Feature {
	f := geojson.NewFeature(i.Point.Orb())
	f.ID = i.ID
	f.Properties = geojson.Properties{"ref": i.Ref, "kind": string(i.Kind), "occurred_at": i.OccurredAt, "area": i.AreaCode}
	return f
}

func cameraProperties(c *hotspot.Camera) geojson.Properties {
	return geojson.Properties{
		"ref": c.Ref, "bearing": c.Bearing, "fov": c.FOV, "range_m": c.RangeM,
		"owner": string(c.Owner), "status": string(c.Status), "area": c.AreaCode,
	}
}

// cameraFeature is a camera as a point, or as its field-of-view sector.
func cameraFeature(c *hotspot.Camera, sector bool) *geojson.Feature {
	var g orb.Geometry = c.Point.Orb()
	if sector {
		g = geo.FieldOfView{Site: c.Point, Bearing: c.Bearing, FOV: c.FOV, RangeM: c.RangeM}.Polygon(32)
	}
	f := geojson.NewFeature(g)
	f.ID = c.ID
	f.Properties = cameraProperties(c)
	return f
}

func cellFeature(c geo.Cell, props geojson.Properties) *geojson.Feature {
	f := geojson.NewFeature(orb.Polygon{c.Boundary()})
	props["cell"] = c.String()
	f.Properties = props
	return f
}

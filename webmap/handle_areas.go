package webmap

import (
	"net/http"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/diaban/diaban/hotspot"
)

// Above these, GET /api/areas?shape=auto answers each area's box instead
// of its boundary (the map draws the boundaries from vector tiles then):
// a province's communes with surveyed boundaries run to megabytes.
const (
	boxAreasAbove    = 500
	boxVerticesAbove = 60000
)

// handleAreas answers GET /api/areas: every current area as GeoJSON. With
// shape=box each area's geometry is its bounding box; with shape=auto, when there are more than boxAreasAbove areas or
// boxVerticesAbove vertices in all, each area's geometry is its bounding
// box and the collection says "shape": "box".
func (s *Server) handleAreas(w http.ResponseWriter, r *http.Request) error {
	if r.URL.Query().Has("as_of") {
		return s.handleAreasAsOf(w, r)
	}
	idx, err := s.store.Areas(r.Context())
	if err != nil {
		return err
	}
	shapes := idx.Shapes()
	box := r.URL.Query().Get("shape") == "box"
	if r.URL.Query().Get("shape") == "auto" {
		n := 0
		for _, a := range shapes {
			for _, p := range a.Geometry {
				for _, ring := range p {
					n += len(ring)
				}
			}
		}
		box = len(shapes) > boxAreasAbove || n > boxVerticesAbove
	}
	fc := geojson.NewFeatureCollection()
	for _, a := range shapes {
		if box {
			b := a.Geometry.Bound()
			fc.Append(areaFeature(&hotspot.AreaShape{Area: a.Area, Geometry: orb.MultiPolygon{{b.ToRing()}}}))
		} else {
			fc.Append(areaFeature(a))
		}
	}
	if box {
		fc.ExtraMembers = geojson.Properties{"shape": "box"}
	}
	writeGeoJSON(w, http.StatusOK, fc)
	return nil
}

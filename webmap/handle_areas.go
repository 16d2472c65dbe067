package webmap

import (
	"net/http"

	"github.com/paulmach/orb/geojson"
)

// handleAreas answers GET /api/areas: every current area as GeoJSON.
func (s *Server) handleAreas(w http.ResponseWriter, r *http.Request) error {
	if r.URL.Query().Has("as_of") {
		return s.handleAreasAsOf(w, r)
	}
	idx, err := s.store.Areas(r.Context())
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, a := range idx.Shapes() {
		fc.Append(areaFeature(a))
	}
	writeGeoJSON(w, http.StatusOK, fc)
	return nil
}

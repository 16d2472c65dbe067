package webmap

import (
	"net/http"

	"github.com/paulmach/orb/geojson"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
)

// handleIncidents answers GET /api/incidents?bbox=&from=&to=&kind=&area=&limit=.
func (s *Server) handleIncidents(w http.ResponseWriter, r *http.Request) error {
	f := store.IncidentFilter{Kind: hotspot.IncidentKind(r.URL.Query().Get("kind")), AreaCode: r.URL.Query().Get("area")}
	var err error
	if f.BBox, err = queryBBox(r); err == nil {
		if f.From, err = queryTime(r, "from"); err == nil {
			if f.To, err = queryDayEnd(r, "to"); err == nil {
				f.Limit, err = queryInt(r, "limit", 50000)
			}
		}
	}
	if err == nil && (f.Limit < 1 || f.Limit > 200000) {
		err = errBad("limit", "must be between 1 and 200000")
	}
	if err != nil {
		return err
	}
	list, err := s.store.ListIncidents(r.Context(), f)
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for i := range list {
		fc.Append(incidentFeature(&list[i]))
	}
	writeGeoJSON(w, http.StatusOK, fc)
	return nil
}

package webmap

import (
	"net/http"

	"github.com/paulmach/orb/geojson"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
)

// handleCells answers GET /api/cells?area=&res=&from=&to=&kind=: incident
// counts per H3 cell as GeoJSON hexagons.
func (s *Server) handleCells(w http.ResponseWriter, r *http.Request) error {
	f := store.CellFilter{AreaCode: r.URL.Query().Get("area"), Kind: hotspot.IncidentKind(r.URL.Query().Get("kind"))}
	var err error
	if f.Res, err = queryInt(r, "res", 9); err == nil {
		if f.From, err = queryTime(r, "from"); err == nil {
			f.To, err = queryDayEnd(r, "to")
		}
	}
	if err != nil {
		return err
	}
	counts, err := s.store.CellCounts(r.Context(), f)
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, c := range counts {
		fc.Append(cellFeature(c.Cell, geojson.Properties{"count": c.Count}))
	}
	writeGeoJSON(w, http.StatusOK, fc)
	return nil
}

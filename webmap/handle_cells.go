package webmap

import (
	"net/http"

	"github.com/paulmach/orb/geojson"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
	"github.com/diaban/diaban/hotspot/store"
)

// handleCells answers GET /api/cells?area=&res=&from=&to=&kind=: incident
// counts per H3 cell as GeoJSON hexagons, within the disclosure rule of the
// caller's role (hotspot/disclosure): for a viewer res is coarsened to 8,
// the window widened to whole months and counts below 5 sent as "< 5"
// with "suppressed": true; the resolution and window counted are in the
// collection's "res", "from" and "to" members.
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
	if f.Res < geo.MinPointResolution || f.Res > geo.MaxPointResolution {
		return hotspot.Invalid("res", "must be between %d and %d, got %d", geo.MinPointResolution, geo.MaxPointResolution, f.Res)
	}
	rule := disclosure.For(roleOf(userFrom(r.Context())))
	f.Res = rule.Res(f.Res)
	f.From, f.To = rule.Window(f.From, f.To)
	counts, err := s.store.CellCounts(r.Context(), f)
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	fc.ExtraMembers = geojson.Properties{"res": f.Res}
	if !f.From.IsZero() {
		fc.ExtraMembers["from"] = f.From
	}
	if !f.To.IsZero() {
		fc.ExtraMembers["to"] = f.To
	}
	for _, c := range counts {
		props := geojson.Properties{}
		rule.Properties(props, "count", c.Count)
		fc.Append(cellFeature(c.Cell, props))
	}
	writeGeoJSON(w, http.StatusOK, fc)
	return nil
}

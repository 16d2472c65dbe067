package webmap

import (
	"net/http"
	"strings"
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
)

// The geography of a date (issue 13): as_of=YYYY-MM-DD on the metrics
// routes and GET /api/areas chooses the areas as they stood that day
// (default today); the period chooses only the time window.

// queryAsOf reads the optional as_of parameter.
func queryAsOf(r *http.Request) (time.Time, error) {
	v := strings.TrimSpace(r.URL.Query().Get("as_of"))
	if v == "" {
		return store.DateOf(time.Time{}), nil
	}
	d, err := time.ParseInLocation(time.DateOnly, v, time.UTC)
	if err != nil {
		return time.Time{}, errBad("as_of", "want a date YYYY-MM-DD")
	}
	return d, nil
}

// handleAreasAsOf answers GET /api/areas?as_of=D: the areas in force on D
// as GeoJSON, each with its type, its end (valid_to, exclusive), whether it
// is retired today, and the units it was made of and went into.
func (s *Server) handleAreasAsOf(w http.ResponseWriter, r *http.Request) error {
	d, err := queryAsOf(r)
	if err != nil {
		return err
	}
	areas, err := s.store.AreasWithLineage(r.Context(), d)
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, a := range areas {
		f := geojson.NewFeature(a.Geometry)
		f.Properties = geojson.Properties{
			"code": a.Code, "name": a.Name, "level": string(a.Level), "parent_code": a.ParentCode,
			"type": string(a.Type), "valid_from": a.ValidFrom.Format(time.DateOnly), "retired": a.Retired,
			"predecessors": a.Predecessors, "successors": a.Successors,
		}
		if a.ValidTo != nil {
			f.Properties["valid_to"] = a.ValidTo.Format(time.DateOnly)
		}
		fc.Append(f)
	}
	writeGeoJSON(w, http.StatusOK, fc)
	return nil
}

// retiredInScope reports whether a user whose area (of today) does not hold
// code may still read it because the request asks for an earlier map
// (as_of) on which code lies inside the user's area by lineage: the
// predecessors of a user's unit are the user's (issue 13). Without as_of it
// is false and the usual refusal stands; a bad as_of is a 400.
func (s *Server) retiredInScope(r *http.Request, u *hotspot.User, code string) (bool, error) {
	if r.URL.Query().Get("as_of") == "" || code == "" {
		return false, nil
	}
	d, err := queryAsOf(r)
	if err != nil {
		return false, err // 400 on as_of
	}
	idx, err := s.store.Areas(r.Context())
	if err != nil {
		return false, err
	}
	within, ok := idx.Descendants(u.Scope)
	if !ok {
		return false, nil
	}
	return s.store.InsideAsOf(r.Context(), code, d, within)
}

package webmap

import (
	"context"
	"net/http"

	"github.com/paulmach/orb"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
	"github.com/diaban/diaban/hotspot/store"
	"github.com/diaban/diaban/tiles"
)

// handleTile answers GET /tiles/{layer}/{z}/{x}/{y}[.mvt] with a Mapbox
// Vector Tile; a bad address is a 400 naming the part at fault. The cells
// layer takes the map's filters as /api/cells does: ?from=&to= (a date or
// an instant; a date `to` is inclusive) and ?kind= (an incident kind);
// without them it counts every incident, all time.
func (s *Server) handleTile(w http.ResponseWriter, r *http.Request) error {
	c, err := tiles.ParseCoord(r.PathValue("z"), r.PathValue("x"), r.PathValue("y"))
	if err != nil {
		return err
	}
	layer := tiles.Layer(r.PathValue("layer"))
	window, err := cellWindow(r, layer)
	if err != nil {
		return err
	}
	// The layer is allowed for the caller's role (authz.go); the rows are
	// those of its area: the scope guard put on the request (withUserScope),
	// read back rather than asked of the database again (issue 18: two
	// round trips a tile).
	ids, all := store.ScopeAreaIDs(r.Context())
	if all {
		ids = nil
	}
	// Cells are drawn within the disclosure rule of the caller's role: a
	// viewer's hexagons are never finer than res 8, whatever the zoom, and
	// counts below 5 read "< 5" (hotspot/disclosure).
	rule := disclosure.For(roleOf(userFrom(r.Context())))
	window.From, window.To = rule.Window(window.From, window.To)
	if !s.tiles.Indexing() {
		// The point layers' index (tiles/pointindex.go), read with the
		// system scope: it must hold every point, whoever asks.
		s.tiles.IndexPoints(store.WithSystemScope(context.Background()))
	}
	data, err := s.tiles.TileIn(r.Context(), layer, c, tiles.Scope{Key: scopeKey(userFrom(r.Context())), AreaIDs: ids, Rule: rule, Cells: window})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.mapbox-vector-tile")
	w.Header().Set("Cache-Control", "no-cache") // the data changes live; the server caches
	_, _ = w.Write(data)
	return nil
}

// cellWindow reads the cells layer's filters (from, to, kind), each a 400
// naming it when malformed; another layer given one is a 400 too.
func cellWindow(r *http.Request, layer tiles.Layer) (tiles.CellWindow, error) {
	q := r.URL.Query()
	var w tiles.CellWindow
	if layer != tiles.LayerCells {
		for _, name := range []string{"from", "to", "kind"} {
			if q.Has(name) {
				return w, errBad(name, "only the cells layer takes from, to and kind")
			}
		}
		return w, nil
	}
	var err error
	if w.From, err = queryTime(r, "from"); err != nil {
		return w, err
	}
	if w.To, err = queryDayEnd(r, "to"); err != nil {
		return w, err
	}
	if !w.From.IsZero() && !w.To.IsZero() && !w.From.Before(w.To) {
		return w, errBad("to", "must be after from")
	}
	if k := q.Get("kind"); k != "" {
		if err := hotspot.ValidateIncidentKind(hotspot.IncidentKind(k)); err != nil {
			return w, err
		}
		w.Kind = k
	}
	return w, nil
}

// roleOf is u's role; "" (the strictest disclosure rule) for no user.
func roleOf(u *hotspot.User) hotspot.Role {
	if u == nil {
		return ""
	}
	return u.Role
}

// scopeKey names a user's scope for the tile cache ("" for everywhere).
func scopeKey(u *hotspot.User) string {
	if u == nil {
		return ""
	}
	return u.Scope
}

// forgetTiles drops the cached vector tiles a change touches (tiles.Forget):
// those that drew the changed hotspot or camera (where it was) and those
// around where it is now, or around the incident; a change the feed could
// not place (a bulk load, a delete) drops its layers whole. The map does
// the same with the tiles it holds, from the same message (tiles.js).
func (s *Server) forgetTiles(c changed) {
	t := tiles.Touched{Kind: c.kind}
	switch c.kind {
	case hotspot.ChangeHotspot, hotspot.ChangeCamera:
		t.IDs = []int64{c.id}
	case hotspot.ChangeEvent:
		if c.event != nil {
			t.IDs = []int64{c.event.HotspotID}
		}
	}
	if c.op == hotspot.ChangeBulk {
		t.IDs = nil // the id of one row of many
	} else if c.point != nil {
		t.Points = []orb.Point{c.point.Orb()}
	}
	s.tiles.Forget(t)
}

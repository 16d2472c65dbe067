package webmap

import (
	"net/http"

	"github.com/diaban/diaban/tiles"
)

// handleTile answers GET /tiles/{layer}/{z}/{x}/{y}[.mvt] with a Mapbox
// Vector Tile; a bad address is a 400 naming the part at fault.
func (s *Server) handleTile(w http.ResponseWriter, r *http.Request) {
	c, err := tiles.ParseCoord(r.PathValue("z"), r.PathValue("x"), r.PathValue("y"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data, err := s.tiles.Tile(r.Context(), tiles.Layer(r.PathValue("layer")), c)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.mapbox-vector-tile")
	w.Header().Set("Cache-Control", "no-cache") // the data changes live; the server caches
	_, _ = w.Write(data)
}

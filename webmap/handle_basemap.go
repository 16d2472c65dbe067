package webmap

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/diaban/diaban/hotspot"
)

// BasemapPath is where the map fetches the offline base map archive.
const BasemapPath = "/basemap.pmtiles"

// Basemap is a PMTiles archive served from the server's disk, so the
// map has streets on a closed network. The browser's PMTiles reader asks
// for byte ranges (the header, a directory, one tile at a time):
// http.ServeContent answers them (206 Partial Content, If-Range, multiple
// ranges), so nothing of the archive is read that is not drawn.
type Basemap struct {
	path    string
	modTime time.Time
}

// OpenBasemap checks that path is a readable PMTiles (v3) archive (its
// first bytes are the PMTiles magic), for Config.Basemap.
func OpenBasemap(path string) (*Basemap, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("basemap: %w", err)
	}
	defer f.Close()
	head := make([]byte, 8)
	if _, err := f.ReadAt(head, 0); err != nil || string(head[:7]) != "PMTiles" {
		return nil, fmt.Errorf("basemap: %s is not a PMTiles archive (no PMTiles header)", path)
	}
	if head[7] != 3 {
		return nil, fmt.Errorf("basemap: %s is PMTiles version %d; want 3 (convert it with `pmtiles convert`)", path, head[7])
	}
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("basemap: %w", err)
	}
	return &Basemap{path: path, modTime: st.ModTime()}, nil
}

// handleBasemap answers GET /basemap.pmtiles for a logged-in user: the
// archive, whole or by ranges; 404 when the server has none.
func (s *Server) handleBasemap(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Basemap == nil {
		return hotspot.ErrNotFound
	}
	f, err := os.Open(s.cfg.Basemap.path)
	if err != nil {
		return fmt.Errorf("basemap: %w", err)
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/vnd.pmtiles")
	// The archive changes only when the server is given another file; the
	// browser may keep what it read for a day, checked by modification time.
	w.Header().Set("Cache-Control", "private, max-age=86400")
	http.ServeContent(w, r, strings.TrimPrefix(BasemapPath, "/"), s.cfg.Basemap.modTime, f)
	return nil
}

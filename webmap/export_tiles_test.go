package webmap

import "github.com/diaban/diaban/tiles"

// TileSource is the server's vector tile source, for tests.
func (s *Server) TileSource() *tiles.Source { return s.tiles }

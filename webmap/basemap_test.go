package webmap_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/webmap"
)

// pmtilesID is a tile's id in a PMTiles v3 archive: the tiles of lower
// zooms first, then the position along the Hilbert curve of its zoom.
func pmtilesID(z uint8, x, y uint32) uint64 {
	var acc uint64
	for t := uint8(0); t < z; t++ {
		acc += uint64(1) << (2 * t)
	}
	n := uint32(1) << z
	var d uint64
	tx, ty := x, y
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint32
		if tx&s > 0 {
			rx = 1
		}
		if ty&s > 0 {
			ry = 1
		}
		d += uint64(s) * uint64(s) * uint64((3*rx)^ry)
		if ry == 0 {
			if rx == 1 {
				tx, ty = s-1-tx, s-1-ty
			}
			tx, ty = ty, tx
		}
	}
	return acc + d
}

// writePMTiles writes a PMTiles v3 archive of uncompressed vector tiles
// (one root directory, no leaves), as `pmtiles convert` would for so few.
func writePMTiles(t *testing.T, path string, tiles map[maptile.Tile][]byte) {
	t.Helper()
	type entry struct {
		id     uint64
		offset uint64
		length uint64
	}
	var entries []entry
	keys := make([]maptile.Tile, 0, len(tiles))
	for k := range tiles {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return pmtilesID(uint8(keys[i].Z), keys[i].X, keys[i].Y) < pmtilesID(uint8(keys[j].Z), keys[j].X, keys[j].Y)
	})
	var data bytes.Buffer
	minZ, maxZ := uint8(255), uint8(0)
	for _, k := range keys {
		entries = append(entries, entry{pmtilesID(uint8(k.Z), k.X, k.Y), uint64(data.Len()), uint64(len(tiles[k]))})
		data.Write(tiles[k])
		minZ, maxZ = min(minZ, uint8(k.Z)), max(maxZ, uint8(k.Z))
	}
	var dir []byte
	dir = binary.AppendUvarint(dir, uint64(len(entries)))
	last := uint64(0)
	for _, e := range entries {
		dir = binary.AppendUvarint(dir, e.id-last)
		last = e.id
	}
	for range entries {
		dir = binary.AppendUvarint(dir, 1) // run length
	}
	for _, e := range entries {
		dir = binary.AppendUvarint(dir, e.length)
	}
	for i, e := range entries {
		if i > 0 && e.offset == entries[i-1].offset+entries[i-1].length {
			dir = binary.AppendUvarint(dir, 0)
		} else {
			dir = binary.AppendUvarint(dir, e.offset+1)
		}
	}
	meta := []byte(`{"name":"diaban test","vector_layers":[{"id":"earth","fields":{}},{"id":"water","fields":{}},{"id":"roads","fields":{}},{"id":"places","fields":{}}]}`)
	h := make([]byte, 127)
	copy(h, "PMTiles")
	h[7] = 3
	le := binary.LittleEndian
	rootOff := uint64(127)
	metaOff := rootOff + uint64(len(dir))
	dataOff := metaOff + uint64(len(meta))
	le.PutUint64(h[8:], rootOff)
	le.PutUint64(h[16:], uint64(len(dir)))
	le.PutUint64(h[24:], metaOff)
	le.PutUint64(h[32:], uint64(len(meta)))
	le.PutUint64(h[40:], dataOff) // no leaf directories
	le.PutUint64(h[48:], 0)
	le.PutUint64(h[56:], dataOff)
	le.PutUint64(h[64:], uint64(data.Len()))
	le.PutUint64(h[72:], uint64(len(entries)))
	le.PutUint64(h[80:], uint64(len(entries)))
	le.PutUint64(h[88:], uint64(len(entries)))
	h[96] = 1 // clustered
	h[97] = 1 // internal compression: none
	h[98] = 1 // tile compression: none
	h[99] = 1 // tile type: mvt
	h[100], h[101] = minZ, maxZ
	put32 := func(at int, v float64) { le.PutUint32(h[at:], uint32(int32(v*1e7))) }
	put32(102, 102)
	put32(106, 8)
	put32(110, 110)
	put32(114, 24)
	h[118] = maxZ
	put32(119, 108.33)
	put32(123, 15.88)
	out := append(append(append(h, dir...), meta...), data.Bytes()...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// basemapTile is one tile of the test's base map: land over the whole
// tile, a river and a main road across it, and a place named in
// Vietnamese, in the layers and kinds the Protomaps basemap draws.
func basemapTile(t *testing.T, tile maptile.Tile) []byte {
	t.Helper()
	b := tile.Bound()
	land := geojson.NewFeatureCollection()
	land.Append(geojson.NewFeature(b.ToPolygon()))
	land.Features[0].Properties = geojson.Properties{"kind": "earth"}
	water := geojson.NewFeatureCollection()
	w := orb.Bound{Min: orb.Point{b.Min[0], b.Min[1]}, Max: orb.Point{b.Max[0], b.Min[1] + (b.Max[1]-b.Min[1])*0.2}}
	water.Append(geojson.NewFeature(w.ToPolygon()))
	water.Features[0].Properties = geojson.Properties{"kind": "water"}
	roads := geojson.NewFeatureCollection()
	roads.Append(geojson.NewFeature(orb.LineString{{b.Min[0], b.Center()[1]}, {b.Max[0], b.Center()[1]}}))
	roads.Features[0].Properties = geojson.Properties{"kind": "major_road", "name": "Đường Hai Bà Trưng"}
	places := geojson.NewFeatureCollection()
	places.Append(geojson.NewFeature(b.Center()))
	places.Features[0].Properties = geojson.Properties{"kind": "locality", "name": "Hội An", "name:vi": "Hội An", "min_zoom": 0, "population_rank": 10}
	layers := mvt.NewLayers(map[string]*geojson.FeatureCollection{"earth": land, "water": water, "roads": roads, "places": places})
	layers.ProjectToTile(tile)
	data, err := mvt.Marshal(layers)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// buildBasemap writes a small archive around the demo district: the tile
// holding it at every zoom from 0 to 12 (the map over-zooms the last).
func buildBasemap(t *testing.T) string {
	t.Helper()
	tiles := map[maptile.Tile][]byte{}
	for z := maptile.Zoom(0); z <= 12; z++ {
		tile := maptile.At(orb.Point{108.33, 15.88}, z)
		tiles[tile] = basemapTile(t, tile)
	}
	path := filepath.Join(t.TempDir(), "hoian.pmtiles")
	writePMTiles(t, path, tiles)
	return path
}

// TestBasemapServedByRanges: the archive is served to a logged-in user
// only, whole or by byte ranges (206), with its type; without one, 404; a
// file that is not PMTiles is refused when the server starts.
func TestBasemapServedByRanges(t *testing.T) {
	path := buildBasemap(t)
	bm, err := webmap.OpenBasemap(path)
	if err != nil {
		t.Fatal(err)
	}
	ts := newConfiguredServer(t, func(c *webmap.Config) { c.Basemap = bm })
	viewer := ts.token // any logged-in user; the admin here (the server has no areas)
	whole, _ := os.ReadFile(path)

	req, _ := http.NewRequest("GET", ts.URL+webmap.BasemapPath, nil)
	req.Header.Set("Authorization", "Bearer "+viewer)
	req.Header.Set("Range", "bytes=0-126")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	head, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 206 || len(head) != 127 || !bytes.Equal(head, whole[:127]) {
		t.Fatalf("range 0-126: %d, %d bytes", resp.StatusCode, len(head))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.pmtiles" {
		t.Errorf("content type %q", ct)
	}
	if code, data := ts.doAs(t, viewer, "GET", webmap.BasemapPath, "", nil); code != 200 || !bytes.Equal(data, whole) {
		t.Errorf("whole archive: %d, %d of %d bytes", code, len(data), len(whole))
	}
	if code, _ := ts.doAs(t, "", "GET", webmap.BasemapPath, "", nil); code != 401 {
		t.Errorf("without a session: %d, want 401", code)
	}
	var cfg map[string]string
	ts.doAs(t, viewer, "GET", "/api/config", "", &cfg)
	if cfg["basemap_pmtiles"] != webmap.BasemapPath {
		t.Errorf("config %v does not name the archive", cfg)
	}

	plain := newTestServer(t)
	if code := plain.do(t, "GET", webmap.BasemapPath, "", nil); code != 404 {
		t.Errorf("no archive: %d, want 404", code)
	}
	bad := filepath.Join(t.TempDir(), "not.pmtiles")
	os.WriteFile(bad, []byte("<html>not tiles</html>"), 0o644)
	if _, err := webmap.OpenBasemap(bad); err == nil || !strings.Contains(err.Error(), "not a PMTiles archive") {
		t.Errorf("a file that is not PMTiles: %v", err)
	}
}

// TestBrowserBasemap: with an archive the map draws it (canvas tiles with
// the land's colour, read by ranges) under the layers, at both sizes, with
// no console error.
func TestBrowserBasemap(t *testing.T) {
	bm, err := webmap.OpenBasemap(buildBasemap(t))
	if err != nil {
		t.Fatal(err)
	}
	ts := newConfiguredServer(t, func(c *webmap.Config) { c.Basemap = bm })
	loadDemo(t, ts)
	ts.addUser(t, "bm-officer", hotspot.RoleOfficer, "20413")
	ts.settle(t)
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			ctx := newBrowser(t, 1440, 900, 120*time.Second)
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(sc.w), int64(sc.h))); err != nil {
				t.Fatal(err)
			}
			errs := consoleErrors(ctx)
			if err := ts.browserLogin(ctx, "bm-officer"); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.ready === "true" && document.body.dataset.basemap === "pmtiles"`)); err != nil {
				t.Fatalf("no offline base map: %v", err)
			}
			// Painted tiles: some pixel of a loaded canvas is not transparent.
			js := `[...document.querySelectorAll('canvas.leaflet-tile.leaflet-tile-loaded')].some((c) => {
				if (!c.width) return false;
				const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
				for (let i = 3; i < d.length; i += 4 * 97) if (d[i] > 0) return true;
				return false;
			})`
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js)); err != nil {
				t.Fatalf("the base map drew nothing: %v", err)
			}
			if n := evaluate[int](t, ctx, fmt.Sprintf(`performance.getEntriesByType('resource').filter((e) => e.name.endsWith(%q)).length`, webmap.BasemapPath)); n == 0 {
				t.Error("the archive was never read")
			}
			checkLayout(t, ctx, sc.name)
			screenshot(t, ctx, "basemap-"+sc.name)
			noConsoleErrors(t, errs, sc.name)
		})
	}
}

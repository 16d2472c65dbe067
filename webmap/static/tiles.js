// Vector tiles of the server's layers (/tiles/{layer}/{z}/{x}/{y}.mvt,
// scoped and cached there) drawn on canvas by protomaps-leaflet, for a map
// with more features than GeoJSON carries well: a province's communes with
// real boundaries, thousands of hotspots, the hexagons of a million
// incidents.
//
// A live change drops only the tiles it touches, here as on the server
// (tiles/server.go, Source.Forget): the tiles that drew the changed feature
// (by its id, so where a hotspot was before a move) and those within reach
// of where it happened. Only those are fetched again; the others stay.

// TILE_FEATURES is how many features of a layer a map draws from GeoJSON;
// above it, from vector tiles. TILE_VERTICES is the same for the vertices
// of the area boundaries.
export const TILE_FEATURES = 500;
export const TILE_VERTICES = 60000;

// Average H3 edge (km) by resolution, and the resolution the server draws
// the hexagons at for a zoom (tiles/layers.go, cellResolution), no finer
// than 8 for the committee (hotspot/disclosure).
const H3_EDGE_KM = [1107.71, 418.68, 158.24, 59.81, 22.61, 8.54, 3.23, 1.22, 0.461, 0.174, 0.0659];
export function cellResolution(z, viewer = false) {
  const r = z <= 11 ? 7 : z <= 13 ? 8 : z <= 15 ? 9 : 10;
  return viewer ? Math.min(r, 8) : r;
}

function tileBounds(x, y, z) {
  const n = 2 ** z;
  const lon = (i) => (i / n) * 360 - 180;
  const lat = (j) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * j) / n))) * 180) / Math.PI;
  return { west: lon(x), east: lon(x + 1), north: lat(y), south: lat(y + 1) };
}

export class VectorTiles {
  // name: the server's layer; paintRules: protomaps-leaflet's; cells: the
  // layer draws whole hexagons (a change reaches a hexagon's width);
  // levelDiff: draw zoom z from the tiles of z - levelDiff (1: a quarter
  // as many tiles to fetch and decode, each drawn into four).
  constructor(map, { name, pane, paintRules, cells = false, viewer = false, levelDiff = 0, onClick }) {
    this.map = map;
    this.name = name;
    this.cells = cells;
    this.viewer = viewer;
    this.layer = window.protomapsL.leafletLayer({
      url: `/tiles/${name}/{z}/{x}/{y}.mvt`,
      pane,
      paintRules,
      labelRules: [],
      attribution: '',
      maxDataZoom: 16,
      levelDiff,
      tileDelay: 0,
    });
    this.layer.diabanTiles = this;
    this.refetched = 0; // tiles fetched again after a change (tests)
    if (onClick) {
      map.on('click', (e) => {
        if (!map.hasLayer(this.layer)) return;
        const hits = this.layer.queryTileFeaturesDebug(e.latlng.lng, e.latlng.lat, 8).get('') || [];
        const hit = hits.find((x) => x.layerName === name);
        if (hit) onClick(hit.feature, e);
      });
    }
  }

  get cache() {
    return this.layer.views.get('').tileCache.cache;
  }

  // keys of the tiles held ("x:y:z"), for tests.
  keys() {
    return [...this.cache.keys()];
  }

  // reach of a change around the tile at zoom z, in degrees (lon, lat) at
  // latitude lat: the drawing buffer, and for hexagons their width.
  reach(z, lat) {
    const w = 360 / 2 ** z;
    let dLon = (w * 64) / 4096;
    let dLat = dLon;
    if (this.cells) {
      const km = 2.5 * H3_EDGE_KM[cellResolution(z, this.viewer)];
      dLon += km / (111.32 * Math.max(Math.cos((lat * Math.PI) / 180), 0.05));
      dLat += km / 110.57;
    }
    return [dLon, dLat];
  }

  // forget drops the tiles a change touches — those drawing a feature of
  // ids, those within reach of a point [lon, lat] — and draws them again
  // (fetched anew); the others are left as they are. It returns the keys
  // dropped.
  forget({ ids = [], points = [] }) {
    const want = new Set(ids.map(Number));
    const dropped = [];
    for (const [key, entry] of this.cache) {
      const [x, y, z] = key.split(':').map(Number);
      let hit = false;
      if (want.size) {
        for (const feats of entry.data.values()) {
          if (feats.some((f) => want.has(Number(f.id)))) {
            hit = true;
            break;
          }
        }
      }
      if (!hit && points.length) {
        const b = tileBounds(x, y, z);
        const [dLon, dLat] = this.reach(z, (b.north + b.south) / 2);
        hit = points.some(([lon, lat]) => lon >= b.west - dLon && lon <= b.east + dLon && lat >= b.south - dLat && lat <= b.north + dLat);
      }
      if (hit) dropped.push(key);
    }
    for (const key of dropped) this.cache.delete(key);
    for (const key of dropped) {
      this.refetched++;
      this.layer.rerenderTile(key);
    }
    return dropped;
  }

  // setQuery asks the server's tiles with a query string (such as
  // "?from=2025-01-01&to=2025-12-31&kind=use", or "" for none) from now on;
  // when it changed, every tile held (drawn with the old one) is dropped
  // and fetched again.
  setQuery(qs) {
    const source = this.layer.views.get('').tileCache.source;
    const url = `/tiles/${this.name}/{z}/{x}/{y}.mvt${qs}`;
    if (source.url === url) return false;
    source.url = url;
    this.dropAll();
    return true;
  }

  // dropAll drops every tile (a bulk load, a resync).
  dropAll() {
    this.cache.clear();
    this.layer.rerenderTiles();
  }

  // repaint draws the tiles again from what is held (a filter changed).
  repaint() {
    this.layer.rerenderTiles();
  }
}

// Incident density: H3 hexagons shaded by count on a sequential ramp
// (ColorBrewer YlOrRd, 5 classes), class breaks from the data's quantiles.

import { getJSON, query } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { VectorTiles } from './tiles.js';

export const RAMP = ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03c20', '#bd0026'];

// breaks returns ascending lower bounds (the first is the minimum count),
// at most RAMP.length of them, all distinct integers.
export function breaks(counts) {
  const xs = counts.filter((c) => Number.isFinite(c) && c > 0).sort((a, b) => a - b);
  if (!xs.length) return [];
  const min = xs[0];
  const max = xs[xs.length - 1];
  if (max - min + 1 <= RAMP.length) {
    const out = [];
    for (let v = min; v <= max; v++) out.push(v);
    return out;
  }
  const out = [min];
  for (let i = 1; i < RAMP.length; i++) {
    const q = xs[Math.min(xs.length - 1, Math.floor((i / RAMP.length) * xs.length))];
    if (q > out[out.length - 1]) out.push(q);
  }
  return out;
}

export function colourFor(count, bs) {
  if (!bs.length) return RAMP[0];
  let i = 0;
  while (i + 1 < bs.length && count >= bs[i + 1]) i++;
  // Spread fewer classes over the whole ramp so the top is always darkest.
  const idx = bs.length === 1 ? RAMP.length - 1 : Math.round((i * (RAMP.length - 1)) / (bs.length - 1));
  return RAMP[idx];
}

export class CellLayer {
  // tiled() says whether the map is at province scale: then the hexagons
  // come from vector tiles, cut by the period and incident kind chosen
  // (/tiles/cells/...?from=&to=&kind=, the rules of /api/cells); viewer:
  // the committee's coarser hexagons.
  constructor(map, { pane, onBreaks, tiled, viewer }) {
    this.map = map;
    this.pane = pane;
    this.tiled = tiled || (() => false);
    this.viewer = viewer || (() => false);
    this.tiles = null;
    this.renderer = L.svg({ pane });
    this.group = L.featureGroup();
    this.onBreaks = onBreaks || (() => {});
    this.params = { res: 9, from: '', to: '', area: '' };
    this.breaks = [];
    this._seq = 0;
    this._timer = null;
  }

  get layer() {
    return this.group;
  }

  setPeriod(from, to) {
    this.params.from = from || '';
    this.params.to = to || '';
    return this.load();
  }

  // reloadSoon debounces bursts of incident messages into one request.
  reloadSoon(ms = 1500) {
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this.load().catch((e) => console.warn('cells', e)), ms);
  }

  async load() {
    if (this.tiled()) return this.loadTiles();
    const seq = ++this._seq;
    const fc = await getJSON(`/api/cells${query(this.params)}`);
    if (seq !== this._seq) return;
    const feats = (fc.features || []).filter((f) => f.geometry);
    const bs = breaks(feats.map((f) => Number(f.properties?.count)));
    this.breaks = bs;
    this.group.clearLayers();
    const gj = L.geoJSON({ type: 'FeatureCollection', features: feats }, {
      renderer: this.renderer,
      style: (f) => ({
        color: '#7a4a00',
        weight: 0.5,
        opacity: 0.5,
        fillColor: colourFor(Number(f.properties.count), bs),
        fillOpacity: 0.6,
        className: 'h3-cell',
      }),
      onEachFeature: (f, l) => {
        l.bindTooltip(() => h('span', { text: t('cells.count', { count: f.properties.count }) }), { sticky: true });
      },
    });
    this.group.addLayer(gj);
    this.onBreaks(bs);
  }
}

// The hexagons from vector tiles: shaded by breaks taken from the tiles
// held at the zoom shown, a popup with the count on a click.
CellLayer.prototype.loadTiles = function loadTiles() {
  ++this._seq;
  if (!this.tiles) {
    this.tiles = new VectorTiles(this.map, {
      name: 'cells',
      pane: this.pane,
      cells: true,
      viewer: this.viewer(),
      paintRules: [{
        dataLayer: 'cells',
        symbolizer: new window.protomapsL.PolygonSymbolizer({
          fill: (z, f) => colourFor(Number(f.props.count), this.breaks),
          opacity: 0.6,
          stroke: '#7a4a00',
          width: 0.5,
          perFeature: true,
        }),
      }],
      onClick: (f, e) => {
        L.popup({ autoPan: false }).setLatLng(e.latlng).setContent(h('span', { text: t('cells.count', { count: f.props.count }) })).openOn(this.map);
      },
    });
    this.tiles.layer.on('load', () => {
      const z = Math.round(this.map.getZoom());
      const counts = [];
      for (const [key, entry] of this.tiles.cache) {
        if (Number(key.split(':')[2]) !== z) continue;
        for (const f of entry.data.get('cells') || []) counts.push(Number(f.props.count));
      }
      const bs = breaks(counts);
      if (bs.join() !== this.breaks.join()) {
        this.breaks = bs;
        this.onBreaks(bs);
        this.tiles.repaint();
      }
    });
  }
  const { from, to, kind } = this.params;
  this.tiles.setQuery(query({ from, to, kind })); // the held tiles go when the filter changed
  if (!this.group.hasLayer(this.tiles.layer)) {
    this.group.clearLayers();
    this.group.addLayer(this.tiles.layer);
  }
  return Promise.resolve();
};

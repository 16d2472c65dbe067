// Area boundaries: communes outlined with their names as labels, districts
// and provinces drawn heavier, hamlets lighter and dashed.

import { getJSON } from './api.js';
import { h } from './dom.js';
import { tOr } from './i18n.js';

const LEVEL_STYLE = {
  province: { color: '#222', weight: 3, fillOpacity: 0, dashArray: null },
  district: { color: '#333', weight: 2.5, fillOpacity: 0, dashArray: null },
  commune: { color: '#3d4f6b', weight: 1.5, fillColor: '#ffffff', fillOpacity: 0.08, dashArray: null },
  hamlet: { color: '#6b7a90', weight: 1, fillOpacity: 0, dashArray: '3 4' },
};
// Labels show from this zoom on; below it they would cover the map.
export const LABEL_MIN_ZOOM = 12;

export class AreaLayer {
  constructor(map, { pane }) {
    this.map = map;
    this.pane = pane;
    this.group = L.featureGroup();
    this.byCode = new Map(); // code -> feature
    this.layers = new Map(); // code -> L.Layer
    const toggle = () => {
      map.getContainer().classList.toggle('area-labels-hidden', map.getZoom() < LABEL_MIN_ZOOM);
    };
    map.on('zoomend', toggle);
    toggle();
  }

  get layer() {
    return this.group;
  }

  name(code) {
    if (!code) return '';
    const f = this.byCode.get(code);
    return f ? f.properties.name || code : code;
  }

  features() {
    return [...this.byCode.values()];
  }

  // bounds of one area, or with no code the working extent: the communes
  // (the unit police work in) or, lacking those, the districts, or all; an
  // enclosing province must not zoom the map out to a whole province.
  bounds(code) {
    if (code) {
      const l = this.layers.get(code);
      return l ? l.getBounds() : null;
    }
    for (const level of ['commune', 'district', null]) {
      let b = null;
      for (const [c, l] of this.layers) {
        if (level && this.byCode.get(c).properties.level !== level) continue;
        const lb = l.getBounds();
        if (!lb.isValid()) continue;
        b = b ? b.extend(lb) : L.latLngBounds(lb.getSouthWest(), lb.getNorthEast());
      }
      if (b) return b;
    }
    return null;
  }

  async load() {
    const fc = await getJSON('/api/areas');
    this.group.clearLayers();
    this.byCode.clear();
    this.layers.clear();
    // Larger units first, so the smaller ones (and their labels) sit on top.
    const order = { province: 0, district: 1, commune: 2, hamlet: 3 };
    const feats = (fc.features || []).slice().sort((a, b) =>
      (order[a.properties?.level] ?? 9) - (order[b.properties?.level] ?? 9));
    for (const f of feats) {
      const p = f.properties || {};
      if (!p.code) continue;
      this.byCode.set(p.code, f);
      const level = p.level in LEVEL_STYLE ? p.level : 'commune';
      const layer = L.geoJSON(f, {
        pane: this.pane,
        style: () => ({ ...LEVEL_STYLE[level], fill: level === 'commune', className: `area area-${level}` }),
      });
      // Only communes take the pointer (their fill); outlines of the others
      // would otherwise catch clicks meant for the map.
      layer.eachLayer((l) => {
        if (level === 'commune') {
          l.bindTooltip(h('span', { text: p.name || p.code }), {
            permanent: true,
            direction: 'center',
            className: 'area-label',
            interactive: false,
          });
        } else if (level !== 'province') {
          l.bindTooltip(() => h('span', {}, h('strong', { text: p.name || p.code }), ` (${tOr('level.', p.level)})`), { sticky: true });
        }
      });
      this.layers.set(p.code, layer);
      this.group.addLayer(layer);
    }
  }

  // options for the area picker: districts, then communes, then hamlets.
  pickerOptions() {
    const order = { province: 0, district: 1, commune: 2, hamlet: 3 };
    return this.features()
      .map((f) => f.properties)
      .sort((a, b) => (order[a.level] ?? 9) - (order[b.level] ?? 9) || String(a.name).localeCompare(String(b.name), 'vi'))
      .map((p) => ({ code: p.code, label: `${p.name || p.code} — ${tOr('level.', p.level)}` }));
  }
}

// Single incidents, only from zoom 15 on and only while the layer is shown:
// the set can be large, so it is fetched for the visible box, on each move.

import { getJSON, query } from './api.js';
import { h } from './dom.js';
import { t, tOr } from './i18n.js';
import { fmtDateTime } from './format.js';

export const INCIDENT_MIN_ZOOM = 15;

export class IncidentLayer {
  constructor(map, { pane, period, areaName }) {
    this.map = map;
    this.period = period || (() => ({}));
    this.areaName = areaName || ((c) => c);
    this.renderer = L.canvas({ pane });
    this.group = L.featureGroup();
    this._seq = 0;
    this._timer = null;
    this._loadedKey = '';
    map.on('moveend', () => this.reloadSoon(300));
    this.group.on('add', () => this.reloadSoon(0));
    this.group.on('remove', () => {
      this.group.clearLayers();
      this._loadedKey = '';
    });
  }

  get layer() {
    return this.group;
  }

  active() {
    return this.map.hasLayer(this.group) && this.map.getZoom() >= INCIDENT_MIN_ZOOM;
  }

  reloadSoon(ms = 1500, force = false) {
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this.load(force).catch((e) => console.warn('incidents', e)), ms);
  }

  async load(force = false) {
    if (!this.map.hasLayer(this.group)) return;
    if (this.map.getZoom() < INCIDENT_MIN_ZOOM) {
      this.group.clearLayers();
      this._loadedKey = '';
      return;
    }
    const b = this.map.getBounds().pad(0.2);
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(',');
    const { from, to, kind } = this.period();
    const key = `${bbox}|${from}|${to}|${kind || ''}`;
    if (!force && key === this._loadedKey) return;
    const seq = ++this._seq;
    const fc = await getJSON(`/api/incidents${query({ bbox, from, to, kind })}`);
    if (seq !== this._seq) return;
    this._loadedKey = key;
    this.group.clearLayers();
    this.group.addLayer(L.geoJSON(fc, {
      pointToLayer: (f, ll) => L.circleMarker(ll, {
        renderer: this.renderer, radius: 3, weight: 1, color: '#3b2200', fillColor: '#f46d43', fillOpacity: 0.9,
      }),
      onEachFeature: (f, l) => {
        const p = f.properties || {};
        l.bindPopup(() => h('div', { class: 'inc-popup' },
          h('h3', { text: `${t('incident')} ${p.ref || ''}` }),
          h('dl', {},
            h('dt', { text: t('hotspot.kind') }), h('dd', { text: tOr('kind.', p.kind) }),
            h('dt', { text: t('incident.occurredAt') }), h('dd', { text: fmtDateTime(p.occurred_at) }),
            h('dt', { text: t('hotspot.area') }), h('dd', { text: this.areaName(p.area) }))));
      },
    }));
  }
}

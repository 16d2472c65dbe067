// Cameras: a small marker at each camera and its field-of-view sector
// (police blue, community purple; offline grey dashed; planned dashed outline).

import { getJSON, patchJSON } from './api.js';
import { h } from './dom.js';
import { t, tOr, addWords } from './i18n.js';

addWords({
  vi: {
    'camera.markOffline': 'Báo mất kết nối',
    'camera.markActive': 'Đã hoạt động trở lại',
    'camera.saving': 'Đang lưu…',
  },
  en: {
    'camera.markOffline': 'Mark offline',
    'camera.markActive': 'Back in service',
    'camera.saving': 'Saving…',
  },
});

export const OWNER_COLOURS = { police: '#1f5fbf', community: '#7b2fa8' };
export const OFFLINE_COLOUR = '#8a8a8a';

export function cameraStyle(p) {
  const status = p.status || 'active';
  let color = OWNER_COLOURS[p.owner] || OWNER_COLOURS.police;
  let dashArray = null;
  let fillOpacity = 0.14;
  if (status === 'offline') {
    color = OFFLINE_COLOUR;
    dashArray = '4 4';
    fillOpacity = 0.08;
  } else if (status === 'planned') {
    dashArray = '6 5';
    fillOpacity = 0.03;
  }
  return { color, fillColor: color, dashArray, fillOpacity };
}

// cameraPaintRules draw cameras from the server's vector tiles (the
// cameras layer: ref, bearing, fov, range_m, owner, status, area), as the
// GeoJSON layer draws them: the field of view from zoom 13 (before, a few
// pixels), the marker at every zoom. lat() is the latitude the sectors'
// metres are measured at (the map's centre: a province spans a degree).
export function cameraPaintRules(lat) {
  const sector = {
    draw(ctx, geom, z, f) {
      const p = f.props || {};
      const pt = geom[0] && geom[0][0];
      const range = Number(p.range_m);
      if (!pt || !(range > 0)) return;
      const metresPerPx = (156543.03 * Math.cos((lat() * Math.PI) / 180)) / 2 ** z;
      const r = range / metresPerPx;
      const st = cameraStyle(p);
      const fov = Number(p.fov);
      ctx.beginPath();
      if (fov >= 360) ctx.arc(pt.x, pt.y, r, 0, 2 * Math.PI);
      else {
        const mid = ((Number(p.bearing) - 90) * Math.PI) / 180;
        const half = (fov * Math.PI) / 360;
        ctx.moveTo(pt.x, pt.y);
        ctx.arc(pt.x, pt.y, r, mid - half, mid + half);
        ctx.closePath();
      }
      ctx.globalAlpha = st.fillOpacity;
      ctx.fillStyle = st.fillColor;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.strokeStyle = st.color;
      ctx.lineWidth = 1;
      ctx.setLineDash(st.dashArray ? st.dashArray.split(' ').map(Number) : []);
      ctx.stroke();
      ctx.setLineDash([]);
    },
  };
  const marker = {
    draw(ctx, geom, z, f) {
      const p = f.props || {};
      const pt = geom[0] && geom[0][0];
      if (!pt) return;
      const st = cameraStyle(p);
      ctx.globalAlpha = 1;
      ctx.beginPath();
      ctx.arc(pt.x, pt.y, 4, 0, 2 * Math.PI);
      ctx.fillStyle = p.status === 'planned' ? '#ffffff' : st.color;
      ctx.fill();
      ctx.lineWidth = 2;
      ctx.strokeStyle = st.color;
      ctx.setLineDash(p.status === 'active' ? [] : [2, 2]);
      ctx.stroke();
      ctx.setLineDash([]);
    },
  };
  return [
    { dataLayer: 'cameras', minzoom: 13, symbolizer: sector },
    { dataLayer: 'cameras', symbolizer: marker },
  ];
}

export class CameraLayer {
  // canEdit() says whether the user may mark cameras offline or back.
  constructor(map, { sectorPane, markerPane, areaName, canEdit }) {
    this.map = map;
    this.canEdit = canEdit || (() => false);
    this.areaName = areaName || ((c) => c);
    this.sectorRenderer = L.svg({ pane: sectorPane });
    this.markerRenderer = L.svg({ pane: markerPane });
    this.group = L.featureGroup();
    this.count = 0;
    this._seq = 0;
  }

  get layer() {
    return this.group;
  }

  // useTiles hands the drawing to vector tiles (a province's cameras,
  // VectorTiles): the cameras are no longer asked for as GeoJSON; a live
  // change drops the tiles it touches (app.js, forgetTiles).
  useTiles(tiles) {
    this.tiles = tiles;
    ++this._seq; // a GeoJSON load under way is dropped
    this.group.clearLayers();
    this.count = 0;
    this.group.addLayer(tiles.layer);
  }

  // openTile opens the popup of a camera a tile drew (f: its feature).
  openTile(f, latlng) {
    L.popup().setLatLng(latlng).setContent(this._popup({ id: f.id, properties: f.props || {} })).openOn(this.map);
  }

  async load() {
    if (this.tiles) return;
    const seq = ++this._seq;
    const [points, sectors] = await Promise.all([
      getJSON('/api/cameras'),
      getJSON('/api/cameras?shape=sector'),
    ]);
    if (seq !== this._seq) return; // a newer reload won
    this.group.clearLayers();
    for (const f of sectors.features || []) {
      if (!f.geometry) continue;
      const p = f.properties || {};
      const gj = L.geoJSON(f, {
        renderer: this.sectorRenderer,
        style: () => ({ ...cameraStyle(p), weight: 1, className: `camera-sector camera-${p.owner} camera-${p.status}` }),
      });
      gj.eachLayer((l) => l.bindPopup(() => this._popup(f)));
      this.group.addLayer(gj);
    }
    this.count = 0;
    for (const f of points.features || []) {
      if (!f.geometry || f.geometry.type !== 'Point') continue;
      const p = f.properties || {};
      const [lng, lat] = f.geometry.coordinates;
      const st = cameraStyle(p);
      const m = L.circleMarker([lat, lng], {
        renderer: this.markerRenderer,
        radius: 4,
        weight: 2,
        color: st.color,
        dashArray: p.status === 'active' ? null : '2 2',
        fillColor: p.status === 'planned' ? '#ffffff' : st.color,
        fillOpacity: 1,
        className: `camera-marker camera-${p.owner} camera-${p.status}`,
      });
      m.on('add', () => {
        const el = m.getElement();
        if (el) {
          if (f.id !== undefined) el.setAttribute('data-camera-id', String(f.id));
          el.setAttribute('data-camera-status', p.status || '');
        }
      });
      m.bindTooltip(() => h('span', {}, h('strong', { text: p.ref || '' }), ` — ${tOr('owner.', p.owner)}, ${tOr('camstatus.', p.status)}`), { direction: 'top' });
      m.bindPopup(() => this._popup(f));
      this.group.addLayer(m);
      this.count++;
    }
  }

  _popup(f) {
    const p = f.properties || {};
    const fov = Number(p.fov) >= 360 ? t('camera.dome') : `${p.fov}°`;
    return h('div', { class: 'cam-popup', 'data-popup-camera-id': f.id === undefined ? '' : String(f.id) },
      h('h3', { text: `${t('camera')} ${p.ref || ''}` }),
      h('dl', {},
        h('dt', { text: t('camera.owner') }), h('dd', { text: tOr('owner.', p.owner) }),
        h('dt', { text: t('camera.status') }), h('dd', { text: tOr('camstatus.', p.status) }),
        Number(p.fov) >= 360 ? '' : [h('dt', { text: t('camera.bearing') }), h('dd', { text: `${p.bearing}°` })],
        h('dt', { text: t('camera.fov') }), h('dd', { text: fov }),
        h('dt', { text: t('camera.range') }), h('dd', { text: `${p.range_m} m` }),
        h('dt', { text: t('hotspot.area') }), h('dd', { text: this.areaName(p.area) }),
      ),
      this._actions(f));
  }

  // _actions: an officer marks an installed camera offline, or back.
  _actions(f) {
    const p = f.properties || {};
    if (!this.canEdit() || f.id === undefined || (p.status !== 'active' && p.status !== 'offline')) return '';
    const next = p.status === 'active' ? 'offline' : 'active';
    const err = h('p', { class: 'error form-error', role: 'alert', hidden: true });
    const btn = h('button', {
      type: 'button', class: `cam-mark cam-mark-${next}`, text: t(next === 'offline' ? 'camera.markOffline' : 'camera.markActive'),
      on: {
        click: async () => {
          btn.disabled = true;
          btn.textContent = t('camera.saving');
          try {
            await patchJSON(`/api/cameras/${encodeURIComponent(f.id)}`, { status: next });
            this.map.closePopup();
            await this.load();
          } catch (e) {
            btn.disabled = false;
            btn.textContent = t(next === 'offline' ? 'camera.markOffline' : 'camera.markActive');
            err.textContent = e.message;
            err.hidden = false;
          }
        },
      },
    });
    return h('div', { class: 'cam-actions' }, btn, err);
  }
}

// Camera planner panel: pick an area and a number of cameras, ask the server
// for a plan (POST /api/plans), see the proposed cameras and what they add
// (before / after, share of hotspots and of risk), drag a camera or turn it
// and watch the figures follow (POST /api/plans/evaluate), then accept the
// plan to store its cameras as planned (POST /api/plans/accept, one
// transaction). The stored cameras' coverage of the chosen area comes from
// GET /api/coverage and from the websocket's "coverage" messages.

import { getJSON, postJSON, query } from './api.js';
import { h, clear } from './dom.js';
import { t, onLangChange } from './i18n.js';

const EARTH_R = 6371008.8;
const rad = (d) => (d * Math.PI) / 180;
const deg = (r) => (r * 180) / Math.PI;

// destination is the point reached from [lat, lon] after distM metres on the
// great circle starting with the given bearing (the server's spherical model).
function destination(lat, lon, bearing, distM) {
  const d = distM / EARTH_R;
  const b = rad(bearing);
  const p1 = rad(lat);
  const l1 = rad(lon);
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 = l1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return [deg(p2), deg(l2)];
}

// sectorLatLngs is a camera's field of view as a Leaflet ring.
export function sectorLatLngs(lat, lon, bearing, fov, rangeM) {
  const pts = [];
  if (fov >= 360) {
    for (let a = 0; a < 360; a += 10) pts.push(destination(lat, lon, a, rangeM));
    return pts;
  }
  const steps = Math.max(4, Math.ceil(fov / 5));
  pts.push([lat, lon]);
  for (let i = 0; i <= steps; i++) pts.push(destination(lat, lon, bearing - fov / 2 + (fov * i) / steps, rangeM));
  return pts;
}

const pct = (x) => (typeof x === 'number' ? `${(100 * x).toFixed(1)} %` : '–');

// currentOf is what the panel shows of a coverage report: the cameras in
// service (active) with what they cover, and the planned ones counted apart —
// a plan accepted is not a camera on the street.
function currentOf(rep) {
  const all = rep.scopes.find((s) => !s.scope.owner && !s.scope.active_only) || rep.scopes[0];
  const installed = rep.scopes.find((s) => !s.scope.owner && s.scope.active_only) || all;
  return { ...installed, planned: Math.max(0, all.cameras - installed.cameras) };
}

export class Planner {
  // mount: the panel's <section>; areas: the AreaLayer (for the area list).
  constructor(map, { mount, areas }) {
    this.map = map;
    this.mount = mount;
    this.areas = areas;
    map.createPane('plannerPane').style.zIndex = '470';
    this.group = L.layerGroup().addTo(map);
    this.cams = []; // {lat, lon, bearing, fov, range_m, owner, marker, sector}
    this.gains = L.layerGroup().addTo(this.group);
    this.plan = null; // the summary of the last plan
    this.after = null; // the latest evaluation
    this.current = null; // stored coverage of the area (scope "all")
    this.busy = false;
    this.dirty = false;
    this.message = '';
    this.render();
    onLangChange(() => this.render());
  }

  get area() {
    return this.form ? this.form.area.value : '';
  }

  // onCoverage takes a websocket "coverage" message for a commune: the
  // stored coverage changed, so the panel reads it again.
  onCoverage(msg) {
    if (msg.area === this.area) {
      this.loadCurrent();
      if (this.cams.length) this.evaluate();
    }
  }

  render() {
    const keep = this.form
      ? { area: this.form.area.value, k: this.form.k.value, range: this.form.range.value, fov: this.form.fov.value }
      : { area: '', k: '5', range: '120', fov: '90' };
    clear(this.mount);
    const areaSel = h('select', { name: 'area', on: { focus: () => this.fillAreas(), change: () => this.areaChanged() } });
    this.form = h('form', { class: 'planner-form', on: { submit: (ev) => { ev.preventDefault(); this.propose(); } } },
      h('label', {}, h('span', { text: t('planner.area') }), areaSel),
      h('label', {}, h('span', { text: t('planner.k') }), h('input', { name: 'k', type: 'number', min: 1, max: 50, value: keep.k, required: true })),
      h('label', {}, h('span', { text: t('planner.range') }), h('input', { name: 'range', type: 'number', min: 10, max: 1000, step: 10, value: keep.range })),
      h('label', {}, h('span', { text: t('planner.fov') }), h('input', { name: 'fov', type: 'number', min: 10, max: 360, step: 5, value: keep.fov })),
      h('button', { type: 'submit', class: 'planner-propose', text: t('planner.propose') }),
    );
    this.fillAreas(keep.area);
    this.currentEl = h('p', { class: 'planner-current muted' });
    this.statusEl = h('p', { class: 'planner-status', role: 'status', 'aria-live': 'polite' });
    this.figuresEl = h('div', { class: 'planner-figures' });
    this.listEl = h('ol', { class: 'planner-cams' });
    this.acceptBtn = h('button', { type: 'button', class: 'planner-accept', text: t('planner.accept'), on: { click: () => this.accept() } });
    this.clearBtn = h('button', { type: 'button', class: 'planner-clear', text: t('planner.clear'), on: { click: () => this.reset() } });
    this.actionsEl = h('div', { class: 'planner-actions' }, this.acceptBtn, this.clearBtn);
    this.mount.append(
      h('h2', { id: 'planner-title', text: t('planner.title') }),
      this.form, this.currentEl, this.statusEl, this.figuresEl, this.listEl, this.actionsEl,
    );
    this.renderCurrent();
    this.renderFigures();
    this.renderList();
    this.setStatus(this.message);
  }

  fillAreas(keep) {
    const sel = this.form.area;
    const value = keep ?? sel.value;
    clear(sel);
    sel.append(h('option', { value: '', text: t('planner.pickArea') }));
    for (const o of this.areas.pickerOptions()) sel.append(h('option', { value: o.code, text: o.label }));
    sel.value = value;
  }

  setStatus(text, cls = '') {
    this.message = text;
    this.statusEl.textContent = text;
    this.statusEl.className = `planner-status ${cls}`;
  }

  async areaChanged() {
    this.reset();
    this.current = null;
    this.renderCurrent();
    await this.loadCurrent();
  }

  // loadCurrent reads the stored coverage of the chosen area.
  async loadCurrent() {
    const area = this.area;
    if (!area) return;
    try {
      const rep = await getJSON(`/api/coverage${query({ area })}`);
      if (area === this.area) {
        this.current = currentOf(rep);
        this.renderCurrent();
      }
    } catch (e) {
      this.setStatus(e.message, 'error');
    }
  }

  renderCurrent() {
    const c = this.current;
    this.currentEl.textContent = c
      ? t('planner.current', { hotspots: pct(c.hotspot_share), risk: pct(c.risk_share), cameras: c.cameras })
        + (c.planned ? ` ${t('planner.plannedApart', { planned: c.planned })}` : '')
      : '';
  }

  async propose() {
    const area = this.area;
    if (!area) {
      this.setStatus(t('planner.needArea'), 'error');
      return;
    }
    const body = {
      area,
      k: Number(this.form.k.value),
      range_m: Number(this.form.range.value),
      fov: Number(this.form.fov.value),
    };
    this.setStatus(t('planner.computing'));
    this.form.querySelector('button').disabled = true;
    try {
      const fc = await postJSON('/api/plans', body);
      this.show(fc);
      this.setStatus(fc.plan.chosen.length ? t('planner.dragHint') : t('planner.none'));
    } catch (e) {
      this.setStatus(e.field ? `${e.field}: ${e.message}` : e.message, 'error');
    } finally {
      this.form.querySelector('button').disabled = false;
    }
  }

  // show draws a plan returned by POST /api/plans.
  show(fc) {
    this.clearMap();
    this.plan = fc.plan;
    this.after = fc.plan.after;
    for (const f of fc.features) {
      const p = f.properties;
      if (p.kind === 'camera') {
        this.addCamera({ lat: p.lat, lon: p.lon, bearing: p.bearing, fov: p.fov, range_m: p.range_m, owner: p.owner });
      } else if (p.kind === 'gain') {
        L.geoJSON(f, {
          pane: 'plannerPane',
          style: () => ({ className: 'planner-gain', weight: 1 }),
          pointToLayer: (_, ll) => L.circleMarker(ll, { pane: 'plannerPane', radius: 7, className: 'planner-gain-hotspot' }),
        }).addTo(this.gains);
      }
    }
    this.renderFigures();
    this.renderList();
  }

  addCamera(c) {
    const i = this.cams.length;
    c.sector = L.polygon(sectorLatLngs(c.lat, c.lon, c.bearing, c.fov, c.range_m), {
      pane: 'plannerPane', className: 'planner-sector', weight: 2,
    }).addTo(this.group);
    c.marker = L.marker([c.lat, c.lon], {
      pane: 'plannerPane',
      draggable: true,
      keyboard: true,
      title: t('planner.camera', { n: i + 1 }),
      icon: L.divIcon({ className: 'planner-marker', html: '', iconSize: [16, 16] }),
    }).addTo(this.group);
    c.marker.on('drag', () => {
      const ll = c.marker.getLatLng();
      c.lat = ll.lat;
      c.lon = ll.lng;
      this.moved(c);
    });
    this.cams.push(c);
  }

  // moved redraws a camera's sector and re-evaluates; the demand cells the
  // plan had credited it with are no longer accurate, so they go.
  moved(c) {
    c.sector.setLatLngs(sectorLatLngs(c.lat, c.lon, c.bearing, c.fov, c.range_m));
    this.gains.clearLayers();
    this.evaluate();
  }

  // evaluate posts the cameras; while one request is in flight, changes
  // only mark the figures dirty and one more request follows it.
  async evaluate() {
    if (this.busy) {
      this.dirty = true;
      return;
    }
    const area = this.area;
    if (!area || !this.cams.length) return;
    this.busy = true;
    try {
      const cameras = this.cams.map((c) => ({
        lon: c.lon, lat: c.lat, bearing: c.bearing, fov: c.fov, range_m: c.range_m, owner: c.owner,
      }));
      const ev = await postJSON('/api/plans/evaluate', { area, cameras });
      if (this.plan) {
        this.plan.before = ev.before;
        this.after = ev.after;
        this.renderFigures();
      }
    } catch (e) {
      this.setStatus(e.field ? `${e.field}: ${e.message}` : e.message, 'error');
    } finally {
      this.busy = false;
      if (this.dirty) {
        this.dirty = false;
        this.evaluate();
      }
    }
  }

  renderFigures() {
    clear(this.figuresEl);
    if (!this.plan) return;
    const b = this.plan.before;
    const a = this.after || this.plan.after;
    const row = (label, x, y, detail) => h('tr', {},
      h('th', { scope: 'row', text: label }), h('td', { text: pct(x) }), h('td', { text: pct(y) }), h('td', { class: 'muted', text: detail }));
    this.figuresEl.append(
      h('table', { class: 'planner-table' },
        h('caption', { text: t('planner.coverage') }),
        h('thead', {}, h('tr', {}, h('th', {}), h('th', { colspan: 2, text: t('planner.beforeAfter') }), h('th'))),
        h('tbody', {},
          row(t('planner.hotspots'), b.hotspot_share, a.hotspot_share, `${a.hotspots_covered}/${a.hotspots}`),
          row(t('planner.risk'), b.risk_share, a.risk_share, `${Math.round(a.risk_covered)}/${Math.round(a.risk)}`),
        ),
      ),
      h('p', { class: 'muted planner-bound', text: this.plan.optimal ? t('planner.optimal') : t('planner.gap', { gap: pct(this.plan.gap) }) }),
    );
  }

  renderList() {
    clear(this.listEl);
    this.cams.forEach((c, i) => {
      const out = h('output', { text: `${Math.round(c.bearing)}°` });
      const slider = h('input', {
        type: 'range', min: 0, max: 355, step: 5, value: c.bearing,
        'aria-label': `${t('planner.camera', { n: i + 1 })} — ${t('planner.bearing')}`,
        on: {
          input: (ev) => {
            c.bearing = Number(ev.target.value);
            out.textContent = `${c.bearing}°`;
            this.moved(c);
          },
        },
      });
      this.listEl.append(h('li', {}, h('span', { text: t('planner.camera', { n: i + 1 }) }), ' ',
        h('label', {}, h('span', { class: 'muted', text: t('planner.bearing') }), slider), out));
    });
    this.actionsEl.hidden = this.cams.length === 0;
  }

  async accept() {
    const area = this.area;
    if (!area || !this.cams.length) return;
    this.acceptBtn.disabled = true;
    try {
      const cameras = this.cams.map((c) => ({
        lon: c.lon, lat: c.lat, bearing: c.bearing, fov: c.fov, range_m: c.range_m, owner: c.owner,
      }));
      const fc = await postJSON('/api/plans/accept', { area, cameras });
      this.reset();
      this.setStatus(t('planner.accepted', { n: fc.features.length }), 'ok');
      await this.loadCurrent();
    } catch (e) {
      this.setStatus(e.field ? `${e.field}: ${e.message}` : e.message, 'error');
    } finally {
      this.acceptBtn.disabled = false;
    }
  }

  clearMap() {
    this.group.clearLayers();
    this.gains = L.layerGroup().addTo(this.group);
    this.cams = [];
  }

  reset() {
    this.clearMap();
    this.plan = null;
    this.after = null;
    this.message = '';
    this.setStatus('');
    this.renderFigures();
    this.renderList();
  }
}

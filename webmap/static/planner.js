// Camera planner panel: pick an area and a number of cameras, ask the server
// for a plan (POST /api/plans), see the proposed cameras and what they add
// (before / after, share of hotspots and of risk), drag a camera or turn it
// and watch the figures follow (POST /api/plans/evaluate), then accept the
// plan to store its cameras as planned (POST /api/plans/accept, one
// transaction). The stored cameras' coverage of the chosen area comes from
// GET /api/coverage and from the websocket's "coverage" messages.

import { getJSON, postJSON, query } from './api.js';
import { h, clear } from './dom.js';
import { t, onLangChange, addWords } from './i18n.js';
import { fmtNum, fmtPct } from './format.js';

addWords({
  vi: {
    'planner.why': 'Thêm {gain} điểm rủi ro; nhìn thấy thêm {n} tụ điểm',
    'planner.whyNone': 'Thêm {gain} điểm rủi ro; không thêm tụ điểm nào',
    'planner.riskExplain': '«Rủi ro» là số vụ việc ghi nhận quanh từng ô lưới: con số cho biết bao nhiêu phần của số đó nằm trong tầm nhìn của camera.',
    'planner.riskExplainEmerging': '«Rủi ro» là số vụ việc ghi nhận quanh từng ô lưới, nhân lên ở nơi vụ việc đang tập trung bất thường trong tháng gần nhất (điểm nóng mới nổi: gấp 1 + chỉ số z): con số cho biết bao nhiêu phần của số đó nằm trong tầm nhìn của camera.',
    'planner.weightEmerging': 'Ưu tiên nơi vụ việc đang tăng (điểm nóng mới nổi)',
    'planner.uncovered': 'Còn {n} tụ điểm chưa camera nào nhìn thấy (viền cam trên bản đồ):',
    'planner.uncoveredNone': 'Mọi tụ điểm của địa bàn đều đã có camera nhìn thấy.',
    'planner.uncoveredMore': 'Chỉ liệt kê các tụ điểm rủi ro cao nhất.',
    'planner.boundOptimal': 'Đây là phương án tối ưu: đã kiểm chứng không có cách đặt {k} camera nào nhìn thấy được nhiều rủi ro hơn.',
    'planner.boundGap': 'Phương án này đạt ít nhất {quality} của phương án tối ưu: dù đặt {k} camera cách nào, cũng chỉ nhìn thấy thêm được tối đa {gap} rủi ro.',
  },
  en: {
    'planner.why': 'Adds {gain} risk points; sees {n} more hotspots',
    'planner.whyNone': 'Adds {gain} risk points; no more hotspots',
    'planner.riskExplain': '“Risk” counts the incidents recorded around each grid cell: the figure says how much of it lies in a camera’s view.',
    'planner.riskExplainEmerging': '“Risk” counts the incidents recorded around each grid cell, multiplied where incidents cluster unusually in the latest month (emerging hot spots: 1 + the z-score times): the figure says how much of it lies in a camera’s view.',
    'planner.weightEmerging': 'Favour where incidents are rising (emerging hot spots)',
    'planner.uncovered': '{n} hotspots still seen by no camera (orange ring on the map):',
    'planner.uncoveredNone': 'Every hotspot of the area is seen by a camera.',
    'planner.uncoveredMore': 'Only the hotspots of highest risk are listed.',
    'planner.boundOptimal': 'This is the best plan: no placement of {k} cameras was found to see more risk, and the search proved it.',
    'planner.boundGap': 'This plan reaches at least {quality} of the best possible one: however the {k} cameras were placed, they could see at most {gap} more risk.',
  },
});

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

const pct = fmtPct;

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
    this.uncoveredLayer = L.layerGroup().addTo(map);
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
      ? { area: this.form.area.value, k: this.form.k.value, range: this.form.range.value, fov: this.form.fov.value, emerging: this.form.weight.checked }
      : { area: '', k: '5', range: '120', fov: '90', emerging: false };
    clear(this.mount);
    const areaSel = h('select', { name: 'area', on: { focus: () => this.fillAreas(), change: () => this.areaChanged() } });
    this.form = h('form', { class: 'planner-form', on: { submit: (ev) => { ev.preventDefault(); this.propose(); } } },
      h('label', {}, h('span', { text: t('planner.area') }), areaSel),
      h('label', {}, h('span', { text: t('planner.k') }), h('input', { name: 'k', type: 'number', min: 1, max: 50, value: keep.k, required: true })),
      h('label', {}, h('span', { text: t('planner.range') }), h('input', { name: 'range', type: 'number', min: 10, max: 1000, step: 10, value: keep.range })),
      h('label', {}, h('span', { text: t('planner.fov') }), h('input', { name: 'fov', type: 'number', min: 10, max: 360, step: 5, value: keep.fov })),
      h('label', { class: 'planner-weight' }, h('input', { name: 'weight', type: 'checkbox', checked: keep.emerging }), h('span', { text: t('planner.weightEmerging') })),
      h('button', { type: 'submit', class: 'planner-propose', text: t('planner.propose') }),
    );
    this.fillAreas(keep.area);
    this.currentEl = h('p', { class: 'planner-current muted' });
    this.uncoveredEl = h('div', { class: 'planner-uncovered' });
    this.statusEl = h('p', { class: 'planner-status', role: 'status', 'aria-live': 'polite' });
    this.figuresEl = h('div', { class: 'planner-figures' });
    this.listEl = h('ol', { class: 'planner-cams' });
    this.acceptBtn = h('button', { type: 'button', class: 'planner-accept', text: t('planner.accept'), on: { click: () => this.accept() } });
    this.clearBtn = h('button', { type: 'button', class: 'planner-clear', text: t('planner.clear'), on: { click: () => this.reset() } });
    this.actionsEl = h('div', { class: 'planner-actions' }, this.acceptBtn, this.clearBtn);
    this.mount.append(
      h('h2', { id: 'planner-title', text: t('planner.title') }),
      this.form, this.currentEl, this.statusEl, this.figuresEl, this.listEl, this.actionsEl, this.uncoveredEl,
    );
    this.renderCurrent();
    this.renderUncovered();
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
        this.renderUncovered();
      }
    } catch (e) {
      this.setStatus(e.message, 'error');
    }
  }

  // renderUncovered lists and rings the hotspots no installed camera sees,
  // less those the proposed cameras would newly see.
  renderUncovered() {
    clear(this.uncoveredEl);
    this.uncoveredLayer.clearLayers();
    const c = this.current;
    if (!c || !Array.isArray(c.uncovered_hotspots)) return;
    const gained = new Set(this.cams.flatMap((cam) => cam.gainedRefs || []));
    const left = c.uncovered_hotspots.filter((u) => !gained.has(u.ref));
    const total = Math.max(0, (c.hotspots || 0) - (c.hotspots_covered || 0) - gained.size);
    if (!total) {
      this.uncoveredEl.append(h('p', { class: 'muted', text: t('planner.uncoveredNone') }));
      return;
    }
    this.uncoveredEl.append(
      h('p', { text: t('planner.uncovered', { n: fmtNum(total) }) }),
      h('ul', { class: 'planner-uncovered-list' }, left.map((u) => h('li', { 'data-ref': u.ref, title: u.name || '', text: u.ref }))),
      left.length < total ? h('p', { class: 'muted', text: t('planner.uncoveredMore') }) : '',
    );
    for (const u of left) {
      if (typeof u.lat !== 'number') continue;
      L.circleMarker([u.lat, u.lon], { pane: 'plannerPane', radius: 11, weight: 3, fill: false, className: 'planner-uncovered-ring', interactive: false })
        .addTo(this.uncoveredLayer);
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
    if (this.form.weight.checked) body.weight = 'emerging';
    this.setStatus(t('planner.computing'));
    this.form.querySelector('button').disabled = true;
    try {
      const fc = await postJSON('/api/plans', body);
      this.weighted = body.weight === 'emerging'; // the figures' risk is weighted too
      this.show(fc);
      this.setStatus(fc.plan.chosen.length ? t('planner.dragHint') : t('planner.none'));
    } catch (e) {
      this.setStatus(e.message, 'error'); // said in the page's language, naming the field (errors.js)
    } finally {
      this.form.querySelector('button').disabled = false;
    }
  }

  // show draws a plan returned by POST /api/plans.
  show(fc) {
    this.clearMap();
    this.plan = fc.plan;
    this.after = fc.plan.after;
    const refs = new Map(); // camera index -> refs of the hotspots it newly sees
    for (const f of fc.features) {
      const p = f.properties;
      if (p.kind === 'gain' && p.hotspot) refs.set(p.camera, [...(refs.get(p.camera) || []), p.hotspot]);
    }
    for (const f of fc.features) {
      const p = f.properties;
      if (p.kind === 'camera') {
        this.addCamera({
          lat: p.lat, lon: p.lon, bearing: p.bearing, fov: p.fov, range_m: p.range_m, owner: p.owner,
          gain: p.gain, gainedRefs: refs.get(p.index) || [],
        });
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
    this.renderUncovered();
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
    // What the plan said this camera adds no longer holds once it moved.
    if (c.gain !== undefined || (c.gainedRefs && c.gainedRefs.length)) {
      c.gain = undefined;
      c.gainedRefs = [];
      if (c.whyEl) c.whyEl.remove();
      this.renderUncovered();
    }
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
      this.setStatus(e.message, 'error'); // said in the page's language, naming the field (errors.js)
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
          row(t('planner.risk'), b.risk_share, a.risk_share, `${fmtNum(a.risk_covered)}/${fmtNum(a.risk)}`),
        ),
      ),
      h('p', { class: 'muted planner-risk-explain', text: t(this.weighted ? 'planner.riskExplainEmerging' : 'planner.riskExplain') }),
      h('p', { class: 'planner-bound', text: this.plan.optimal
        ? t('planner.boundOptimal', { k: this.plan.k })
        : t('planner.boundGap', { k: this.plan.k, quality: pct(this.plan.quality), gap: pct(this.plan.gap) }) }),
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
      const refs = c.gainedRefs || [];
      const why = typeof c.gain === 'number'
        ? h('p', { class: 'planner-why' },
          t(refs.length ? 'planner.why' : 'planner.whyNone', { gain: fmtNum(c.gain, 1), n: fmtNum(refs.length) }),
          refs.length ? `: ${refs.join(', ')}` : '')
        : '';
      c.whyEl = why || null;
      this.listEl.append(h('li', {}, h('span', { text: t('planner.camera', { n: i + 1 }) }), ' ',
        h('label', {}, h('span', { class: 'muted', text: t('planner.bearing') }), slider), out, why));
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
      this.renderUncovered();
      this.setStatus(t('planner.accepted', { n: fc.features.length }), 'ok');
      await this.loadCurrent();
    } catch (e) {
      this.setStatus(e.message, 'error'); // said in the page's language, naming the field (errors.js)
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

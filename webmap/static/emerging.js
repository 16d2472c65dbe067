// Emerging hot spots: the space-time analysis of /api/emerging (Gi* per
// H3 cell and time bin, Mann–Kendall on each cell's z-scores) drawn in the
// colours of ArcGIS's Emerging Hot Spot Analysis, with its own legend, a
// z-score chart per cell on click, and a live reload when the server says
// the analysis changed ("emerging" websocket messages).
//
// The layer loads nothing until it is switched on: the analysis is the
// heaviest request the map makes.

import { getJSON, query } from './api.js';
import { h, clear } from './dom.js';
import { t, lang } from './i18n.js';
import { parseDMY } from './format.js';

const SVGNS = 'http://www.w3.org/2000/svg';

// H3's average cell area at the resolutions the grid offers, in km².
const RES_KM2 = { 7: 5.161, 8: 0.7373, 9: 0.1053, 10: 0.01504 };
const MAX_RING = 3; // the server allows 5; beyond 3 the neighbourhood outgrows a commune

// isoToDMY shows a yyyy-mm-dd value as dd/mm/yyyy.
const isoToDMY = (v) => (v ? v.split('-').reverse().join('/') : '');
const Z_CRIT = 1.96; // two-sided 5 %: the dashed lines of the chart

function svgEl(tag, attrs, ...kids) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const k of kids) if (k) el.append(k);
  return el;
}

const fmt = (x, digits = 2) => (x === null || x === undefined || !Number.isFinite(Number(x))
  ? '—'
  : Number(x).toLocaleString(lang() === 'vi' ? 'vi-VN' : 'en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits }));

// zChart draws a cell's Gi* z-scores by bin as a small SVG: a line through
// the defined z, dots red when hot, blue when cold, grey otherwise, and
// dashed lines at ±1.96.
export function zChart(bins, { width = 280, height = 120 } = {}) {
  const pad = { l: 30, r: 8, t: 8, b: 22 };
  const zs = bins.map((b) => (b.z === null || b.z === undefined ? null : Number(b.z)));
  const defined = zs.filter((z) => z !== null);
  const top = Math.max(Z_CRIT + 0.5, ...defined.map((z) => z + 0.3));
  const bottom = Math.min(-Z_CRIT - 0.5, ...defined.map((z) => z - 0.3));
  const n = Math.max(1, bins.length - 1);
  const x = (i) => pad.l + ((width - pad.l - pad.r) * i) / n;
  const y = (z) => pad.t + ((height - pad.t - pad.b) * (top - z)) / (top - bottom);
  const root = svgEl('svg', {
    class: 'em-chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': t('emerging.chart'),
  });
  const hline = (z, cls) => svgEl('line', { class: cls, x1: pad.l, x2: width - pad.r, y1: y(z), y2: y(z) });
  root.append(hline(0, 'em-axis'), hline(Z_CRIT, 'em-crit'), hline(-Z_CRIT, 'em-crit'));
  for (const z of [Math.ceil(bottom), 0, Math.floor(top)]) {
    root.append(svgEl('text', { class: 'em-tick', x: pad.l - 4, y: y(z) + 3, 'text-anchor': 'end' }, document.createTextNode(String(z))));
  }
  // The line breaks where Gi* is undefined (a bin with no variation).
  let d = '';
  zs.forEach((z, i) => {
    if (z === null) return;
    d += `${d && zs[i - 1] !== null ? 'L' : 'M'}${x(i).toFixed(1)},${y(z).toFixed(1)}`;
  });
  if (d) root.append(svgEl('path', { class: 'em-line', d }));
  bins.forEach((b, i) => {
    if (zs[i] === null) return;
    const cls = b.hot ? 'em-dot em-hot' : b.cold ? 'em-dot em-cold' : 'em-dot';
    const tip = `${b.bin}: z = ${fmt(b.z)}, p = ${fmt(b.p, 3)}, ${t('emerging.count', { count: b.count })}`;
    root.append(svgEl('circle', { class: cls, cx: x(i), cy: y(zs[i]), r: 2.6 }, svgEl('title', {}, document.createTextNode(tip))));
  });
  if (bins.length) {
    const label = (i, anchor) => svgEl('text', { class: 'em-tick', x: x(i), y: height - 6, 'text-anchor': anchor }, document.createTextNode(bins[i].bin));
    root.append(label(0, 'start'));
    if (bins.length > 1) root.append(label(bins.length - 1, 'end'));
  }
  return root;
}

export class EmergingLayer {
  // area() names the area to analyse (the picker's, or the top one).
  constructor(map, { pane, area }) {
    this.map = map;
    this.area = area;
    this.renderer = L.svg({ pane });
    this.group = L.featureGroup();
    this.params = { res: 9, bin: 'month', ring: 1 }; // the query: the controls in the legend change it
    this.data = null; // the last collection
    this.legendOpen = !window.matchMedia('(max-width: 760px)').matches;
    this._seq = 0;
    this._timer = null;
    this._stale = true;
    this.legendEl = h('div', { class: 'legend em-legend leaflet-bar', role: 'region' });
    L.DomEvent.disableClickPropagation(this.legendEl);
    L.DomEvent.disableScrollPropagation(this.legendEl);
    const Ctl = L.Control.extend({ onAdd: () => this.legendEl });
    this.legendCtl = new Ctl({ position: 'bottomleft' }); // the right side holds the layer control and the main legend
    this.group.on('add', () => {
      this.legendCtl.addTo(map);
      this.render();
      if (this._stale) this.reloadSoon(0);
    });
    this.group.on('remove', () => this.legendCtl.remove());
  }

  get layer() {
    return this.group;
  }

  get on() {
    return this.map.hasLayer(this.group);
  }

  // reloadSoon debounces reloads (websocket messages, area changes); while
  // the layer is off it only marks the data stale.
  reloadSoon(ms = 1000) {
    this._stale = true;
    if (!this.on) return;
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this.load().catch((e) => this.fail(e)), ms);
  }

  currentQuery() {
    return { area: this.area() || '', ...this.params };
  }

  async load() {
    const q = this.currentQuery();
    if (!q.area) return;
    const seq = ++this._seq;
    this.loading = true;
    this.render();
    const fc = await getJSON(`/api/emerging${query(q)}`);
    if (seq !== this._seq) return;
    this.loading = false;
    this.error = '';
    this._stale = false;
    this.data = fc;
    this.query = q;
    this.group.clearLayers();
    const feats = (fc.features || []).filter((f) => f.geometry);
    const gj = L.geoJSON({ type: 'FeatureCollection', features: feats }, {
      renderer: this.renderer,
      style: (f) => {
        const none = f.properties.category === 'no_pattern';
        return {
          color: none ? '#9a9a9a' : '#5a5a5a',
          weight: none ? 0.3 : 0.6,
          opacity: none ? 0.35 : 0.7,
          fillColor: f.properties.colour || '#e6e6e6',
          fillOpacity: none ? 0.15 : 0.75,
          className: `em-cell em-${f.properties.category}`,
        };
      },
      onEachFeature: (f, l) => {
        l.bindTooltip(() => h('span', { text: this.label(f.properties.category) }), { sticky: true });
        l.bindPopup(h('div', { class: 'em-popup' }), { maxWidth: 320, minWidth: 290, autoPanPadding: [20, 20] });
        l.on('popupopen', (ev) => this.fillPopup(ev.popup, f.properties));
      },
    });
    this.group.addLayer(gj);
    this.render();
  }

  fail(err) {
    this.loading = false;
    this.error = (err && err.message) || String(err);
    this.render();
    console.warn('emerging', err);
  }

  // label names a category in the page's language, from the server's legend.
  label(category) {
    const row = (this.data?.legend || []).find((r) => r.category === category);
    if (!row) return category;
    return lang() === 'vi' ? row.label : row.label_en;
  }

  async fillPopup(popup, props) {
    const el = popup.getContent();
    clear(el);
    const q = this.query || this.currentQuery();
    el.append(
      h('h3', { class: 'em-title', text: this.label(props.category) }),
      h('p', { class: 'muted', text: t('emerging.cell', { cell: props.cell }) }),
      h('dl', { class: 'em-facts' },
        h('dt', { text: t('emerging.trend') }), h('dd', { text: `z = ${fmt(props.mk_z)}, p = ${fmt(props.mk_p, 3)}` }),
        h('dt', { text: t('emerging.lastZ') }), h('dd', { text: `z = ${fmt(props.z)}, p = ${fmt(props.p, 3)}` }),
        h('dt', { text: t('emerging.total') }), h('dd', { text: String(props.count) })),
      h('p', { class: 'muted em-loading', text: t('loading') }),
    );
    popup.update();
    try {
      const cell = await getJSON(`/api/emerging/cells/${encodeURIComponent(props.cell)}${query(q)}`);
      el.querySelector('.em-loading')?.remove();
      el.append(h('p', { class: 'em-chart-title', text: t('emerging.chart') }), zChart(cell.bins || []));
    } catch (err) {
      const p = el.querySelector('.em-loading');
      if (p) p.textContent = t('error.load', { msg: err.message || String(err) });
    }
    popup.update();
  }

  // render draws the legend: the analysis's controls (time step, grid
  // resolution, neighbourhood, date range, false-discovery-rate correction),
  // the bins analysed and the categories present with their colours and counts.
  render() {
    const el = this.legendEl;
    clear(el);
    el.setAttribute('aria-label', t('emerging.legend'));
    const fc = this.data;
    const rows = (fc?.legend || []).filter((r) => r.cells > 0);
    const swatch = (fill) => svgEl('svg', { width: 18, height: 14, viewBox: '0 0 18 14', 'aria-hidden': 'true' },
      svgEl('rect', { x: 1, y: 1, width: 16, height: 12, fill, stroke: '#5a5a5a', 'stroke-width': 0.5 }));
    const set = (key, value) => {
      if (value === '' || value === false) delete this.params[key];
      else this.params[key] = value;
      this.reloadSoon(0);
    };
    const select = (cls, label, key, options) => h('label', { class: 'em-control' }, h('span', { text: label }), ' ',
      h('select', { class: cls, on: { change: (ev) => set(key, ev.target.value) } },
        options.map(([value, text]) => h('option', { value, text, selected: String(this.params[key] ?? '') === String(value) }))));
    const km2 = (x) => (x >= 0.1
      ? `≈${x.toLocaleString(lang() === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 2 })} km²`
      : `≈${Math.round(x * 1e6).toLocaleString(lang() === 'vi' ? 'vi-VN' : 'en-GB')} m²`);
    // Dates are typed dd/mm/yyyy, as everywhere on the map; empty means the
    // whole history.
    const dateInput = (key) => {
      const input = h('input', {
        type: 'text', class: `em-${key}`, size: 10, inputmode: 'numeric', autocomplete: 'off', placeholder: 'dd/mm/yyyy',
        value: this.draft?.[key] ?? isoToDMY(this.params[key]),
        'aria-invalid': String(Boolean(this.badDate?.[key])),
        on: {
          change: (ev) => {
            const iso = parseDMY(ev.target.value);
            this.draft = { ...this.draft, [key]: ev.target.value };
            this.badDate = { ...this.badDate, [key]: iso === null };
            if (iso === null) { this.render(); return; }
            delete this.draft[key];
            set(key, iso);
          },
        },
      });
      return h('label', { class: 'em-control' }, h('span', { text: t(`emerging.${key}`) }), ' ', input);
    };
    const badDates = Object.values(this.badDate || {}).some(Boolean);
    const controls = h('div', { class: 'em-controls' },
      select('em-bin', t('emerging.bin'), 'bin', ['month', 'quarter', 'year'].map((b) => [b, t(`emerging.bin.${b}`)])),
      select('em-res', t('emerging.res'), 'res', [7, 8, 9, 10].map((r) => [r, `${r} (${km2(RES_KM2[r])})`])),
      select('em-ring', t('emerging.ring'), 'ring', Array.from({ length: MAX_RING }, (_, i) => [i + 1, t('emerging.rings', { n: i + 1 })])),
      dateInput('from'), dateInput('to'),
      h('label', { class: 'em-control em-fdr-label' },
        h('input', { type: 'checkbox', class: 'em-fdr', checked: this.params.fdr === 'true', on: { change: (ev) => set('fdr', ev.target.checked ? 'true' : '') } }),
        ' ', h('span', { text: t('emerging.fdr') })),
      badDates ? h('p', { class: 'error', text: t('emerging.badDate') }) : null);
    const bins = fc?.bins || [];
    let status = '';
    if (this.error) status = t('error.load', { msg: this.error });
    else if (this.loading) status = t('emerging.computing');
    else if (fc && !bins.length) status = t('emerging.empty');
    else if (bins.length) status = t('emerging.range', { first: bins[0], last: bins[bins.length - 1], n: bins.length, res: fc.res });
    const details = h('details', { open: this.legendOpen, on: { toggle: () => { this.legendOpen = details.open; } } },
      h('summary', { class: 'legend-title', text: t('emerging.legend') }),
      controls,
      status ? h('p', { class: this.error ? 'error' : 'muted', text: status }) : null,
      rows.length ? h('ul', {}, rows.map((r) => h('li', {}, swatch(r.colour), h('span', { text: `${lang() === 'vi' ? r.label : r.label_en} (${r.cells})` })))) : null,
    );
    el.append(details);
  }
}

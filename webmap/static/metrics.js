// Area metrics on the map (issue 3): communes shaded by class (key,
// affected, clear) with trend arrows, the scorecard of the chosen area, the
// committee table, all for one period and kept current by the live
// "metrics" messages.

import { getJSON, query } from './api.js';
import { h, clear } from './dom.js';
import { t, tOr, addWords } from './i18n.js';
import { METRICS_WORDS } from './metrics-words.js';
import { renderScorecard, trendArrow } from './scorecard.js';
import { Committee } from './committee.js';

addWords(METRICS_WORDS);

// currentYear is this year in Vietnam.
function currentYear() {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric' }).format(new Date());
}

export class MetricsView {
  // panel: the side panel section; committeeEl: the committee overlay;
  // areas: the AreaLayer.
  constructor(map, { panel, committeeEl, areas, onError }) {
    this.map = map;
    this.areas = areas;
    this.panel = panel;
    this.onError = onError || ((e) => console.warn(e));
    this.period = currentYear();
    this.byArea = new Map(); // commune code -> AreaMetrics of this.period
    this.selected = '';
    this.scope = ''; // the user's area ('' everywhere): nothing outside it is asked for
    this.arrows = L.layerGroup().addTo(map);
    this.committee = new Committee(committeeEl, {
      areaName: (c) => areas.name(c),
      parents: () => this.parents().map((c) => ({ code: c, label: `${areas.name(c)} — ${tOr('level.', this.level(c))}` })),
    });
    this.timer = null;
    // A click on a commune opens its scorecard.
    areas.layer.on('click', (e) => {
      const code = e.layer?.feature?.properties?.code;
      if (code) this.select(code);
    });
    this.build();
  }

  level(code) {
    return this.areas.byCode.get(code)?.properties?.level || '';
  }

  // within reports whether code is the user's area or lies below it.
  within(code) {
    if (!this.scope) return true;
    for (let c = code, i = 0; c && i < 8; i++) {
      if (c === this.scope) return true;
      c = this.areas.byCode.get(c)?.properties?.parent_code || '';
    }
    return false;
  }

  // parents: the districts and provinces inside the user's area, districts
  // first.
  parents() {
    const out = [];
    for (const lv of ['district', 'province']) {
      for (const [code, f] of this.areas.byCode) if (f.properties.level === lv && this.within(code)) out.push(code);
    }
    return out;
  }

  // roots: the parents whose own parent is not among them (one request each
  // covers every commune below).
  roots() {
    const ps = new Set(this.parents());
    return [...ps].filter((c) => !ps.has(this.areas.byCode.get(c).properties.parent_code || ''));
  }

  build() {
    const input = h('input', { type: 'text', id: 'metrics-period', value: this.period, size: 8, inputmode: 'numeric', autocomplete: 'off', placeholder: '2025-Q3' });
    this.error = h('p', { class: 'error', role: 'alert', hidden: true });
    this.card = h('div', { class: 'scorecard', 'aria-live': 'polite' });
    this.form = h('form', { class: 'metrics-form', on: { submit: (ev) => { ev.preventDefault(); this.setPeriod(input.value.trim()); } } },
      h('label', {}, h('span', { dataset: { i18n: 'metrics.period' }, text: t('metrics.period') }), ' ', input),
      h('button', { type: 'submit', dataset: { i18n: 'metrics.apply' }, text: t('metrics.apply') }),
      h('button', { type: 'button', class: 'committee-open', dataset: { i18n: 'metrics.committee' }, text: t('metrics.committee'),
        on: { click: () => this.committee.open(this.parentOf(this.selected), this.period).catch(this.onError) } }));
    this.hint = h('p', { class: 'muted', dataset: { i18n: 'metrics.periodHint' }, text: t('metrics.periodHint') });
    clear(this.panel);
    this.panel.append(h('h2', { dataset: { i18n: 'metrics.title' }, text: t('metrics.title') }), this.form, this.hint, this.error, this.card);
    this.renderCard();
  }

  // parentOf is the area whose committee table holds code: itself for a
  // district or province, else its parent — never above the user's area.
  parentOf(code) {
    if (!code) return this.scope;
    const lv = this.level(code);
    if (lv === 'district' || lv === 'province') return code;
    const parent = this.areas.byCode.get(code)?.properties?.parent_code || '';
    return this.within(parent) ? parent : this.scope;
  }

  async setPeriod(p) {
    const prev = this.period;
    this.period = p;
    try {
      await this.load();
      this.error.hidden = true;
      if (!this.committee.el.hidden) this.committee.open(null, p);
    } catch (err) {
      this.period = prev;
      this.error.textContent = err.message || String(err);
      this.error.hidden = false;
    }
  }

  // load fetches every commune's metrics for the period and reshades.
  async load() {
    const byArea = new Map();
    for (const root of this.roots()) {
      const res = await getJSON(`/api/metrics${query({ parent: root, period: this.period })}`);
      for (const m of res.areas || []) byArea.set(m.area, m);
    }
    // A user of one commune: its own metrics (its parent is outside its area).
    if (this.scope && this.level(this.scope) === 'commune') {
      byArea.set(this.scope, await getJSON(`/api/areas/${encodeURIComponent(this.scope)}/metrics${query({ period: this.period })}`));
    }
    this.byArea = byArea;
    this.shade();
    await this.select(this.selected);
  }

  shade() {
    this.arrows.clearLayers();
    for (const [code, layer] of this.areas.layers) {
      if (this.level(code) !== 'commune') continue;
      this.shadeOne(code, layer);
    }
  }

  shadeOne(code, layer = this.areas.layers.get(code)) {
    if (!layer) return;
    const m = this.byArea.get(code);
    layer.eachLayer((l) => {
      const el = l.getElement && l.getElement();
      if (!el) return;
      el.classList.remove('class-key', 'class-affected', 'class-clear');
      if (m) el.classList.add(`class-${m.class}`);
    });
    const arrow = m ? trendArrow(m.trend) : '';
    if (arrow) {
      const icon = L.divIcon({ className: `trend-marker dir-${m.trend.direction}`, html: arrow, iconSize: [16, 16] });
      L.marker(layer.getBounds().getCenter(), { icon, interactive: false, keyboard: false }).addTo(this.arrows);
    }
  }

  // select shows the scorecard of code ('' clears it).
  async select(code) {
    this.selected = code || '';
    if (!this.selected) {
      this.renderCard();
      return;
    }
    try {
      this.current = await getJSON(`/api/areas/${encodeURIComponent(this.selected)}/metrics${query({ period: this.period })}`);
      this.renderCard();
    } catch (err) {
      this.onError(err);
    }
  }

  renderCard() {
    if (this.current && this.current.area === this.selected && this.current.period === this.period) {
      renderScorecard(this.card, this.current);
    } else {
      clear(this.card);
      this.card.append(h('p', { class: 'muted', text: t('metrics.pick') }));
    }
  }

  // rerender after a language change.
  rerender() {
    this.build();
    this.committee.render();
  }

  // onMessage handles a live "metrics" message.
  onMessage(msg) {
    if (msg.op === 'bulk') {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.load().catch(this.onError), 500);
      return;
    }
    const list = (msg.data && msg.data.metrics) || [];
    for (const m of list) {
      if (m.period !== this.period) continue;
      this.byArea.set(m.area, m);
      // Arrows are redrawn all at once; the class on the one area.
      this.committee.update(m);
    }
    if (list.some((m) => m.period === this.period)) this.shade();
    const sel = this.selected;
    if (sel && (sel === msg.area || this.parentOf(msg.area) === sel || this.areas.byCode.get(this.parentOf(msg.area))?.properties?.parent_code === sel)) {
      this.select(sel);
    }
  }
}

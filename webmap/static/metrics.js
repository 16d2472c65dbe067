// Area metrics on the map (issues 3 and 14): communes shaded by class (key,
// affected, clear) above the density hexagons, with trend arrows; the
// scorecard of the chosen area set against the previous comparable period;
// the committee table; a hamlet's transformation judged over a window; all
// for one period (year, half, quarter, month or custom window) and kept
// current by the live "metrics" messages. Everything asked for lies inside
// the user's own area (a request above it would be a 404).

import { getJSON, query } from './api.js';
import { h, clear } from './dom.js';
import { t, tOr, addWords } from './i18n.js';
import { METRICS_WORDS } from './metrics-words.js';
import { renderScorecard, trendArrow, criteriaList } from './scorecard.js';
import { Committee, reportLinks, scheduledReports } from './committee.js';
import { PeriodPicker, previousPeriod, periodLabel, todayVN, dmy } from './periods.js';
import { CLASS_COLOURS } from './legend.js';
import { parseDMY } from './format.js';

addWords(METRICS_WORDS);

// The class shading's pane: above the density and emerging hexagons (360,
// 365) so they cannot hide it, below incident points (380).
const CLASS_PANE = 'classPane';
const CLASS_PANE_Z = 370;

export class MetricsView {
  // panel: the side panel section; committeeEl: the committee overlay;
  // areas: the AreaLayer.
  constructor(map, { panel, committeeEl, areas, onError }) {
    this.map = map;
    this.areas = areas;
    this.panel = panel;
    this.onError = onError || ((e) => console.warn(e));
    this.period = todayVN().slice(0, 4);
    this.byArea = new Map(); // commune code -> AreaMetrics of this.period
    this.prevByArea = new Map(); // commune code -> AreaMetrics of the previous period
    this.selected = '';
    this.scope = ''; // the user's area ('' everywhere): nothing outside it is asked for
    if (!map.getPane(CLASS_PANE)) {
      const pane = map.createPane(CLASS_PANE);
      pane.style.zIndex = String(CLASS_PANE_Z);
      pane.style.pointerEvents = 'none';
    }
    this.shading = L.layerGroup().addTo(map);
    this.arrows = L.layerGroup().addTo(map);
    this.committee = new Committee(committeeEl, {
      areaName: (c) => areas.name(c),
      level: (c) => this.level(c),
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
    return !this.scope || this.isBelow(code, this.scope);
  }

  // isBelow reports whether code is root or lies below it.
  isBelow(code, root) {
    for (let c = code, i = 0; c && i < 8; i++) {
      if (c === root) return true;
      c = this.areas.byCode.get(c)?.properties?.parent_code || '';
    }
    return false;
  }

  // parents: the areas whose committee table may be opened — districts and
  // provinces inside the user's area, districts first; a commune user's own
  // commune (its table is its own row and its hamlets').
  parents() {
    const out = [];
    for (const lv of ['district', 'province']) {
      for (const [code, f] of this.areas.byCode) if (f.properties.level === lv && this.within(code)) out.push(code);
    }
    if (!out.length && this.scope && this.level(this.scope) === 'commune') out.push(this.scope);
    return out;
  }

  // roots: the districts and provinces whose own parent is not among them
  // (one request each covers every commune below).
  roots() {
    const ps = new Set(this.parents().filter((c) => this.level(c) !== 'commune'));
    return [...ps].filter((c) => !ps.has(this.areas.byCode.get(c).properties.parent_code || ''));
  }

  build() {
    this.picker = new PeriodPicker(this.period, { onPick: (code) => this.setPeriod(code) });
    this.error = h('p', { class: 'error', role: 'alert', hidden: true });
    this.card = h('div', { class: 'scorecard', 'aria-live': 'polite' });
    this.periodText = h('p', { class: 'period-text muted' });
    this.form = h('form', { class: 'metrics-form', on: { submit: (ev) => { ev.preventDefault(); this.submit(); } } },
      h('span', { class: 'metrics-form-label', dataset: { i18n: 'metrics.period' }, text: t('metrics.period') }), this.picker.el,
      h('button', { type: 'submit', dataset: { i18n: 'metrics.apply' }, text: t('metrics.apply') }),
      h('button', { type: 'button', class: 'committee-open', dataset: { i18n: 'metrics.committee' }, text: t('metrics.committee'),
        on: { click: () => this.committee.open(this.parentOf(this.selected), this.period).catch(this.onError) } }));
    this.hint = h('p', { class: 'muted', dataset: { i18n: 'metrics.periodHint' }, text: t('metrics.periodHint') });
    this.hamlet = h('section', { class: 'hamlet', hidden: true });
    this.notice = h('p', { class: 'report-notice', role: 'status', hidden: true });
    clear(this.panel);
    this.panel.append(h('h2', { dataset: { i18n: 'metrics.title' }, text: t('metrics.title') }), this.form, this.hint, this.error, this.notice, this.periodText, this.card, this.hamlet);
    this.renderPeriod();
    this.renderCard();
    this.renderHamlet();
  }

  // renderPeriod says the period and what it is compared with, and when
  // the server computed another (a viewer's window widened to whole months,
  // hotspot/disclosure) which one.
  renderPeriod() {
    const prev = previousPeriod(this.period);
    this.periodText.textContent = prev ? t('period.compared', { cur: periodLabel(this.period), prev: periodLabel(prev) }) : periodLabel(this.period);
    if (this.answered && this.answered !== this.period) {
      this.periodText.append(h('br'), h('span', { class: 'widened', text: t('metrics.widened', { period: periodLabel(this.answered) }) }));
    }
  }

  submit() {
    const got = this.picker.read();
    if (got.error) {
      this.error.textContent = got.error;
      this.error.hidden = false;
      return Promise.resolve();
    }
    return this.setPeriod(got.code);
  }

  // parentOf is the area whose committee table holds code: itself for a
  // district or province, else its parent — never above the user's area.
  parentOf(code) {
    if (!code) return this.parents()[0] || this.scope;
    const lv = this.level(code);
    if (lv === 'district' || lv === 'province') return code;
    const parent = this.areas.byCode.get(code)?.properties?.parent_code || '';
    if (parent && this.within(parent)) return parent;
    return lv === 'commune' ? code : this.scope;
  }

  async setPeriod(p) {
    const prev = this.period;
    this.period = p;
    try {
      await this.load();
      this.error.hidden = true;
      this.picker.set(p);
      if (!this.committee.el.hidden) await this.committee.open(null, p);
    } catch (err) {
      this.period = prev;
      this.renderPeriod();
      this.error.textContent = err.message || String(err);
      this.error.hidden = false;
    }
  }

  // fetchCommunes returns every commune's metrics for period p inside the
  // user's area, by code.
  async fetchCommunes(p) {
    const byArea = new Map();
    const answers = await Promise.all(this.roots().map((root) => getJSON(`/api/metrics${query({ parent: root, period: p })}`)));
    for (const res of answers) for (const m of res.areas || []) byArea.set(m.area, m);
    // A user of one commune: its own metrics (its parent is outside its area).
    if (this.scope && this.level(this.scope) === 'commune') {
      byArea.set(this.scope, await getJSON(`/api/areas/${encodeURIComponent(this.scope)}/metrics${query({ period: p })}`));
    }
    return byArea;
  }

  // load fetches every commune's metrics for the period (and the previous
  // comparable one, for the changes) and reshades.
  async load() {
    const prevCode = previousPeriod(this.period);
    const [byArea, prevByArea] = await Promise.all([
      this.fetchCommunes(this.period),
      prevCode ? this.fetchCommunes(prevCode).catch(() => new Map()) : Promise.resolve(new Map()),
    ]);
    this.byArea = byArea;
    this.prevByArea = prevByArea;
    this.answered = byArea.size ? byArea.values().next().value.period : '';
    this.shade();
    this.renderPeriod();
    await this.select(this.selected);
    // For tests: the period whose shading, words and scorecard are shown.
    document.body.dataset.metricsPeriod = this.period;
  }

  // shade redraws the class of every commune in its own pane, above the
  // hexagons, with a trend arrow where the score moved.
  shade() {
    this.shading.clearLayers();
    this.arrows.clearLayers();
    if (this.areas.tiled) {
      // Boundaries from tiles: the communes are shaded where they are drawn.
      this.areas.shadeWith((code) => {
        const m = this.level(code) === 'commune' && this.byArea.get(code);
        if (!m) return null;
        const colour = CLASS_COLOURS[m.class] || CLASS_COLOURS.affected;
        return { fill: colour.fill, opacity: colour.opacity };
      });
    }
    for (const [code, layer] of this.areas.layers) {
      if (this.level(code) !== 'commune') continue;
      const m = this.byArea.get(code);
      if (!m) continue;
      const colour = CLASS_COLOURS[m.class] || CLASS_COLOURS.affected;
      if (!this.areas.tiled) L.geoJSON(this.areas.byCode.get(code), {
        pane: CLASS_PANE,
        interactive: false,
        style: () => ({ className: `class-overlay class-${m.class}`, color: colour.stroke, weight: 2, opacity: 0.9,
          fillColor: colour.fill, fillOpacity: colour.opacity }),
      }).addTo(this.shading);
      const arrow = trendArrow(m.trend);
      if (arrow) {
        const icon = L.divIcon({ className: `trend-marker dir-${m.trend.direction}`, html: arrow, iconSize: [16, 16] });
        L.marker(layer.getBounds().getCenter(), { icon, interactive: false, keyboard: false }).addTo(this.arrows);
      }
    }
  }

  // select shows the scorecard of code ('' clears it), with the previous
  // period's figures and the monthly trend.
  async select(code) {
    this.selected = code || '';
    if (!this.selected) {
      this.current = null;
      this.renderCard();
      this.renderHamlet();
      return;
    }
    const at = this.selected, period = this.period;
    const path = `/api/areas/${encodeURIComponent(at)}`;
    const prevCode = previousPeriod(period);
    try {
      const [cur, prev, series] = await Promise.all([
        getJSON(`${path}/metrics${query({ period })}`),
        prevCode ? getJSON(`${path}/metrics${query({ period: prevCode })}`).catch(() => null) : null,
        getJSON(`${path}/trend${query({ period })}`).catch(() => null),
      ]);
      if (at !== this.selected || period !== this.period) return; // a later pick won
      this.current = cur;
      this.currentFor = `${at}|${period}`;
      this.prev = prev;
      this.series = series;
      this.renderCard();
      this.renderHamlet();
    } catch (err) {
      this.onError(err);
    }
  }

  renderCard() {
    clear(this.card);
    if (this.current && this.currentFor === `${this.selected}|${this.period}`) {
      renderScorecard(this.card, this.current, this.prev, this.series);
      this.card.append(reportLinks(this.selected, this.period));
      this.renderScheduled();
    } else {
      this.card.append(h('p', { class: 'muted', text: t('metrics.pick') }));
    }
  }

  // renderScheduled lists the selected unit's stored monthly reports under
  // its scorecard.
  async renderScheduled() {
    const at = this.selected;
    const list = await scheduledReports(at, { only: at, areaName: (c) => this.areas.name(c), max: 6 });
    if (at !== this.selected || !this.card.isConnected) return;
    this.card.querySelector('.scheduled')?.remove();
    this.card.append(list);
  }

  // onReport handles a live "report" message: a unit's monthly reports
  // were stored. It is said in the panel, and the lists shown are reread.
  onReport(msg) {
    const name = this.areas.name(msg.area) || msg.area;
    clear(this.notice);
    this.notice.append(h('span', { text: t('metrics.scheduled.new', { name }) }));
    this.notice.hidden = false;
    if (this.selected && this.isBelow(msg.area, this.selected)) {
      this.renderScheduled().catch(this.onError);
    }
    if (!this.committee.el.hidden) this.committee.renderScheduled().catch(this.onError);
  }

  // renderHamlet offers a commune's transformation of one hamlet (seed 001):
  // pick a hamlet and a window, see the six criteria judged for it.
  renderHamlet() {
    const el = this.hamlet;
    clear(el);
    const commune = this.selected && this.level(this.selected) === 'commune' ? this.selected
      : this.scope && this.level(this.scope) === 'commune' ? this.scope : '';
    el.hidden = !commune;
    if (!commune) return;
    const hamlets = this.areas.features().map((f) => f.properties)
      .filter((p) => p.level === 'hamlet' && p.parent_code === commune)
      .sort((a, b) => String(a.name).localeCompare(String(b.name), 'vi'));
    el.append(h('h3', { text: t('metrics.hamlet') }));
    if (!hamlets.length) {
      el.append(h('p', { class: 'muted', text: t('metrics.hamlet.none') }));
      return;
    }
    // The default window: the year up to today, as seed 001's 15/4–14/4.
    const today = todayVN();
    const y = +today.slice(0, 4);
    const start = `${y - 1}${today.slice(4)}`;
    const pick = h('select', { id: 'hamlet-pick', 'aria-label': t('metrics.hamlet.pick') },
      hamlets.map((p) => h('option', { value: p.code, text: p.name || p.code, selected: p.code === this.hamletCode })));
    const window = this.hamletWindow || { from: dmy(start), to: dmy(today) };
    const from = h('input', { type: 'text', id: 'hamlet-from', inputmode: 'numeric', placeholder: 'dd/mm/yyyy', size: 10, value: window.from, 'aria-label': t('period.from') });
    const to = h('input', { type: 'text', id: 'hamlet-to', inputmode: 'numeric', placeholder: 'dd/mm/yyyy', size: 10, value: window.to, 'aria-label': t('period.to') });
    const out = h('div', { class: 'hamlet-result', 'aria-live': 'polite' });
    const form = h('form', { class: 'hamlet-form', on: { submit: (ev) => { ev.preventDefault(); this.judgeHamlet(pick.value, from.value, to.value, out); } } },
      h('label', {}, h('span', { text: t('metrics.hamlet.pick') }), ' ', pick),
      h('label', {}, h('span', { text: t('period.from') }), ' ', from),
      h('label', {}, h('span', { text: t('period.to') }), ' ', to),
      h('button', { type: 'submit', text: t('metrics.hamlet.judge') }));
    el.append(form, out);
    if (this.hamletResult) this.showHamlet(out, this.hamletResult);
  }

  // judgeHamlet asks the hamlet's metrics over the window and shows the six
  // criteria with their evidence.
  async judgeHamlet(code, fromText, toText, out) {
    this.hamletCode = code;
    this.hamletWindow = { from: fromText, to: toText };
    this.hamletResult = null;
    const a = parseDMY(fromText), b = parseDMY(toText);
    clear(out);
    if (!a || !b || a > b) {
      out.append(h('p', { class: 'error', role: 'alert', text: t('period.bad', { fields: !a ? t('period.from') : !b ? t('period.to') : t('period.order') }) }));
      return;
    }
    const asked = `${a}..${b}`;
    this.hamletAsked = asked;
    try {
      const m = await getJSON(`/api/areas/${encodeURIComponent(code)}/metrics${query({ period: asked })}`);
      if (this.hamletAsked !== asked || this.hamletCode !== code) return; // a later pick won
      this.hamletResult = m;
      // The section may have been redrawn meanwhile: show it in the one on screen.
      this.showHamlet(this.hamlet.querySelector('.hamlet-result') || out, m);
    } catch (err) {
      out.append(h('p', { class: 'error', role: 'alert', text: err.message || String(err) }));
    }
  }

  showHamlet(out, m) {
    clear(out);
    const all = (m.criteria || []).length === 6 && m.criteria.every((c) => c.status === 'met');
    const asked = this.hamletAsked && this.hamletAsked !== m.period ? this.hamletAsked : '';
    out.append(h('h4', { text: t('metrics.hamlet.result', { name: m.name || m.area, window: periodLabel(m.period) }) }),
      asked ? h('p', { class: 'muted widened', text: t('metrics.widened', { period: periodLabel(m.period) }) }) : null,
      h('p', { class: ['status', all ? 'status-met' : 'status-not_met'], text: t(all ? 'metrics.hamlet.met' : 'metrics.hamlet.notMet') }),
      criteriaList(m.criteria || []), reportLinks(m.area, m.period));
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
      this.committee.update(m);
    }
    if (list.some((m) => m.period === this.period)) this.shade();
    const sel = this.selected;
    if (sel && (sel === msg.area || this.parentOf(msg.area) === sel || this.areas.byCode.get(this.parentOf(msg.area))?.properties?.parent_code === sel)) {
      this.select(sel);
    }
  }
}

// The steering committee's table: every commune of a district (or
// province) for a period, sortable by any column, exportable as the API's CSV.

import { getJSON, query } from './api.js';
import { h, clear } from './dom.js';
import { t, tOr } from './i18n.js';
import { pct, fmtNum, trendArrow, incidentTotal } from './scorecard.js';

const CLASS_RANK = { key: 2, affected: 1, clear: 0 };
const COLUMNS = [
  { key: 'area', label: () => t('metrics.area'), value: (m, name) => name(m.area), text: (m, name) => name(m.area) },
  { key: 'class', label: () => t('metrics.class'), value: (m) => CLASS_RANK[m.class] ?? -1, text: (m) => tOr('metrics.class.', m.class) },
  { key: 'complexity_score', label: () => t('metrics.score'), value: (m) => m.complexity_score, text: (m) => `${fmtNum(m.complexity_score)} ${trendArrow(m.trend)}` },
  { key: 'active_end', label: () => t('metrics.active_end'), value: (m) => m.active_end },
  { key: 'new', label: () => t('metrics.new'), value: (m) => m.new },
  { key: 'eliminated', label: () => t('metrics.eliminated'), value: (m) => m.eliminated },
  { key: 'recurred', label: () => t('metrics.recurred'), value: (m) => m.recurred },
  { key: 'elimination_rate', label: () => t('metrics.rate'), value: (m) => m.elimination_rate ?? -1, text: (m) => pct(m.elimination_rate) },
  { key: 'target', label: () => t('metrics.target'), value: (m) => m.target?.status || '', text: (m) => tOr('metrics.status.', m.target?.status) },
  { key: 'incidents', label: () => t('metrics.incidents'), value: (m) => { const n = incidentTotal(m); return Number.isFinite(n) ? n : 2.5; }, text: (m) => fmtNum(incidentTotal(m)) },
  { key: 'tips', label: () => t('metrics.tips'), value: (m) => m.tips_handled_share ?? -1, text: (m) => `${m.tips_handled} / ${m.tips_received}` },
];

export class Committee {
  constructor(el, { areaName, parents }) {
    this.el = el;
    this.areaName = areaName;
    this.parents = parents; // () => [{code, label}]
    this.data = null;
    this.sort = { key: 'class', dir: -1 };
    this.parent = '';
    this.period = '';
  }

  async open(parent, period) {
    this.parent = parent || this.parent || (this.parents()[0] || {}).code || '';
    this.period = period || this.period;
    this.el.hidden = false;
    await this.reload();
  }

  close() {
    this.el.hidden = true;
  }

  async reload() {
    if (!this.parent || !this.period) {
      this.render();
      return;
    }
    try {
      this.error = '';
      this.data = await getJSON(`/api/metrics${query({ parent: this.parent, period: this.period })}`);
    } catch (err) {
      this.data = null;
      this.error = err.message || String(err);
    }
    this.render();
  }

  // update replaces one commune's row after a live metrics message.
  update(m) {
    if (!this.data || this.el.hidden || m.period !== this.period) return;
    const i = this.data.areas.findIndex((a) => a.area === m.area);
    if (i >= 0) {
      this.data.areas[i] = m;
      this.render();
    }
  }

  render() {
    const el = this.el;
    clear(el);
    const pick = h('select', { 'aria-label': t('metrics.parent'), on: { change: (e) => { this.parent = e.target.value; this.reload(); } } },
      this.parents().map((p) => h('option', { value: p.code, text: p.label, selected: p.code === this.parent })));
    const csv = h('a', {
      class: 'button', download: '', text: t('metrics.csv'),
      href: `/api/metrics${query({ parent: this.parent, period: this.period, format: 'csv' })}`,
    });
    el.append(h('div', { class: 'committee-head' },
      h('h2', { text: `${t('metrics.committee')} · ${this.period}` }), pick, csv,
      h('button', { type: 'button', text: t('metrics.close'), on: { click: () => this.close() } })));
    if (this.error) {
      el.append(h('p', { class: 'error', role: 'alert', text: this.error }));
      return;
    }
    const rows = (this.data?.areas || []).slice();
    if (!rows.length) {
      el.append(h('p', { class: 'muted', text: t('metrics.none') }));
      return;
    }
    const col = COLUMNS.find((c) => c.key === this.sort.key) || COLUMNS[0];
    const name = (code) => this.areaName(code);
    rows.sort((a, b) => {
      const va = col.value(a, name), vb = col.value(b, name);
      const c = typeof va === 'string' ? String(va).localeCompare(String(vb), 'vi') : va - vb;
      return c * this.sort.dir || String(a.area).localeCompare(String(b.area));
    });
    const head = h('tr', {}, COLUMNS.map((c) => {
      const sorted = c.key === this.sort.key;
      return h('th', { scope: 'col', 'aria-sort': sorted ? (this.sort.dir > 0 ? 'ascending' : 'descending') : 'none' },
        h('button', { type: 'button', class: 'sort', text: c.label() + (sorted ? (this.sort.dir > 0 ? ' ▲' : ' ▼') : ''),
          on: { click: () => { this.sort = { key: c.key, dir: sorted ? -this.sort.dir : 1 }; this.render(); } } }));
    }));
    const body = rows.map((m) => h('tr', { class: `class-${m.class}`, dataset: { area: m.area } },
      COLUMNS.map((c) => h('td', { text: c.text ? c.text(m, name) : String(c.value(m, name)) }))));
    el.append(h('div', { class: 'committee-scroll' }, h('table', { class: 'committee-table' }, h('thead', {}, head), h('tbody', {}, body))));
  }
}

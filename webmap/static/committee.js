// The steering committee's table: every commune of a district (or
// province) for a period — or a commune user's own commune — sortable by
// any column, each figure set against the previous comparable period, with
// a totals row, the report downloads (PDF, XLSX, CSV) and a print layout
// (metrics.css). On a phone every row reads as a card.

import { getJSON, query } from './api.js';
import { h, clear } from './dom.js';
import { t, tOr, lang } from './i18n.js';
import { pct, fmtNum, trendArrow, delta, incidentTotal } from './scorecard.js';
import { periodLabel, previousPeriod } from './periods.js';
import { fmtDateTime } from './format.js';

const CLASS_RANK = { key: 2, affected: 1, clear: 0 };
// Each column: its label, the value it sorts by, its text, and the figure
// its change is computed on (key, value of a row, whether a share).
const COLUMNS = [
  { key: 'area', label: () => t('metrics.area'), value: (m, name) => name(m.area), text: (m, name) => name(m.area) },
  { key: 'class', label: () => t('metrics.class'), value: (m) => CLASS_RANK[m.class] ?? -1, text: (m) => tOr('metrics.class.', m.class) },
  { key: 'complexity_score', label: () => t('metrics.score'), value: (m) => m.complexity_score, text: (m) => `${fmtNum(m.complexity_score, 2)} ${trendArrow(m.trend)}`, change: true },
  { key: 'active_end', label: () => t('metrics.active_end'), value: (m) => m.active_end, change: true },
  { key: 'new', label: () => t('metrics.new'), value: (m) => m.new, change: true },
  { key: 'eliminated', label: () => t('metrics.eliminated'), value: (m) => m.eliminated, change: true },
  { key: 'recurred', label: () => t('metrics.recurred'), value: (m) => m.recurred, change: true },
  { key: 'elimination_rate', label: () => t('metrics.rate'), value: (m) => m.elimination_rate ?? null, text: (m) => pct(m.elimination_rate), change: true, share: true },
  { key: 'target', label: () => t('metrics.target'), value: (m) => m.target?.status || '', text: (m) => tOr('metrics.status.', m.target?.status) },
  { key: 'incidents', label: () => t('metrics.incidents'), value: (m) => incidentTotal(m), change: true },
  { key: 'tips', label: () => t('metrics.tips'), value: (m) => m.tips_handled_share ?? null,
    text: (m) => `${fmtNum(m.tips_handled)} / ${fmtNum(m.tips_received)}`, change: true, share: true },
];

// REPORT_FORMATS are the report downloads, in the order shown.
const REPORT_FORMATS = ['pdf', 'xlsx', 'csv'];

// reportLinks: the three report downloads of one area and period, and a
// print button (the print stylesheet keeps the scorecard and the table).
export function reportLinks(area, period) {
  return h('div', { class: 'report-links' },
    h('span', { class: 'report-label', text: `${t('metrics.reports')}:` }),
    REPORT_FORMATS.map((f) => h('a', {
      class: ['button', 'report', `report-${f}`], download: '', dataset: { format: f },
      href: `/api/reports${query({ area, period, format: f, lang: lang() === 'en' ? 'en' : '' })}`,
      title: t('metrics.report.download', { format: t(`metrics.report.${f}`) }), text: t(`metrics.report.${f}`),
    })),
    h('button', { type: 'button', class: 'print', text: t('metrics.print'), on: { click: () => window.print() } }));
}

// sortable orders a withheld count ("< 5") between 2 and 3.
function sortable(v) {
  return typeof v === 'string' ? 2.5 : v ?? -1;
}

// totals sums the rows: counts added, shares recomputed from their parts;
// a total over a withheld count ("< 5") is withheld too (null).
function totals(rows) {
  const sum = (f) => rows.reduce((a, m) => {
    const v = f(m);
    if (a === null || (v !== null && v !== undefined && typeof v !== 'number')) return null;
    return a + (v || 0);
  }, 0);
  const during = sum((m) => m.active_during), elim = sum((m) => m.eliminated);
  const recv = sum((m) => m.tips_received), handled = sum((m) => m.tips_handled);
  return {
    area: '', class: '', active_end: sum((m) => m.active_end), active_during: during, new: sum((m) => m.new),
    eliminated: elim, recurred: sum((m) => m.recurred), elimination_rate: during && elim !== null ? elim / during : null,
    incidents_total: sum(incidentTotal), tips_received: recv, tips_handled: handled,
    tips_handled_share: recv && handled !== null ? handled / recv : null,
  };
}

// scheduledReports lists the monthly reports the server made by itself
// (GET /api/reports/scheduled) for area and every unit below it — or, with
// only set, for that one unit — newest month first, each month with its
// formats as downloads.
export async function scheduledReports(area, { only = '', areaName = (c) => c, max = 12 } = {}) {
  const el = h('details', { class: 'scheduled', open: true }, h('summary', { text: t('metrics.scheduled') }));
  if (!area) return el;
  let list = [];
  try {
    list = (await getJSON(`/api/reports/scheduled${query({ area })}`)).reports || [];
  } catch (err) {
    el.append(h('p', { class: 'error', text: err.message || String(err) }));
    return el;
  }
  if (only) list = list.filter((r) => r.area === only);
  if (!list.length) {
    el.append(h('p', { class: 'muted', text: t('metrics.scheduled.none') }));
    return el;
  }
  // unit -> period -> [report]
  const units = new Map();
  for (const r of list) {
    if (!units.has(r.area)) units.set(r.area, { name: r.name || areaName(r.area), periods: new Map() });
    const ps = units.get(r.area).periods;
    if (!ps.has(r.period)) ps.set(r.period, []);
    ps.get(r.period).push(r);
  }
  const order = ['pdf', 'xlsx', 'csv'];
  el.append(h('ul', { class: 'scheduled-list' }, [...units].map(([code, u]) => h('li', { dataset: { area: code } },
    only ? null : h('strong', { text: u.name }),
    h('ul', {}, [...u.periods].sort((a, b) => (a[0] < b[0] ? 1 : -1)).slice(0, max).map(([p, rs]) => h('li', { dataset: { period: p } },
      h('span', { text: `${periodLabel(p)}: ` }),
      rs.sort((a, b) => order.indexOf(a.format) - order.indexOf(b.format)).map((r, i) => [i ? ' · ' : '',
        h('a', { href: r.url, download: '', class: ['scheduled-file', `scheduled-${r.format}`], text: t(`metrics.report.${r.format}`) })]),
      rs[0].made_at ? h('span', { class: 'muted', text: ` (${t('metrics.scheduled.made', { at: fmtDateTime(rs[0].made_at) })})` }) : null)))))));
  return el;
}

export class Committee {
  constructor(el, { areaName, level, parents }) {
    this.el = el;
    this.areaName = areaName;
    this.level = level || (() => '');
    this.parents = parents; // () => [{code, label}]
    this.data = null;
    this.prev = null; // code -> AreaMetrics of the previous period
    this.sort = { key: 'class', dir: -1 };
    this.parent = '';
    this.period = '';
  }

  async open(parent, period) {
    this.parent = parent || this.parent || (this.parents()[0] || {}).code || '';
    this.period = period || this.period;
    this.el.hidden = false;
    document.body.classList.add('committee-shown');
    await this.reload();
  }

  close() {
    this.el.hidden = true;
    document.body.classList.remove('committee-shown');
  }

  // fetch returns the rows of parent for p: its communes, or for a commune
  // its own metrics as the one row.
  async fetch(parent, p) {
    if (this.level(parent) === 'commune') {
      return { areas: [await getJSON(`/api/areas/${encodeURIComponent(parent)}/metrics${query({ period: p })}`)] };
    }
    return getJSON(`/api/metrics${query({ parent, period: p })}`);
  }

  async reload() {
    if (!this.parent || !this.period) {
      this.render();
      return;
    }
    const prevCode = previousPeriod(this.period);
    try {
      this.error = '';
      const [cur, prev] = await Promise.all([
        this.fetch(this.parent, this.period),
        prevCode ? this.fetch(this.parent, prevCode).catch(() => null) : null,
      ]);
      this.data = cur;
      this.prevCode = prevCode;
      this.prev = prev ? new Map((prev.areas || []).map((m) => [m.area, m])) : null;
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

  // cell is one figure with its change against the previous period.
  cell(c, m, before, name) {
    const text = c.text ? c.text(m, name) : fmtNum(c.value(m, name));
    const td = h('td', { dataset: { label: c.label(), col: c.key } }, h('span', { class: 'figure', text }));
    if (c.change && this.prev) {
      const d = delta(c.key, c.value(m, name), before ? c.value(before, name) : null, this.prevCode, !!c.share);
      if (d) td.append(' ', d);
    }
    return td;
  }

  render() {
    const el = this.el;
    clear(el);
    const pick = h('select', { 'aria-label': t('metrics.parent'), on: { change: (e) => { this.parent = e.target.value; this.reload(); } } },
      this.parents().map((p) => h('option', { value: p.code, text: p.label, selected: p.code === this.parent })));
    const close = h('button', { type: 'button', class: 'committee-close', 'aria-label': t('metrics.close'), text: `✕ ${t('metrics.close')}`, on: { click: () => this.close() } });
    el.append(h('div', { class: 'committee-head' },
      h('h2', {}, h('span', { text: t('metrics.committee') }), ' · ', h('span', { class: 'committee-period', text: periodLabel(this.period) })),
      close, pick,
      this.prevCode ? h('p', { class: 'muted compared', text: t('period.compared', { cur: periodLabel(this.period), prev: periodLabel(this.prevCode) }) }) : null,
      reportLinks(this.parent, this.period)));
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
      const c = col.key === 'area' || col.key === 'target' ? String(va).localeCompare(String(vb), 'vi') : sortable(va) - sortable(vb);
      return c * this.sort.dir || String(a.area).localeCompare(String(b.area));
    });
    const head = h('tr', {}, COLUMNS.map((c) => {
      const sorted = c.key === this.sort.key;
      return h('th', { scope: 'col', 'aria-sort': sorted ? (this.sort.dir > 0 ? 'ascending' : 'descending') : 'none' },
        h('button', { type: 'button', class: 'sort', text: c.label() + (sorted ? (this.sort.dir > 0 ? ' ▲' : ' ▼') : ''),
          on: { click: () => { this.sort = { key: c.key, dir: sorted ? -this.sort.dir : 1 }; this.render(); } } }));
    }));
    const body = rows.map((m) => h('tr', { class: `class-${m.class}`, dataset: { area: m.area } },
      COLUMNS.map((c) => this.cell(c, m, this.prev ? this.prev.get(m.area) : null, name))));
    const foot = [];
    if (rows.length > 1) {
      const tot = totals(rows);
      const ptot = this.prev ? totals([...this.prev.values()]) : null;
      foot.push(h('tr', { class: 'totals' }, COLUMNS.map((c) => {
        if (c.key === 'area') return h('th', { scope: 'row', text: t('metrics.total') });
        if (c.key === 'class' || c.key === 'complexity_score' || c.key === 'target') return h('td', { class: 'blank', dataset: { label: c.label() } });
        return this.cell(c, tot, ptot, name);
      })));
    }
    const scroll = h('div', { class: 'committee-scroll' }, h('table', { class: 'committee-table' },
      h('caption', { class: 'print-only', text: `${t('metrics.committee')} · ${this.areaName(this.parent)} · ${periodLabel(this.period)}` }),
      h('thead', {}, head), h('tbody', {}, body), foot.length ? h('tfoot', {}, foot) : null));
    el.append(scroll);
    this.renderScheduled(scroll);
  }

  // renderScheduled adds the stored monthly reports of the parent and its
  // units below the table (again after a live "report" message).
  async renderScheduled(into = this.el.querySelector('.committee-scroll')) {
    if (!into || !this.parent) return;
    const parent = this.parent;
    const list = await scheduledReports(parent, { areaName: this.areaName });
    if (parent !== this.parent || !into.isConnected) return;
    into.querySelector('.scheduled')?.remove();
    into.append(list);
  }
}

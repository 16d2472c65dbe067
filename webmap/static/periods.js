// The periods a committee reviews (issue 14): a year 2025, a half 2025-H1,
// a quarter 2025-Q3, a month 2025-10 and a custom window
// 2024-04-15..2025-04-14 (both days included), as the API spells them;
// their words on screen (dd/mm/yyyy) and the previous comparable period
// each is set against. Calendar periods are cut in Asia/Ho_Chi_Minh by the
// server; here they are only codes and dates.

import { t, lang } from './i18n.js';
import { h, clear } from './dom.js';
import { parseDMY } from './format.js';

const pad = (n) => String(n).padStart(2, '0');
const ROMAN = ['I', 'II', 'III', 'IV'];

// isoDay is yyyy-mm-dd of a UTC date.
function isoDay(d) {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function dayOf(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return isoDay(d) === s ? d : null;
}

// dmy is dd/mm/yyyy of a yyyy-mm-dd day.
export function dmy(s) {
  const [y, m, d] = s.split('-');
  return `${d}/${m}/${y}`;
}

// parsePeriod reads a period code into {kind, year, index, from, to}, or
// null when it is not one. kind is year, half, quarter, month or custom;
// from and to are the custom window's first and last days.
export function parsePeriod(code) {
  const s = String(code || '').trim();
  let m;
  if ((m = /^(\d{4})$/.exec(s))) return { kind: 'year', year: +m[1], index: 0 };
  if ((m = /^(\d{4})-[Hh]([12])$/.exec(s))) return { kind: 'half', year: +m[1], index: +m[2] };
  if ((m = /^(\d{4})-[Qq]([1-4])$/.exec(s))) return { kind: 'quarter', year: +m[1], index: +m[2] };
  if ((m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(s))) return { kind: 'month', year: +m[1], index: +m[2] };
  if ((m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(s))) {
    const a = dayOf(m[1]), b = dayOf(m[2]);
    if (!a || !b || a > b) return null;
    return { kind: 'custom', year: b.getUTCFullYear(), index: 0, from: m[1], to: m[2] };
  }
  return null;
}

// formatCode writes a parsed period back as its code.
export function formatCode(p) {
  switch (p.kind) {
    case 'year': return String(p.year);
    case 'half': return `${p.year}-H${p.index}`;
    case 'quarter': return `${p.year}-Q${p.index}`;
    case 'month': return `${p.year}-${pad(p.index)}`;
    case 'custom': return `${p.from}..${p.to}`;
    default: return '';
  }
}

// previousPeriod is the period code p is compared with: the year, half,
// quarter or month before, and for a custom window the window of as many
// days that ends the day before it starts.
export function previousPeriod(code) {
  const p = parsePeriod(code);
  if (!p) return '';
  const per = { year: 1, half: 2, quarter: 4, month: 12 }[p.kind];
  if (per) {
    const i = p.year * per + (p.index || 1) - 1 - 1;
    const y = Math.floor(i / per);
    return formatCode({ kind: p.kind, year: y, index: p.kind === 'year' ? 0 : i - y * per + 1 });
  }
  const from = dayOf(p.from), to = dayOf(p.to);
  const days = Math.round((to - from) / 86400000) + 1;
  const end = new Date(from.getTime() - 86400000);
  const start = new Date(end.getTime() - (days - 1) * 86400000);
  return `${isoDay(start)}..${isoDay(end)}`;
}

// periodLabel words a period code: "Năm 2025", "6 tháng đầu năm 2025",
// "Quý III/2025", "Tháng 10/2025", "15/04/2024 – 14/04/2025".
export function periodLabel(code) {
  const p = parsePeriod(code);
  if (!p) return String(code || '');
  switch (p.kind) {
    case 'year': return t('period.label.year', { y: p.year });
    case 'half': return t(`period.label.h${p.index}`, { y: p.year });
    case 'quarter': return t('period.label.quarter', { q: lang() === 'vi' ? ROMAN[p.index - 1] : p.index, y: p.year });
    case 'month': return t('period.label.month', { m: pad(p.index), y: p.year });
    default: return t('period.label.custom', { from: dmy(p.from), to: dmy(p.to) });
  }
}

// reportPeriods are the periods a committee files for on a given Vietnamese
// day (yyyy-mm-dd): last month, the half-year just ended or running, last
// year — quick picks for the selector.
export function quickPeriods(today) {
  const [y, m] = today.split('-').map(Number);
  const lastMonth = m === 1 ? `${y - 1}-12` : `${y}-${pad(m - 1)}`;
  return [
    { code: String(y), label: t('period.quick.thisYear') },
    { code: String(y - 1), label: t('period.quick.lastYear') },
    { code: lastMonth, label: t('period.quick.lastMonth') },
    { code: m > 6 ? `${y}-H1` : `${y - 1}-H2`, label: t('period.quick.lastHalf') },
  ];
}

// todayVN is today's date in Vietnam as yyyy-mm-dd.
export function todayVN() {
  const p = {};
  for (const { type, value } of new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date())) p[type] = value;
  return `${p.year}-${p.month}-${p.day}`;
}

// PeriodPicker is the "Kỳ" selector: a kind (year, half, quarter, month,
// custom), then a year and its part, or two dd/mm/yyyy days; a quick pick
// for the periods committees file for. read() returns the period code, or
// {error} naming what is wrong.
export class PeriodPicker {
  constructor(code, { idPrefix = 'metrics', onPick } = {}) {
    this.code = code;
    this.id = idPrefix;
    this.onPick = onPick || (() => {});
    this.el = h('div', { class: 'period-picker' });
    this.render();
  }

  render() {
    const p = parsePeriod(this.code) || parsePeriod(todayVN().slice(0, 4));
    const today = todayVN();
    const thisYear = +today.slice(0, 4);
    clear(this.el);
    const id = (s) => `${this.id}-${s}`;
    this.kind = h('select', { id: id('kind'), 'aria-label': t('period.kind'), on: { change: () => this.showParts() } },
      ['year', 'half', 'quarter', 'month', 'custom'].map((k) => h('option', { value: k, text: t(`period.kind.${k}`), selected: k === p.kind })));
    const years = [];
    for (let y = thisYear; y >= Math.min(thisYear - 10, p.year); y--) years.push(y);
    this.year = h('select', { id: id('year'), 'aria-label': t('period.year') },
      years.map((y) => h('option', { value: String(y), text: String(y), selected: y === p.year })));
    this.part = h('select', { id: id('part'), 'aria-label': t('period.part') });
    this.from = h('input', { type: 'text', id: id('from'), inputmode: 'numeric', placeholder: 'dd/mm/yyyy', size: 10, autocomplete: 'off', 'aria-label': t('period.from'),
      value: p.kind === 'custom' ? dmy(p.from) : '' });
    this.to = h('input', { type: 'text', id: id('to'), inputmode: 'numeric', placeholder: 'dd/mm/yyyy', size: 10, autocomplete: 'off', 'aria-label': t('period.to'),
      value: p.kind === 'custom' ? dmy(p.to) : '' });
    this.custom = h('span', { class: 'period-custom' },
      h('label', {}, h('span', { text: t('period.from') }), ' ', this.from), ' ',
      h('label', {}, h('span', { text: t('period.to') }), ' ', this.to));
    const quick = h('select', { id: id('quick'), 'aria-label': t('period.quick'),
      on: { change: (e) => { if (e.target.value) { this.set(e.target.value); this.onPick(e.target.value); } e.target.value = ''; } } },
      h('option', { value: '', text: `${t('period.quick')}…` }),
      quickPeriods(today).map((q) => h('option', { value: q.code, text: `${q.label}: ${periodLabel(q.code)}` })));
    this.el.append(this.kind, ' ', this.year, ' ', this.part, this.custom, ' ', quick);
    this.showParts(p.index);
  }

  // showParts fills the part list for the kind and shows what it needs.
  showParts(index) {
    const kind = this.kind.value;
    const keep = index || +this.part.value || 1;
    clear(this.part);
    const opts = {
      half: [1, 2].map((i) => [i, t(`period.h${i}`)]),
      quarter: [1, 2, 3, 4].map((i) => [i, t('period.q', { q: i })]),
      month: Array.from({ length: 12 }, (_, i) => [i + 1, t('period.m', { m: i + 1 })]),
    }[kind] || [];
    for (const [v, label] of opts) this.part.append(h('option', { value: String(v), text: label, selected: v === keep }));
    this.part.hidden = !opts.length;
    this.year.hidden = kind === 'custom';
    this.custom.hidden = kind !== 'custom';
  }

  set(code) {
    this.code = code;
    this.render();
  }

  read() {
    const kind = this.kind.value;
    const y = +this.year.value;
    const i = +this.part.value;
    if (kind !== 'custom') return { code: formatCode({ kind, year: y, index: i }) };
    const from = parseDMY(this.from.value), to = parseDMY(this.to.value);
    this.from.setAttribute('aria-invalid', String(!from));
    this.to.setAttribute('aria-invalid', String(!to));
    const bad = [];
    if (!from) bad.push(t('period.from'));
    if (!to) bad.push(t('period.to'));
    if (bad.length) return { error: t('period.bad', { fields: bad.join(', ') }) };
    if (from > to) return { error: t('period.bad', { fields: t('period.order') }) };
    return { code: `${from}..${to}` };
  }
}

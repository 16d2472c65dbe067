// The scorecard of one area and period: class, elimination rate on its
// target band, the counts, each set against the previous comparable period,
// the complexity trend by month with its axes and test, seed 001's six
// criteria with the numbers behind them, what a unit of the July 2025 reform
// was made of and, for a district or province, the roll-up.
// Built with DOM calls only (CSP: no inline style or script).

import { h, clear } from './dom.js';
import { t, tOr, lang } from './i18n.js';
import { fmtDate } from './format.js';
import { periodLabel } from './periods.js';

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children) if (c !== undefined && c !== null) el.append(c);
  return el;
}

// locale: Vietnamese writes 1.234,5; English 1,234.5.
function locale() {
  return lang() === 'vi' ? 'vi-VN' : 'en-GB';
}

// fmtNum writes a count or a score: integers as they are, other numbers
// with at most `digits` decimals, grouped in the page's language.
export function fmtNum(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (typeof v === 'string') return v; // a viewer's suppressed count: "< 5" (hotspot/disclosure)
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: Number.isInteger(v) ? 0 : digits }).format(v);
}

// pct writes a share as 22,2 % (Vietnamese) or 22.2% (English).
export function pct(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v) || typeof v !== 'number') return '—';
  const n = new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v * 100);
  return lang() === 'vi' ? `${n}\u00a0%` : `${n}%`;
}

// signed writes a change with its sign: +3, −2, ±0.
function signed(d, fmt) {
  if (d === 0) return `±${fmt(0)}`;
  return d > 0 ? `+${fmt(d)}` : `−${fmt(-d)}`;
}

// WORSE_WHEN_UP: figures where a rise is bad news (hotspots, incidents,
// complexity); for the others (eliminations, shares handled) it is good.
const WORSE_WHEN_UP = new Set(['active_start', 'active_during', 'active_end', 'new', 'recurred', 'incidents', 'complexity_score', 'tips_received',
  'affected_share_change', 'class_key', 'class_affected']);

// delta is the small "(+3)" after a figure: its change against the previous
// comparable period, coloured by whether that is good news; a title gives
// the previous value. key names the figure; isShare writes points of %.
export function delta(key, cur, prev, prevCode, isShare = false) {
  if (prev === undefined) return null; // no previous period asked
  // A figure withheld from a viewer ("< 5") has no change to show.
  if (typeof cur !== 'number' || typeof prev !== 'number') {
    return h('span', { class: 'delta delta-none', title: t('metrics.prevNone'), text: '' });
  }
  const d = cur - prev;
  const fmt = isShare ? (x) => fmtNum(x * 100, 1) : (x) => fmtNum(x, 2);
  const bad = WORSE_WHEN_UP.has(key) ? d > 0 : d < 0;
  const text = `(${signed(d, fmt)}${isShare ? ` ${t('metrics.pts')}` : ''})`;
  return h('span', {
    class: ['delta', d === 0 ? 'delta-same' : bad ? 'delta-bad' : 'delta-good'],
    title: t('metrics.vsPrev', { prev: periodLabel(prevCode), value: isShare ? pct(prev) : fmtNum(prev, 2) }),
    text,
  });
}

// incidentTotal is an area's incidents of every kind: the answer's
// incidents_total, a number or, for a viewer, "< 5" (hotspot/disclosure).
export function incidentTotal(m) {
  if (!m) return 0;
  if (m.incidents_total !== undefined) return m.incidents_total;
  return Object.values(m.incidents || {}).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
}

// bandBar draws value against [min, max] on a 0..top scale.
function bandBar(target) {
  const W = 240, H = 26;
  const v = target.value;
  const top = Math.max((target.max || 0) * 2, v ?? 0, 0.0001);
  const x = (f) => (Math.min(f, top) / top) * W;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'band-bar', role: 'img', 'aria-label': `${t('metrics.rate')} ${pct(v)}` },
    s('rect', { x: 0, y: 8, width: W, height: 10, class: 'band-track' }),
    s('rect', { x: x(target.min || 0), y: 6, width: Math.max(1, x(target.max || 0) - x(target.min || 0)), height: 14, class: 'band-target' }));
  if (v !== null && v !== undefined) {
    svg.append(s('rect', { x: Math.max(0, x(v) - 1.5), y: 2, width: 3, height: 22, class: `band-value status-${target.status}` }));
  }
  return svg;
}

// monthLabel: 2024-01 → 01/2024.
function monthLabel(ym) {
  const [y, m] = String(ym).split('-');
  return m ? `${m}/${y}` : String(ym);
}

// niceTicks returns about three round values spanning [lo, hi].
function niceTicks(lo, hi) {
  if (hi - lo < 1e-9) return [lo];
  const raw = (hi - lo) / 2;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((st) => st >= raw) || raw;
  const out = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + 1e-9; v += step) out.push(+v.toFixed(6));
  return out;
}

// trendChart draws the complexity score by month (or by the period's own
// steps when no monthly series came) with its axes, gridlines, a value on
// the first and the last point and the Mann–Kendall test beneath.
// series: {months: ['2023-12', ...], scores: [...], trend: {...}}.
export function trendChart(series) {
  const ys = (series && series.scores) || [];
  const xs = (series && series.months) || [];
  const wrap = h('figure', { class: 'trend' });
  if (series && series.withheld) {
    // A viewer gets the test, not the scores (hotspot/disclosure).
    wrap.append(h('p', { class: 'muted', text: t('metrics.trend.withheld') }), trendCaption(series.trend));
    return wrap;
  }
  if (ys.length < 2) {
    wrap.append(h('p', { class: 'muted', text: t('metrics.trend.few') }));
    return wrap;
  }
  const W = 300, H = 150, L = 36, R = 10, T = 14, B = 24;
  let lo = Math.min(0, ...ys), hi = Math.max(...ys);
  const ticks = niceTicks(lo, hi || 1);
  lo = Math.min(lo, ticks[0]);
  hi = Math.max(hi, ticks[ticks.length - 1], lo + 1e-9);
  const px = (i) => L + (i * (W - L - R)) / (ys.length - 1);
  const py = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
  const dir = series.trend?.direction || 'none';
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'trend-chart', role: 'img',
    'aria-label': `${t('metrics.trend.months', { n: ys.length })}: ${tOr('metrics.trend.', dir)}` });
  // Axes and gridlines with their values.
  for (const v of ticks) {
    svg.append(s('line', { x1: L, x2: W - R, y1: py(v).toFixed(1), y2: py(v).toFixed(1), class: 'trend-grid' }),
      s('text', { x: L - 4, y: (py(v) + 3).toFixed(1), class: 'trend-tick', 'text-anchor': 'end' }, fmtNum(v, 1)));
  }
  svg.append(s('line', { x1: L, x2: L, y1: T, y2: H - B, class: 'trend-axis' }),
    s('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'trend-axis' }),
    s('text', { x: 2, y: T - 4, class: 'trend-tick' }, t('metrics.trend.axisScore')));
  // A tick at every January (its year written), the ends labelled by month.
  const labelled = new Set([0, xs.length - 1]);
  xs.forEach((ym, i) => {
    const jan = /-01$/.test(ym);
    if (!jan && !labelled.has(i)) return;
    svg.append(s('line', { x1: px(i).toFixed(1), x2: px(i).toFixed(1), y1: H - B, y2: H - B + 4, class: 'trend-axis' }));
    const anchor = i === 0 ? 'start' : i === xs.length - 1 ? 'end' : 'middle';
    const text = labelled.has(i) ? monthLabel(ym) : String(ym).slice(0, 4);
    // A January next to an end label would overprint it.
    if (!labelled.has(i) && (i < 6 || i > xs.length - 7)) return;
    svg.append(s('text', { x: px(i).toFixed(1), y: H - 6, class: 'trend-tick', 'text-anchor': anchor }, text));
  });
  const pts = ys.map((y, i) => [px(i), py(y)]);
  svg.append(s('polyline', { points: pts.map((p) => p.map((n) => n.toFixed(1)).join(',')).join(' '), class: `trend-line dir-${dir}` }));
  pts.forEach(([x, y], i) => svg.append(s('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: ys.length > 24 ? 1.6 : 2.4, class: 'trend-dot' },
    s('title', {}, `${monthLabel(xs[i] || '')}: ${fmtNum(ys[i], 2)}`))));
  for (const i of [0, ys.length - 1]) {
    svg.append(s('text', { x: pts[i][0].toFixed(1), y: (pts[i][1] - 5).toFixed(1), class: 'trend-value', 'text-anchor': i === 0 ? 'start' : 'end' }, fmtNum(ys[i], 2)));
  }
  wrap.append(svg, trendCaption(series.trend));
  return wrap;
}

// trendCaption words the Mann–Kendall test (and Sen's slope when given).
function trendCaption(tr) {
  if (!tr || !tr.n) return null;
  const slope = typeof tr.sen_slope === 'number'
    ? t('metrics.trend.slope', { slope: signed(Math.round(tr.sen_slope * 1000) / 1000, (x) => fmtNum(x, 3)) }) : '';
  return h('figcaption', { class: 'muted', text: `${t('metrics.trend.test', { n: tr.n, p: fmtNum(tr.p, 3) })}${slope} — ${tOr('metrics.trend.', tr.direction)}` });
}

// seriesOfPeriod turns the scorecard's own trend (one score per period)
// into a chart series when no monthly one came.
function seriesOfPeriod(m) {
  const tr = m.trend || {};
  return { scores: tr.series || [], months: (tr.series || []).map(() => ''), trend: tr };
}

function statusBadge(status) {
  return h('span', { class: ['status', `status-${status}`], text: tOr('metrics.status.', status) });
}

// evidence words the numbers a criterion was judged on (values from the
// API; a missing indicator reads "chưa báo cáo").
export function evidence(c) {
  const v = c.values || {};
  const keys = Object.keys(v);
  if (keys.length && keys.every((k) => v[k] === null || v[k] === undefined)) return t('metrics.unreported');
  const n = (k) => (v[k] === null || v[k] === undefined ? '—' : fmtNum(v[k], 1));
  const words = {
    1: { handled: n('tips_handled'), received: n('tips_received') },
    2: { hh_reached: n('households_reached'), hh_total: n('households_total'), hr_reached: n('high_risk_reached'), hr_total: n('high_risk_total') },
    3: { active_end: n('active_end'), recurred: n('recurred'), new: n('new') },
    4: { traced: n('cases_traced_to_users'), total: n('cases_total') },
    5: { destroyed: n('plant_area_destroyed_m2'), found: n('plant_area_found_m2'), production: n('incidents_production') },
    6: { public: n('public_use_reports'), offered: n('users_offered_services'), registered: n('registered_users') },
  }[c.id];
  return words ? t(`metrics.evidence.${c.id}`, words) : '';
}

// criteriaList: the six criteria, each with its verdict and its evidence.
export function criteriaList(criteria) {
  return h('ol', { class: 'criteria' }, criteria.map((c) => h('li', { class: `criterion-${c.status}`, dataset: { criterion: c.id } },
    h('span', { text: t(`metrics.criterion.${c.id}`) }), ' ', statusBadge(c.status),
    h('div', { class: 'evidence', text: evidence(c) }))));
}

// lineage lists what a unit was made of (or went into) in the reform.
function lineage(m) {
  const out = [];
  const links = (list, key) => {
    if (!Array.isArray(list) || !list.length) return;
    const byDate = new Map();
    for (const l of list) {
      const d = l.valid_from || '';
      if (!byDate.has(d)) byDate.set(d, []);
      byDate.get(d).push(l);
    }
    for (const [d, ls] of byDate) {
      out.push(h('p', { class: 'lineage' }, h('span', { text: `${t(key, { date: fmtDate(d) || d })}: ` }),
        ls.map((l, i) => [i ? ', ' : '', h('span', { class: 'lineage-unit', dataset: { code: l.code }, text: l.name || l.code }),
          l.share > 0 && l.share < 0.999 ? ` (${t('metrics.share', { share: pct(l.share, 0) })})` : ''])));
    }
  };
  links(m.predecessors, 'metrics.madeOf');
  links(m.successors, 'metrics.wentInto');
  return out;
}

// renderScorecard fills el with the scorecard of m (the body of
// GET /api/areas/{code}/metrics). prev is the same area's answer for the
// previous comparable period (null: not available); series the monthly
// trend (GET /api/areas/{code}/trend) or null.
export function renderScorecard(el, m, prev = null, series = null) {
  clear(el);
  const tg = m.target || {};
  const pv = (k) => (prev ? prev[k] : undefined);
  const prevCode = prev ? prev.period : '';
  const row = (key, label, value, cur, before, isShare = false) => h('tr', { dataset: { figure: key } },
    h('th', { scope: 'row', text: label }),
    h('td', {}, h('span', { class: 'figure', text: value }), ' ', delta(key, cur, before, prevCode, isShare)));
  const measure = tg.measure === 'elimination_growth' ? t('metrics.growth') : t('metrics.rate');
  const count = (k) => row(k, t(`metrics.${k}`), fmtNum(m[k]), m[k], pv(k));
  const tipsShare = m.tips_handled_share;
  el.append(
    h('h3', { class: 'scorecard-title' }, h('span', { text: m.name || m.area }), ' · ', h('span', { class: 'scorecard-period', text: periodLabel(m.period) })),
    ...lineage(m),
    h('p', {}, h('span', { class: ['class-badge', `class-${m.class}`], text: tOr('metrics.class.', m.class) }),
      ' ', trendArrowText(m.trend), ' ',
      h('span', { class: 'muted', text: `${t('metrics.score')}: ${fmtNum(m.complexity_score, 2)} ` }),
      delta('complexity_score', m.complexity_score, pv('complexity_score'), prevCode)),
    h('div', { class: 'target' },
      h('div', {}, h('strong', { text: `${measure}: ${pct(tg.value)}` }), ' ',
        delta('elimination_rate', tg.value, prev ? (prev.target || {}).value : undefined, prevCode, true), ' ', statusBadge(tg.status)),
      bandBar(tg),
      h('div', { class: 'muted', text: t('metrics.band', { min: pct(tg.min, 0), max: pct(tg.max, 0) }) }),
      tg.projection && tg.projection.months_elapsed < 12
        ? h('div', { class: 'muted', text: t('metrics.projection', { value: pct(tg.projection.value), status: tOr('metrics.status.', tg.projection.status) }) })
        : null),
    h('table', { class: 'counts' }, h('tbody', {},
      ['active_start', 'active_during', 'active_end', 'new', 'eliminated', 'eliminated_sustained', 'recurred'].map(count),
      row('incidents', t('metrics.incidents'), fmtNum(incidentTotal(m)), incidentTotal(m), prev ? incidentTotal(prev) : undefined),
      row('tips', t('metrics.tips'), `${fmtNum(m.tips_handled)} / ${fmtNum(m.tips_received)}${tipsShare != null ? ` (${pct(tipsShare)})` : ''}`,
        tipsShare, prev ? prev.tips_handled_share : undefined, true))),
    h('h4', { text: `${t('metrics.trend')}: ${tOr('metrics.trend.', m.trend?.direction)}` }),
    ...(series && ((series.scores && series.scores.length >= 2) || series.withheld)
      ? [h('div', { class: 'muted', text: t('metrics.trend.months', { n: series.months.length }) }), trendChart(series)]
      : [trendChart(seriesOfPeriod(m))]),
  );
  if (Array.isArray(m.criteria) && m.criteria.length) {
    el.append(h('h4', { text: t('metrics.criteria') }), criteriaList(m.criteria));
  }
  if (m.rollup) {
    const r = m.rollup;
    const pr = prev && prev.rollup ? prev.rollup : null;
    const goal = (key, label, g, fmt, isShare) => h('tr', { dataset: { figure: key } }, h('th', { scope: 'row', text: label }),
      h('td', {}, fmt(g.value), ' ', delta(key, g.value, pr ? (pr[key] || {}).value : prev ? null : undefined, prevCode, isShare), ' ', statusBadge(g.status)));
    const rrow = (key, label, v, before) => h('tr', { dataset: { figure: key } }, h('th', { scope: 'row', text: label }),
      h('td', {}, fmtNum(v), ' ', delta(key, v, before, prevCode)));
    el.append(h('h4', { text: t('metrics.rollup') }), h('table', { class: 'counts' }, h('tbody', {},
      rrow('children', t('metrics.children'), r.children, pr ? pr.children : undefined),
      ...['key', 'affected', 'clear'].map((c) => rrow(`class_${c}`, tOr('metrics.class.', c), (r.classes || {})[c] ?? 0, pr ? (pr.classes || {})[c] ?? 0 : undefined)),
      goal('affected_share_change', t('metrics.affected_share_change'), r.affected_share_change, pct, true),
      goal('key_improved_share', t('metrics.key_improved_share'), r.key_improved_share, pct, true),
      goal('cases_growth', t('metrics.cases_growth'), r.cases_growth, pct, true),
      goal('new', t('metrics.new'), r.new, fmtNum),
      goal('recurred', t('metrics.recurred'), r.recurred, fmtNum))));
  }
}

// trendArrow is ▲ for a significant rise, ▼ for a fall, ↗/↘ for a change
// against the previous period that is not (yet) a trend, '' otherwise.
export function trendArrow(trend) {
  if (!trend) return '';
  if (trend.direction === 'rising') return '▲';
  if (trend.direction === 'falling') return '▼';
  if (trend.score_change > 0) return '↗';
  if (trend.score_change < 0) return '↘';
  return '';
}

function trendArrowText(trend) {
  const a = trendArrow(trend);
  return a ? h('span', { class: ['trend-arrow', `dir-${trend.direction}`], text: a, title: tOr('metrics.trend.', trend.direction) }) : null;
}

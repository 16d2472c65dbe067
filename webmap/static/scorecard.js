// The scorecard of one area and period: class, elimination rate on its
// target band, the counts, the complexity trend as a small SVG chart, seed
// 001's six criteria and, for a district or province, the roll-up.
// Built with DOM calls only (CSP: no inline style or script).

import { h, clear } from './dom.js';
import { t, tOr, lang } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children) if (c) el.append(c);
  return el;
}

export function pct(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  const n = (v * 100).toFixed(digits);
  return `${lang() === 'vi' ? n.replace('.', ',') : n}%`;
}

// bandBar draws value against [min, max] on a 0..top scale.
function bandBar(target) {
  const W = 240, H = 26;
  const v = target.value;
  const top = Math.max(target.max * 2, v ?? 0, 0.0001);
  const x = (f) => (Math.min(f, top) / top) * W;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'band-bar', role: 'img', 'aria-label': `${t('metrics.rate')} ${pct(v)}` },
    s('rect', { x: 0, y: 8, width: W, height: 10, class: 'band-track' }),
    s('rect', { x: x(target.min), y: 6, width: Math.max(1, x(target.max) - x(target.min)), height: 14, class: 'band-target' }));
  if (v !== null && v !== undefined) {
    svg.append(s('rect', { x: Math.max(0, x(v) - 1.5), y: 2, width: 3, height: 22, class: `band-value status-${target.status}` }));
  }
  return svg;
}

// trendChart draws the complexity scores behind the Mann–Kendall test.
function trendChart(trend) {
  const ys = trend.series || [];
  const W = 240, H = 60, P = 4;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'trend-chart', role: 'img', 'aria-label': t('metrics.trend') });
  if (ys.length < 2) return svg;
  const lo = Math.min(...ys), hi = Math.max(...ys);
  const span = hi - lo || 1;
  const pts = ys.map((y, i) => [P + (i * (W - 2 * P)) / (ys.length - 1), H - P - ((y - lo) / span) * (H - 2 * P)]);
  svg.append(s('polyline', { points: pts.map((p) => p.map((n) => n.toFixed(1)).join(',')).join(' '), class: `trend-line dir-${trend.direction}` }));
  for (const [px, py] of pts) svg.append(s('circle', { cx: px.toFixed(1), cy: py.toFixed(1), r: 2, class: 'trend-dot' }));
  return svg;
}

function statusBadge(status) {
  return h('span', { class: ['status', `status-${status}`], text: tOr('metrics.status.', status) });
}

function row(label, value) {
  return h('tr', {}, h('th', { scope: 'row', text: label }), h('td', { text: String(value) }));
}

// renderScorecard fills el with the scorecard of m (the body of
// GET /api/areas/{code}/metrics).
export function renderScorecard(el, m) {
  clear(el);
  const tg = m.target || {};
  const incidents = incidentTotal(m);
  const measure = tg.measure === 'elimination_growth' ? t('metrics.growth') : t('metrics.rate');
  el.append(
    h('h3', { class: 'scorecard-title' }, h('span', { text: m.name || m.area }), ' · ', h('span', { text: m.period })),
    h('p', {}, h('span', { class: ['class-badge', `class-${m.class}`], text: tOr('metrics.class.', m.class) }),
      ' ', trendArrowText(m.trend), ' ', h('span', { class: 'muted', text: `${t('metrics.score')}: ${fmtNum(m.complexity_score)}` })),
    h('div', { class: 'target' },
      h('div', {}, h('strong', { text: `${measure}: ${pct(tg.value)}` }), ' ', statusBadge(tg.status)),
      bandBar(tg),
      h('div', { class: 'muted', text: t('metrics.band', { min: pct(tg.min, 2), max: pct(tg.max, 2) }) }),
      tg.projection && tg.projection.months_elapsed < 12
        ? h('div', { class: 'muted', text: t('metrics.projection', { value: pct(tg.projection.value), status: tOr('metrics.status.', tg.projection.status) }) })
        : null),
    h('table', { class: 'counts' }, h('tbody', {},
      ['active_start', 'active_during', 'active_end', 'new', 'eliminated', 'eliminated_sustained', 'recurred'].map((k) => row(t(`metrics.${k}`), m[k])),
      row(t('metrics.incidents'), incidents),
      row(t('metrics.tips'), `${m.tips_handled} / ${m.tips_received}`))),
    h('h4', { text: `${t('metrics.trend')}: ${tOr('metrics.trend.', m.trend?.direction)}` }),
    trendChart(m.trend || {}),
    h('div', { class: 'muted', text: m.trend?.from ? `${m.trend.from} → ${m.period}` : '' }),
  );
  if (Array.isArray(m.criteria) && m.criteria.length) {
    el.append(h('h4', { text: t('metrics.criteria') }), h('ol', { class: 'criteria' },
      m.criteria.map((c) => h('li', { class: `criterion-${c.status}` }, h('span', { text: t(`metrics.criterion.${c.id}`) }), ' ', statusBadge(c.status)))));
  }
  if (m.rollup) {
    const r = m.rollup;
    const goal = (label, g, fmt) => h('tr', {}, h('th', { scope: 'row', text: label }),
      h('td', {}, fmt(g.value), ' ', statusBadge(g.status)));
    el.append(h('h4', { text: t('metrics.rollup') }), h('table', { class: 'counts' }, h('tbody', {},
      row(t('metrics.children'), r.children),
      ...['key', 'affected', 'clear'].map((c) => row(tOr('metrics.class.', c), (r.classes || {})[c] ?? 0)),
      goal(t('metrics.affected_share_change'), r.affected_share_change, pct),
      goal(t('metrics.key_improved_share'), r.key_improved_share, pct),
      goal(t('metrics.cases_growth'), r.cases_growth, pct),
      goal(t('metrics.new'), r.new, fmtNum),
      goal(t('metrics.recurred'), r.recurred, fmtNum))));
  }
}

export function fmtNum(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v; // a viewer's suppressed count: "< 5"
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

// incidentTotal is an area's incidents of every kind: the answer's
// incidents_total, a number or, for a viewer, "< 5" (hotspot/disclosure).
export function incidentTotal(m) {
  if (m.incidents_total !== undefined) return m.incidents_total;
  return Object.values(m.incidents || {}).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
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

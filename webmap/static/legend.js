// The legend: the communes' classes (drawn above the hexagons) and the
// trend arrows, hotspot statuses, camera owners and states, and the density
// ramp with the current class breaks. A committee viewer sees no points, so
// the point sections are marked (legend-points) for metrics.css to hide.

import { h, clear } from './dom.js';
import { t } from './i18n.js';
import { STATUS_COLOURS, UNKNOWN_COLOURS } from './hotspots.js';
import { OWNER_COLOURS, OFFLINE_COLOUR } from './cameras.js';
import { colourFor } from './cells.js';

const SVGNS = 'http://www.w3.org/2000/svg';

// CLASS_COLOURS shade the three classes of a commune (metrics.js draws
// them, the legend explains them): red key, orange affected, green clear.
export const CLASS_COLOURS = {
  key: { fill: '#c0392b', stroke: '#8e1b10', opacity: 0.4 },
  affected: { fill: '#e67e22', stroke: '#a04000', opacity: 0.32 },
  clear: { fill: '#2e8b57', stroke: '#1b5e20', opacity: 0.25 },
};

function svg(attrs, ...kids) {
  const el = document.createElementNS(SVGNS, 'svg');
  for (const [k, v] of Object.entries({ width: 18, height: 14, viewBox: '0 0 18 14', 'aria-hidden': 'true', ...attrs })) el.setAttribute(k, v);
  for (const k of kids) el.append(k);
  return el;
}

function shape(tag, attrs) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, v);
  return el;
}

function dot({ color, fillColor }, dash) {
  return svg({}, shape('circle', { cx: 9, cy: 7, r: 5, stroke: color, 'stroke-width': 2, fill: fillColor, 'stroke-dasharray': dash }));
}

function swatch(fill, stroke = '#7a4a00', opacity = 1) {
  return svg({}, shape('rect', { x: 1, y: 1, width: 16, height: 12, fill, 'fill-opacity': opacity, stroke, 'stroke-width': stroke === '#7a4a00' ? 0.5 : 2 }));
}

// rangeLabels words each class: "1", "2–4", "≥ 10".
export function rangeLabels(bs) {
  return bs.map((b, i) => {
    if (i === bs.length - 1) return `≥ ${b}`;
    const hi = bs[i + 1] - 1;
    return hi === b ? String(b) : `${b}–${hi}`;
  });
}

export class Legend {
  constructor(map) {
    this.breaks = [];
    this.el = h('div', { class: 'legend leaflet-bar', role: 'region' });
    // Collapsible; starts folded on small screens.
    this.open = !window.matchMedia('(max-width: 760px)').matches;
    L.DomEvent.disableClickPropagation(this.el);
    L.DomEvent.disableScrollPropagation(this.el);
    const Ctl = L.Control.extend({ onAdd: () => this.el });
    new Ctl({ position: 'bottomright' }).addTo(map);
    this.render();
  }

  setBreaks(bs) {
    this.breaks = bs;
    this.render();
  }

  render() {
    clear(this.el);
    this.el.setAttribute('aria-label', t('legend.title'));
    const row = (icon, label, cls) => h('li', { class: cls }, icon, h('span', { text: label }));
    const bs = this.breaks;
    const details = h('details', { open: this.open, on: { toggle: () => { this.open = details.open; } } },
      h('summary', { class: 'legend-title', text: t('legend.title') }),
      h('h3', { text: t('metrics.legend.classes') }),
      h('ul', { class: 'legend-classes' }, ['key', 'affected', 'clear'].map((c) =>
        row(swatch(CLASS_COLOURS[c].fill, CLASS_COLOURS[c].stroke, CLASS_COLOURS[c].opacity + 0.15), t(`metrics.class.${c}`), `legend-class-${c}`))),
      h('p', { class: 'legend-note', text: t('metrics.legend.trend') }),
      h('h3', { class: 'legend-points', text: t('legend.hotspots') }),
      h('ul', { class: 'legend-points' },
        row(dot(STATUS_COLOURS.active), t('status.active'), 'legend-active'),
        row(dot(STATUS_COLOURS.eliminated), t('status.eliminated'), 'legend-eliminated'),
        row(dot(UNKNOWN_COLOURS), t('legend.unknown'), 'legend-unknown')),
      h('h3', { class: 'legend-points', text: t('legend.cameras') }),
      h('ul', { class: 'legend-points' },
        row(dot({ color: OWNER_COLOURS.police, fillColor: OWNER_COLOURS.police }), t('owner.police')),
        row(dot({ color: OWNER_COLOURS.community, fillColor: OWNER_COLOURS.community }), t('owner.community')),
        row(dot({ color: OFFLINE_COLOUR, fillColor: OFFLINE_COLOUR }, '2 2'), t('legend.offline')),
        row(dot({ color: '#555', fillColor: '#fff' }, '2 2'), t('legend.planned'))),
      h('h3', { text: t('legend.cells') }),
      bs.length
        ? h('ul', { class: 'legend-ramp' }, rangeLabels(bs).map((label, i) => row(swatch(colourFor(bs[i], bs)), label)))
        : h('p', { class: 'muted', text: t('legend.cellsEmpty') }),
    );
    this.el.append(details);
  }
}


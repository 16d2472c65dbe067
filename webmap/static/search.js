// One search box for hotspots (ref and name) and units (area names),
// insensitive to diacritics and case (text.js). Picking a result shows it:
// a hotspot is zoomed to and opened, a unit is fitted.

import { h, clear } from './dom.js';
import { t, tOr, addWords } from './i18n.js';
import { fold, matches } from './text.js';

addWords({
  vi: {
    'search.label': 'Tìm tụ điểm, địa bàn',
    'search.placeholder': 'Số hiệu, tên tụ điểm hoặc tên địa bàn',
    'search.none': 'Không tìm thấy «{q}».',
    'search.hotspots': 'Tụ điểm',
    'search.areas': 'Địa bàn',
    'search.more': 'và {n} kết quả khác; gõ thêm để thu hẹp.',
  },
  en: {
    'search.label': 'Find a hotspot or unit',
    'search.placeholder': 'Hotspot ref or name, or a unit name',
    'search.none': 'Nothing found for “{q}”.',
    'search.hotspots': 'Hotspots',
    'search.areas': 'Units',
    'search.more': 'and {n} more; type more to narrow.',
  },
});

const LIMIT = 8;

export class Search {
  // hotspots() lists hotspot features, areas() area properties; onHotspot
  // and onArea show a pick; onQuery hears the text (for the URL).
  constructor(mount, { hotspots, areas, areaName, onHotspot, onArea, onQuery }) {
    this.hotspots = hotspots;
    this.areaName = areaName || (() => '');
    this.areas = areas;
    this.onHotspot = onHotspot;
    this.onArea = onArea;
    this.onQuery = onQuery || (() => {});
    this.input = h('input', {
      type: 'search', id: 'search-input', class: 'search-input', autocomplete: 'off', spellcheck: 'false',
      'aria-controls': 'search-results',
      on: {
        input: () => { this.render(); this.onQuery(this.input.value); },
        keydown: (ev) => {
          if (ev.key === 'Enter') {
            ev.preventDefault();
            this.results.querySelector('button')?.click();
          } else if (ev.key === 'Escape') {
            this.set('');
          }
        },
      },
    });
    this.labelEl = h('label', { for: 'search-input', class: 'search-label' });
    this.results = h('div', { id: 'search-results', class: 'search-results', role: 'region', 'aria-live': 'polite' });
    clear(mount);
    mount.append(this.labelEl, this.input, this.results);
    this.relabel();
  }

  relabel() {
    this.labelEl.textContent = t('search.label');
    this.input.placeholder = t('search.placeholder');
    this.render();
  }

  set(q) {
    this.input.value = q || '';
    this.render();
    this.onQuery(this.input.value);
  }

  // find returns the hotspots and areas matching q, best first (a ref or
  // name starting with the query before one containing it).
  find(q) {
    const fq = fold(q);
    if (!fq) return { hotspots: [], areas: [] };
    const rank = (s) => (fold(s).startsWith(fq) ? 0 : 1);
    // A hotspot is found by its ref, its name, or the name of its unit.
    const hs = this.hotspots().filter((f) => matches(`${f.properties?.ref || ''} ${f.properties?.name || ''} ${this.areaName(f.properties?.area)}`, q))
      .sort((a, b) => Math.min(rank(a.properties.ref), rank(a.properties.name)) - Math.min(rank(b.properties.ref), rank(b.properties.name))
        || String(a.properties.ref).localeCompare(String(b.properties.ref), 'vi'));
    const as = this.areas().filter((p) => matches(p.name || p.code, q))
      .sort((a, b) => rank(a.name) - rank(b.name) || String(a.name).localeCompare(String(b.name), 'vi'));
    return { hotspots: hs, areas: as };
  }

  render() {
    clear(this.results);
    const q = this.input.value;
    if (!fold(q)) return;
    const { hotspots, areas } = this.find(q);
    if (!hotspots.length && !areas.length) {
      this.results.append(h('p', { class: 'muted search-none', text: t('search.none', { q: q.trim() }) }));
      return;
    }
    const section = (title, items, row) => {
      if (!items.length) return '';
      return h('div', { class: 'search-group' },
        h('h3', { text: title }),
        h('ul', {}, items.slice(0, LIMIT).map(row)),
        items.length > LIMIT ? h('p', { class: 'muted', text: t('search.more', { n: items.length - LIMIT }) }) : '');
    };
    this.results.append(
      section(t('search.hotspots'), hotspots, (f) => h('li', {}, h('button', {
        type: 'button', class: 'link search-hit', 'data-hotspot-id': undefined, 'data-hit-hotspot': String(f.id),
        on: { click: () => this.onHotspot(f.id) },
      }, h('strong', { text: f.properties.ref || `#${f.id}` }), f.properties.name ? ` — ${f.properties.name}` : '',
      h('span', { class: 'muted', text: ` · ${tOr('status.', f.properties.status)}` })))),
      section(t('search.areas'), areas, (p) => h('li', {}, h('button', {
        type: 'button', class: 'link search-hit', 'data-hit-area': p.code,
        on: { click: () => this.onArea(p.code) },
      }, h('strong', { text: p.name || p.code }), h('span', { class: 'muted', text: ` · ${tOr('level.', p.level)}` })))),
    );
  }
}

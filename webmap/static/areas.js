// Area boundaries: communes outlined with their names as labels, districts
// and provinces drawn heavier, hamlets lighter and dashed.
//
// Two geographies (issue 13): the units of today, or with the switch
// "trước 01/07/2025" beside the area picker, those in force on 30/06/2025,
// the last day before the reform, each retired unit labelled as such. The
// switch sets the geography of the whole map: while it is on, the metrics
// the page asks for carry as_of=2025-06-30 (withAsOf).

import { getJSON } from './api.js';
import { h } from './dom.js';
import { addWords, onLangChange, t, tOr } from './i18n.js';
import { VectorTiles } from './tiles.js';

addWords({
  vi: {
    'areas.before': 'trước 01/07/2025',
    'areas.before.title': 'Địa giới trước khi sắp xếp đơn vị hành chính (01/07/2025)',
    'areas.retired': 'đã giải thể',
  },
  en: {
    'areas.before': 'before 01/07/2025',
    'areas.before.title': 'Boundaries before the reorganisation of 1 July 2025',
    'areas.retired': 'retired',
  },
});

// BEFORE_REFORM is the last day of the old units.
export const BEFORE_REFORM = '2025-06-30';

// The metrics and trend routes answer on the geography of as_of (default today).
const METRICS_PATH = /^\/api\/(areas\/[^/?]+\/(metrics|trend)|metrics)(\?|$)/;
let mapAsOf = '';
const retiredCodes = new Set(); // units of the map shown that are retired today

// withAsOf adds the map's as_of to a metrics URL that has none.
export function withAsOf(url) {
  if (!mapAsOf || typeof url !== 'string' || !METRICS_PATH.test(url) || /[?&]as_of=/.test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}as_of=${mapAsOf}`;
}

// The page's metrics requests go through fetch (api.js); while the old map
// is shown they are asked on its date.
if (typeof window !== 'undefined' && window.fetch && !window.fetch.diabanAsOf) {
  const orig = window.fetch.bind(window);
  const wrapped = (input, init) => {
    // Monthly reports are stored for today's units only: a retired one has
    // none (asking would be refused as an unknown area).
    const m = typeof input === 'string' && mapAsOf && /^\/api\/reports\/scheduled\?(?:.*&)?area=([^&]+)/.exec(input);
    if (m && retiredCodes.has(decodeURIComponent(m[1]))) {
      const body = JSON.stringify({ area: decodeURIComponent(m[1]), reports: [] });
      return Promise.resolve(new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } }));
    }
    return orig(typeof input === 'string' ? withAsOf(input) : input, init);
  };
  wrapped.diabanAsOf = true;
  window.fetch = wrapped;
}

const RETIRED_STYLE = { color: '#8a6d3b', dashArray: '6 4' };
const LEVEL_STYLE = {
  province: { color: '#222', weight: 3, fillOpacity: 0, dashArray: null },
  district: { color: '#333', weight: 2.5, fillOpacity: 0, dashArray: null },
  commune: { color: '#3d4f6b', weight: 1.5, fillColor: '#ffffff', fillOpacity: 0.08, dashArray: null },
  hamlet: { color: '#6b7a90', weight: 1, fillOpacity: 0, dashArray: '3 4' },
};
// Labels show from this zoom on; below it they would cover the map.
export const LABEL_MIN_ZOOM = 12;

// boxBounds is the extent of a GeoJSON geometry (a unit's box).
function boxBounds(g) {
  let b = L.latLngBounds([]);
  const walk = (c) => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number') b = b.extend([c[1], c[0]]);
    else c.forEach(walk);
  };
  if (g) walk(g.coordinates);
  return b;
}

export class AreaLayer {
  constructor(map, { pane }) {
    this.map = map;
    this.pane = pane;
    this.group = L.featureGroup();
    this.byCode = new Map(); // code -> feature
    this.layers = new Map(); // code -> L.Layer
    this.asOf = ''; // '' today, else BEFORE_REFORM (the switch)
    const toggle = () => {
      map.getContainer().classList.toggle('area-labels-hidden', map.getZoom() < LABEL_MIN_ZOOM);
    };
    map.on('zoomend', toggle);
    map.on('zoomend', () => this.addLabels());
    toggle();
  }

  get layer() {
    return this.group;
  }

  name(code) {
    if (!code) return '';
    const f = this.byCode.get(code);
    return f ? f.properties.name || code : code;
  }

  features() {
    return [...this.byCode.values()];
  }

  // bounds of one area, or with no code the working extent: the communes
  // (the unit police work in) or, lacking those, the districts, or all; an
  // enclosing province must not zoom the map out to a whole province.
  bounds(code) {
    if (code) {
      const l = this.layers.get(code);
      return l ? l.getBounds() : null;
    }
    for (const level of ['commune', 'district', null]) {
      let b = null;
      for (const [c, l] of this.layers) {
        if (level && this.byCode.get(c).properties.level !== level) continue;
        const lb = l.getBounds();
        if (!lb.isValid()) continue;
        b = b ? b.extend(lb) : L.latLngBounds(lb.getSouthWest(), lb.getNorthEast());
      }
      if (b) return b;
    }
    return null;
  }

  async load() {
    // Today's units: their boundaries from vector tiles when they are many
    // or detailed (the server then answers each unit's box).
    // ?tiles=1 in the page's address asks for tiles at any size.
    const shape = new URLSearchParams(location.search).get('tiles') === '1' ? 'box' : 'auto';
    const fc = await getJSON(this.asOf ? `/api/areas?as_of=${this.asOf}` : `/api/areas?shape=${shape}`);
    this.installSwitch();
    this.group.clearLayers();
    this.pendingLabels = null;
    this.byCode.clear();
    this.layers.clear();
    this.tiled = fc.shape === 'box';
    document.body.dataset.areasTiled = String(this.tiled);
    if (this.tiled) return this.loadTiled(fc);
    // Larger units first, so the smaller ones (and their labels) sit on top.
    const order = { province: 0, district: 1, commune: 2, hamlet: 3 };
    const feats = (fc.features || []).slice().sort((a, b) =>
      (order[a.properties?.level] ?? 9) - (order[b.properties?.level] ?? 9));
    retiredCodes.clear();
    for (const f of feats) {
      const p = f.properties || {};
      if (!p.code) continue;
      if (p.retired) retiredCodes.add(p.code);
      this.byCode.set(p.code, f);
      const level = p.level in LEVEL_STYLE ? p.level : 'commune';
      const retired = !!p.retired;
      const layer = L.geoJSON(f, {
        pane: this.pane,
        style: () => ({
          ...LEVEL_STYLE[level],
          ...(retired ? RETIRED_STYLE : {}),
          fill: level === 'commune',
          className: `area area-${level}${retired ? ' area-retired' : ''}`,
        }),
      });
      // Only communes take the pointer (their fill); outlines of the others
      // would otherwise catch clicks meant for the map.
      layer.eachLayer((l) => {
        if (level === 'commune') {
          l.bindTooltip(h('span', { text: this.label(p) }), {
            permanent: true,
            direction: 'center',
            className: 'area-label',
            interactive: false,
          });
        } else if (level !== 'province') {
          l.bindTooltip(() => h('span', {}, h('strong', { text: this.label(p) }), ` (${tOr('level.', p.level)})`), { sticky: true });
        }
      });
      this.layers.set(p.code, layer);
      this.group.addLayer(layer);
    }
  }

  // loadTiled keeps each unit's box (for its bounds and label) and draws
  // the boundaries from the server's vector tiles.
  // The labels are made only once the map is zoomed in far enough to show
  // them (LABEL_MIN_ZOOM; a province opens below it): before the first
  // paint the page makes no element per commune.
  loadTiled(fc) {
    retiredCodes.clear();
    const labels = [];
    for (const f of fc.features || []) {
      const p = f.properties || {};
      if (!p.code) continue;
      this.byCode.set(p.code, f);
      const b = boxBounds(f.geometry);
      this.layers.set(p.code, { getBounds: () => b });
      if (p.level === 'commune' && labels.length < 3000 && b.isValid()) labels.push({ at: b.getCenter(), p });
    }
    this.pendingLabels = labels;
    if (this.tiles) this.tiles.dropAll(); // the units changed
    else {
      const line = (level) => LEVEL_STYLE[level] || LEVEL_STYLE.commune;
      this.tiles = new VectorTiles(this.map, {
        name: 'areas',
        pane: this.pane,
        // Boundaries from the tiles of the zoom above: a quarter as many
        // to fetch and decode before the first paint (each line still
        // within an eighth of a pixel).
        levelDiff: 1,
        paintRules: [
          {
            dataLayer: 'areas',
            filter: (z, f) => f.props.level === 'commune',
            symbolizer: new window.protomapsL.PolygonSymbolizer({
              fill: (z, f) => this.fillOf(f.props.code)?.fill || '#ffffff',
              opacity: (z, f) => this.fillOf(f.props.code)?.opacity ?? 0.08,
              perFeature: true,
            }),
          },
          {
            dataLayer: 'areas',
            filter: (z, f) => f.props.level !== 'province' || z < 12,
            symbolizer: new window.protomapsL.LineSymbolizer({
              color: (z, f) => line(f.props.level).color,
              width: (z, f) => line(f.props.level).weight,
              dash: null,
              perFeature: true,
            }),
          },
        ],
      });
    }
    this.group.addLayer(this.tiles.layer);
    this.addLabels();
  }

  // addLabels puts the tiled communes' labels on the map, once it is zoomed
  // in far enough to show them.
  addLabels() {
    if (!this.pendingLabels || !this.map._loaded || this.map.getZoom() < LABEL_MIN_ZOOM) return;
    for (const { at, p } of this.pendingLabels) {
      this.group.addLayer(L.tooltip({ permanent: true, direction: 'center', className: 'area-label', interactive: false })
        .setLatLng(at).setContent(this.label(p)));
    }
    this.pendingLabels = null;
  }

  // shadeWith colours the communes drawn from tiles: fn(code) is
  // { fill, opacity } or null for the plain fill (the metrics' classes).
  shadeWith(fn) {
    this.fillOf = fn || (() => null);
    if (this.tiles) this.tiles.repaint();
  }

  fillOf() {
    return null;
  }

  // options for the area picker: districts, then communes, then hamlets.
  pickerOptions() {
    const order = { province: 0, district: 1, commune: 2, hamlet: 3 };
    return this.features()
      .map((f) => f.properties)
      .sort((a, b) => (order[a.level] ?? 9) - (order[b.level] ?? 9) || String(a.name).localeCompare(String(b.name), 'vi'))
      .map((p) => ({ code: p.code, label: `${this.label(p)} — ${tOr('level.', p.level)}`, retired: !!p.retired }));
  }

  // label is a unit's name, marked when the reform retired it.
  label(p) {
    const name = p.name || p.code;
    return p.retired ? `${name} (${t('areas.retired')})` : name;
  }

  // installSwitch puts the "trước 01/07/2025" switch on the map (a control
  // in its corner, so the top bar keeps its width on a phone), once.
  // Turning it reloads the boundaries of that geography, refills the area
  // picker (marking the retired units) and tells the page the area changed.
  installSwitch() {
    const select = document.getElementById('area-select');
    if (!select || this.switchBox) return;
    const box = h('input', { type: 'checkbox', id: 'areas-before' });
    const text = h('span', { text: t('areas.before') });
    // Styled in style.css (.areas-before), not inline: on a phone the
    // map's controls step aside while a popup is open, this one too.
    const label = h('label', { class: 'areas-before leaflet-bar', title: t('areas.before.title') }, box, text);
    this.switchBox = box;
    onLangChange(() => {
      text.textContent = t('areas.before');
      label.title = t('areas.before.title');
    });
    box.addEventListener('change', async () => {
      this.asOf = box.checked ? BEFORE_REFORM : '';
      box.disabled = true;
      try {
        await this.load();
        this.refillPicker(select);
        // Only now: until the picker holds the new map's units, a refresh of
        // the unit still chosen (a retired one, going back to today) must
        // ask on the map it belongs to, or it is a 404.
        mapAsOf = this.asOf;
        select.dispatchEvent(new Event('change'));
      } finally {
        box.disabled = false;
      }
    });
    const control = L.control({ position: 'bottomleft' });
    control.onAdd = () => {
      L.DomEvent.disableClickPropagation(label);
      return label;
    };
    control.addTo(this.map);
  }

  // refillPicker lists this geography's units in the area picker, keeping
  // the choice when the unit is in it.
  refillPicker(select) {
    const keep = select.value;
    select.replaceChildren(h('option', { value: '', text: t('area.all') }));
    for (const o of this.pickerOptions()) {
      select.append(h('option', { value: o.code, text: o.label, class: o.retired ? 'area-option-retired' : '' }));
    }
    select.value = this.byCode.has(keep) ? keep : '';
  }
}

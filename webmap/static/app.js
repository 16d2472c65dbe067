// diaban map: wiring of the layers, the language, the live socket and the
// test hooks on <body> (data-ready, data-ws).

import { getJSON, postJSON, toLogin } from './api.js';
import { h, clear } from './dom.js';
import { t, lang, setLang, onLangChange, addWords } from './i18n.js';
import { parseDMY } from './format.js';
import { LiveClient } from './live.js';
import { AreaLayer } from './areas.js';
import { HotspotLayer, STATUS_COLOURS, UNKNOWN_COLOURS } from './hotspots.js';
import { VectorTiles } from './tiles.js';
import { CameraLayer, cameraPaintRules } from './cameras.js';
import { CellLayer } from './cells.js';
import { EmergingLayer } from './emerging.js';
import { IncidentLayer } from './incidents.js';
import { Feed } from './feed.js';
import { Legend } from './legend.js';
import { MetricsView } from './metrics.js';
import { Planner } from './planner.js';
import { Search } from './search.js';
import { Filters, monthBounds, statusAt } from './filters.js';
import { Timeline, monthsFrom } from './timeline.js';
import { EditTools } from './edit.js';
import { Notices } from './toasts.js';

const body = document.body;
// painted resolves once the map first shows its areas (markPaint).
let paintedResolve;
const painted = new Promise((r) => { paintedResolve = r; });
// Long tasks of the main thread, for the browser benchmark (bench/province -v).
window.diabanLongTasks = [];
if (window.PerformanceObserver && (PerformanceObserver.supportedEntryTypes || []).includes('longtask')) {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.diabanLongTasks.push([Math.round(e.startTime), Math.round(e.duration)]);
  }).observe({ type: 'longtask', buffered: true });
}
const $ = (id) => document.getElementById(id);

// ---- map and panes (lowest first) -----------------------------------------
// No initial view: the map is placed once the areas are known, so a base
// map is not first fetched for the whole country.
// A maximum zoom is needed by the clusters (and bounds a tile-less map).
const map = L.map('map', { zoomControl: false, preferCanvas: false, zoomSnap: 0.25, maxZoom: 20 });
const FALLBACK_VIEW = { center: [16.0, 106.5], zoom: 6 };
// fitPadding keeps what is fitted clear of the controls on the right
// (layers at the top, legend at the bottom) when the map is wide enough.
function fitPadding() {
  const wide = map.getSize().x >= 700;
  return { paddingTopLeft: [20, 20], paddingBottomRight: [wide ? 250 : 20, 20], animate: false };
}
function ensureView() {
  if (!map._loaded) map.setView(FALLBACK_VIEW.center, FALLBACK_VIEW.zoom);
}
const zoomCtl = L.control.zoom({ position: 'topleft' }).addTo(map);
L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(map);
map.attributionControl.setPrefix('Leaflet');

function pane(name, z) {
  map.createPane(name).style.zIndex = String(z);
  return name;
}
const P = {
  areas: pane('areasPane', 350),
  cells: pane('cellsPane', 360),
  emerging: pane('emergingPane', 365),
  incidents: pane('incidentsPane', 380),
  sectors: pane('sectorsPane', 410),
  cameras: pane('camerasPane', 440),
  // Hotspots (and their clusters) above the area labels of the tooltip
  // pane (650), so a label never hides one; popups (700) stay on top.
  hotspots: pane('hotspotsPane', 660),
};
// On a phone a popup takes the map over: the controls step aside while it
// is open (style.css), so none lies over it.
map.on('popupopen', () => map.getContainer().classList.add('has-popup'));
map.on('popupclose', () => map.getContainer().classList.remove('has-popup'));
// Area labels belong above the hexagons but should not catch the pointer.
map.getPane('tooltipPane').style.zIndex = '650';

let me = null;
// Officers and admins edit on the map (the server checks their area again).
const canEdit = () => !!me && (me.role === 'officer' || me.role === 'admin');
const edit = new EditTools(map, {
  onHotspot: (f) => {
    if (f && f.geometry) {
      hotspots.addEvent({ id: -Date.now(), hotspot_id: f.id, event: 'detected', occurred_at: new Date().toISOString() });
      hotspots.upsert(f, { flash: true, live: true });
      hotspots.focus(f.id);
    }
  },
  onCamera: () => reload(cameras),
});

const areas = new AreaLayer(map, { pane: P.areas });
const areaName = (code) => areas.name(code);
const hotspots = new HotspotLayer(map, { pane: P.hotspots, areaName, canEdit, pickPoint: (text) => edit.pick(text) });
const cameras = new CameraLayer(map, { sectorPane: P.sectors, markerPane: P.cameras, areaName, canEdit });
const legend = new Legend(map);
const planner = new Planner(map, { mount: $('planner-panel'), areas });
const cells = new CellLayer(map, {
  pane: P.cells,
  onBreaks: (bs) => legend.setBreaks(bs),
  tiled: () => !!areas.tiled,
  viewer: () => !me || me.role === 'viewer',
});

// ---- province scale: hotspots from vector tiles ------------------------------
// When the areas come as tiles (a province's communes with real
// boundaries), so do the hotspots: the markers then hold only the one
// opened, for its popup (hotspots.useTiles).
let hotspotTiles = null;
function useHotspotTiles() {
  if (hotspotTiles) return;
  const shown = (f) => hotspots._shown({ id: f.id, properties: f.props });
  const colours = (f) => STATUS_COLOURS[shown(f).status] || UNKNOWN_COLOURS;
  hotspotTiles = new VectorTiles(map, {
    name: 'hotspots',
    pane: P.hotspots,
    paintRules: [{
      dataLayer: 'hotspots',
      filter: (z, f) => shown(f).show,
      symbolizer: new window.protomapsL.CircleSymbolizer({
        radius: (z) => (z < 12 ? 3.5 : 6),
        fill: (z, f) => colours(f).fillColor,
        stroke: (z, f) => colours(f).color,
        width: 1.5,
        opacity: 0.9,
      }),
    }],
    onClick: (f) => focusHotspot(f.id),
  });
  hotspots.useTiles(hotspotTiles);
  // Shown and hidden with the hotspot layer of the layer control.
  hotspots.group.on('add', () => map.addLayer(hotspotTiles.layer));
  hotspots.group.on('remove', () => map.removeLayer(hotspotTiles.layer));
  if (map.hasLayer(hotspots.group)) map.addLayer(hotspotTiles.layer);
}

// Cameras too, at province scale: from the server's tiles, a click on one
// opens its popup.
let cameraTiles = null;
function useCameraTiles() {
  if (cameraTiles) return;
  cameraTiles = new VectorTiles(map, {
    name: 'cameras',
    pane: P.cameras,
    paintRules: cameraPaintRules(() => map.getCenter().lat),
    onClick: (f, e) => cameras.openTile(f, e.latlng),
  });
  cameras.useTiles(cameraTiles);
}

// focusHotspot opens a hotspot's popup, fetching it when the list has not
// come yet.
function focusHotspot(id) {
  if (hotspots.focus(id)) return;
  getJSON(`/api/hotspots/${encodeURIComponent(id)}`).then((f) => {
    const { events, ...props } = f.properties || {};
    if (Array.isArray(events)) hotspots.events.set(String(f.id), events);
    hotspots.upsert({ ...f, properties: props });
    hotspots.focus(f.id);
  }).catch((e) => console.warn(e));
}

// forgetTiles drops the vector tiles a live change touches (tiles.js): the
// tiles that drew the changed hotspot (where it was) and those around where
// it is, the hexagons around an incident; a bulk load drops them all.
function forgetTiles(msg) {
  const d = msg.data || {};
  const at = (f) => (f && f.geometry && Array.isArray(f.geometry.coordinates) ? [f.geometry.coordinates] : []);
  if ((msg.type === 'hotspot' || msg.type === 'event') && hotspotTiles) {
    if (msg.op === 'bulk') hotspotTiles.dropAll();
    else {
      const id = d.hotspot ? d.hotspot.id : msg.type === 'hotspot' ? msg.id : d.event && d.event.hotspot_id;
      if (id === undefined || id === null) hotspotTiles.dropAll();
      else hotspotTiles.forget({ ids: [id], points: at(d.hotspot) });
    }
  }
  if (msg.type === 'camera' && cameraTiles) {
    const id = d.camera ? d.camera.id : msg.id;
    if (msg.op === 'bulk' || id === undefined || id === null) cameraTiles.dropAll();
    else cameraTiles.forget({ ids: [id], points: at(d.camera) });
  }
  if (msg.type === 'incident' && cells.tiles) {
    const points = at(d.incident);
    if (msg.op === 'bulk' || !points.length) cells.tiles.dropAll();
    else cells.tiles.forget({ points });
  }
}
const emerging = new EmergingLayer(map, { pane: P.emerging, area: () => areaSelect.value || areas.pickerOptions()[0]?.code });
const incidents = new IncidentLayer(map, {
  pane: P.incidents,
  areaName,
  period: () => ({ from: cells.params.from, to: cells.params.to, kind: cells.params.kind }),
});
const feed = new Feed($('feed'), $('feed-empty'), {
  areaName,
  lookupRef: (id) => hotspots.get(id)?.properties?.ref || '',
  previous: (id) => hotspots.get(id),
  onHotspot: (id) => focusHotspot(id),
});

for (const l of [areas, cells, cameras, hotspots]) map.addLayer(l.layer);
const metricsView = new MetricsView(map, { panel: $('metrics-panel'), committeeEl: $('committee'), areas, onError: (e) => console.warn('metrics', e) });

// ---- base map and layer control -------------------------------------------
let baseLayer = null; // a tile layer when the server names one
let blankLayer = L.layerGroup(); // "no tiles": the container's grey shows
let layerCtl = null;

function buildLayerControl() {
  if (layerCtl) layerCtl.remove();
  const bases = {};
  if (baseLayer) bases[t('layer.base')] = baseLayer;
  bases[t('layer.blank')] = blankLayer;
  // Only the layers the role receives: the committee gets aggregates, no
  // points; single incidents are for officers and admins.
  const role = me ? me.role : 'viewer';
  const overlays = {
    [t('layer.areas')]: areas.layer,
    [t('layer.cells')]: cells.layer,
    [t('layer.emerging')]: emerging.layer,
  };
  if (role === 'officer' || role === 'admin') overlays[t('layer.incidents')] = incidents.layer;
  if (role !== 'viewer') {
    overlays[t('layer.cameras')] = cameras.layer;
    overlays[t('layer.hotspots')] = hotspots.layer;
  }
  layerCtl = L.control.layers(bases, overlays, { position: 'topright', collapsed: window.matchMedia('(max-width: 900px)').matches });
  layerCtl.addTo(map);
}

function applyConfig(cfg) {
  if (cfg && cfg.basemap_pmtiles && window.protomapsL) {
    // The offline base map: a PMTiles archive on this server, read by byte
    // ranges and drawn in the browser (protomaps-leaflet), labels in the
    // page's language where the data has them.
    baseLayer = window.protomapsL.leafletLayer({
      url: cfg.basemap_pmtiles,
      flavor: 'light',
      lang: lang() === 'en' ? 'en' : 'vi',
      attribution: cfg.basemap_attribution || '© OpenStreetMap',
      maxZoom: 20,
    });
    baseLayer.on('add', () => map.getContainer().classList.add('has-basemap'));
    map.addLayer(baseLayer);
    body.setAttribute('data-basemap', 'pmtiles');
  } else if (cfg && typeof cfg.basemap_url === 'string' && cfg.basemap_url) {
    baseLayer = L.tileLayer(cfg.basemap_url, {
      attribution: cfg.basemap_attribution || '',
      maxZoom: 20,
      maxNativeZoom: 19,
      crossOrigin: false,
    });
    map.addLayer(baseLayer);
  } else {
    map.addLayer(blankLayer);
    if (cfg && cfg.basemap_attribution) map.attributionControl.addAttribution(cfg.basemap_attribution);
  }
  if (cfg && cfg.version) body.setAttribute('data-version', cfg.version);
  buildLayerControl();
}

// ---- language -------------------------------------------------------------
function applyLanguage() {
  const l = lang();
  document.documentElement.lang = l;
  document.title = t('app.title');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  const btn = $('lang-toggle');
  btn.textContent = t('lang.toggle');
  btn.setAttribute('aria-label', t('lang.toggleLabel'));
  btn.setAttribute('title', t('lang.toggleLabel'));
  $('map').setAttribute('aria-label', l === 'vi' ? 'Bản đồ' : 'Map');
  const zin = zoomCtl.getContainer().querySelector('.leaflet-control-zoom-in');
  const zout = zoomCtl.getContainer().querySelector('.leaflet-control-zoom-out');
  if (zin) zin.title = zin.ariaLabel = l === 'vi' ? 'Phóng to' : 'Zoom in';
  if (zout) zout.title = zout.ariaLabel = l === 'vi' ? 'Thu nhỏ' : 'Zoom out';
  setWsState(body.dataset.ws || 'closed', true);
  fillAreaPicker();
  search.relabel();
  filters.render();
  timeline.render();
  edit.render();
  notices.render();
  showShown();
}

$('lang-toggle').addEventListener('click', () => setLang(lang() === 'vi' ? 'en' : 'vi'));
onLangChange(() => {
  applyLanguage();
  if (layerCtl) buildLayerControl();
  legend.render();
  emerging.render();
  feed.rerender();
  metricsView.rerender();
});

// ---- area picker ----------------------------------------------------------
const areaSelect = $('area-select');
function fillAreaPicker() {
  const keep = areaSelect.value;
  clear(areaSelect);
  areaSelect.append(h('option', { value: '', text: t('area.all') }));
  for (const o of areas.pickerOptions()) areaSelect.append(h('option', { value: o.code, text: o.label }));
  areaSelect.value = keep;
}
areaSelect.addEventListener('change', () => {
  const b = areas.bounds(areaSelect.value || null);
  if (b && b.isValid()) map.fitBounds(b, { ...fitPadding(), animate: true });
  emerging.reloadSoon(0);
  metricsView.select(areaSelect.value);
  syncURL();
});

// ---- search, filters, replay, and the address that shares them -------------
function pickArea(code) {
  if (![...areaSelect.options].some((o) => o.value === code)) return;
  areaSelect.value = code;
  areaSelect.dispatchEvent(new Event('change'));
}
const search = new Search($('search-panel'), {
  hotspots: () => hotspots.features(),
  areas: () => areas.features().map((f) => f.properties),
  areaName,
  onHotspot: (id) => hotspots.focus(id),
  onArea: pickArea,
  onQuery: () => syncURL(),
});

const filters = new Filters($('filter-fields'), {
  events: (id) => hotspots.events.get(String(id)),
  onChange: (s) => applyFilters(s),
});
hotspots.view = (f) => filters.viewOf(f);

const lastDay = (ym) => {
  const [, end] = monthBounds(ym);
  return new Date(end + 7 * 3600e3).toISOString().slice(0, 10);
};

function showShown() {
  const el = $('filter-shown');
  if (!el) return;
  el.textContent = me && me.role !== 'viewer' ? t('filter.shown', { n: hotspots.shownCount(), total: hotspots.markers.size }) : '';
}

// applyFilters: the hexagons and incidents follow the incident kind and the
// period (the replayed month over the typed dates), the hotspots the view.
function applyFilters(s) {
  cells.params.kind = s.ikind;
  if (s.month) {
    cells.params.from = `${s.month}-01`;
    cells.params.to = lastDay(s.month);
  } else {
    cells.params.from = s.from;
    cells.params.to = s.to;
  }
  cells.load().catch(showError);
  incidents.reloadSoon(0, true);
  hotspots.applyView();
  showShown();
  if (timeline.month !== s.month) timeline.set(s.month, { silent: true });
  else timeline.render();
  syncURL();
}

function firstEventTime() {
  let first = Infinity;
  for (const evs of hotspots.events.values()) {
    if (evs.length) first = Math.min(first, Date.parse(evs[0].occurred_at));
  }
  return first;
}
const timeline = new Timeline($('timeline-panel'), {
  months: () => {
    const first = firstEventTime();
    return Number.isFinite(first) ? monthsFrom(first, Date.now()) : [];
  },
  onMonth: (ym) => filters.set({ month: ym }),
  summary: (ym) => {
    const [start, end] = monthBounds(ym);
    let active = 0;
    let changes = 0;
    for (const m of hotspots.markers.values()) {
      const evs = hotspots.events.get(String(m.feature.id)) || [];
      if (statusAt(evs, end) === 'active') active++;
      for (const e of evs) {
        const x = Date.parse(e.occurred_at);
        if (x >= start && x <= end) changes++;
      }
    }
    return { active, changes };
  },
});

const isoToDMY = (d) => (d ? `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}` : '');

// syncURL keeps the address in step with what is shown (no history entry
// per keystroke: the address is replaced).
let urlReady = false;
function syncURL() {
  if (!urlReady) return;
  const p = new URLSearchParams(location.search);
  filters.toURL(p);
  const q = search.input.value.trim();
  if (q) p.set('q', q);
  else p.delete('q');
  if (areaSelect.value && areaSelect.value !== (me && me.scope)) p.set('area', areaSelect.value);
  else p.delete('area');
  const qs = p.toString();
  history.replaceState(history.state, '', qs ? `${location.pathname}?${qs}` : location.pathname);
}

// fromURL applies a shared address once the data is in.
function fromURL() {
  const p = new URLSearchParams(location.search);
  filters.fromURL(p);
  $('cells-from').value = isoToDMY(filters.state.from);
  $('cells-to').value = isoToDMY(filters.state.to);
  const area = p.get('area');
  if (area && areas.byCode.has(area)) {
    areaSelect.value = area;
    const b = areas.bounds(area);
    if (b && b.isValid()) map.fitBounds(b, fitPadding());
    metricsView.select(area);
  }
  if (p.get('q')) search.set(p.get('q'));
  urlReady = true;
  applyFilters(filters.state);
}

// ownBounds is the extent a user works in: the communes under their area
// (a province's own outline would show mostly empty land), or the area.
function ownBounds(scope) {
  const under = (code) => {
    for (let c = code, i = 0; c && i < 8; i++) {
      if (c === scope) return true;
      c = areas.byCode.get(c)?.properties?.parent_code;
    }
    return false;
  };
  let b = null;
  for (const f of areas.features()) {
    const p = f.properties || {};
    if (p.level !== 'commune' || !under(p.code)) continue;
    const lb = areas.bounds(p.code);
    if (!lb || !lb.isValid()) continue;
    b = b ? b.extend(lb) : L.latLngBounds(lb.getSouthWest(), lb.getNorthEast());
  }
  return b || areas.bounds(scope);
}

// ---- notices ------------------------------------------------------------------
const notices = new Notices({ bell: $('notice-bell'), tray: $('notice-tray'), areaName, onHotspot: (id) => hotspots.focus(id) });

// ---- cell period form -----------------------------------------------------
// Dates are typed as dd/mm/yyyy (a native date input would follow the
// browser's locale, often mm/dd/yyyy) and sent as yyyy-mm-dd.
$('cells-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const err = $('cells-error');
  const bad = [];
  const from = parseDMY($('cells-from').value);
  const to = parseDMY($('cells-to').value);
  $('cells-from').setAttribute('aria-invalid', String(from === null));
  $('cells-to').setAttribute('aria-invalid', String(to === null));
  if (from === null) bad.push(t('cells.from'));
  if (to === null) bad.push(t('cells.to'));
  if (!bad.length && from && to && from > to) bad.push(t('cells.order'));
  if (bad.length) {
    err.textContent = t('cells.invalid', { fields: bad.join(', ') });
    err.hidden = false;
    return;
  }
  err.hidden = true;
  filters.set({ from, to, month: '' });
});

// ---- banner ---------------------------------------------------------------
let retryFn = null;
function showError(err, retry) {
  const banner = $('banner');
  clear(banner);
  const msg = err && err.status === 0 ? t('error.network') : (err && err.message) || String(err);
  banner.append(h('span', { text: t('error.load', { msg }) }));
  retryFn = retry || null;
  if (retryFn) {
    banner.append(' ', h('button', {
      type: 'button',
      text: t('error.retry'),
      on: { click: () => { banner.hidden = true; retryFn(); } },
    }));
  }
  banner.hidden = false;
  console.error(err);
}

// ---- websocket ------------------------------------------------------------
function setWsState(state, force = false) {
  if (!force && body.dataset.ws === state) return;
  body.setAttribute('data-ws', state);
  const el = $('ws-status');
  el.textContent = t(state === 'open' ? 'ws.open' : 'ws.closed');
  el.classList.toggle('ws-open', state === 'open');
  el.classList.toggle('ws-closed', state !== 'open');
}

let gotHello = false;
let helloResolve;
const hello = new Promise((r) => { helloResolve = r; });
let initialLoaded = false;
const pending = []; // changes that arrived before the first load finished

function reloadAll() {
  for (const vt of [areas.tiles, hotspotTiles, cameraTiles, cells.tiles]) if (vt) vt.dropAll();
  return Promise.allSettled([
    areas.load().then(fillAreaPicker),
    hotspots.load(),
    cameras.load(),
    cells.load(),
    incidents.load(true),
  ]).then((rs) => {
    const bad = rs.find((r) => r.status === 'rejected');
    if (bad) showError(bad.reason, reloadAll);
  });
}

// reload debounces: a burst of messages for one layer costs one request.
const reloadTimers = new Map();
function reload(what, after) {
  clearTimeout(reloadTimers.get(what));
  reloadTimers.set(what, setTimeout(() => {
    what.load().then(after).catch((e) => console.warn('reload failed', e));
  }, 250));
}

function handleChange(msg) {
  if (msg.type === 'coverage') return planner.onCoverage(msg); // derived figures, not a feed line
  if (msg.type === 'emerging') return emerging.reloadSoon(); // derived: a reload, not a feed line
  if (msg.type === 'metrics') return metricsView.onMessage(msg);
  if (msg.type === 'report') return metricsView.onReport(msg); // a unit's monthly reports stored
  const d = msg.data || {};
  forgetTiles(msg);
  notices.onMessage(msg);
  if (msg.type === 'event' && d.event) hotspots.addEvent(d.event);
  // The feed line first: it reads the ref of a hotspot about to be removed.
  feed.add(msg);
  switch (msg.type) {
    case 'hotspot':
    case 'event':
      if (msg.op === 'bulk') {
        reload(hotspots);
      } else if (msg.op === 'delete' && msg.type === 'hotspot') {
        hotspots.remove(msg.id);
      } else if (d.hotspot) {
        hotspots.upsert(d.hotspot, { flash: true, live: true });
      } else if (msg.id !== undefined) {
        // No body: fetch the one hotspot.
        getJSON(`/api/hotspots/${encodeURIComponent(msg.id)}`).then((f) => {
          const { events, ...props } = f.properties || {};
          hotspots.upsert({ ...f, properties: props }, { flash: true, live: true });
        }).catch((e) => console.warn(e));
      }
      break;
    case 'camera':
      reload(cameras);
      break;
    case 'incident':
      cells.reloadSoon();
      incidents.reloadSoon(1500, true);
      break;
    case 'area':
      reload(areas, fillAreaPicker);
      break;
    default:
      break;
  }
}

const live = new LiveClient({
  onState: (s) => setWsState(s),
  onHello: () => {
    if (!gotHello) {
      gotHello = true;
      helloResolve();
    }
  },
  onResync: () => {
    if (initialLoaded) reloadAll();
  },
  onChange: (msg) => {
    if (!initialLoaded) pending.push(msg);
    else handleChange(msg);
  },
});

// ---- session -----------------------------------------------------------------
addWords({
  vi: { 'auth.logout': 'Đăng xuất', 'auth.role.admin': 'quản trị', 'auth.role.officer': 'cán bộ', 'auth.role.planner': 'quy hoạch camera', 'auth.role.viewer': 'ban chỉ đạo' },
  en: { 'auth.logout': 'Log out', 'auth.role.admin': 'admin', 'auth.role.officer': 'officer', 'auth.role.planner': 'planner', 'auth.role.viewer': 'committee' },
});
function showWho() {
  // The user's area by its name once the areas are loaded (its code until then).
  if (me) $('whoami').textContent = `${me.name} (${t(`auth.role.${me.role}`)}${me.scope ? ` · ${areas.name(me.scope) || me.scope}` : ''})`;
}
onLangChange(showWho);
$('logout').addEventListener('click', async () => {
  try {
    await postJSON('/api/logout', {});
  } catch (err) {
    console.warn('logout', err);
  }
  toLogin();
});

// ---- start ----------------------------------------------------------------
// placeMap puts the map on the user's own area once the areas are known and
// starts what depends on the first paint (a ward officer opens on the
// ward). At province scale its boundary tiles are asked for at once.
function placeMap() {
  // The hexagons once the areas say whether the map is at province scale.
  // At province scale nothing but the boundaries is asked for or drawn
  // until they are on screen: the hexagons, the hotspots' tiles and list,
  // the filters of the address and the metrics' shading all wait for the
  // first paint (they would take the server's cores, the browser's six
  // connections and the page's one thread from the boundaries).
  const loadCells = () => cells.load().catch((e) => console.warn('cells', e));
  if (areas.tiled) painted.then(loadCells);
  else loadCells();
  if (areas.tiled && me.role !== 'viewer') painted.then(() => {
    useHotspotTiles();
    useCameraTiles();
  });
  markPaint();
  fillAreaPicker();
  const own = me.scope ? ownBounds(me.scope) : null;
  if (own && own.isValid() && [...areaSelect.options].some((o) => o.value === me.scope)) areaSelect.value = me.scope;
  const b = own && own.isValid() ? own : areas.bounds();
  if (b && b.isValid()) map.fitBounds(b, fitPadding());
}

async function start() {
  try {
    me = await getJSON('/api/me');
  } catch {
    return; // 401: on the way to the login screen
  }
  body.dataset.role = me.role;
  metricsView.scope = me.scope || '';
  setWsState('closed', true);
  // The socket first, so no change made while the layers load is lost.
  live.start();

  // The areas first (they decide whether the map is at province scale and
  // where it opens; early.js asked for them and for the user while the
  // scripts loaded): the map is placed, and its boundaries asked for,
  // before the rest of the page is set up.
  const areasLoaded = areas.load();
  areasLoaded.catch(() => {}); // awaited below
  const cfgLoaded = getJSON('/api/config').catch((err) => {
    console.warn('config', err);
    return {};
  });
  let placed = false;
  try {
    await areasLoaded;
    placeMap();
    placed = true;
  } catch {
    // said below, once the page is set up
  }
  showWho();
  notices.setUser(me.name);
  if (canEdit()) edit.addTo(map);
  applyLanguage();
  applyConfig(await cfgLoaded);

  try {
    await areasLoaded;
    if (!placed) placeMap();
    showWho();
    fillAreaPicker();
    // A committee viewer sees aggregates only: no hotspot or camera points.
    // At province scale the tiles draw them: their list (for search,
    // filters and the replay) comes once the map is drawn.
    if (areas.tiled) await painted;
    if (me.role !== 'viewer') await Promise.all([hotspots.load(), cameras.load()]);
    fromURL();
    if (!map._loaded) {
      const hb = hotspots.bounds();
      if (hb && hb.isValid()) map.fitBounds(hb, { ...fitPadding(), maxZoom: 16 });
    }
    ensureView();
  } catch (err) {
    ensureView();
    showError(err, () => location.reload());
    return;
  }
  initialLoaded = true;
  metricsView.load().catch((e) => console.warn('metrics', e));
  for (const msg of pending.splice(0)) handleChange(msg);
  await hello;
  body.setAttribute('data-ready', 'true');
}

start();

// markPaint notes when the map first showed the areas (the browser
// benchmark's first useful paint, bench/province): at once from GeoJSON,
// once the first tiles are drawn from vector tiles.
function markPaint() {
  const mark = () => {
    if (!body.dataset.paintMs) body.dataset.paintMs = String(Math.round(performance.now()));
    paintedResolve();
  };
  if (areas.tiled && areas.tiles) {
    areas.tiles.layer.once('load', mark);
    setTimeout(mark, 4000); // a tile that failed must not hold the rest back
  }
  else mark();
}

// For debugging in a console; not an API.
window.diaban = {
  get tiles() {
    return { areas: areas.tiles, hotspots: hotspotTiles, cameras: cameraTiles, cells: cells.tiles };
  }, map, areas, hotspots, cameras, cells, emerging, incidents, feed, live, search, filters, timeline, edit, notices };

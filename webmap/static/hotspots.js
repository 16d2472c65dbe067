// Hotspot layer: one SVG circle marker per hotspot, coloured by status,
// updated in place by live messages, gathered into clusters where they
// would overlap at low zoom (leaflet.markercluster; none from zoom 15 on).
// A view function may hide hotspots (filters) or show another status (the
// replay of a past month). Test hooks: each marker's element has
// data-hotspot-id and data-status (kept current on every change and re-set
// whenever Leaflet re-creates the element); a cluster's has data-count.

import { getJSON, postJSON, patchJSON } from './api.js';
import { h, clear } from './dom.js';
import { t, tOr, onLangChange, addWords } from './i18n.js';

addWords({
  vi: {
    'form.chooseEvent': '— Chọn sự kiện —',
    'form.needEvent': 'Chọn sự kiện cần ghi nhận.',
    'form.confirm': 'Ghi nhận «{event}» cho tụ điểm {ref} lúc {when}?',
    'form.confirmYes': 'Xác nhận',
    'form.confirmNo': 'Quay lại',
    'hsedit.title': 'Sửa tụ điểm',
    'hsedit.rename': 'Đổi tên',
    'hsedit.move': 'Di chuyển trên bản đồ',
    'hsedit.moved': 'Đã chuyển tụ điểm đến vị trí mới.',
    'hsedit.renamed': 'Đã đổi tên.',
    'hsedit.pickMove': 'Bấm vào bản đồ tại vị trí mới của tụ điểm {ref}.',
    'cluster.label': '{n} tụ điểm ở gần nhau; bấm để phóng to',
  },
  en: {
    'form.chooseEvent': '— Choose an event —',
    'form.needEvent': 'Choose the event to record.',
    'form.confirm': 'Record “{event}” for hotspot {ref} at {when}?',
    'form.confirmYes': 'Confirm',
    'form.confirmNo': 'Back',
    'hsedit.title': 'Edit hotspot',
    'hsedit.rename': 'Rename',
    'hsedit.move': 'Move on the map',
    'hsedit.moved': 'Hotspot moved to its new place.',
    'hsedit.renamed': 'Renamed.',
    'hsedit.pickMove': 'Click the map at the new place of hotspot {ref}.',
    'cluster.label': '{n} hotspots close together; click to zoom in',
  },
});
import { fmtDate, fmtTime, fmtDateTime, parseDMYHM } from './format.js';

addWords({
  vi: { 'form.occurredAtFormat': 'Ngày giờ theo dạng dd/mm/yyyy HH:mm (24 giờ, giờ Việt Nam).', 'form.badTime': 'Thời điểm không hợp lệ: nhập dd/mm/yyyy HH:mm, ví dụ 30/11/2026 07:46.' },
  en: { 'form.occurredAtFormat': 'Date and time as dd/mm/yyyy HH:mm (24 h, Vietnam time).', 'form.badTime': 'Not a valid time: type dd/mm/yyyy HH:mm, e.g. 30/11/2026 07:46.' },
});

// The time is typed as dd/mm/yyyy HH:mm in a text field: a native
// datetime-local control follows the browser's locale (11/30/2026, 07:46 AM).
function hintFor(value) {
  return parseDMYHM(value) ? '' : t('form.occurredAtFormat');
}

export const STATUS_COLOURS = {
  active: { color: '#7f0000', fillColor: '#e31a1c' },
  eliminated: { color: '#00441b', fillColor: '#31a354' },
};
export const UNKNOWN_COLOURS = { color: '#444', fillColor: '#999' }; // status unknown: no detected event yet

// Events a user may record from the popup, in the order offered; none is
// chosen beforehand, and the two that change the status ask to be confirmed.
const FORM_EVENTS = ['eliminated', 'recurred', 'detected', 'note'];
const CONFIRM_EVENTS = new Set(['eliminated', 'recurred']);

// clusterIcon draws a cluster as a disc with its count, red when any of its
// hotspots is active.
function clusterIcon(cluster) {
  const children = cluster.getAllChildMarkers();
  const active = children.some((m) => m.options.shownStatus === 'active');
  const n = cluster.getChildCount();
  const size = n < 10 ? 28 : n < 100 ? 34 : 40;
  const icon = L.divIcon({
    html: `<span>${Number(n)}</span>`,
    className: `hs-cluster ${active ? 'hs-cluster-active' : 'hs-cluster-quiet'}`,
    iconSize: [size, size],
  });
  return icon;
}

export class HotspotLayer {
  // canEdit() says whether the user may rename and move hotspots;
  // pickPoint(text) waits for a click on the map (EditTools.pick).
  constructor(map, { pane, areaName, canEdit, pickPoint }) {
    this.map = map;
    this.areaName = areaName || ((c) => c);
    this.canEdit = canEdit || (() => false);
    this.pickPoint = pickPoint || (() => Promise.resolve(null));
    this.renderer = L.svg({ pane, padding: 0.5 });
    this.view = null; // feature -> {show, status}; null shows all as they are
    this.group = L.markerClusterGroup({
      clusterPane: pane,
      maxClusterRadius: 28,
      disableClusteringAtZoom: 15,
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
      iconCreateFunction: clusterIcon,
    });
    this.group.on('animationend', () => this._tagClusters());
    map.on('zoomend moveend', () => setTimeout(() => this._tagClusters(), 0));
    this.markers = new Map(); // id -> L.CircleMarker
    this.events = new Map(); // id -> lifecycle events, oldest first (the replay's)
    this.liveTouched = new Map(); // id -> time of last live update
    // id -> an event form left unfinished when its popup closed, with the
    // time: the popup opened again on the same hotspot (by the officer, or
    // by the map re-adding its marker) takes it up where it was.
    this.drafts = new Map();
    this.openId = null;
    this.openView = null;
    // tiles, when set, draws the hotspots (VectorTiles): the group then
    // holds only the markers opened (focus), for their popups.
    this.tiles = null;
    onLangChange(() => this._relabel());
  }

  // useTiles hands the drawing to vector tiles (a province's thousands).
  useTiles(tiles) {
    this.tiles = tiles;
    const drop = [...this.markers.values()].filter((m) => this.group.hasLayer(m) && !m._forced);
    if (drop.length) this.group.removeLayers(drop);
  }

  // _wanted: whether a marker belongs in the group.
  _wanted(m, show) {
    return this.tiles ? !!m._forced : show;
  }

  get layer() {
    return this.group;
  }

  // load replaces the set with the server's; markers that stay keep their
  // elements, so a test (or a user) holding one is not disturbed.
  async load() {
    const started = Date.now();
    const fc = await getJSON('/api/hotspots?events=1');
    const seen = new Set();
    for (const raw of fc.features || []) {
      if (raw.id === undefined || raw.id === null) continue;
      const { events, ...props } = raw.properties || {};
      const f = { ...raw, properties: props };
      this.events.set(String(f.id), Array.isArray(events) ? events : []);
      seen.add(String(f.id));
      const touched = this.liveTouched.get(String(f.id));
      if (touched && touched > started && this.markers.has(String(f.id))) continue;
      this.upsert(f, { flash: false });
    }
    for (const id of [...this.markers.keys()]) {
      const touched = this.liveTouched.get(id);
      if (!seen.has(id) && !(touched && touched > started)) this.remove(id);
    }
  }

  bounds() {
    return this.group.getLayers().length ? this.group.getBounds() : null;
  }

  // addEvent keeps a live event for the replay (once, in time order).
  addEvent(e) {
    if (!e || e.hotspot_id === undefined) return;
    const id = String(e.hotspot_id);
    const list = this.events.get(id) || [];
    if (list.some((x) => x.id === e.id)) return;
    list.push(e);
    list.sort((a, b) => Date.parse(a.occurred_at) - Date.parse(b.occurred_at) || a.id - b.id);
    this.events.set(id, list);
  }

  // features lists every hotspot held, shown or not.
  features() {
    return [...this.markers.values()].map((m) => m.feature);
  }

  _shown(feature) {
    const v = this.view ? this.view(feature) : null;
    return v || { show: true, status: feature.properties?.status };
  }

  // setView sets the view function and redraws every marker by it.
  setView(fn) {
    this.view = fn;
    this.applyView();
  }

  applyView() {
    const add = [];
    const remove = [];
    for (const m of this.markers.values()) {
      const v = this._shown(m.feature);
      this._style(m, v.status);
      const on = this.group.hasLayer(m);
      const want = this._wanted(m, v.show);
      if (want && !on) add.push(m);
      else if (!want && on && !m._forced) remove.push(m);
    }
    if (this.tiles) this.tiles.repaint();
    if (remove.length) this.group.removeLayers(remove);
    if (add.length) this.group.addLayers(add);
    this.group.refreshClusters();
    this._tagClusters();
  }

  // shownCount is how many hotspots the view shows.
  shownCount() {
    let n = 0;
    for (const m of this.markers.values()) if (this._shown(m.feature).show) n++;
    return n;
  }

  _style(m, status) {
    m.options.shownStatus = status;
    m.setStyle(STATUS_COLOURS[status] || UNKNOWN_COLOURS);
    this._tag(m);
  }

  _tagClusters() {
    const pane = this.map.getPane(this.group.options.clusterPane);
    if (!pane) return;
    for (const el of pane.querySelectorAll('.hs-cluster')) {
      const n = el.textContent.trim();
      el.setAttribute('data-count', n);
      el.setAttribute('role', 'button');
      el.setAttribute('aria-label', t('cluster.label', { n }));
      el.title = t('cluster.label', { n });
    }
  }

  get(id) {
    const m = this.markers.get(String(id));
    return m ? m.feature : null;
  }

  upsert(feature, { flash = false, live = false, refresh = true } = {}) {
    if (!feature || feature.id === undefined || feature.id === null || !feature.geometry) return;
    const id = String(feature.id);
    const [lng, lat] = feature.geometry.coordinates;
    const shown = this._shown(feature);
    const style = STATUS_COLOURS[shown.status] || UNKNOWN_COLOURS;
    let m = this.markers.get(id);
    if (!m) {
      m = L.circleMarker([lat, lng], {
        renderer: this.renderer,
        radius: 7,
        weight: 2,
        opacity: 1,
        fillOpacity: 0.85,
        className: 'hotspot-marker',
        shownStatus: shown.status,
        ...style,
      });
      m.feature = feature;
      m.on('add', () => this._tag(m));
      m.bindTooltip(() => this._tooltip(m), { direction: 'top', offset: [0, -6] });
      m.bindPopup(h('div', { class: 'hs-popup' }), { maxWidth: 340, minWidth: 260, autoPanPadding: [20, 20] });
      m.on('popupopen', () => {
        // Never taller than the map: the rest scrolls inside the popup.
        m.getPopup().options.maxHeight = Math.max(200, this.map.getSize().y - 40);
        // A new view each time it opens, so the history is always fresh.
        this.openId = id;
        this.openView = new HotspotPopup(this, m);
        m.getPopup().setContent(this.openView.el);
      });
      m.on('popupclose', () => {
        if (this.openId === id) {
          const f = this.openView && this.openView.form;
          if (f && !f.sending && (f.event || f.note || f.confirming)) this.drafts.set(id, { form: f, at: Date.now() });
          else this.drafts.delete(id);
          this.openId = null;
          this.openView = null;
        }
        // A marker put on the map only for its popup (focus: the tiles draw
        // the hotspots, or a filter hides it) goes with the popup; after
        // the close has finished, and unless it opened again.
        if (m._forced) {
          setTimeout(() => {
            if (!m._forced || m.isPopupOpen()) return;
            m._forced = false;
            if (!this._wanted(m, this._shown(m.feature).show) && this.group.hasLayer(m)) this.group.removeLayer(m);
          }, 0);
        }
      });
      this.markers.set(id, m);
      if (this._wanted(m, shown.show)) this.group.addLayer(m);
    } else {
      m.feature = feature;
      const ll = m.getLatLng();
      const on = this.group.hasLayer(m);
      if (ll.lat !== lat || ll.lng !== lng) {
        // A marker moves between clusters only when taken out and put back.
        if (on) this.group.removeLayer(m);
        m.setLatLng([lat, lng]);
        if (on) this.group.addLayer(m);
      }
      this._style(m, shown.status);
      const want = this._wanted(m, shown.show);
      if (want && !this.group.hasLayer(m)) this.group.addLayer(m);
      else if (!want && this.group.hasLayer(m) && !m._forced) this.group.removeLayer(m);
      // As a list: the cluster group takes a lone marker only if it is an
      // L.Marker, and these are circle markers (else it walks the
      // marker's own fields and throws).
      else if (this.group.hasLayer(m)) this.group.refreshClusters([m]);
      if (m.isTooltipOpen()) m.getTooltip().update();
    }
    if (live) this.liveTouched.set(id, Date.now());
    if (flash) this.flash(id);
    if (refresh && this.openId === id && this.openView) this.openView.refresh();
  }

  remove(id) {
    id = String(id);
    const m = this.markers.get(id);
    if (!m) return;
    this.group.removeLayer(m);
    this.markers.delete(id);
    this.liveTouched.delete(id);
  }

  flash(id) {
    const m = this.markers.get(String(id));
    const el = m && m.getElement();
    if (!el) return;
    el.classList.remove('hotspot-flash');
    // Restart the animation if it is already running.
    void el.getBoundingClientRect();
    el.classList.add('hotspot-flash');
    clearTimeout(m._flashTimer);
    m._flashTimer = setTimeout(() => {
      const e = m.getElement();
      if (e) e.classList.remove('hotspot-flash');
    }, 2600);
    if (m.bringToFront && this.map.hasLayer(m)) m.bringToFront();
  }

  // focus zooms to a hotspot (out of its cluster, shown even if the
  // filters hide it) and opens its popup.
  focus(id) {
    const m = this.markers.get(String(id));
    if (!m) return false;
    if (!this.map.hasLayer(this.group)) this.map.addLayer(this.group);
    if (!this.group.hasLayer(m)) {
      m._forced = true;
      this.group.addLayer(m);
    }
    // From zoom 15 on nothing is clustered; the group may take a moment
    // to put the marker on the map after the zoom.
    this.map.setView(m.getLatLng(), Math.max(this.map.getZoom(), 16), { animate: false });
    const started = Date.now();
    const open = () => {
      if (this.map.hasLayer(m)) m.openPopup();
      else if (Date.now() - started < 2000) setTimeout(open, 50);
    };
    open();
    return true;
  }

  _tag(m) {
    const el = m.getElement();
    if (!el) return;
    el.setAttribute('data-hotspot-id', String(m.feature.id));
    el.setAttribute('data-status', m.options.shownStatus || m.feature.properties?.status || '');
    el.setAttribute('role', 'button');
    el.setAttribute('aria-label', `${t('hotspot')} ${m.feature.properties?.ref || m.feature.id}`);
  }

  _tooltip(m) {
    const p = m.feature.properties || {};
    return h('span', {}, h('strong', { text: p.ref || `#${m.feature.id}` }), p.name ? ` — ${p.name}` : '',
      h('br'), tOr('status.', p.status));
  }

  _relabel() {
    for (const m of this.markers.values()) this._tag(m);
    if (this.openView) this.openView.renderAll();
  }
}

// HotspotPopup: details, history (fetched each time it opens) and the form
// to record an event. The three parts are drawn separately so that a history
// arriving, or a live change, never disturbs what the user is typing.
// DRAFT_KEEP_MS is how long an unfinished event form outlives its popup.
const DRAFT_KEEP_MS = 60000;

class HotspotPopup {
  constructor(layer, marker) {
    this.layer = layer;
    this.marker = marker;
    this.id = String(marker.feature.id);
    this.events = null;
    this.loadError = '';
    const offeredAt = fmtDateTime(new Date());
    this.form = { event: null, occurredAt: offeredAt, offeredAt, note: '', error: '', field: '', sending: false, saved: false, confirming: false };
    // An unfinished form of this hotspot, closed less than a minute ago:
    // the event chosen, the note, a confirmation still to answer.
    const draft = layer.drafts.get(this.id);
    layer.drafts.delete(this.id);
    if (draft && Date.now() - draft.at < DRAFT_KEEP_MS) this.form = draft.form;
    this.edit = { name: null, error: '', saved: '', sending: false };
    this.headEl = h('div', { class: 'hs-head' });
    this.historyEl = h('div', { class: 'hs-history-wrap' });
    this.formEl = h('div', { class: 'hs-form-wrap' });
    this.editEl = h('div', { class: 'hs-edit-wrap' });
    this.el = h('div', { class: 'hs-popup', 'data-popup-hotspot-id': this.id }, this.headEl, this.historyEl, this.formEl, this.editEl);
    this.renderAll();
    this.fetchHistory();
  }

  renderAll() {
    this.renderHead();
    this.renderHistory();
    this.renderForm();
    this.renderEdit();
  }

  // renderEdit: rename, and move by a click on the map (officers, admins).
  renderEdit() {
    clear(this.editEl);
    if (!this.layer.canEdit()) return;
    const p = this.marker.feature.properties || {};
    const e = this.edit;
    const uid = `hse${this.id}`;
    const form = h('form', {
      class: 'hs-edit', novalidate: true,
      on: {
        submit: async (ev) => {
          ev.preventDefault();
          const name = form.elements.name.value.trim();
          await this._patch({ name }, t('hsedit.renamed'));
        },
        input: () => { e.name = form.elements.name.value; },
      },
    },
    h('label', { for: `${uid}-name`, text: t('hotspot.name') }),
    h('input', { id: `${uid}-name`, name: 'name', maxlength: 200, value: e.name ?? p.name ?? '', 'aria-invalid': e.error ? 'true' : null }),
    h('div', { class: 'hs-form-actions' },
      h('button', { type: 'submit', class: 'hs-rename', disabled: e.sending, text: t('hsedit.rename') }),
      h('button', { type: 'button', class: 'hs-move', disabled: e.sending, text: t('hsedit.move'), on: { click: () => this._move() } })),
    e.saved ? h('p', { class: 'ok', role: 'status', text: e.saved }) : '',
    e.error ? h('p', { class: 'error form-error', role: 'alert', text: e.error }) : '');
    this.editEl.append(h('details', { class: 'hs-edit-box', open: e.open || null, on: { toggle: (ev) => { e.open = ev.currentTarget.open; this._relayout(); } } },
      h('summary', { text: t('hsedit.title') }), form));
    this._relayout();
  }

  async _patch(body, okText) {
    const e = this.edit;
    e.sending = true;
    e.error = '';
    e.saved = '';
    this.renderEdit();
    try {
      const f = await patchJSON(`/api/hotspots/${encodeURIComponent(this.id)}`, body);
      e.saved = okText;
      e.name = null;
      if (f && f.geometry) {
        const { events, ...props } = f.properties || {};
        this.layer.upsert({ ...f, properties: props }, { flash: true, live: true, refresh: false });
      }
    } catch (err) {
      e.error = err.message;
    }
    e.sending = false;
    this.renderHead();
    this.renderEdit();
  }

  async _move() {
    const p = this.marker.feature.properties || {};
    const m = this.marker;
    m.closePopup();
    const ll = await this.layer.pickPoint(t('hsedit.pickMove', { ref: p.ref || `#${this.id}` }));
    if (!ll) return;
    try {
      const f = await patchJSON(`/api/hotspots/${encodeURIComponent(this.id)}`, { lon: ll.lng, lat: ll.lat });
      const { events, ...props } = f.properties || {};
      this.layer.upsert({ ...f, properties: props }, { flash: true, live: true, refresh: false });
      this.edit.saved = t('hsedit.moved');
      this.edit.error = '';
    } catch (err) {
      this.edit.saved = '';
      this.edit.error = err.message;
    }
    this.edit.open = true;
    this.layer.focus(this.id);
  }

  async fetchHistory() {
    try {
      const f = await getJSON(`/api/hotspots/${encodeURIComponent(this.id)}`);
      this.events = Array.isArray(f.properties?.events) ? f.properties.events : [];
      this.loadError = '';
      const { events, ...props } = f.properties || {};
      // The detail is at least as fresh as what we hold; refresh:false as
      // this view is already redrawing.
      this.layer.upsert({ ...f, properties: props }, { refresh: false });
      this.renderHead();
      if (!this.form.event) this.renderForm();
    } catch (err) {
      this.loadError = err.message;
    }
    this.renderHistory();
  }

  // refresh: the hotspot changed (live, or through this form).
  refresh() {
    this.renderHead();
    if (!this.form.event) this.renderForm(); // the default event follows the status
    clearTimeout(this._refetch);
    this._refetch = setTimeout(() => this.fetchHistory(), 150);
  }

  _relayout() {
    if (!this.marker.isPopupOpen()) return;
    this.marker.getPopup().update();
    // The popup grows after it opened (history, form); Leaflet's own
    // auto-pan only ran for its first size, so keep the whole of it in view.
    clearTimeout(this._panTimer);
    this._panTimer = setTimeout(() => this._keepInView(), 60);
  }

  _keepInView() {
    const popup = this.marker.getPopup();
    const el = popup && popup.getElement();
    if (!el || !this.marker.isPopupOpen()) return;
    const map = this.layer.map;
    if (map._animatingZoom) {
      // The end of a zoom animation resets the view: measure after it.
      map.once('zoomend', () => this._relayout());
      return;
    }
    const pr = el.getBoundingClientRect();
    const mr = map.getContainer().getBoundingClientRect();
    const pad = 12;
    // Clear of the map's controls (zoom, layers, legend, scale) that lie
    // above or below the popup's columns: they are drawn over popups.
    let top = pad;
    let bottom = pad;
    for (const c of map.getContainer().querySelectorAll('.leaflet-control')) {
      const r = c.getBoundingClientRect();
      if (!r.width || r.right <= pr.left || r.left >= pr.right) continue;
      if (c.closest('.leaflet-top')) top = Math.max(top, r.bottom - mr.top + 6);
      else bottom = Math.max(bottom, mr.bottom - r.top + 6);
    }
    let dx = 0;
    let dy = 0;
    if (pr.top < mr.top + top) dy = pr.top - (mr.top + top);
    else if (pr.bottom > mr.bottom - bottom) dy = Math.min(pr.bottom - (mr.bottom - bottom), pr.top - (mr.top + top));
    if (pr.left < mr.left + pad) dx = pr.left - (mr.left + pad);
    else if (pr.right > mr.right - pad) dx = pr.right - (mr.right - pad);
    if (dx || dy) map.panBy([Math.round(dx), Math.round(dy)], { animate: false });
  }

  renderHead() {
    const f = this.marker.feature;
    const p = f.properties || {};
    clear(this.headEl);
    this.headEl.append(
      h('h3', { class: 'hs-title' }, h('span', { class: 'hs-ref', text: p.ref || `#${f.id}` }), p.name ? ` ${p.name}` : ''),
      h('dl', { class: 'hs-props' },
        h('dt', { text: t('hotspot.ref') }), h('dd', { text: p.ref || '' }),
        h('dt', { text: t('hotspot.name') }), h('dd', { text: p.name || '' }),
        h('dt', { text: t('hotspot.kind') }), h('dd', { class: 'hs-kind', text: tOr('kind.', p.kind) }),
        h('dt', { text: t('hotspot.status') }),
        h('dd', {}, h('span', { class: ['badge', `badge-${p.status}`, 'hs-status'], 'data-status': p.status, text: tOr('status.', p.status) })),
        h('dt', { text: t('hotspot.area') }), h('dd', { text: this.layer.areaName(p.area) }),
      ),
    );
    this._relayout();
  }

  renderHistory() {
    clear(this.historyEl);
    this.historyEl.append(h('h4', { text: t('hotspot.history') }));
    let body;
    if (this.loadError) body = h('p', { class: 'error', text: this.loadError });
    else if (this.events === null) body = h('p', { class: 'muted', text: t('hotspot.historyLoading') });
    else if (!this.events.length) body = h('p', { class: 'muted', text: t('hotspot.noHistory') });
    else {
      body = h('ol', { class: 'hs-history' }, this.events.map((e) => {
        const backdated = e.recorded_at && fmtDate(e.recorded_at) !== fmtDate(e.occurred_at);
        return h('li', { class: `ev ev-${e.event}`, 'data-event': e.event },
          h('time', { datetime: e.occurred_at, title: fmtDateTime(e.occurred_at), text: fmtDate(e.occurred_at) }),
          ' ', h('span', { class: 'ev-time', text: fmtTime(e.occurred_at) }),
          ' ', h('strong', { text: tOr('event.', e.event) }),
          e.note ? h('span', { class: 'ev-note', text: ` — ${e.note}` }) : '',
          backdated ? h('small', { class: 'muted', text: ` (${t('hotspot.recordedAt', { date: fmtDateTime(e.recorded_at) })})` }) : '');
      }));
    }
    this.historyEl.append(body);
    this._relayout();
  }

  renderForm() {
    const s = this.form;
    const uid = `hs${this.id}`;
    const chosen = s.event || '';
    const invalid = (name) => (s.field === name ? 'true' : null);
    const active = document.activeElement;
    const focusName = active && this.formEl.contains(active) ? active.name : null;
    const form = h('form', {
      class: 'hs-form',
      novalidate: true,
      on: {
        submit: (ev) => this._submit(ev),
        input: () => this._read(form),
        change: () => this._read(form),
      },
    },
    h('h4', { text: t('form.title') }),
    h('label', { for: `${uid}-event`, text: t('form.event') }),
    h('select', { id: `${uid}-event`, name: 'event', 'aria-invalid': invalid('event') },
      h('option', { value: '', selected: chosen === '', text: t('form.chooseEvent') }),
      FORM_EVENTS.map((e) => h('option', { value: e, selected: e === chosen, text: tOr('event.', e) }))),
    h('label', { for: `${uid}-at`, text: t('form.occurredAt') }),
    h('input', { id: `${uid}-at`, name: 'occurred_at', type: 'text', inputmode: 'numeric', placeholder: 'dd/mm/yyyy HH:mm', autocomplete: 'off', required: true, value: s.occurredAt, 'aria-invalid': invalid('occurred_at'), 'aria-describedby': `${uid}-at-hint` }),
    h('output', { id: `${uid}-at-hint`, class: 'hs-at-hint', for: `${uid}-at`, text: hintFor(s.occurredAt) }),
    h('label', { for: `${uid}-note`, text: t('form.note') }),
    h('textarea', { id: `${uid}-note`, name: 'note', rows: 2, maxlength: 2000, 'aria-invalid': invalid('note') }, s.note),
    s.confirming ? h('div', { class: 'hs-confirm', role: 'alertdialog', 'aria-label': t('form.confirmYes') },
      h('p', { text: t('form.confirm', { event: tOr('event.', s.event), ref: this.marker.feature.properties?.ref || `#${this.id}`, when: s.occurredAt.trim() || '—' }) }),
      h('div', { class: 'hs-form-actions' },
        h('button', { type: 'submit', class: 'hs-confirm-yes', disabled: s.sending, text: s.sending ? t('form.sending') : t('form.confirmYes') }),
        h('button', { type: 'button', class: 'hs-confirm-no', on: { click: () => { s.confirming = false; this.renderForm(); } }, text: t('form.confirmNo') })))
      : h('div', { class: 'hs-form-actions' },
        h('button', { type: 'submit', class: 'hs-submit', disabled: s.sending, text: s.sending ? t('form.sending') : t('form.submit') }),
        s.saved ? h('span', { class: 'ok', role: 'status', text: t('form.saved') }) : ''),
    s.error ? h('p', { class: 'error form-error', role: 'alert', text: s.error }) : '');
    clear(this.formEl);
    this.formEl.append(form);
    if (focusName) form.elements[focusName]?.focus();
    this._relayout();
  }

  _read(form) {
    const ev = form.elements.event.value || null;
    if (ev !== this.form.event) this.form.confirming = false;
    this.form.event = ev;
    this.form.occurredAt = form.elements.occurred_at.value;
    this.form.note = form.elements.note.value;
    this.form.saved = false;
    const hint = form.querySelector('.hs-at-hint');
    if (hint) hint.textContent = hintFor(this.form.occurredAt);
  }

  async _submit(ev) {
    ev.preventDefault();
    const s = this.form;
    if (s.sending) return;
    this._read(ev.currentTarget);
    if (!s.event) {
      s.error = t('form.needEvent');
      s.field = 'event';
      this.renderForm();
      return;
    }
    // A time left as it was offered means now: the server's clock, to the
    // second (the field holds minutes only, and a hotspot found this very
    // minute must not look eliminated before it was found).
    const body = { event: s.event, note: s.note.trim() };
    if (s.occurredAt !== s.offeredAt) {
      body.occurred_at = parseDMYHM(s.occurredAt);
      if (!body.occurred_at) {
        s.error = t('form.badTime');
        s.field = 'occurred_at';
        s.confirming = false;
        this.renderForm();
        return;
      }
    }
    if (CONFIRM_EVENTS.has(s.event) && !s.confirming) {
      // An elimination or a recurrence changes the status: say it back first.
      s.confirming = true;
      s.error = '';
      s.field = '';
      this.renderForm();
      return;
    }
    s.sending = true;
    s.error = '';
    s.field = '';
    this.renderForm();
    try {
      const f = await postJSON(`/api/hotspots/${encodeURIComponent(this.id)}/events`, body);
      s.sending = false;
      s.saved = true;
      s.confirming = false;
      s.note = '';
      s.event = null;
      s.occurredAt = fmtDateTime(new Date());
      s.offeredAt = s.occurredAt;
      if (f && f.geometry) {
        const { events, ...props } = f.properties || {};
        this.layer.upsert({ ...f, properties: props }, { flash: true, live: true, refresh: false });
      }
      this.renderForm();
      this.refresh();
    } catch (err) {
      s.sending = false;
      s.confirming = false;
      s.error = err.message;
      s.field = err.field || '';
      this.renderForm();
    }
  }
}

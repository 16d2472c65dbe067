// Hotspot layer: one SVG circle marker per hotspot, coloured by status,
// updated in place by live messages. Test hooks: each marker's element has
// data-hotspot-id and data-status (kept current on every change and re-set
// whenever Leaflet re-creates the element).

import { getJSON, postJSON } from './api.js';
import { h, clear } from './dom.js';
import { t, tOr, onLangChange } from './i18n.js';
import { fmtDate, fmtTime, fmtDateTime, localInputValue, fromLocalInput } from './format.js';

// hintFor shows a datetime-local value as dd/mm/yyyy HH:mm, since the native
// control follows the browser's locale and may show mm/dd/yyyy.
function hintFor(value) {
  const iso = fromLocalInput(value);
  return iso ? t('form.occurredAtHint', { when: fmtDateTime(iso) }) : '';
}

export const STATUS_COLOURS = {
  active: { color: '#7f0000', fillColor: '#e31a1c' },
  eliminated: { color: '#00441b', fillColor: '#31a354' },
};
export const UNKNOWN_COLOURS = { color: '#444', fillColor: '#999' }; // status unknown: no detected event yet

// Events a user may record from the popup, in the order offered.
const FORM_EVENTS = ['eliminated', 'recurred', 'detected', 'note'];

export class HotspotLayer {
  constructor(map, { pane, areaName }) {
    this.map = map;
    this.areaName = areaName || ((c) => c);
    this.renderer = L.svg({ pane, padding: 0.5 });
    this.group = L.featureGroup();
    this.markers = new Map(); // id -> L.CircleMarker
    this.liveTouched = new Map(); // id -> time of last live update
    this.openId = null;
    this.openView = null;
    onLangChange(() => this._relabel());
  }

  get layer() {
    return this.group;
  }

  // load replaces the set with the server's; markers that stay keep their
  // elements, so a test (or a user) holding one is not disturbed.
  async load() {
    const started = Date.now();
    const fc = await getJSON('/api/hotspots');
    const seen = new Set();
    for (const f of fc.features || []) {
      if (f.id === undefined || f.id === null) continue;
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

  get(id) {
    const m = this.markers.get(String(id));
    return m ? m.feature : null;
  }

  upsert(feature, { flash = false, live = false, refresh = true } = {}) {
    if (!feature || feature.id === undefined || feature.id === null || !feature.geometry) return;
    const id = String(feature.id);
    const [lng, lat] = feature.geometry.coordinates;
    const style = STATUS_COLOURS[feature.properties?.status] || UNKNOWN_COLOURS;
    let m = this.markers.get(id);
    if (!m) {
      m = L.circleMarker([lat, lng], {
        renderer: this.renderer,
        radius: 7,
        weight: 2,
        opacity: 1,
        fillOpacity: 0.85,
        className: 'hotspot-marker',
        ...style,
      });
      m.feature = feature;
      m.on('add', () => this._tag(m));
      m.bindTooltip(() => this._tooltip(m), { direction: 'top', offset: [0, -6] });
      m.bindPopup(h('div', { class: 'hs-popup' }), { maxWidth: 340, minWidth: 260, autoPanPadding: [20, 20] });
      m.on('popupopen', () => {
        // A new view each time it opens, so the history is always fresh.
        this.openId = id;
        this.openView = new HotspotPopup(this, m);
        m.getPopup().setContent(this.openView.el);
      });
      m.on('popupclose', () => {
        if (this.openId === id) {
          this.openId = null;
          this.openView = null;
        }
      });
      this.markers.set(id, m);
      this.group.addLayer(m);
    } else {
      m.feature = feature;
      const ll = m.getLatLng();
      if (ll.lat !== lat || ll.lng !== lng) m.setLatLng([lat, lng]);
      m.setStyle(style);
      this._tag(m);
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

  // focus pans to a hotspot and opens its popup.
  focus(id) {
    const m = this.markers.get(String(id));
    if (!m) return false;
    if (!this.map.hasLayer(this.group)) this.map.addLayer(this.group);
    this.map.setView(m.getLatLng(), Math.max(this.map.getZoom(), 16));
    m.openPopup();
    return true;
  }

  _tag(m) {
    const el = m.getElement();
    if (!el) return;
    el.setAttribute('data-hotspot-id', String(m.feature.id));
    el.setAttribute('data-status', m.feature.properties?.status || '');
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
class HotspotPopup {
  constructor(layer, marker) {
    this.layer = layer;
    this.marker = marker;
    this.id = String(marker.feature.id);
    this.events = null;
    this.loadError = '';
    this.form = { event: null, occurredAt: localInputValue(), note: '', error: '', field: '', sending: false, saved: false };
    this.headEl = h('div', { class: 'hs-head' });
    this.historyEl = h('div', { class: 'hs-history-wrap' });
    this.formEl = h('div', { class: 'hs-form-wrap' });
    this.el = h('div', { class: 'hs-popup', 'data-popup-hotspot-id': this.id }, this.headEl, this.historyEl, this.formEl);
    this.renderAll();
    this.fetchHistory();
  }

  renderAll() {
    this.renderHead();
    this.renderHistory();
    this.renderForm();
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
    let dx = 0;
    let dy = 0;
    if (pr.top < mr.top + pad) dy = pr.top - (mr.top + pad);
    else if (pr.bottom > mr.bottom - pad) dy = Math.min(pr.bottom - (mr.bottom - pad), pr.top - (mr.top + pad));
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
    const status = this.marker.feature.properties?.status;
    const uid = `hs${this.id}`;
    const chosen = s.event || (status === 'eliminated' ? 'recurred' : 'eliminated');
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
      FORM_EVENTS.map((e) => h('option', { value: e, selected: e === chosen, text: tOr('event.', e) }))),
    h('label', { for: `${uid}-at`, text: t('form.occurredAt') }),
    h('input', { id: `${uid}-at`, name: 'occurred_at', type: 'datetime-local', required: true, value: s.occurredAt, 'aria-invalid': invalid('occurred_at'), 'aria-describedby': `${uid}-at-hint` }),
    h('output', { id: `${uid}-at-hint`, class: 'hs-at-hint', for: `${uid}-at`, text: hintFor(s.occurredAt) }),
    h('label', { for: `${uid}-note`, text: t('form.note') }),
    h('textarea', { id: `${uid}-note`, name: 'note', rows: 2, maxlength: 2000, 'aria-invalid': invalid('note') }, s.note),
    h('div', { class: 'hs-form-actions' },
      h('button', { type: 'submit', disabled: s.sending, text: s.sending ? t('form.sending') : t('form.submit') }),
      s.saved ? h('span', { class: 'ok', role: 'status', text: t('form.saved') }) : ''),
    s.error ? h('p', { class: 'error form-error', role: 'alert', text: s.error }) : '');
    clear(this.formEl);
    this.formEl.append(form);
    if (focusName) form.elements[focusName]?.focus();
    this._relayout();
  }

  _read(form) {
    this.form.event = form.elements.event.value;
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
    const body = { event: s.event, occurred_at: fromLocalInput(s.occurredAt), note: s.note.trim() };
    s.sending = true;
    s.error = '';
    s.field = '';
    this.renderForm();
    try {
      const f = await postJSON(`/api/hotspots/${encodeURIComponent(this.id)}/events`, body);
      s.sending = false;
      s.saved = true;
      s.note = '';
      s.event = null;
      s.occurredAt = localInputValue();
      if (f && f.geometry) {
        const { events, ...props } = f.properties || {};
        this.layer.upsert({ ...f, properties: props }, { flash: true, live: true, refresh: false });
      }
      this.renderForm();
      this.refresh();
    } catch (err) {
      s.sending = false;
      s.error = err.message;
      s.field = err.field || '';
      this.renderForm();
    }
  }
}

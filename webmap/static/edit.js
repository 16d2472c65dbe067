// Editing on the map, for officers and admins in their area (the server
// checks the area again and audits every write): a new hotspot or camera
// placed by a click, and a point picked on the map for a hotspot's move.
// Every write reaches the other open maps through the socket, as events do.

import { postJSON } from './api.js';
import { h, clear } from './dom.js';
import { t, tOr, addWords } from './i18n.js';
import { vnParts } from './format.js';

addWords({
  vi: {
    'edit.addHotspot': '+ Tụ điểm',
    'edit.addHotspotLabel': 'Thêm tụ điểm: bấm vào bản đồ để đặt',
    'edit.addCamera': '+ Camera',
    'edit.addCameraLabel': 'Thêm camera: bấm vào bản đồ để đặt',
    'edit.pickHotspot': 'Bấm vào bản đồ tại vị trí tụ điểm mới.',
    'edit.pickCamera': 'Bấm vào bản đồ tại vị trí camera mới.',
    'edit.pickMove': 'Bấm vào bản đồ tại vị trí mới của tụ điểm {ref}.',
    'edit.cancel': 'Hủy',
    'edit.newHotspot': 'Tụ điểm mới',
    'edit.newCamera': 'Camera mới',
    'edit.ref': 'Số hiệu',
    'edit.kind': 'Loại',
    'edit.chooseKind': '— Chọn loại —',
    'edit.name': 'Tên, địa chỉ',
    'edit.note': 'Ghi chú',
    'edit.where': 'Vị trí',
    'edit.save': 'Lưu',
    'edit.saving': 'Đang lưu…',
    'edit.created': 'Đã lưu tụ điểm {ref}.',
    'edit.cameraCreated': 'Đã lưu camera {ref}.',
    'edit.needKind': 'Chọn loại tụ điểm.',
    'edit.owner': 'Thuộc',
    'edit.status': 'Trạng thái',
    'edit.bearing': 'Hướng (độ, 0 = bắc)',
    'edit.fov': 'Góc nhìn (độ; 360 = camera cầu)',
    'edit.range': 'Tầm nhìn (m)',
  },
  en: {
    'edit.addHotspot': '+ Hotspot',
    'edit.addHotspotLabel': 'Add a hotspot: click the map to place it',
    'edit.addCamera': '+ Camera',
    'edit.addCameraLabel': 'Add a camera: click the map to place it',
    'edit.pickHotspot': 'Click the map where the new hotspot is.',
    'edit.pickCamera': 'Click the map where the new camera is.',
    'edit.pickMove': 'Click the map at the new place of hotspot {ref}.',
    'edit.cancel': 'Cancel',
    'edit.newHotspot': 'New hotspot',
    'edit.newCamera': 'New camera',
    'edit.ref': 'Ref',
    'edit.kind': 'Kind',
    'edit.chooseKind': '— Choose a kind —',
    'edit.name': 'Name, address',
    'edit.note': 'Note',
    'edit.where': 'Place',
    'edit.save': 'Save',
    'edit.saving': 'Saving…',
    'edit.created': 'Hotspot {ref} saved.',
    'edit.cameraCreated': 'Camera {ref} saved.',
    'edit.needKind': 'Choose the kind of hotspot.',
    'edit.owner': 'Owner',
    'edit.status': 'Status',
    'edit.bearing': 'Bearing (degrees, 0 = north)',
    'edit.fov': 'Field of view (degrees; 360 = dome)',
    'edit.range': 'Range (m)',
  },
});

export const HOTSPOT_KINDS = ['dealing', 'storage', 'organised_use', 'public_use', 'cultivation', 'production'];

// suggestRef proposes a ref the user may keep or change: a prefix and the
// Vietnamese date and time of the moment (TĐ-20261130-0746).
export function suggestRef(prefix, at = new Date()) {
  const p = vnParts(at);
  return `${prefix}-${p.year}${p.month}${p.day}-${p.hour}${p.minute}`;
}

function fmtPlace(ll) {
  return `${ll.lat.toFixed(5).replace('.', ',')}; ${ll.lng.toFixed(5).replace('.', ',')}`;
}

export class EditTools {
  // onHotspot(feature) and onCamera() hear what was created.
  constructor(map, { onHotspot, onCamera }) {
    this.map = map;
    this.onHotspot = onHotspot;
    this.onCamera = onCamera;
    this.mode = null; // {kind, resolve}
    this.hint = h('div', { class: 'edit-hint', role: 'status', hidden: true });
    map.getContainer().append(this.hint);
    L.DomEvent.disableClickPropagation(this.hint);
    this.control = L.control({ position: 'topleft' });
    this.control.onAdd = () => {
      this.bar = h('div', { class: 'leaflet-bar edit-bar' });
      L.DomEvent.disableClickPropagation(this.bar);
      this.render();
      return this.bar;
    };
    map.on('click', (ev) => this._click(ev));
    document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape' && this.mode) this.cancel(); });
  }

  addTo(map) {
    this.control.addTo(map);
    return this;
  }

  render() {
    if (!this.bar) return;
    clear(this.bar);
    this.bar.append(
      h('button', { type: 'button', class: 'edit-add-hotspot', title: t('edit.addHotspotLabel'), 'aria-label': t('edit.addHotspotLabel'), 'aria-pressed': String(this.mode?.kind === 'hotspot'), text: t('edit.addHotspot'), on: { click: () => this.start('hotspot') } }),
      h('button', { type: 'button', class: 'edit-add-camera', title: t('edit.addCameraLabel'), 'aria-label': t('edit.addCameraLabel'), 'aria-pressed': String(this.mode?.kind === 'camera'), text: t('edit.addCamera'), on: { click: () => this.start('camera') } }),
    );
    if (this.mode) this._showHint();
  }

  // pick waits for one click on the map and resolves with its latlng (null
  // when cancelled).
  pick(text) {
    this.cancel();
    return new Promise((resolve) => {
      this.mode = { kind: 'pick', text, resolve };
      this._showHint();
    });
  }

  start(kind) {
    if (this.mode?.kind === kind) return this.cancel();
    this.cancel();
    this.mode = { kind, text: t(kind === 'hotspot' ? 'edit.pickHotspot' : 'edit.pickCamera'), resolve: null };
    this.render();
  }

  cancel() {
    const m = this.mode;
    this.mode = null;
    this.hint.hidden = true;
    this.map.getContainer().classList.remove('picking');
    if (m && m.resolve) m.resolve(null);
    if (this.bar) this.render();
  }

  _showHint() {
    clear(this.hint);
    this.hint.append(h('span', { text: this.mode.text }), ' ',
      h('button', { type: 'button', class: 'edit-cancel', text: t('edit.cancel'), on: { click: () => this.cancel() } }));
    this.hint.hidden = false;
    this.map.getContainer().classList.add('picking');
  }

  _click(ev) {
    const m = this.mode;
    if (!m) return;
    this.mode = null;
    this.hint.hidden = true;
    this.map.getContainer().classList.remove('picking');
    this.render();
    if (m.kind === 'pick') m.resolve(ev.latlng);
    else if (m.kind === 'hotspot') this._hotspotForm(ev.latlng);
    else if (m.kind === 'camera') this._cameraForm(ev.latlng);
  }

  _popup(ll, el) {
    // A form half filled is not lost to a stray tap on the map (closeOnClick
    // false): it closes by its ×, Esc, or once saved.
    return L.popup({ maxWidth: 320, minWidth: 240, autoPanPaddingTopLeft: [60, 60], autoPanPaddingBottomRight: [20, 20], className: 'edit-popup', closeOnClick: false })
      .setLatLng(ll).setContent(el).openOn(this.map);
  }

  _hotspotForm(ll) {
    const err = h('p', { class: 'error form-error', role: 'alert', hidden: true });
    const form = h('form', { class: 'edit-form edit-hotspot-form', novalidate: true },
      h('h3', { text: t('edit.newHotspot') }),
      h('p', { class: 'muted', text: `${t('edit.where')}: ${fmtPlace(ll)}` }),
      h('label', { text: t('edit.ref') }, h('input', { name: 'ref', required: true, maxlength: 64, value: suggestRef('TĐ') })),
      h('label', { text: t('edit.kind') }, h('select', { name: 'kind', required: true },
        h('option', { value: '', text: t('edit.chooseKind') }),
        HOTSPOT_KINDS.map((k) => h('option', { value: k, text: tOr('kind.', k) })))),
      h('label', { text: t('edit.name') }, h('input', { name: 'name', maxlength: 200 })),
      h('label', { text: t('edit.note') }, h('textarea', { name: 'note', rows: 2, maxlength: 2000 })),
      h('div', { class: 'hs-form-actions' }, h('button', { type: 'submit', class: 'edit-save', text: t('edit.save') })),
      err);
    const popup = this._popup(ll, form);
    form.elements.kind.focus();
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = form.elements;
      err.hidden = true;
      for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
      if (!f.kind.value) {
        f.kind.setAttribute('aria-invalid', 'true');
        err.textContent = t('edit.needKind');
        err.hidden = false;
        return;
      }
      const btn = form.querySelector('.edit-save');
      btn.disabled = true;
      btn.textContent = t('edit.saving');
      try {
        const feat = await postJSON('/api/hotspots', {
          ref: f.ref.value.trim(), kind: f.kind.value, name: f.name.value.trim(), note: f.note.value.trim(), lon: ll.lng, lat: ll.lat,
        });
        this.map.closePopup(popup);
        this.onHotspot(feat, t('edit.created', { ref: feat.properties?.ref || '' }));
      } catch (e) {
        btn.disabled = false;
        btn.textContent = t('edit.save');
        if (e.field && f[e.field]) f[e.field].setAttribute('aria-invalid', 'true');
        err.textContent = e.message;
        err.hidden = false;
      }
    });
  }

  _cameraForm(ll) {
    const err = h('p', { class: 'error form-error', role: 'alert', hidden: true });
    const num = (name, value, min, max) => h('input', { name, type: 'number', inputmode: 'numeric', min, max, step: 1, value, required: true });
    const form = h('form', { class: 'edit-form edit-camera-form', novalidate: true },
      h('h3', { text: t('edit.newCamera') }),
      h('p', { class: 'muted', text: `${t('edit.where')}: ${fmtPlace(ll)}` }),
      h('label', { text: t('edit.ref') }, h('input', { name: 'ref', required: true, maxlength: 64, value: suggestRef('CAM') })),
      h('label', { text: t('edit.owner') }, h('select', { name: 'owner' },
        ['police', 'community'].map((o) => h('option', { value: o, text: tOr('owner.', o) })))),
      h('label', { text: t('edit.status') }, h('select', { name: 'status' },
        ['active', 'planned'].map((s) => h('option', { value: s, text: tOr('camstatus.', s) })))),
      h('label', { text: t('edit.bearing') }, num('bearing', 0, 0, 359)),
      h('label', { text: t('edit.fov') }, num('fov', 90, 1, 360)),
      h('label', { text: t('edit.range') }, num('range_m', 50, 1, 500)),
      h('div', { class: 'hs-form-actions' }, h('button', { type: 'submit', class: 'edit-save', text: t('edit.save') })),
      err);
    const popup = this._popup(ll, form);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = form.elements;
      err.hidden = true;
      const btn = form.querySelector('.edit-save');
      btn.disabled = true;
      btn.textContent = t('edit.saving');
      try {
        const cam = await postJSON('/api/cameras', {
          ref: f.ref.value.trim(), owner: f.owner.value, status: f.status.value, lon: ll.lng, lat: ll.lat,
          bearing: Number(f.bearing.value), fov: Number(f.fov.value), range_m: Number(f.range_m.value),
        });
        this.map.closePopup(popup);
        this.onCamera(cam, t('edit.cameraCreated', { ref: cam.properties?.ref || '' }));
      } catch (e) {
        btn.disabled = false;
        btn.textContent = t('edit.save');
        if (e.field && f[e.field]) f[e.field].setAttribute('aria-invalid', 'true');
        err.textContent = e.message;
        err.hidden = false;
      }
    });
  }
}


// Told, not asking: a recurrence, a new hotspot or a camera going offline
// in the user's area (the socket only carries the user's area) raises a
// toast and counts as unread until the bell is opened. The notices and
// what is unread are kept in localStorage per user, so a reload keeps them;
// the browser's own notifications are used when the user allowed them.

import { h, clear } from './dom.js';
import { t, addWords } from './i18n.js';
import { fmtDateTime } from './format.js';

addWords({
  vi: {
    'notice.bell': 'Thông báo',
    'notice.bellUnread': 'Thông báo: {n} chưa đọc',
    'notice.empty': 'Chưa có thông báo.',
    'notice.allow': 'Bật thông báo của trình duyệt',
    'notice.close': 'Đóng',
    'notice.recurred': 'Tụ điểm {ref} phức tạp trở lại{where}',
    'notice.created': 'Tụ điểm mới {ref}{where}',
    'notice.offline': 'Camera {ref} mất kết nối{where}',
    'notice.where': ' ({area})',
  },
  en: {
    'notice.bell': 'Notices',
    'notice.bellUnread': 'Notices: {n} unread',
    'notice.empty': 'No notices yet.',
    'notice.allow': 'Turn on browser notifications',
    'notice.close': 'Close',
    'notice.recurred': 'Hotspot {ref} is back{where}',
    'notice.created': 'New hotspot {ref}{where}',
    'notice.offline': 'Camera {ref} went offline{where}',
    'notice.where': ' ({area})',
  },
});

const KEEP = 50;

// bellIcon draws a bell in SVG (no emoji font is needed).
function bellIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '18');
  svg.setAttribute('height', '18');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'bell-icon');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z');
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

// noticeOf turns a change message into a notice ({key, vars, hotspotId}),
// or null when it is not one to be told about.
export function noticeOf(msg) {
  const d = msg.data || {};
  if (msg.type === 'event' && d.event?.event === 'recurred') {
    return { key: 'notice.recurred', ref: d.hotspot?.properties?.ref || `#${d.event.hotspot_id}`, hotspotId: d.event.hotspot_id };
  }
  if (msg.type === 'hotspot' && msg.op === 'insert') {
    return { key: 'notice.created', ref: d.hotspot?.properties?.ref || `#${msg.id}`, hotspotId: msg.id };
  }
  if (msg.type === 'camera' && msg.op === 'update' && d.camera?.properties?.status === 'offline') {
    return { key: 'notice.offline', ref: d.camera.properties.ref || `#${msg.id}`, hotspotId: null };
  }
  return null;
}

export class Notices {
  constructor({ bell, tray, areaName, onHotspot }) {
    this.bell = bell;
    this.tray = tray;
    this.areaName = areaName || ((c) => c);
    this.onHotspot = onHotspot || (() => {});
    this.user = '';
    this.items = []; // newest first: {key, ref, area, at, seq, read, hotspotId}
    this.list = h('div', { class: 'notice-list' });
    this.toasts = h('div', { class: 'toasts', 'aria-live': 'assertive' });
    document.body.append(this.toasts);
    bell.addEventListener('click', () => this.toggle());
    document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape' && !this.tray.hidden) this.toggle(false); });
    this.render();
  }

  get storageKey() { return `diaban.notices.${this.user}`; }

  // setUser loads what this user was told before (per user: a shared
  // computer keeps each officer's notices apart).
  setUser(name) {
    this.user = name || '';
    try {
      const v = JSON.parse(localStorage.getItem(this.storageKey) || '[]');
      this.items = Array.isArray(v) ? v.slice(0, KEEP) : [];
    } catch {
      this.items = [];
    }
    this.render();
  }

  save() {
    try {
      localStorage.setItem(this.storageKey, JSON.stringify(this.items.slice(0, KEEP)));
    } catch {
      // storage full or off: the notices last for this page
    }
  }

  get unread() { return this.items.filter((i) => !i.read).length; }

  text(i) {
    return t(i.key, { ref: i.ref, where: i.area ? t('notice.where', { area: this.areaName(i.area) }) : '' });
  }

  // onMessage tells the user about msg when it is news for them.
  onMessage(msg) {
    const n = noticeOf(msg);
    if (!n) return;
    if (msg.seq && this.items.some((i) => i.seq === msg.seq)) return; // replayed after a reconnect
    const item = { ...n, area: msg.area || '', at: new Date().toISOString(), seq: msg.seq || 0, read: false };
    this.items.unshift(item);
    this.items.length = Math.min(this.items.length, KEEP);
    this.save();
    this.render();
    this.toast(item);
    if (typeof Notification !== 'undefined' && Notification.permission === 'granted' && document.hidden) {
      try {
        new Notification('diaban', { body: this.text(item), tag: `diaban-${item.seq}` });
      } catch {
        // some browsers allow notifications from a service worker only
      }
    }
  }

  toast(item) {
    const el = h('div', { class: `toast toast-${item.key.split('.')[1]}`, role: 'status', 'data-notice': item.key },
      item.hotspotId ? h('button', { type: 'button', class: 'link', text: this.text(item), on: { click: () => this.onHotspot(item.hotspotId) } })
        : h('span', { text: this.text(item) }),
      h('button', { type: 'button', class: 'toast-close', 'aria-label': t('notice.close'), text: '×', on: { click: () => el.remove() } }));
    this.toasts.prepend(el);
    // On a phone they lie over the map: fewer, and for less long (the bell keeps them).
    const phone = window.matchMedia('(max-width: 760px)').matches;
    while (this.toasts.children.length > (phone ? 2 : 4)) this.toasts.lastElementChild.remove();
    setTimeout(() => el.remove(), phone ? 6000 : 12000);
  }

  toggle(open = this.tray.hidden) {
    this.tray.hidden = !open;
    this.bell.setAttribute('aria-expanded', String(open));
    if (open) {
      for (const i of this.items) i.read = true;
      this.save();
      if (typeof Notification !== 'undefined' && Notification.permission === 'default') {
        // Asked from the user's own click, as browsers require.
        this.askButton = true;
      }
    }
    this.render();
  }

  render() {
    const n = this.unread;
    clear(this.bell);
    this.bell.append(bellIcon(),
      n ? h('span', { class: 'bell-count', 'data-unread': String(n), text: n > 99 ? '99+' : String(n) }) : '');
    this.bell.dataset.unread = String(n);
    this.bell.setAttribute('aria-label', n ? t('notice.bellUnread', { n }) : t('notice.bell'));
    this.bell.title = this.bell.getAttribute('aria-label');
    clear(this.tray);
    this.tray.append(h('h2', { text: t('notice.bell') }));
    if (!this.items.length) this.tray.append(h('p', { class: 'muted', text: t('notice.empty') }));
    else {
      this.tray.append(h('ul', { class: 'notice-items' }, this.items.map((i) => h('li', { class: i.read ? '' : 'unread' },
        h('time', { datetime: i.at, text: fmtDateTime(i.at) }), ' ',
        i.hotspotId ? h('button', { type: 'button', class: 'link', text: this.text(i), on: { click: () => { this.toggle(false); this.onHotspot(i.hotspotId); } } })
          : h('span', { text: this.text(i) })))));
    }
    if (typeof Notification !== 'undefined' && Notification.permission === 'default') {
      this.tray.append(h('button', {
        type: 'button', class: 'notice-allow', text: t('notice.allow'),
        on: { click: () => Notification.requestPermission().then(() => this.render()).catch(() => {}) },
      }));
    }
  }
}

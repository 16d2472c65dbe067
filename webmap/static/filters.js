// Find and filter: the hotspot kind and status, the incident kind, the
// period (the dates of the incidents form), a month replayed — all kept in
// the page's address so a view can be shared (?kind=&status=&ikind=&from=
// &to=&month=&q=&area=). viewOf() is the hotspot layer's view function.

import { h, clear } from './dom.js';
import { t, tOr, addWords } from './i18n.js';
import { HOTSPOT_KINDS } from './edit.js';

export const INCIDENT_KINDS = ['trafficking', 'storage', 'transport', 'organised_use', 'use', 'cultivation', 'production', 'other'];
export const STATUSES = ['active', 'eliminated', 'unknown'];

addWords({
  vi: {
    'filter.title': 'Lọc theo loại, trạng thái, thời gian',
    'filter.kind': 'Loại tụ điểm',
    'filter.status': 'Trạng thái',
    'filter.ikind': 'Loại vụ việc',
    'filter.all': 'Tất cả',
    'filter.shown': 'Đang hiện {n}/{total} tụ điểm',
    'filter.clear': 'Bỏ lọc',
    'filter.dateHint': 'Khoảng ngày lọc vụ việc, ô lưới và tụ điểm có diễn biến trong khoảng đó.',
    'ikind.trafficking': 'Mua bán trái phép',
    'ikind.storage': 'Tàng trữ trái phép',
    'ikind.transport': 'Vận chuyển trái phép',
    'ikind.organised_use': 'Tổ chức sử dụng trái phép',
    'ikind.use': 'Sử dụng trái phép',
    'ikind.cultivation': 'Trồng cây có chứa chất ma túy',
    'ikind.production': 'Sản xuất trái phép',
    'ikind.other': 'Khác',
  },
  en: {
    'filter.title': 'Filter by kind, status, time',
    'filter.kind': 'Hotspot kind',
    'filter.status': 'Status',
    'filter.ikind': 'Incident kind',
    'filter.all': 'All',
    'filter.shown': 'Showing {n} of {total} hotspots',
    'filter.clear': 'Clear filters',
    'filter.dateHint': 'The dates filter incidents, grid cells and hotspots with a change in that span.',
    'ikind.trafficking': 'Trafficking',
    'ikind.storage': 'Illegal possession',
    'ikind.transport': 'Transport',
    'ikind.organised_use': 'Organising use',
    'ikind.use': 'Use',
    'ikind.cultivation': 'Cultivation',
    'ikind.production': 'Production',
    'ikind.other': 'Other',
  },
});

// statusAt replays a hotspot's events up to instant end (ms): its status
// then, or null when it was not yet known.
export function statusAt(events, end) {
  let status = null;
  for (const e of events || []) {
    if (Date.parse(e.occurred_at) > end) break;
    if (e.event === 'note') {
      if (!status) status = 'unknown';
      continue;
    }
    status = e.event === 'eliminated' ? 'eliminated' : 'active';
  }
  return status;
}

// monthBounds: [start, end] in ms of a month "yyyy-mm" in Vietnam (UTC+7).
export function monthBounds(ym) {
  const [y, m] = ym.split('-').map(Number);
  const start = Date.UTC(y, m - 1, 1) - 7 * 3600e3;
  const end = Date.UTC(y, m, 1) - 7 * 3600e3 - 1;
  return [start, end];
}

// dayBounds: [start of from, end of to] in ms in Vietnam, for yyyy-mm-dd.
function dayStart(d) { return d ? Date.parse(`${d}T00:00:00+07:00`) : null; }
function dayEnd(d) { return d ? Date.parse(`${d}T23:59:59.999+07:00`) : null; }

export class Filters {
  // onChange(state) hears every change; events(id) gives a hotspot's events.
  constructor(mount, { onChange, events }) {
    this.onChange = onChange;
    this.events = events;
    this.state = { kind: '', status: '', ikind: '', from: '', to: '', month: '' };
    this.mount = mount;
    this.render();
  }

  // fromURL reads the address's filter fields (unknown values are dropped).
  fromURL(params) {
    const pick = (k, allowed) => (allowed.includes(params.get(k)) ? params.get(k) : '');
    const date = (k) => (/^\d{4}-\d{2}-\d{2}$/.test(params.get(k) || '') ? params.get(k) : '');
    this.state.kind = pick('kind', HOTSPOT_KINDS);
    this.state.status = pick('status', STATUSES);
    this.state.ikind = pick('ikind', INCIDENT_KINDS);
    this.state.from = date('from');
    this.state.to = date('to');
    this.state.month = /^\d{4}-\d{2}$/.test(params.get('month') || '') ? params.get('month') : '';
    this.render();
  }

  // toURL writes the set fields into params.
  toURL(params) {
    for (const [k, v] of Object.entries(this.state)) {
      if (v) params.set(k, v);
      else params.delete(k);
    }
  }

  set(patch) {
    Object.assign(this.state, patch);
    this.render();
    this.onChange(this.state);
  }

  active() {
    const s = this.state;
    return !!(s.kind || s.status || s.ikind || s.from || s.to);
  }

  // viewOf is the hotspot layer's view: hidden when a filter excludes it,
  // coloured by its status at the end of the replayed month.
  viewOf(feature) {
    const s = this.state;
    const p = feature.properties || {};
    const evs = this.events(feature.id) || [];
    let status = p.status;
    let show = true;
    if (s.month) {
      const [, end] = monthBounds(s.month);
      status = statusAt(evs, end);
      if (!status) return { show: false, status: 'unknown' };
    }
    if (s.kind && p.kind !== s.kind) show = false;
    if (s.status && status !== s.status) show = false;
    if (show && (s.from || s.to)) {
      const a = dayStart(s.from) ?? -Infinity;
      const b = dayEnd(s.to) ?? Infinity;
      show = evs.some((e) => {
        const x = Date.parse(e.occurred_at);
        return x >= a && x <= b;
      });
    }
    return { show, status };
  }

  render() {
    clear(this.mount);
    const s = this.state;
    const sel = (name, label, values, prefix) => h('label', { class: `filter-${name}` },
      h('span', { text: label }),
      h('select', { name, id: `filter-${name}`, on: { change: (ev) => this.set({ [name]: ev.currentTarget.value }) } },
        h('option', { value: '', text: t('filter.all') }),
        values.map((v) => h('option', { value: v, selected: s[name] === v, text: tOr(prefix, v) }))));
    this.mount.append(
      sel('kind', t('filter.kind'), HOTSPOT_KINDS, 'kind.'),
      sel('status', t('filter.status'), STATUSES, 'status.'),
      sel('ikind', t('filter.ikind'), INCIDENT_KINDS, 'ikind.'),
    );
  }
}

// The live feed: one <li> per change message, newest first, in the chosen
// language (entries keep the facts and are re-worded on a language switch).

import { h, clear } from './dom.js';
import { t, has } from './i18n.js';
import { fmtDateTime } from './format.js';

const MAX_ENTRIES = 500;

// describe turns a change message into a dictionary key and its values.
// lookupRef(id) gives the ref of a hotspot we already hold; previous(id)
// the hotspot as held before this message (to tell an edit from a change
// of status).
export function describe(msg, lookupRef = () => '', previous = () => null) {
  const type = msg.type || '';
  const op = msg.op || '';
  const d = msg.data || {};
  const hs = d.hotspot && d.hotspot.properties ? d.hotspot : null;
  const id = msg.id ?? hs?.id;
  const vars = { type };
  let hotspotId = null;

  if (type === 'hotspot' || type === 'event') {
    vars.ref = hs?.properties.ref || lookupRef(id) || (id !== undefined && id !== null ? `#${id}` : '');
    hotspotId = op === 'delete' || op === 'bulk' ? null : id ?? null;
    if (op === 'bulk') return { key: `feed.${type}.bulk`, vars, hotspotId };
    if (type === 'event' && d.event && has(`feed.event.${d.event.event}`)) {
      return { key: `feed.event.${d.event.event}`, vars, hotspotId };
    }
    if (op === 'insert') return { key: 'feed.hotspot.insert', vars, hotspotId };
    if (op === 'delete') return { key: 'feed.hotspot.delete', vars, hotspotId };
    const status = hs?.properties.status;
    // An update that is no change of status: a rename or a move on the map.
    const was = type === 'hotspot' && hs ? previous(id) : null;
    if (was && was.properties && (was.properties.status || '') === (status || '')) {
      const [x0, y0] = was.geometry?.coordinates || [];
      const [x1, y1] = hs.geometry?.coordinates || [];
      if ((was.properties.name || '') !== (hs.properties.name || '')) {
        vars.name = hs.properties.name || '';
        return { key: 'feed.hotspot.renamed', vars, hotspotId };
      }
      if (x0 !== x1 || y0 !== y1) return { key: 'feed.hotspot.moved', vars, hotspotId };
      return { key: 'feed.hotspot.edited', vars, hotspotId };
    }
    if (status === 'active' || status === 'eliminated') return { key: `feed.hotspot.update.${status}`, vars, hotspotId };
    return { key: 'feed.other', vars, hotspotId };
  }
  if (type === 'camera') {
    vars.ref = d.camera?.properties?.ref || d.ref || d.properties?.ref || (id !== undefined && id !== null ? `#${id}` : '');
    const key = `feed.camera.${op}`;
    return { key: has(key) ? key : 'feed.camera.update', vars, hotspotId };
  }
  if (type === 'incident' || type === 'tip') {
    const key = `feed.${type}.${op}`;
    return { key: has(key) ? key : `feed.${type}.update`, vars, hotspotId };
  }
  if (type === 'area' || type === 'indicator' || type === 'metrics') {
    return { key: `feed.${type}.any`, vars, hotspotId };
  }
  return { key: 'feed.other', vars, hotspotId };
}

export class Feed {
  constructor(listEl, emptyEl, { areaName, lookupRef, previous, onHotspot }) {
    this.list = listEl;
    this.previous = previous || (() => null);
    this.empty = emptyEl;
    this.areaName = areaName || ((c) => c);
    this.lookupRef = lookupRef || (() => '');
    this.onHotspot = onHotspot || (() => {});
    this.entries = []; // oldest first
  }

  add(msg, at = new Date()) {
    const entry = { at, seq: msg.seq, type: msg.type, op: msg.op, area: msg.area || '', ...describe(msg, this.lookupRef, this.previous) };
    this.entries.push(entry);
    const li = this._li(entry);
    li.classList.add('feed-new');
    this.list.prepend(li);
    while (this.entries.length > MAX_ENTRIES) {
      this.entries.shift();
      this.list.lastElementChild?.remove();
    }
    this.empty.hidden = true;
  }

  text(entry) {
    const where = entry.area ? t('feed.where', { area: this.areaName(entry.area) }) : '';
    return t(entry.key, { ...entry.vars, where });
  }

  _li(entry) {
    const text = this.text(entry);
    const body = entry.hotspotId !== null && entry.hotspotId !== undefined
      ? h('button', { type: 'button', class: 'link', text, on: { click: () => this.onHotspot(entry.hotspotId) } })
      : h('span', { class: 'feed-text', text });
    return h('li', {
      class: `feed-item feed-${entry.type} feed-op-${entry.op || 'none'}`,
      'data-type': entry.type,
      'data-op': entry.op,
      'data-seq': entry.seq,
    }, h('time', { datetime: entry.at.toISOString(), text: fmtDateTime(entry.at) }), ' ', body);
  }

  rerender() {
    clear(this.list);
    for (let i = this.entries.length - 1; i >= 0; i--) this.list.append(this._li(this.entries[i]));
    this.empty.hidden = this.entries.length > 0;
  }
}

// The replay: a slider over the months from the first recorded event to
// this one. A month chosen shows each hotspot as it stood at the month's
// end (hidden before it was found) and the incidents of that month; the
// play button steps through the months.

import { h, clear } from './dom.js';
import { t, addWords } from './i18n.js';

addWords({
  vi: {
    'timeline.title': 'Phát lại theo tháng',
    'timeline.month': 'Tháng',
    'timeline.play': '▶ Phát lại',
    'timeline.pause': '❚❚ Dừng',
    'timeline.now': 'Về hiện tại',
    'timeline.off': 'Đang xem hiện tại. Kéo thanh trượt để xem lại từng tháng.',
    'timeline.at': 'Tháng {month}: {active} tụ điểm đang hoạt động, {changes} diễn biến trong tháng; ô lưới và vụ việc của tháng này.',
    'timeline.empty': 'Chưa có diễn biến để phát lại.',
  },
  en: {
    'timeline.title': 'Replay month by month',
    'timeline.month': 'Month',
    'timeline.play': '▶ Play',
    'timeline.pause': '❚❚ Pause',
    'timeline.now': 'Back to now',
    'timeline.off': 'Showing now. Drag the slider to look back month by month.',
    'timeline.at': '{month}: {active} hotspots active, {changes} changes in the month; grid cells and incidents of this month.',
    'timeline.empty': 'No changes to replay yet.',
  },
});

// monthsFrom lists "yyyy-mm" from the month of first (ms) to that of last.
export function monthsFrom(first, last) {
  const ym = (ms) => {
    const d = new Date(ms + 7 * 3600e3); // Vietnam's wall clock
    return [d.getUTCFullYear(), d.getUTCMonth() + 1];
  };
  let [y, m] = ym(first);
  const [ly, lm] = ym(last);
  const out = [];
  while (y < ly || (y === ly && m <= lm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m++;
    if (m > 12) { m = 1; y++; }
    if (out.length > 600) break; // fifty years is enough
  }
  return out;
}

export const showMonth = (ym) => (ym ? `${ym.slice(5, 7)}/${ym.slice(0, 4)}` : '');

export class Timeline {
  // months() lists the months to offer; onMonth(ym or '') sets one;
  // summary(ym) gives {active, changes} for the label.
  constructor(mount, { months, onMonth, summary }) {
    this.mount = mount;
    this.months = months;
    this.onMonth = onMonth;
    this.summary = summary;
    this.month = '';
    this.timer = null;
    this.render();
  }

  set(ym, { silent = false } = {}) {
    this.month = ym || '';
    if (!this.month) this.stop();
    this.render();
    if (!silent) this.onMonth(this.month);
  }

  play() {
    const ms = this.months();
    if (!ms.length) return;
    let i = this.month ? ms.indexOf(this.month) : -1;
    if (i < 0 || i >= ms.length - 1) i = -1;
    this.stop();
    const step = () => {
      i++;
      if (i >= ms.length) return this.stop();
      this.set(ms[i]);
      this.timer = setTimeout(step, 1200);
    };
    this.playing = true;
    step();
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
    this.playing = false;
    if (this.btn) this.btn.textContent = t('timeline.play');
  }

  render() {
    clear(this.mount);
    const ms = this.months();
    this.mount.append(h('h2', { id: 'timeline-title', text: t('timeline.title') }));
    if (!ms.length) {
      this.mount.append(h('p', { class: 'muted', text: t('timeline.empty') }));
      return;
    }
    const idx = this.month ? Math.max(0, ms.indexOf(this.month)) : ms.length - 1;
    const slider = h('input', {
      type: 'range', id: 'timeline-slider', min: 0, max: ms.length - 1, step: 1, value: idx,
      'aria-labelledby': 'timeline-title', 'aria-valuetext': this.month ? showMonth(this.month) : t('timeline.now'),
      on: { input: (ev) => { this.stop(); this.set(ms[Number(ev.currentTarget.value)]); } },
    });
    this.btn = h('button', { type: 'button', class: 'timeline-play', text: this.playing ? t('timeline.pause') : t('timeline.play'), on: { click: () => (this.playing ? this.stop() : this.play()) } });
    const now = h('button', { type: 'button', class: 'timeline-now', disabled: !this.month, text: t('timeline.now'), on: { click: () => this.set('') } });
    let label = t('timeline.off');
    if (this.month) {
      const s = this.summary(this.month);
      label = t('timeline.at', { month: showMonth(this.month), active: s.active, changes: s.changes });
    }
    this.mount.append(
      h('div', { class: 'timeline-row' }, h('span', { class: 'muted', text: showMonth(ms[0]) }), slider, h('span', { class: 'muted', text: showMonth(ms[ms.length - 1]) })),
      h('div', { class: 'timeline-row' }, this.btn, now),
      h('p', { class: 'timeline-label', id: 'timeline-label', role: 'status', text: label }),
    );
  }
}

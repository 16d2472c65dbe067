// Dates on this page are always shown in Asia/Ho_Chi_Minh as dd/mm/yyyy
// (and HH:mm where the time matters), whatever the browser's own zone.

export const TZ = 'Asia/Ho_Chi_Minh';
// Vietnam has kept UTC+07:00 without daylight saving since 1975.
export const VN_OFFSET = '+07:00';

const partsFmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function toDate(v) {
  if (v instanceof Date) return v;
  if (v == null || v === '') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

// vnParts gives the wall-clock fields of an instant in Asia/Ho_Chi_Minh.
export function vnParts(v) {
  const d = toDate(v);
  if (!d) return null;
  const p = {};
  for (const { type, value } of partsFmt.formatToParts(d)) p[type] = value;
  // Some engines print midnight as 24 even with h23.
  if (p.hour === '24') p.hour = '00';
  return p;
}

// fmtDate: dd/mm/yyyy, or '' for a missing or unreadable value.
export function fmtDate(v) {
  const p = vnParts(v);
  return p ? `${p.day}/${p.month}/${p.year}` : '';
}

// fmtTime: HH:mm.
export function fmtTime(v) {
  const p = vnParts(v);
  return p ? `${p.hour}:${p.minute}` : '';
}

// fmtDateTime: dd/mm/yyyy HH:mm.
export function fmtDateTime(v) {
  const p = vnParts(v);
  return p ? `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}` : '';
}

// localInputValue: the value a <input type="datetime-local"> needs to show an
// instant as Vietnamese wall-clock time: yyyy-mm-ddTHH:mm.
export function localInputValue(v = new Date()) {
  const p = vnParts(v);
  return p ? `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}` : '';
}

// dateInputValue: yyyy-mm-dd in Vietnam for <input type="date">.
export function dateInputValue(v = new Date()) {
  const p = vnParts(v);
  return p ? `${p.year}-${p.month}-${p.day}` : '';
}

// fromLocalInput turns a datetime-local value (Vietnamese wall clock) into
// RFC 3339 with the +07:00 offset, as the API wants; '' when it is not valid.
export function fromLocalInput(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value || '');
  if (!m) return '';
  const [, y, mo, d, h, mi, s = '00'] = m;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${VN_OFFSET}`;
}

// parseDMY reads a dd/mm/yyyy date typed by a user (d/m/yyyy and - or .
// separators are accepted) and returns yyyy-mm-dd for the API; '' for an
// empty field and null for something that is not a real date.
export function parseDMY(text) {
  const v = (text || '').trim();
  if (!v) return '';
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
  if (!m) return null;
  const d = +m[1];
  const mo = +m[2];
  const y = +m[3];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return `${m[3]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

// parseDMYHM reads "dd/mm/yyyy HH:mm" (24 h, Vietnamese wall clock) as typed
// and returns RFC 3339 with +07:00 for the API, or '' when it is not a real
// date and time.
export function parseDMYHM(text) {
  const m = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s+(\d{1,2})[:h](\d{2})\s*$/.exec(text || '');
  if (!m) return '';
  const day = parseDMY(`${m[1]}/${m[2]}/${m[3]}`);
  const hh = +m[4];
  const mm = +m[5];
  if (!day || hh > 23 || mm > 59) return '';
  return `${day}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00${VN_OFFSET}`;
}

// Numbers as the page's language writes them: 1.234,5 and 22,2 % in
// Vietnamese, 1,234.5 and 22.2 % in English.
function numLocale() {
  return (document.documentElement.lang || 'vi') === 'en' ? 'en-GB' : 'vi-VN';
}

// fmtNum writes x with at most `digits` decimals (grouped thousands).
export function fmtNum(x, digits = 0) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  return new Intl.NumberFormat(numLocale(), { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(x);
}

// fmtPct writes a share (0.222) as a percentage with one decimal: 22,2 %.
export function fmtPct(share) {
  if (typeof share !== 'number' || !Number.isFinite(share)) return '–';
  return `${new Intl.NumberFormat(numLocale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(100 * share)} %`;
}

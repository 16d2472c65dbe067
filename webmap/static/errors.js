// Refusals in the reader's language. The API answers {"error", "field"} in
// English; the common refusals of the forms are recognised here and said in
// Vietnamese (or English), with the server's own text kept for anything
// else. One place for every translated refusal.
import { addWords, t, tOr } from './i18n.js';

addWords({
  vi: {
    'err.transition': 'Không thể ghi «{event}» lúc {at}: khi đó tụ điểm {status}.',
    'err.transition.unknown': 'chưa được phát hiện',
    'err.future': 'Thời điểm nằm trong tương lai.',
    'err.outside': 'Vị trí nằm ngoài mọi địa bàn.',
    'err.duplicate_event': 'Sự kiện này đã được ghi.',
    'err.duplicate_ref': 'Mã này đã tồn tại.',
    'err.forbidden': 'Tài khoản không có quyền thao tác này trong địa bàn.',
    'err.too_large': 'Dữ liệu gửi lên quá lớn (tối đa 1 MiB).',
    'err.network': 'Không kết nối được máy chủ.',
  },
  en: {
    'err.transition': 'Cannot record “{event}” at {at}: the hotspot was {status} then.',
    'err.transition.unknown': 'not yet detected',
    'err.future': 'The time is in the future.',
    'err.outside': 'The point lies outside every area.',
    'err.duplicate_event': 'This event is already recorded.',
    'err.duplicate_ref': 'This ref already exists.',
    'err.forbidden': 'Your account may not do this in this area.',
    'err.too_large': 'The data sent is too large (1 MiB at most).',
    'err.network': 'Cannot reach the server.',
  },
});

const transition = /cannot record "(\w+)" at (\S+ \S+): the hotspot is (\w+) then/;

// sayError returns the refusal (status, field, the server's message) in the
// page's language.
export function sayError(status, field, message) {
  const m = transition.exec(message || '');
  if (m) {
    const state = m[3] === 'unknown' ? t('err.transition.unknown') : tOr('status.', m[3]).toLowerCase();
    return t('err.transition', { event: tOr('event.', m[1]), at: m[2], status: state });
  }
  if (status === 0) return t('err.network');
  if (status === 403) return t('err.forbidden');
  if (status === 413) return t('err.too_large');
  if (/is in the future/.test(message)) return t('err.future');
  if (/lies outside every area/.test(message)) return t('err.outside');
  if (/already recorded/.test(message)) return t('err.duplicate_event');
  if (status === 409 && field === 'ref') return t('err.duplicate_ref');
  return message;
}



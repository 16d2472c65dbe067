// Refusals in the reader's language. The API answers {"error", "field"} in
// English; the common refusals of the forms are recognised here and said in
// Vietnamese (or English), with the server's own text kept for anything
// else. One place for every translated refusal.
import { addWords, t, tOr, lang } from './i18n.js';

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
    'err.required': 'Chưa điền «{field}».',
    'err.too_long': '«{field}» quá dài.',
    'err.invalid': '«{field}» không hợp lệ.',
    'err.outside_scope': 'Vị trí này nằm ngoài địa bàn của bạn.',
    'err.not_found': 'Không tìm thấy: có thể đã bị xóa, hoặc nằm ngoài địa bàn của bạn.',
    'err.login': 'Phiên đăng nhập đã hết; vui lòng đăng nhập lại.',
    'err.busy': 'Máy chủ đang bận; vui lòng thử lại sau ít phút.',
    'err.server': 'Máy chủ gặp lỗi; vui lòng thử lại. Nếu lỗi lặp lại, báo cho bộ phận kỹ thuật.',
    'err.conflict': 'Dữ liệu đã thay đổi hoặc bị trùng; tải lại và thử lại.',
    'field.ref': 'Số hiệu', 'field.name': 'Tên', 'field.kind': 'Loại', 'field.note': 'Ghi chú',
    'field.lon': 'Vị trí', 'field.lat': 'Vị trí', 'field.event': 'Sự kiện', 'field.occurred_at': 'Thời điểm',
    'field.detected_at': 'Thời điểm phát hiện', 'field.status': 'Trạng thái', 'field.area': 'Địa bàn',
    'field.from': 'Từ ngày', 'field.to': 'Đến ngày', 'field.bearing': 'Hướng', 'field.fov': 'Góc nhìn',
    'field.range_m': 'Tầm nhìn', 'field.owner': 'Thuộc', 'field.k': 'Số camera', 'field.body': 'Dữ liệu gửi lên',
    'field.period': 'Kỳ', 'field.username': 'Tên đăng nhập', 'field.password': 'Mật khẩu',
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
    'err.required': '“{field}” is required.',
    'err.too_long': '“{field}” is too long.',
    'err.invalid': '“{field}” is not valid: {detail}',
    'err.outside_scope': 'This place lies outside your area.',
    'err.not_found': 'Not found: it may have been removed, or lie outside your area.',
    'err.login': 'Your session has ended; please log in again.',
    'err.busy': 'The server is busy; please try again in a few minutes.',
    'err.server': 'The server failed; please try again, and tell the IT staff if it keeps failing.',
    'err.conflict': 'The data changed or already exists; reload and try again.',
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
  if (status === 403 && /outside your area/.test(message || '')) return t('err.outside_scope');
  if (status === 403) return t('err.forbidden');
  if (status === 413) return t('err.too_large');
  if (/is in the future/.test(message)) return t('err.future');
  if (/lies outside every area/.test(message)) return t('err.outside');
  if (/already recorded/.test(message)) return t('err.duplicate_event');
  if (status === 409 && field === 'ref') return t('err.duplicate_ref');
  if (status === 401) return t('err.login');
  if (status === 404) return t('err.not_found');
  if (status === 409) return t('err.conflict');
  if (status === 429 || status === 503) return t('err.busy');
  if (status >= 500) return t('err.server');
  if (status === 400 && field) {
    // A field refused: named in the page's language. The server's own
    // reason is kept in English only (it is English).
    const bare = field.replace(/^.*\./, '').replace(/\[\d+\]/g, '');
    const name = lang() === 'en' ? bare : tOr('field.', bare);
    if (/is (empty|required)/.test(message)) return t('err.required', { field: name });
    if (/too long|at most \d+ (characters|bytes)/.test(message)) return t('err.too_long', { field: name });
    return t('err.invalid', { field: name, detail: message });
  }
  return message;
}



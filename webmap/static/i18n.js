// Every label the page shows, in Vietnamese (default) and English.
// Keys are grouped by what they name; `t(key, vars)` fills {placeholders}.

const dict = {
  vi: {
    'app.title': 'diaban — Bản đồ địa bàn ma túy',
    'lang.toggle': 'EN',
    'lang.toggleLabel': 'Switch to English',
    'ws.open': 'Trực tiếp: đã kết nối',
    'ws.closed': 'Trực tiếp: mất kết nối, đang kết nối lại…',
    'ws.connecting': 'Trực tiếp: đang kết nối…',
    'loading': 'Đang tải dữ liệu…',
    'error.load': 'Không tải được dữ liệu: {msg}',
    'error.retry': 'Thử lại',
    'error.network': 'Không kết nối được máy chủ',

    'layer.base': 'Bản đồ nền',
    'layer.blank': 'Nền trống',
    'layer.areas': 'Địa bàn',
    'layer.hotspots': 'Tụ điểm, điểm phức tạp về ma túy',
    'layer.cameras': 'Camera giám sát',
    'layer.cells': 'Mật độ vụ việc (ô lục giác ~200 m)',
    'layer.emerging': 'Điểm nóng mới nổi (phân tích không-thời gian)',
    'emerging.legend': 'Điểm nóng mới nổi',
    'emerging.bin': 'Khoảng thời gian',
    'emerging.bin.month': 'Tháng',
    'emerging.bin.quarter': 'Quý',
    'emerging.bin.year': 'Năm',
    'emerging.range': '{first} – {last} ({n} khoảng), lưới H3 cấp {res}',
    'emerging.computing': 'Đang phân tích…',
    'emerging.res': 'Cỡ ô lưới H3 (cấp càng cao, ô càng nhỏ)',
    'emerging.ring': 'Vùng lân cận',
    'emerging.rings': '{n} vòng ô',
    'emerging.from': 'Từ ngày',
    'emerging.to': 'Đến ngày',
    'emerging.badDate': 'Ngày không hợp lệ (dd/mm/yyyy).',
    'emerging.fdr': 'Bớt báo động nhầm khi xét nhiều ô cùng lúc (hiệu chỉnh FDR)',
    'emerging.empty': 'Chưa có vụ việc để phân tích.',
    'emerging.cell': 'Ô lưới {cell}',
    'emerging.trend': 'Xu hướng qua các kỳ: tăng, giảm hay không rõ (kiểm định Mann–Kendall)',
    'emerging.lastZ': 'Mức nóng kỳ cuối (điểm Gi*: trên 2 là nóng hơn hẳn xung quanh)',
    'emerging.total': 'Tổng số vụ việc',
    'emerging.count': '{count} vụ việc',
    'emerging.chart': 'Mức nóng theo thời gian (điểm Gi*: vụ việc của ô và các ô quanh nó so với cả vùng)',
    'layer.incidents': 'Vụ việc (phóng to từ mức 15)',

    'area.select': 'Địa bàn',
    'area.all': '— Toàn bộ địa bàn —',
    'level.province': 'Tỉnh/Thành phố',
    'level.district': 'Quận/Huyện',
    'level.commune': 'Xã/Phường/Thị trấn',
    'level.hamlet': 'Ấp/Khu phố/Thôn',

    'status.active': 'Đang hoạt động',
    'status.eliminated': 'Đã triệt xóa',
    'status.unknown': 'Chưa xác định',
    'legend.unknown': 'Chưa xác định: chưa có sự kiện phát hiện (nhập tệp sự kiện hoặc ghi nhận "phát hiện")',

    'kind.dealing': 'Mua bán',
    'kind.storage': 'Cất giấu, tàng trữ',
    'kind.organised_use': 'Tổ chức sử dụng',
    'kind.public_use': 'Sử dụng nơi công cộng',
    'kind.cultivation': 'Trồng cây có chứa chất ma túy',
    'kind.production': 'Sản xuất',

    'event.detected': 'Phát hiện',
    'event.confirmed': 'Xác minh',
    'event.eliminated': 'Triệt xóa',
    'event.recurred': 'Phức tạp trở lại',
    'event.note': 'Ghi chú',

    'hotspot': 'Tụ điểm',
    'hotspot.ref': 'Số hiệu',
    'hotspot.name': 'Tên',
    'hotspot.kind': 'Loại',
    'hotspot.status': 'Trạng thái',
    'hotspot.area': 'Địa bàn',
    'hotspot.history': 'Diễn biến',
    'hotspot.noHistory': 'Chưa có diễn biến.',
    'hotspot.historyLoading': 'Đang tải diễn biến…',
    'hotspot.recordedAt': 'ghi nhận {date}',
    'form.title': 'Ghi nhận diễn biến',
    'form.event': 'Sự kiện',
    'form.occurredAt': 'Thời điểm xảy ra',
    'form.occurredAtHint': 'Giờ Việt Nam: {when}',
    'form.note': 'Ghi chú',
    'form.submit': 'Ghi nhận',
    'form.sending': 'Đang gửi…',
    'form.saved': 'Đã ghi nhận.',

    'camera': 'Camera',
    'camera.owner': 'Chủ sở hữu',
    'camera.status': 'Tình trạng',
    'camera.bearing': 'Hướng',
    'camera.fov': 'Góc quan sát',
    'camera.dome': '360° (camera bán cầu)',
    'camera.range': 'Tầm quan sát',
    'owner.police': 'Công an',
    'owner.community': 'Cộng đồng',
    'camstatus.active': 'Đang hoạt động',
    'camstatus.offline': 'Mất kết nối',
    'camstatus.planned': 'Dự kiến',

    'cells.count': '{count} vụ việc',
    'cells.period': 'Thời gian',
    'cells.from': 'Từ ngày',
    'cells.to': 'Đến ngày',
    'cells.apply': 'Áp dụng',
    'cells.invalid': 'Ngày không hợp lệ (dd/mm/yyyy): {fields}',
    'cells.order': '“Từ ngày” sau “Đến ngày”',
    'incident': 'Vụ việc',
    'incident.occurredAt': 'Thời điểm',
    'incidents.zoomIn': 'Phóng to đến mức 15 để xem từng vụ việc',

    'legend.title': 'Chú giải',
    'legend.hotspots': 'Tụ điểm ma túy',
    'legend.cameras': 'Camera giám sát',
    'legend.cells': 'Mật độ vụ việc (số vụ trong mỗi ô lục giác)',
    'legend.cellsEmpty': 'Không có vụ việc trong thời gian đã chọn',
    'legend.planned': 'Dự kiến (nét đứt)',
    'legend.offline': 'Mất kết nối',

    'feed.title': 'Diễn biến trực tiếp',
    'feed.empty': 'Chưa có diễn biến mới.',
    'feed.hotspot.insert': 'Phát hiện tụ điểm {ref}',
    'feed.hotspot.update.active': 'Tụ điểm {ref} đang hoạt động',
    'feed.hotspot.update.eliminated': 'Tụ điểm {ref} đã triệt xóa',
    'feed.hotspot.renamed': 'Tụ điểm {ref} được đổi tên thành “{name}”',
    'feed.hotspot.moved': 'Tụ điểm {ref} được dời vị trí',
    'feed.hotspot.edited': 'Tụ điểm {ref} được sửa thông tin',
    'feed.hotspot.delete': 'Đã xóa tụ điểm {ref}',
    'feed.hotspot.bulk': 'Cập nhật hàng loạt tụ điểm',
    'feed.event.detected': 'Phát hiện tụ điểm {ref}',
    'feed.event.confirmed': 'Tụ điểm {ref} đã được xác minh',
    'feed.event.eliminated': 'Tụ điểm {ref} đã triệt xóa',
    'feed.event.recurred': 'Tụ điểm {ref} phức tạp trở lại',
    'feed.event.note': 'Tụ điểm {ref}: ghi chú mới',
    'feed.event.bulk': 'Cập nhật hàng loạt diễn biến tụ điểm',
    'feed.incident.insert': 'Vụ việc mới{where}',
    'feed.incident.update': 'Cập nhật vụ việc{where}',
    'feed.incident.delete': 'Xóa vụ việc{where}',
    'feed.incident.bulk': 'Cập nhật hàng loạt vụ việc{where}',
    'feed.tip.insert': 'Tin báo, tố giác mới{where}',
    'feed.tip.update': 'Cập nhật tin báo, tố giác{where}',
    'feed.tip.delete': 'Xóa tin báo, tố giác{where}',
    'feed.tip.bulk': 'Cập nhật hàng loạt tin báo, tố giác{where}',
    'feed.camera.insert': 'Camera mới {ref}{where}',
    'feed.camera.update': 'Cập nhật camera {ref}{where}',
    'feed.camera.delete': 'Gỡ bỏ camera {ref}{where}',
    'feed.camera.bulk': 'Cập nhật hàng loạt camera{where}',
    'feed.area.any': 'Cập nhật địa bàn{where}',
    'feed.indicator.any': 'Cập nhật chỉ số{where}',
    'feed.metrics.any': 'Cập nhật số liệu chuyển hóa địa bàn{where}',
    'feed.other': 'Thay đổi dữ liệu ({type}){where}',
    'feed.where': ' tại {area}',

    'planner.title': 'Quy hoạch camera',
    'planner.area': 'Địa bàn',
    'planner.pickArea': '— Chọn địa bàn —',
    'planner.k': 'Số camera',
    'planner.range': 'Tầm xa (m)',
    'planner.fov': 'Góc nhìn (°)',
    'planner.propose': 'Đề xuất phương án',
    'planner.computing': 'Đang tính phương án…',
    'planner.coverage': 'Độ phủ',
    'planner.beforeAfter': 'Trước / Sau',
    'planner.hotspots': 'Tụ điểm',
    'planner.risk': 'Rủi ro (vụ việc)',
    'planner.optimal': 'Phương án tối ưu (đã chứng minh): không phương án nào với cùng số camera che phủ được nhiều hơn.',
    'planner.gap': 'Cách tối ưu không quá {gap}: phương án tốt nhất có thể che phủ nhiều hơn tối đa chừng ấy.',
    'planner.camera': 'Camera {n}',
    'planner.bearing': 'Hướng',
    'planner.accept': 'Chấp nhận phương án',
    'planner.clear': 'Hủy',
    'planner.accepted': 'Đã lưu {n} camera ở trạng thái dự kiến.',
    'planner.none': 'Không còn vị trí nào phủ thêm được.',
    'planner.needArea': 'Hãy chọn một địa bàn.',
    'planner.current': 'Đang hoạt động {cameras} camera, phủ {hotspots} tụ điểm và {risk} rủi ro.',
    'planner.plannedApart': 'Ngoài ra {planned} camera dự kiến (chưa lắp đặt, không tính ở trên).',
    'planner.dragHint': 'Kéo camera trên bản đồ để di chuyển, xoay bằng thanh trượt.',
  },
  en: {
    'app.title': 'diaban — Drug hotspot area map',
    'lang.toggle': 'VI',
    'lang.toggleLabel': 'Chuyển sang tiếng Việt',
    'ws.open': 'Live: connected',
    'ws.closed': 'Live: disconnected, reconnecting…',
    'ws.connecting': 'Live: connecting…',
    'loading': 'Loading data…',
    'error.load': 'Could not load data: {msg}',
    'error.retry': 'Retry',
    'error.network': 'Cannot reach the server',

    'layer.base': 'Base map',
    'layer.blank': 'Plain background',
    'layer.areas': 'Areas',
    'layer.hotspots': 'Drug hotspots',
    'layer.cameras': 'Surveillance cameras',
    'layer.cells': 'Incident density (hexagons of ~200 m)',
    'layer.emerging': 'Emerging hot spots (space-time analysis)',
    'emerging.legend': 'Emerging hot spots',
    'emerging.bin': 'Time step',
    'emerging.bin.month': 'Month',
    'emerging.bin.quarter': 'Quarter',
    'emerging.bin.year': 'Year',
    'emerging.range': '{first} – {last} ({n} steps), H3 resolution {res}',
    'emerging.computing': 'Analysing…',
    'emerging.res': 'H3 cell size',
    'emerging.ring': 'Neighbourhood',
    'emerging.rings': '{n} ring(s) of cells',
    'emerging.from': 'From',
    'emerging.to': 'To',
    'emerging.badDate': 'Invalid date (dd/mm/yyyy).',
    'emerging.fdr': 'Fewer false alarms when many cells are tested at once (FDR correction)',
    'emerging.empty': 'No incidents to analyse yet.',
    'emerging.cell': 'Cell {cell}',
    'emerging.trend': 'Trend over the periods: up, down or unclear (Mann–Kendall test)',
    'emerging.lastZ': 'Heat in the last step (Gi* score: above 2 is clearly hotter than around)',
    'emerging.total': 'Incidents in all',
    'emerging.count': '{count} incidents',
    'emerging.chart': 'Gi* z-score over time',
    'layer.incidents': 'Incidents (zoom 15 and closer)',

    'area.select': 'Area',
    'area.all': '— All areas —',
    'level.province': 'Province/City',
    'level.district': 'District',
    'level.commune': 'Commune/Ward',
    'level.hamlet': 'Hamlet/Quarter',

    'status.active': 'Active',
    'status.eliminated': 'Eliminated',
    'status.unknown': 'Unknown',
    'legend.unknown': 'Unknown: no detection recorded yet (import its events or record "detected")',

    'kind.dealing': 'Dealing',
    'kind.storage': 'Storage, hiding',
    'kind.organised_use': 'Organised use',
    'kind.public_use': 'Public use',
    'kind.cultivation': 'Drug-plant cultivation',
    'kind.production': 'Production',

    'event.detected': 'Detected',
    'event.confirmed': 'Confirmed',
    'event.eliminated': 'Eliminated',
    'event.recurred': 'Recurred',
    'event.note': 'Note',

    'hotspot': 'Hotspot',
    'hotspot.ref': 'Ref',
    'hotspot.name': 'Name',
    'hotspot.kind': 'Kind',
    'hotspot.status': 'Status',
    'hotspot.area': 'Area',
    'hotspot.history': 'History',
    'hotspot.noHistory': 'No events yet.',
    'hotspot.historyLoading': 'Loading history…',
    'hotspot.recordedAt': 'recorded {date}',
    'form.title': 'Record an event',
    'form.event': 'Event',
    'form.occurredAt': 'Occurred at',
    'form.occurredAtHint': 'Vietnam time: {when}',
    'form.note': 'Note',
    'form.submit': 'Record',
    'form.sending': 'Sending…',
    'form.saved': 'Recorded.',

    'camera': 'Camera',
    'camera.owner': 'Owner',
    'camera.status': 'Status',
    'camera.bearing': 'Bearing',
    'camera.fov': 'Field of view',
    'camera.dome': '360° (dome)',
    'camera.range': 'Range',
    'owner.police': 'Police',
    'owner.community': 'Community',
    'camstatus.active': 'Active',
    'camstatus.offline': 'Offline',
    'camstatus.planned': 'Planned',

    'cells.count': '{count} incidents',
    'cells.period': 'Period',
    'cells.from': 'From',
    'cells.to': 'To',
    'cells.apply': 'Apply',
    'cells.invalid': 'Invalid date (dd/mm/yyyy): {fields}',
    'cells.order': '“From” is after “To”',
    'incident': 'Incident',
    'incident.occurredAt': 'Occurred at',
    'incidents.zoomIn': 'Zoom to level 15 to see single incidents',

    'legend.title': 'Legend',
    'legend.hotspots': 'Drug hotspots',
    'legend.cameras': 'Surveillance cameras',
    'legend.cells': 'Incident density (incidents in each hexagon)',
    'legend.cellsEmpty': 'No incidents in the chosen period',
    'legend.planned': 'Planned (dashed)',
    'legend.offline': 'Offline',

    'feed.title': 'Live feed',
    'feed.empty': 'No changes yet.',
    'feed.hotspot.insert': 'New hotspot {ref}',
    'feed.hotspot.update.active': 'Hotspot {ref} is active',
    'feed.hotspot.update.eliminated': 'Hotspot {ref} eliminated',
    'feed.hotspot.renamed': 'Hotspot {ref} renamed “{name}”',
    'feed.hotspot.moved': 'Hotspot {ref} moved',
    'feed.hotspot.edited': 'Hotspot {ref} edited',
    'feed.hotspot.delete': 'Hotspot {ref} removed',
    'feed.hotspot.bulk': 'Hotspots updated in bulk',
    'feed.event.detected': 'Hotspot {ref} detected',
    'feed.event.confirmed': 'Hotspot {ref} confirmed',
    'feed.event.eliminated': 'Hotspot {ref} eliminated',
    'feed.event.recurred': 'Hotspot {ref} recurred',
    'feed.event.note': 'Hotspot {ref}: new note',
    'feed.event.bulk': 'Hotspot events updated in bulk',
    'feed.incident.insert': 'New incident{where}',
    'feed.incident.update': 'Incident updated{where}',
    'feed.incident.delete': 'Incident removed{where}',
    'feed.incident.bulk': 'Incidents updated in bulk{where}',
    'feed.tip.insert': 'New tip{where}',
    'feed.tip.update': 'Tip updated{where}',
    'feed.tip.delete': 'Tip removed{where}',
    'feed.tip.bulk': 'Tips updated in bulk{where}',
    'feed.camera.insert': 'New camera {ref}{where}',
    'feed.camera.update': 'Camera {ref} updated{where}',
    'feed.camera.delete': 'Camera {ref} removed{where}',
    'feed.camera.bulk': 'Cameras updated in bulk{where}',
    'feed.area.any': 'Area updated{where}',
    'feed.indicator.any': 'Indicators updated{where}',
    'feed.metrics.any': 'Area transformation figures updated{where}',
    'feed.other': 'Data changed ({type}){where}',
    'feed.where': ' in {area}',

    'planner.title': 'Camera planning',
    'planner.area': 'Area',
    'planner.pickArea': '— Choose an area —',
    'planner.k': 'Cameras',
    'planner.range': 'Range (m)',
    'planner.fov': 'Field of view (°)',
    'planner.propose': 'Propose a plan',
    'planner.computing': 'Computing the plan…',
    'planner.coverage': 'Coverage',
    'planner.beforeAfter': 'Before / After',
    'planner.hotspots': 'Hotspots',
    'planner.risk': 'Risk (incidents)',
    'planner.optimal': 'Optimal (proven): no plan with as many cameras covers more.',
    'planner.gap': 'At most {gap} from the optimum: the best possible plan covers at most that much more.',
    'planner.camera': 'Camera {n}',
    'planner.bearing': 'Bearing',
    'planner.accept': 'Accept the plan',
    'planner.clear': 'Discard',
    'planner.accepted': 'Stored {n} cameras as planned.',
    'planner.none': 'No site adds any coverage.',
    'planner.needArea': 'Choose an area.',
    'planner.current': '{cameras} cameras in service, covering {hotspots} of hotspots and {risk} of risk.',
    'planner.plannedApart': 'Also {planned} planned cameras (not installed, not counted above).',
    'planner.dragHint': 'Drag a camera on the map to move it; turn it with the slider.',
  },
};

export const LANGS = ['vi', 'en'];
const STORAGE_KEY = 'diaban.lang';
const listeners = new Set();

function storedLang() {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return LANGS.includes(v) ? v : 'vi';
  } catch {
    return 'vi';
  }
}

let current = storedLang();

export function lang() {
  return current;
}

export function setLang(l) {
  if (!LANGS.includes(l) || l === current) return;
  current = l;
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch {
    // storage may be disabled; the choice then lasts for this page only
  }
  for (const fn of listeners) fn(l);
}

export function onLangChange(fn) {
  listeners.add(fn);
}

// has reports whether a key exists (so callers can fall back to a raw code).
export function has(key) {
  return key in dict[current] || key in dict.vi;
}

export function t(key, vars) {
  let s = dict[current][key] ?? dict.vi[key] ?? key;
  if (vars) {
    s = s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  }
  return s;
}

// tOr translates `prefix + code`, or returns the code itself when the dictionary
// has no word for it (a new kind the server knows and this page does not).
export function tOr(prefix, code) {
  if (code == null || code === '') return '';
  return has(prefix + code) ? t(prefix + code) : String(code);
}

// addWords merges a module's own words ({vi: {...}, en: {...}}) into the dictionary.
export function addWords(words) { for (const l of LANGS) Object.assign(dict[l], words[l] || {}); }

// Exposed for tests of the dictionary's completeness.
export const _dict = dict;

package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/metrics"
)

// tr picks the Vietnamese or the English text.
func (d *Data) tr(vi, en string) string {
	if d.English {
		return en
	}
	return vi
}

// className is a class as the map names it.
func (d *Data) className(c metrics.Class) string {
	switch c {
	case metrics.ClassKey:
		return d.tr("Trọng điểm", "Key")
	case metrics.ClassAffected:
		return d.tr("Có tệ nạn", "Affected")
	case metrics.ClassClear:
		return d.tr("Không có tệ nạn", "Drug-free")
	}
	return string(c)
}

// statusName is a band, goal or criterion status as the map names it.
func (d *Data) statusName(s string) string {
	switch s {
	case "below":
		return d.tr("dưới chỉ tiêu", "below target")
	case "met":
		return d.tr("đạt", "met")
	case "exceeded":
		return d.tr("vượt", "exceeded")
	case "not_met":
		return d.tr("chưa đạt", "not met")
	case "unknown":
		return d.tr("chưa có số liệu", "no data")
	}
	return d.tr("chưa xác định", "undefined")
}

// criterionName is seed 001's wording of criterion id.
func (d *Data) criterionName(id int) string {
	vi := [...]string{"", "100% tin báo, tố giác được xử lý",
		"100% hộ gia đình và nhóm nguy cơ cao được tuyên truyền",
		"Triệt xóa 100% điểm, không phức tạp trở lại, không phát sinh mới",
		"100% vụ án được điều tra đến người sử dụng",
		"Phá bỏ 100% diện tích cây có chất ma túy; không sản xuất",
		"Không sử dụng ma túy nơi công cộng; 100% người sử dụng được quản lý, hỗ trợ"}
	en := [...]string{"", "100% of tips and reports handled",
		"100% of households and of the high-risk group reached",
		"100% of hotspots eliminated, none recurring, none new",
		"100% of cases investigated back to the users",
		"100% of drug-plant area destroyed; no production",
		"No public drug use; 100% of users registered and offered services"}
	if id < 1 || id > 6 {
		return strconv.Itoa(id)
	}
	return d.tr(vi[id], en[id])
}

// valueName names a criterion's value key.
func (d *Data) valueName(key string) string {
	names := map[string][2]string{
		"tips_received":                 {"tin báo tiếp nhận", "tips received"},
		"tips_handled":                  {"tin báo đã xử lý", "tips handled"},
		hotspot.IndHouseholdsTotal:      {"hộ gia đình", "households"},
		hotspot.IndHouseholdsReached:    {"hộ đã tuyên truyền", "households reached"},
		hotspot.IndHighRiskTotal:        {"người nguy cơ cao", "high-risk people"},
		hotspot.IndHighRiskReached:      {"người nguy cơ cao đã tuyên truyền", "high-risk people reached"},
		"active_end":                    {"điểm còn hoạt động cuối kỳ", "hotspots active at the end"},
		"recurred":                      {"điểm phức tạp trở lại", "recurred"},
		"new":                           {"điểm mới", "new hotspots"},
		hotspot.IndCasesTotal:           {"vụ án", "cases"},
		hotspot.IndCasesTracedToUsers:   {"vụ điều tra đến người sử dụng", "cases traced to users"},
		"incidents_production":          {"vụ sản xuất", "production incidents"},
		hotspot.IndPlantAreaFoundM2:     {"m² cây phát hiện", "m² of plants found"},
		hotspot.IndPlantAreaDestroyedM2: {"m² cây đã phá bỏ", "m² of plants destroyed"},
		hotspot.IndPublicUseReports:     {"tin sử dụng nơi công cộng", "public use reports"},
		hotspot.IndUsersOfferedServices: {"người được hỗ trợ", "users offered services"},
		hotspot.IndRegisteredUsers:      {"người sử dụng có hồ sơ", "registered users"},
	}
	if n, ok := names[key]; ok {
		return d.tr(n[0], n[1])
	}
	return key
}

// criterionValueOrder lists each criterion's values in reading order: the
// part before the whole.
var criterionValueOrder = map[int][]string{
	1: {"tips_handled", "tips_received"},
	2: {hotspot.IndHouseholdsReached, hotspot.IndHouseholdsTotal, hotspot.IndHighRiskReached, hotspot.IndHighRiskTotal},
	3: {"active_end", "recurred", "new"},
	4: {hotspot.IndCasesTracedToUsers, hotspot.IndCasesTotal},
	5: {"incidents_production", hotspot.IndPlantAreaDestroyedM2, hotspot.IndPlantAreaFoundM2},
	6: {hotspot.IndPublicUseReports, hotspot.IndUsersOfferedServices, hotspot.IndRegisteredUsers},
}

// num writes v with digits decimals the way the map does: 1.234,5 in
// Vietnamese, 1,234.5 in English.
func (d *Data) num(v float64, digits int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', digits, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	thou, dec := ".", ","
	if d.English {
		thou, dec = ",", "."
	}
	var b strings.Builder
	if v < 0 && strings.Trim(s, "0.") != "" {
		b.WriteString("-")
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(thou)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(dec + frac)
	}
	return b.String()
}

// signed writes a change with its sign: +1,5, -0,3, 0.
func (d *Data) signed(v float64, digits int) string {
	s := d.num(v, digits)
	if v > 0 && strings.Trim(s, "0.,") != "" {
		return "+" + s
	}
	return s
}

// pct writes a share as the map does, one decimal: 22,2 %.
func (d *Data) pct(v *float64) string {
	if v == nil {
		return "—"
	}
	return d.num(*v*100, 1) + " %"
}

// date writes dd/mm/yyyy.
func date(t time.Time) string { return t.Format("02/01/2006") }

// periodLabel is the period as the title names it.
func (d *Data) periodLabel(p hotspot.Period) string { return p.Label(d.English) }

// levelWord names a unit of the area's children.
func (d *Data) unitsWord() string {
	if d.RollUp == nil {
		return d.tr("Đơn vị", "Unit")
	}
	return d.tr("Xã, phường", "Commune")
}

// kindName names a hotspot kind.
func (d *Data) kindName(k hotspot.HotspotKind) string {
	names := map[hotspot.HotspotKind][2]string{
		"dealing": {"mua bán", "dealing"}, "storage": {"cất giấu", "storage"},
		"organised_use": {"tổ chức sử dụng", "organised use"}, "public_use": {"sử dụng nơi công cộng", "public use"},
		"cultivation": {"trồng cây", "cultivation"}, "production": {"sản xuất", "production"},
	}
	if n, ok := names[k]; ok {
		return d.tr(n[0], n[1])
	}
	return string(k)
}

// eventName names a place's event.
func (d *Data) eventName(e hotspot.EventKind) string {
	if e == hotspot.EventRecurred {
		return d.tr("phức tạp trở lại", "recurred")
	}
	return d.tr("phát sinh mới", "new")
}

// placeName strips the type word from an area name for the date line
// ("Phường Minh An" → "Minh An").
func placeName(name string) string {
	for _, w := range []string{"Thành phố ", "Thị xã ", "Thị trấn ", "Đặc khu ", "Phường ", "Xã ", "Quận ", "Huyện ", "Tỉnh ", "TP. "} {
		if strings.HasPrefix(name, w) {
			return strings.TrimPrefix(name, w)
		}
	}
	return name
}

// fileName is a report's download name without extension.
func FileName(d *Data) string {
	return fmt.Sprintf("bao-cao-%s-%s", safe(d.Area.Code), safe(d.Period.String()))
}

func safe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, s)
}

func zone() *time.Location { return hotspot.Zone }

// dateOnly is a calendar date as a spreadsheet date (midnight UTC, no zone
// shift when written).
func dateOnly(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

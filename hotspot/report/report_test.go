package report

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/disclosure"
	"github.com/diaban/diaban/hotspot/metrics"
)

// sample is a district of three communes with names carrying every kind
// of Vietnamese diacritic, and a hostile hotspot name.
func sample(t *testing.T, role hotspot.Role) *Data {
	t.Helper()
	p, err := hotspot.ParsePeriod("2025-10")
	if err != nil {
		t.Fatal(err)
	}
	cfg := metrics.DefaultConfig()
	ev := func(k hotspot.EventKind, s string) metrics.Event {
		at, _ := time.Parse(time.RFC3339, s)
		return metrics.Event{Kind: k, OccurredAt: at}
	}
	names := []string{"Phường Cẩm Phô", "Xã Tân Hiệp", "Phường Điện Ngọc"}
	d := &Data{Area: Unit{Code: "503", Name: "Thành phố Hội An", Level: hotspot.LevelDistrict}, Period: p,
		AsOf: time.Date(2025, 11, 14, 0, 0, 0, 0, time.UTC), Generated: time.Date(2025, 11, 14, 7, 0, 0, 0, hotspot.Zone),
		Rule: disclosure.For(role)}
	var ins []metrics.AreaInput
	for i, n := range names {
		in := metrics.AreaInput{Code: string(rune('A' + i)),
			Hotspots:  []metrics.Hotspot{{ID: 1, Events: []metrics.Event{ev(hotspot.EventDetected, "2024-03-01T00:00:00Z"), ev(hotspot.EventEliminated, "2025-10-10T00:00:00Z")}}, {ID: 2, Events: []metrics.Event{ev(hotspot.EventDetected, "2025-10-02T00:00:00Z")}}},
			Incidents: []metrics.IncidentCount{{Month: hotspot.MonthOf(2025, 10), Kind: hotspot.IncUse, N: 2 + 5*i}, {Month: hotspot.MonthOf(2025, 9), Kind: hotspot.IncUse, N: 1234 * i}},
			Tips:      []metrics.TipCount{{Month: hotspot.MonthOf(2025, 10), Received: 9, Handled: 2 * (i + 1)}}}
		ins = append(ins, in)
		ring := orb.Ring{{108 + float64(i)*0.1, 15.8}, {108.1 + float64(i)*0.1, 15.8}, {108.1 + float64(i)*0.1, 15.9}, {108 + float64(i)*0.1, 15.8}}
		d.Units = append(d.Units, UnitRow{Unit: Unit{Code: "2040" + string(rune('0'+i)), Name: n, Shape: orb.MultiPolygon{{ring}}},
			Cur: metrics.Compute(in, p, cfg), Prev: metrics.Compute(in, p.Previous(), cfg)})
	}
	all := metrics.AreaInput{Code: "503"}
	for _, in := range ins {
		all.Hotspots = append(all.Hotspots, in.Hotspots...)
		all.Incidents = append(all.Incidents, in.Incidents...)
		all.Tips = append(all.Tips, in.Tips...)
	}
	d.Total, d.Previous = metrics.Compute(all, p, cfg), metrics.Compute(all, p.Previous(), cfg)
	d.Criteria = metrics.AreaCriteria(d.Total, all)
	ru, _ := metrics.ComputeRollUp("503", ins, p, cfg, 1)
	d.RollUp = &ru
	d.Places = []Place{{Ref: "=HYPERLINK(\"x\")", Name: "@Bến xe Hội An", Kind: "dealing", Event: hotspot.EventDetected, At: time.Date(2025, 10, 2, 0, 0, 0, 0, time.UTC), Unit: "Xã Tân Hiệp"}}
	return d
}

func TestNumbersAsOnScreen(t *testing.T) {
	vi, en := &Data{}, &Data{English: true}
	half := 0.2222
	for _, tt := range []struct{ got, want string }{
		{vi.num(1234.5, 1), "1.234,5"}, {en.num(1234.5, 1), "1,234.5"}, {vi.num(-0.04, 1), "0,0"},
		{vi.num(1234567, 0), "1.234.567"}, {vi.pct(&half), "22,2 %"}, {en.pct(&half), "22.2 %"}, {vi.pct(nil), "—"},
		{vi.signed(1.5, 1), "+1,5"}, {vi.signed(-1.5, 1), "-1,5"}, {vi.signed(0.01, 1), "0,0"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, sample(t, hotspot.RoleAdmin)); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte{0xef, 0xbb, 0xbf}) {
		t.Fatal("no byte-order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(b.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || recs[0][1] != "Tên đơn vị" || recs[0][11] != "Tỷ lệ triệt xóa" || recs[1][1] != "Phường Cẩm Phô" || recs[4][1] != "Tổng cộng" {
		t.Fatalf("rows %q", recs)
	}
	// counts plain, rates as on screen, the score with a decimal comma
	if recs[3][13] != "2468" || recs[1][11] != "50,0 %" || recs[1][16] != "22,2 %" || !strings.Contains(recs[1][3], ",") {
		t.Errorf("formats: %q", recs[1])
	}
	if recs[4][12] != "21" || recs[4][14] != "27" || recs[4][16] != "44,4 %" {
		t.Errorf("totals: %q", recs[4])
	}
	if got := Neutralise("=1+2"); got != "\u200b=1+2" || Neutralise("-x") != "\u200b-x" || Neutralise("@a") != "\u200b@a" || Neutralise("+a") != "\u200b+a" || Neutralise("Xã") != "Xã" {
		t.Errorf("neutralise: %q", got)
	}
}

func TestXLSX(t *testing.T) {
	d := sample(t, hotspot.RoleAdmin)
	var b bytes.Buffer
	if err := WriteXLSX(&b, d); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Đơn vị", excelize.Options{RawCellValue: true})
	if len(rows) != 5 || rows[1][0] != "Phường Cẩm Phô" || rows[0][0] != "Tên đơn vị" {
		t.Fatalf("units %q", rows)
	}
	if typ, _ := f.GetCellType("Đơn vị", "K2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("a count stored as %v", typ)
	}
	if v, err := f.CalcCellValue("Đơn vị", "L5", excelize.Options{RawCellValue: true}); err != nil || v != "21" {
		t.Errorf("incidents total %q %v", v, err)
	}
	if fm, _ := f.GetCellFormula("Đơn vị", "L5"); fm != "SUM(L2:L4)" {
		t.Errorf("total formula %q", fm)
	}
	places, _ := f.GetRows("Điểm mới, tái phức tạp")
	if places[1][0] != "\u200b=HYPERLINK(\"x\")" || places[1][1] != "\u200b@Bến xe Hội An" || places[1][4] != "02/10/2025" {
		t.Errorf("places %q", places)
	}
	crit, _ := f.GetRows("Tiêu chí")
	if len(crit) < 7 || crit[1][1] != "100% tin báo, tố giác được xử lý" {
		t.Errorf("criteria %q", crit)
	}
}

// TestViewerVersion: small counts "< 5" and a hidden partner in their
// column, as the metrics API shows them; no places.
func TestViewerVersion(t *testing.T) {
	d := sample(t, hotspot.RoleViewer)
	d.Places, d.PlacesWithheld = nil, true
	var b bytes.Buffer
	if err := WriteCSV(&b, d); err != nil {
		t.Fatal(err)
	}
	recs, _ := csv.NewReader(bytes.NewReader(b.Bytes()[3:])).ReadAll()
	if recs[1][12] != "< 5" || recs[2][12] != "< 5" || recs[3][12] != "12" || recs[4][12] != "21" || recs[1][4] != "—" {
		t.Errorf("viewer rows %q", recs)
	}
	b.Reset()
	if err := WriteXLSX(&b, d); err != nil {
		t.Fatal(err)
	}
	f, _ := excelize.OpenReader(&b)
	if fm, _ := f.GetCellFormula("Đơn vị", "L5"); fm != "" {
		t.Errorf("a total over hidden cells is a formula %q", fm)
	}
}

func TestPDF(t *testing.T) {
	for _, role := range []hotspot.Role{hotspot.RoleAdmin, hotspot.RoleViewer} {
		d := sample(t, role)
		if role == hotspot.RoleViewer {
			d.Places, d.PlacesWithheld = nil, true
		}
		var b bytes.Buffer
		if err := WritePDF(&b, d); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) || !bytes.Contains(b.Bytes(), []byte("/BaseFont /utf8liberationserif")) {
			t.Fatal("not a PDF with Liberation Serif embedded")
		}
		if _, err := exec.LookPath("pdftotext"); err != nil {
			t.Skip("pdftotext not installed (Debian poppler-utils; ./scripts/test.sh installs it)")
		}
		path := filepath.Join(t.TempDir(), "r.pdf")
		if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", path, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(string(out)), " ")
		for _, s := range []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Hội An, ngày 14 tháng 11 năm 2025",
			"Số:", "/BC-BCĐ", "BÁO CÁO", "tháng 10/2025", "Phường Cẩm Phô", "Xã Tân Hiệp", "Phường Điện Ngọc", "Nơi nhận:", "TRƯỞNG BAN",
			"PHỤ LỤC", "Tổng cộng", "Tỷ lệ triệt xóa", "KHÔNG MA TÚY", "UBND THÀNH PHỐ HỘI AN"} {
			if !strings.Contains(text, s) {
				t.Errorf("%s: the PDF's text lacks %q", role, s)
			}
		}
		if role == hotspot.RoleAdmin && !strings.Contains(text, "Bến xe Hội An") {
			t.Error("the place is missing")
		}
		if role == hotspot.RoleViewer && (strings.Contains(text, "Bến xe") || !strings.Contains(text, "< 5")) {
			t.Error("the viewer's PDF shows a place or no suppressed count")
		}
	}
}

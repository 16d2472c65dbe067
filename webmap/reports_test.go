package webmap_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/inputs"
	"github.com/diaban/diaban/hotspot/metrics"
)

// reportFixture adds incidents and tips to the test server's district:
// 20530 has 7 incidents and 6 tips (5 handled), 20533 has 2 incidents
// and no tip, all in 2025; H1 is eliminated in March 2025.
func reportFixture(t *testing.T, ts *testServer) {
	t.Helper()
	var inc strings.Builder
	inc.WriteString("ref,lon,lat,kind,occurred_at\n")
	for i := range 7 {
		fmt.Fprintf(&inc, "A%d,108.25,15.9,use,2025-0%d-05\n", i, 1+i%6)
	}
	inc.WriteString("B1,108.35,15.9,trafficking,2025-04-01\nB2,108.35,15.9,use,2025-05-01\n")
	importText(t, ts.store, "incidents", inc.String())
	var tips strings.Builder
	tips.WriteString("ref,received_at,handled_at,lon,lat,area_code\n")
	for i := range 6 {
		handled := "2025-06-20"
		if i == 5 {
			handled = ""
		}
		fmt.Fprintf(&tips, "T%d,2025-0%d-10,%s,,,20530\n", i, 1+i, handled)
	}
	importText(t, ts.store, "tips", tips.String())
	importText(t, ts.store, "events", "hotspot_ref,event,occurred_at,note\nH1,eliminated,2025-03-15,\n")
	ts.settle(t)
}

// TestReportsAPIByRole asks every format as each role that uses reports,
// scoped to the district and to a commune, inside and outside its scope,
// and checks each report is audited once.
func TestReportsAPIByRole(t *testing.T) {
	ts := newTestServer(t)
	reportFixture(t, ts)
	users := []struct {
		name  string
		role  hotspot.Role
		scope string
	}{
		{"r-admin", hotspot.RoleAdmin, ""},
		{"r-officer", hotspot.RoleOfficer, "503"},
		{"r-planner", hotspot.RolePlanner, "20530"},
		{"r-viewer-district", hotspot.RoleViewer, "503"},
		{"r-viewer-commune", hotspot.RoleViewer, "20530"},
	}
	for _, u := range users {
		token := ts.addUser(t, u.name, u.role, u.scope)
		area := u.scope
		if area == "" {
			area = "49"
		}
		for _, f := range []string{"pdf", "xlsx", "csv"} {
			path := "/api/reports?area=" + area + "&period=2025-H1&format=" + f
			before := auditRows(t, ts, u.name, "report.generate")
			code, body := ts.doAs(t, token, "GET", path, "", nil)
			if code != 200 || len(body) == 0 {
				t.Fatalf("%s %s: %d %s", u.name, path, code, body)
			}
			if f == "pdf" && !bytes.HasPrefix(body, []byte("%PDF-")) || f == "xlsx" && !bytes.HasPrefix(body, []byte("PK")) || f == "csv" && !bytes.HasPrefix(body, []byte("\ufeff")) {
				t.Errorf("%s %s: not a %s: %q", u.name, path, f, body[:min(8, len(body))])
			}
			if after := auditRows(t, ts, u.name, "report.generate"); after != before+1 {
				t.Errorf("%s %s: %d audit rows, want %d", u.name, path, after, before+1)
			}
		}
		if u.scope == "20530" {
			before := auditRows(t, ts, u.name, "report.generate")
			if code, body := ts.doAs(t, token, "GET", "/api/reports?area=20533&period=2025&format=csv", "", nil); code != 404 {
				t.Errorf("%s outside its scope: %d %s", u.name, code, body)
			}
			if code, _ := ts.doAs(t, token, "GET", "/api/reports?area=503&period=2025&format=csv", "", nil); code != 404 {
				t.Errorf("%s above its scope: %d", u.name, code)
			}
			if after := auditRows(t, ts, u.name, "report.generate"); after != before {
				t.Errorf("%s: a refused report was audited", u.name)
			}
		}
	}
	if code, _ := ts.doAs(t, "", "GET", "/api/reports?area=503&period=2025&format=pdf", "", nil); code != 401 {
		t.Errorf("no session: %d", code)
	}
	for _, tt := range []struct{ q, field string }{
		{"period=2025&format=pdf", "area"},
		{"area=503&format=pdf", "period"},
		{"area=503&period=2025-H3&format=pdf", "period"},
		{"area=503&period=2025-04-14..2024-04-15&format=pdf", "period"},
		{"area=503&period=2025&format=doc", "format"},
		{"area=503&period=2025&format=pdf&lang=fr", "lang"},
		{"area=503&period=2025&format=pdf&as_of=14/04/2025", "as_of"},
		{"area=nope&period=2025&format=pdf", "area"},
	} {
		var e struct{ Error, Field string }
		before := auditRows(t, ts, testAdmin, "report.generate")
		if code := ts.do(t, "GET", "/api/reports?"+tt.q, "", &e); code != 400 || e.Field != tt.field || e.Error == "" {
			t.Errorf("%s: %d %+v, want 400 on %q", tt.q, code, e, tt.field)
		}
		if after := auditRows(t, ts, testAdmin, "report.generate"); after != before {
			t.Errorf("%s: a refused report was audited", tt.q)
		}
	}
}

func auditRows(t *testing.T, ts *testServer, user, action string) int {
	t.Helper()
	var n int
	if err := ts.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit WHERE username = $1 AND action = $2`, user, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// apiUnits returns GET /api/metrics?parent=503 for period p as rows by
// commune name, and the area's own figures from /api/areas/503/metrics.
func apiUnits(t *testing.T, ts *testServer, token, p string) (map[string]map[string]any, map[string]any) {
	t.Helper()
	var body struct{ Areas []map[string]any }
	if code, raw := ts.doAs(t, token, "GET", "/api/metrics?parent=503&period="+p, "", &body); code != 200 {
		t.Fatalf("metrics: %d %s", code, raw)
	}
	names := map[string]string{"20530": "Phường Một", "20533": "Xã Hai"}
	out := map[string]map[string]any{}
	for _, a := range body.Areas {
		out[names[a["area"].(string)]] = a
	}
	var total map[string]any
	if code, raw := ts.doAs(t, token, "GET", "/api/areas/503/metrics?period="+p, "", &total); code != 200 {
		t.Fatalf("area metrics: %d %s", code, raw)
	}
	return out, total
}

func incidentsOf(m map[string]any) int {
	n := 0
	for _, v := range m["incidents"].(map[string]any) {
		n += int(v.(float64))
	}
	return n
}

// TestReportFiguresEqualTheAPI: the XLSX read back, the CSV and the PDF's
// text hold the figures the metrics API gives for the same area and
// period, for every unit and in total; totals are formulas that compute
// to the API's figures.
func TestReportFiguresEqualTheAPI(t *testing.T) {
	ts := newTestServer(t)
	reportFixture(t, ts)
	for _, p := range []string{"2025", "2025-H1", "2025-01-01..2025-06-30"} {
		t.Run(p, func(t *testing.T) {
			units, total := apiUnits(t, ts, ts.token, p)
			code, raw := ts.doAs(t, ts.token, "GET", "/api/reports?area=503&format=xlsx&period="+p, "", nil)
			if code != 200 {
				t.Fatalf("xlsx: %d %s", code, raw)
			}
			f, err := excelize.OpenReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			sheets := f.GetSheetList()
			if strings.Join(sheets, "|") != "Đơn vị|Chỉ tiêu|Tiêu chí|Điểm mới, tái phức tạp|Xu hướng" {
				t.Fatalf("sheets %v", sheets)
			}
			rows, err := f.GetRows("Đơn vị", excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			col := map[string]int{}
			for i, h := range rows[0] {
				col[h] = i
			}
			if panes, err := f.GetPanes("Đơn vị"); err != nil || !panes.Freeze || panes.YSplit != 1 {
				t.Errorf("heading not frozen: %+v %v", panes, err)
			}
			num := func(row []string, h string) float64 {
				v, err := strconv.ParseFloat(row[col[h]], 64)
				if err != nil {
					t.Fatalf("%s = %q is not a number", h, row[col[h]])
				}
				return v
			}
			if len(rows) != len(units)+2 {
				t.Fatalf("%d rows, want %d units, a heading and a total", len(rows), len(units))
			}
			for _, row := range rows[1 : len(rows)-1] {
				m, ok := units[row[0]]
				if !ok {
					t.Fatalf("unit %q (names, not codes) not in the API: %v", row[0], units)
				}
				for h, key := range map[string]string{"Điểm hoạt động đầu kỳ": "active_start", "Điểm hoạt động cuối kỳ": "active_end", "Điểm mới": "new",
					"Điểm đã triệt xóa": "eliminated", "Điểm phức tạp trở lại": "recurred", "Tin báo tiếp nhận": "tips_received", "Tin báo đã xử lý": "tips_handled"} {
					if got := num(row, h); got != m[key].(float64) {
						t.Errorf("%s %s = %v, API %s = %v", row[0], h, got, key, m[key])
					}
				}
				if got := num(row, "Vụ án, vụ việc"); int(got) != incidentsOf(m) {
					t.Errorf("%s incidents %v, API %d", row[0], got, incidentsOf(m))
				}
				if got, want := num(row, "Điểm phức tạp"), m["complexity_score"].(float64); fmt.Sprintf("%.1f", got) != fmt.Sprintf("%.1f", want) {
					t.Errorf("%s score %v, API %v", row[0], got, want)
				}
			}
			// totals: formulas computing to the area's own figures
			last := len(rows)
			for h, key := range map[string]string{"Điểm hoạt động đầu kỳ": "active_start", "Điểm hoạt động cuối kỳ": "active_end", "Điểm đã triệt xóa": "eliminated", "Tin báo tiếp nhận": "tips_received"} {
				cell, _ := excelize.CoordinatesToCellName(col[h]+1, last)
				formula, _ := f.GetCellFormula("Đơn vị", cell)
				v, err := f.CalcCellValue("Đơn vị", cell, excelize.Options{RawCellValue: true})
				if !strings.HasPrefix(formula, "SUM(") || err != nil || v != strconv.Itoa(int(total[key].(float64))) {
					t.Errorf("total %s: %q = %q (%v), API %v", h, formula, v, err, total[key])
				}
			}
			rate, _ := excelize.CoordinatesToCellName(col["Tỷ lệ triệt xóa"]+1, last)
			if v, err := f.CalcCellValue("Đơn vị", rate, excelize.Options{RawCellValue: true}); err != nil || !sameRounded(v, total["elimination_rate"]) {
				t.Errorf("total rate %q (%v), API %v", v, err, total["elimination_rate"])
			}
			if style, _ := f.GetCellStyle("Đơn vị", rate); style != 0 {
				if st, _ := f.GetStyle(style); st.CustomNumFmt == nil || !strings.Contains(*st.CustomNumFmt, "0.0 %") {
					t.Errorf("rate format %+v", st)
				}
			}

			// CSV: BOM, Vietnamese headings, names beside codes, rates as on screen, totals
			code, raw = ts.doAs(t, ts.token, "GET", "/api/reports?area=503&format=csv&period="+p, "", nil)
			if code != 200 || !bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
				t.Fatalf("csv: %d %q", code, raw[:min(10, len(raw))])
			}
			recs, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if recs[0][0] != "Mã" || recs[0][1] != "Tên đơn vị" || recs[1][0] != "20530" || recs[1][1] != "Phường Một" || recs[len(recs)-1][1] != "Tổng cộng" {
				t.Errorf("csv rows %q", recs)
			}
			want := fmt.Sprintf("%.1f %%", 100*units["Phường Một"]["elimination_rate"].(float64))
			if got := recs[1][11]; got != strings.Replace(want, ".", ",", 1) {
				t.Errorf("csv rate %q, want %q", got, strings.Replace(want, ".", ",", 1))
			}

			// PDF: every unit name and the figures of the API in its text
			code, raw = ts.doAs(t, ts.token, "GET", "/api/reports?area=503&format=pdf&period="+p, "", nil)
			if code != 200 {
				t.Fatalf("pdf: %d", code)
			}
			text := pdfText(t, raw)
			for _, s := range []string{"Phường Một", "Xã Hai", "Huyện Thử", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO", "Nơi nhận", "PHỤ LỤC", "Tiêu chí",
				fmt.Sprintf("tiếp nhận %d", int(total["tips_received"].(float64))),
				fmt.Sprintf("Vụ án, vụ việc về ma túy: %d", incidentsOf(total)),
				fmt.Sprintf("đầu kỳ %d, cuối kỳ %d", int(total["active_start"].(float64)), int(total["active_end"].(float64)))} {
				if !strings.Contains(text, s) {
					t.Errorf("the PDF's text lacks %q", s)
				}
			}
		})
	}
	// English
	code, raw := ts.doAs(t, ts.token, "GET", "/api/reports?area=503&format=csv&period=2025&lang=en", "", nil)
	if code != 200 || !bytes.Contains(raw, []byte("Code,Name,Class")) || !bytes.Contains(raw, []byte("Total")) {
		t.Errorf("English csv: %d %s", code, raw)
	}
}

func sameRounded(got string, api any) bool {
	v, err := strconv.ParseFloat(got, 64)
	a, ok := api.(float64)
	return err == nil && ok && fmt.Sprintf("%.3f", v) == fmt.Sprintf("%.3f", a)
}

// pdfText returns the text of a PDF through poppler's pdftotext.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (Debian poppler-utils; ./scripts/test.sh installs it)")
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestViewerReportSuppressesSmallCounts: a viewer's report writes a count
// of people below 5 as "< 5", with a second cell hidden so that the total
// does not give it away, and lists no hotspot place.
func TestViewerReportSuppressesSmallCounts(t *testing.T) {
	ts := newTestServer(t)
	reportFixture(t, ts)
	viewer := ts.addUser(t, "v-district", hotspot.RoleViewer, "503")
	code, raw := ts.doAs(t, viewer, "GET", "/api/reports?area=503&format=csv&period=2025", "", nil)
	if code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	recs, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// incidents: 20530 has 7, 20533 has 2 (hidden); total 9 shown, so 7 is hidden too (disclosure.MetricsTable)
	if recs[2][12] != "< 5" || recs[1][12] != "< 5" || recs[3][12] != "9" {
		t.Errorf("viewer incidents column: %q %q %q", recs[1][12], recs[2][12], recs[3][12])
	}
	if recs[1][4] != "—" {
		t.Errorf("viewer sees a score change: %q", recs[1][4])
	}
	code, raw = ts.doAs(t, viewer, "GET", "/api/reports?area=503&format=pdf&period=2025", "", nil)
	if code != 200 {
		t.Fatal(code)
	}
	text := pdfText(t, raw)
	if strings.Contains(text, "Quán cà phê") || !strings.Contains(text, "không hiển thị với vai trò người xem") {
		t.Errorf("a viewer's PDF lists hotspot places")
	}
	// an officer sees the places
	officer := ts.addUser(t, "o-district", hotspot.RoleOfficer, "503")
	_, raw = ts.doAs(t, officer, "GET", "/api/reports?area=503&format=pdf&period=2025", "", nil)
	if text := pdfText(t, raw); !strings.Contains(text, "Quán cà phê") || !strings.Contains(text, "H1") {
		t.Errorf("an officer's PDF lacks the new hotspot H1, Quán cà phê")
	}
}

// TestScheduledReports: the month's reports made by the reporter are
// listed per unit, downloaded in the version of the caller's role, and
// announced on the websocket; making the month again adds nothing.
func TestScheduledReports(t *testing.T) {
	ts := newTestServer(t)
	reportFixture(t, ts)
	viewer := ts.addUser(t, "s-viewer", hotspot.RoleViewer, "20530")
	officer := ts.addUser(t, "s-officer", hotspot.RoleOfficer, "503")
	ws := ts.dialAs(t, viewer, `{"type":"subscribe"}`)
	time.Sleep(100 * time.Millisecond)

	// the run of 14 July 2025 at 07:00 reports on June 2025
	run := time.Date(2025, 7, 14, 7, 0, 0, 0, hotspot.Zone)
	if p := inputs.MonthOfRun(run); p.String() != "2025-06" {
		t.Fatalf("the run of %s reports on %s", run, p)
	}
	rep := &inputs.Reporter{Store: ts.store, Config: metrics.DefaultConfig(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return run }}
	made, err := rep.MakeMonth(context.Background(), inputs.MonthOfRun(run))
	if err != nil || made != 4 { // province, district, two communes
		t.Fatalf("made %d units: %v", made, err)
	}
	if again, err := rep.MakeMonth(context.Background(), inputs.MonthOfRun(run)); err != nil || again != 0 {
		t.Fatalf("made again: %d %v", again, err)
	}
	m, ok := ws.waitFor("report", 5*time.Second)
	if !ok || m.Area != "20530" || m.Op != "insert" {
		t.Fatalf("the viewer of 20530 got no report notice for 20530: %+v", m)
	}
	for deadline := time.Now().Add(500 * time.Millisecond); time.Now().Before(deadline); {
		if m, ok := ws.next(time.Until(deadline)); ok && m.Type == "report" && m.Area != "20530" {
			t.Fatalf("the viewer of 20530 got the notice of %s", m.Area)
		}
	}
	if n := auditRows(t, ts, "scheduler", "report.scheduled"); n != 4 {
		t.Errorf("%d scheduler audit rows, want 4", n)
	}

	var list struct {
		Reports []struct{ Area, Name, Period, Format, URL string }
	}
	if code, raw := ts.doAs(t, viewer, "GET", "/api/reports/scheduled?area=20530", "", &list); code != 200 || len(list.Reports) != 3 {
		t.Fatalf("viewer's list: %d %s", code, raw)
	}
	if r := list.Reports[0]; r.Area != "20530" || r.Name != "Phường Một" || r.Period != "2025-06" {
		t.Errorf("list: %+v", list.Reports)
	}
	if code, _ := ts.doAs(t, viewer, "GET", "/api/reports/scheduled?area=503", "", nil); code != 404 {
		t.Errorf("viewer's list above its scope: %d", code)
	}
	if code, _ := ts.doAs(t, officer, "GET", "/api/reports/scheduled?area=503", "", &list); code != 200 || len(list.Reports) != 9 {
		t.Errorf("officer's list of the district: %d %d", code, len(list.Reports))
	}
	// June 2025 in 20530: 1 incident (1 in May), 1 tip received, none handled.
	// The viewer's CSV is the limited version ("< 5"), what a live viewer
	// report gives; the officer's the exact one.
	before := auditRows(t, ts, "s-viewer", "report.download")
	code, stored := ts.doAs(t, viewer, "GET", "/api/reports/scheduled/file?area=20530&period=2025-06&format=csv", "", nil)
	if code != 200 || !bytes.HasPrefix(stored, []byte("\ufeff")) {
		t.Fatalf("download: %d %q", code, stored)
	}
	if auditRows(t, ts, "s-viewer", "report.download") != before+1 {
		t.Errorf("a download is not audited")
	}
	_, live := ts.doAs(t, viewer, "GET", "/api/reports?area=20530&period=2025-06&format=csv&as_of=2025-07-14", "", nil)
	if !bytes.Equal(stored, live) {
		t.Errorf("stored viewer CSV differs from the live one:\n%s\n%s", stored, live)
	}
	_, exact := ts.doAs(t, officer, "GET", "/api/reports/scheduled/file?area=20530&period=2025-06&format=csv", "", nil)
	if bytes.Equal(stored, exact) || !bytes.Contains(exact, []byte(",1,1,1,0,")) || !bytes.Contains(stored, []byte("< 5")) {
		t.Errorf("the officer's stored CSV is not the exact one: %s", exact)
	}
	for _, tt := range []struct{ q, field string }{
		{"period=2025-06&format=pdf", "area"},
		{"area=20530&period=2025-Q2&format=pdf", "period"},
		{"area=20530&period=2025-06&format=odt", "format"},
	} {
		var e struct{ Error, Field string }
		if code := ts.do(t, "GET", "/api/reports/scheduled/file?"+tt.q, "", &e); code != 400 || e.Field != tt.field {
			t.Errorf("%s: %d %+v", tt.q, code, e)
		}
	}
	if code, _ := ts.doAs(t, viewer, "GET", "/api/reports/scheduled/file?area=20530&period=2025-05&format=pdf", "", nil); code != 404 {
		t.Errorf("a month not made: %d", code)
	}
}

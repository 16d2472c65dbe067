package report

import (
	_ "embed"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/diaban/diaban/hotspot/metrics"
)

// Liberation Serif 2.1.5 (Debian fonts-liberation2; SIL Open Font License
// 1.1, fonts/LICENSE-LiberationSerif.txt): Times New Roman's metrics, and
// every Vietnamese letter.
var (
	//go:embed fonts/LiberationSerif-Regular.ttf
	serifRegular []byte
	//go:embed fonts/LiberationSerif-Bold.ttf
	serifBold []byte
	//go:embed fonts/LiberationSerif-Italic.ttf
	serifItalic []byte
)

// The page (Nghị định 30/2020/NĐ-CP, Phụ lục I: A4, margins top and
// bottom 20–25 mm, left 30–35 mm, right 15–20 mm).
const (
	pageW, pageH                       = 210.0, 297.0
	marginL, marginR, marginT, marginB = 30.0, 15.0, 20.0, 20.0
	bodyW                              = pageW - marginL - marginR
	font                               = "LiberationSerif"
)

// The class colours of the map (webmap/static/metrics.css).
var classRGB = map[metrics.Class][3]int{
	metrics.ClassKey:      {0xc0, 0x39, 0x2b},
	metrics.ClassAffected: {0xe6, 0x7e, 0x22},
	metrics.ClassClear:    {0x2e, 0x8b, 0x57},
}

// WritePDF writes the report as a Vietnamese administrative report: the
// header (issuing body, số/ký hiệu left blank; quốc hiệu and tiêu ngữ;
// place and date), the title, the body (targets and results, the area's
// situation with a map of its units shaded by class, the six criteria
// with their numbers, new and recurred hotspots as places, the trend),
// nơi nhận and the signature block, then the per-unit table as an
// appendix on landscape pages. The fonts are embedded (subset).
func WritePDF(w io.Writer, d *Data) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(marginL, marginT, marginR)
	pdf.SetAutoPageBreak(true, marginB)
	pdf.AddUTF8FontFromBytes(font, "", serifRegular)
	pdf.AddUTF8FontFromBytes(font, "B", serifBold)
	pdf.AddUTF8FontFromBytes(font, "I", serifItalic)
	pdf.AddUTF8FontFromBytes(font, "BI", serifBold) // bold italic: the bold face
	pdf.SetTitle(d.title(), true)
	pdf.SetAuthor(d.issuer(), true)
	pdf.SetCreator("diaban", true)
	pdf.SetProducer("diaban", true)
	pdf.SetCreationDate(d.Generated)
	pdf.SetModificationDate(d.Generated)
	pdf.SetCatalogSort(true)
	// Page numbers from the second page, centred at the top.
	pdf.SetHeaderFunc(func() {
		if pdf.PageNo() < 2 {
			return
		}
		l, t, r, _ := pdf.GetMargins()
		pw, _ := pdf.GetPageSize()
		pdf.SetFont(font, "", 13)
		pdf.SetXY(l, 10)
		pdf.CellFormat(pw-l-r, 6, fmt.Sprint(pdf.PageNo()), "", 0, "C", false, 0, "")
		pdf.SetXY(l, t)
	})
	p := &pdfw{pdf: pdf, d: d}
	pdf.AddPage()
	p.header()
	p.body()
	p.closing()
	p.appendix()
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return pdf.Output(w)
}

type pdfw struct {
	pdf *fpdf.Fpdf
	d   *Data
}

// issuer is the issuing body's superior line: the people's committee of
// the area ("UBND", as such headers abbreviate it).
func (d *Data) issuer() string {
	return strings.ToUpper(d.tr("UBND ", "People's Committee of ") + d.Area.Name)
}

func (d *Data) title() string {
	return d.tr("Báo cáo kết quả phòng, chống ma túy và chuyển hóa địa bàn ", "Report on drug control and area transformation, ") +
		d.periodLabel(d.Period) + " — " + d.Area.Name
}

// dateLine is "Minh An, ngày 05 tháng 02 năm 2026" (Nghị định 30: a day
// below 10 and the months 1 and 2 take a leading zero).
func (d *Data) dateLine() string {
	t := d.Generated.In(zone())
	if d.English {
		return placeName(d.Area.Name) + ", " + date(t)
	}
	day := fmt.Sprint(t.Day())
	if t.Day() < 10 {
		day = "0" + day
	}
	month := fmt.Sprint(int(t.Month()))
	if t.Month() < 3 {
		month = "0" + month
	}
	return fmt.Sprintf("%s, ngày %s tháng %s năm %d", placeName(d.Area.Name), day, month, t.Year())
}

func (p *pdfw) centred(x, w, h float64, style string, size float64, s string) {
	p.pdf.SetFont(font, style, size)
	p.pdf.SetX(x)
	p.pdf.MultiCell(w, h, s, "", "C", false)
}

// underline draws a line of length l centred in [x, x+w] at the current y.
func (p *pdfw) underline(x, w, l float64) {
	y := p.pdf.GetY() + 0.6
	p.pdf.SetLineWidth(0.3)
	p.pdf.Line(x+(w-l)/2, y, x+(w+l)/2, y)
}

func (p *pdfw) header() {
	d, pdf := p.d, p.pdf
	leftW, rightX, rightW := 72.0, marginL+68, bodyW-68
	top := marginT - 5
	pdf.SetY(top)
	p.centred(marginL-8, leftW+8, 5.5, "", 12, d.issuer())
	body := d.tr("BAN CHỈ ĐẠO PHÒNG, CHỐNG TỘI PHẠM, TỆ NẠN XÃ HỘI", "STEERING COMMITTEE FOR CRIME AND SOCIAL EVILS PREVENTION")
	p.centred(marginL-8, leftW+8, 5.5, "B", 12, body)
	p.underline(marginL-8, leftW+8, 24)
	pdf.Ln(3)
	p.centred(marginL-8, leftW+8, 6, "", 13, d.tr("Số:        /BC-BCĐ", "No.:        /BC-BCĐ"))
	leftEnd := pdf.GetY()

	pdf.SetY(top)
	p.centred(rightX, rightW, 5.5, "B", 12, d.tr("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SOCIALIST REPUBLIC OF VIET NAM"))
	motto := d.tr("Độc lập - Tự do - Hạnh phúc", "Independence - Freedom - Happiness")
	p.centred(rightX, rightW, 6, "B", 13, motto)
	pdf.SetFont(font, "B", 13)
	p.underline(rightX, rightW, pdf.GetStringWidth(motto))
	pdf.Ln(3)
	p.centred(rightX, rightW, 6, "I", 13, d.dateLine())
	pdf.SetY(math.Max(leftEnd, pdf.GetY()) + 8)

	p.centred(marginL, bodyW, 7, "B", 14, d.tr("BÁO CÁO", "REPORT"))
	sub := d.tr("Kết quả phòng, chống ma túy và chuyển hóa địa bàn ", "Drug control and area transformation, ") + d.periodLabel(d.Period)
	p.centred(marginL, bodyW, 7, "B", 14, sub)
	p.centred(marginL, bodyW, 7, "B", 14, d.Area.Name)
	pdf.SetFont(font, "B", 14)
	p.underline(marginL, bodyW, 40)
	pdf.Ln(6)
}

func (p *pdfw) heading(s string) {
	p.need(20)
	p.pdf.Ln(2)
	p.pdf.SetFont(font, "B", 13)
	p.pdf.SetX(marginL)
	p.pdf.MultiCell(bodyW, 6.5, s, "", "L", false)
	p.pdf.Ln(1)
}

func (p *pdfw) para(s string) {
	p.pdf.SetFont(font, "", 13)
	p.pdf.SetX(marginL)
	p.pdf.MultiCell(bodyW, 6.5, "      "+s, "", "J", false)
}

// need starts a new page unless h mm are left on this one.
func (p *pdfw) need(h float64) {
	_, ph := p.pdf.GetPageSize()
	if p.pdf.GetY()+h > ph-marginB {
		p.pdf.AddPage()
	}
}

// prevNote is " (kỳ trước: 3)".
func (p *pdfw) prevNote(s string) string {
	return p.d.tr(" (kỳ trước: ", " (previous period: ") + s + ")"
}

func (p *pdfw) body() {
	d := p.d
	m, pm := d.Total, d.Previous
	p.para(d.tr(
		fmt.Sprintf("Kỳ báo cáo: %s (%s – %s), so sánh với kỳ trước %s (%s – %s). Địa giới hành chính theo ngày %s.",
			d.periodLabel(d.Period), date(d.Period.FirstDay()), date(d.Period.LastDay()),
			d.periodLabel(d.Period.Previous()), date(d.Period.Previous().FirstDay()), date(d.Period.Previous().LastDay()), date(d.AsOf)),
		fmt.Sprintf("Reporting period: %s (%s – %s), compared with the previous period %s (%s – %s). Boundaries as of %s.",
			d.periodLabel(d.Period), date(d.Period.FirstDay()), date(d.Period.LastDay()),
			d.periodLabel(d.Period.Previous()), date(d.Period.Previous().FirstDay()), date(d.Period.Previous().LastDay()), date(d.AsOf))))

	p.heading(d.tr("I. KẾT QUẢ THỰC HIỆN CHỈ TIÊU", "I. TARGETS AND RESULTS"))
	var rows [][]string
	for _, t := range d.targets() {
		rows = append(rows, []string{t.name, t.value.text, t.band, t.status})
	}
	p.table([]float64{80, 25, 35, 25}, "LRCC",
		[]string{d.tr("Chỉ tiêu", "Target"), d.tr("Kết quả", "Result"), d.tr("Mức chỉ tiêu", "Band"), d.tr("Đánh giá", "Status")}, rows, -1, 11)

	p.heading(d.tr("II. TÌNH HÌNH ĐỊA BÀN", "II. THE AREA"))
	p.para(d.tr(
		fmt.Sprintf("Điểm, tụ điểm phức tạp về ma túy: đầu kỳ %s, cuối kỳ %s%s; phát hiện mới %s%s; triệt xóa %s%s, tỷ lệ triệt xóa %s; phức tạp trở lại %s%s.",
			d.num(float64(m.ActiveStart), 0), d.num(float64(m.ActiveEnd), 0), p.prevNote(d.num(float64(pm.ActiveEnd), 0)),
			d.num(float64(m.New), 0), p.prevNote(d.num(float64(pm.New), 0)),
			d.num(float64(m.Eliminated), 0), p.prevNote(d.num(float64(pm.Eliminated), 0)), d.pct(m.EliminationRate),
			d.num(float64(m.Recurred), 0), p.prevNote(d.num(float64(pm.Recurred), 0))),
		fmt.Sprintf("Drug hotspots: %s active at the start, %s at the end%s; %s new%s; %s eliminated%s, an elimination rate of %s; %s recurred%s.",
			d.num(float64(m.ActiveStart), 0), d.num(float64(m.ActiveEnd), 0), p.prevNote(d.num(float64(pm.ActiveEnd), 0)),
			d.num(float64(m.New), 0), p.prevNote(d.num(float64(pm.New), 0)),
			d.num(float64(m.Eliminated), 0), p.prevNote(d.num(float64(pm.Eliminated), 0)), d.pct(m.EliminationRate),
			d.num(float64(m.Recurred), 0), p.prevNote(d.num(float64(pm.Recurred), 0)))))
	_, _, v, pv := d.views()
	share := d.pct(m.TipsHandledShare)
	if v.IsSuppressed(dTipsShare) {
		share = "—"
	}
	inc, pinc := d.countText(v, dIncidents, m.IncidentTotal()), d.countText(pv, dIncidents, pm.IncidentTotal())
	recv, precv, handled := d.countText(v, dTipsRecv, m.TipsReceived), d.countText(pv, dTipsRecv, pm.TipsReceived), d.countText(v, dTipsHandled, m.TipsHandled)
	p.para(d.tr(
		fmt.Sprintf("Vụ án, vụ việc về ma túy: %s%s. Tin báo, tố giác: tiếp nhận %s%s, đã xử lý %s (%s).", inc, p.prevNote(pinc), recv, p.prevNote(precv), handled, share),
		fmt.Sprintf("Drug incidents and cases: %s%s. Tips: %s received%s, %s handled (%s).", inc, p.prevNote(pinc), recv, p.prevNote(precv), handled, share)))
	score := d.num(m.ComplexityScore, 1)
	if v.IsSuppressed(dScore) {
		score = "—"
	}
	p.para(d.tr("Phân loại: ", "Class: ") + d.className(m.Class) + d.tr("; điểm mức độ phức tạp ", "; complexity score ") + score +
		p.prevNote(d.className(pm.Class)) + ". " + d.trendWords())
	if ru := d.RollUp; ru != nil {
		p.para(d.tr(
			fmt.Sprintf("Toàn địa bàn có %s xã, phường: %s xã trọng điểm, %s xã có tệ nạn ma túy, %s xã không có tệ nạn ma túy (kỳ trước: %s xã có tệ nạn hoặc trọng điểm).",
				d.num(float64(ru.Children), 0), d.num(float64(ru.Classes[metrics.ClassKey]), 0), d.num(float64(ru.Classes[metrics.ClassAffected]), 0), d.num(float64(ru.Classes[metrics.ClassClear]), 0), d.num(float64(ru.PreviousAffected), 0)),
			fmt.Sprintf("The area has %s communes: %s key, %s with drug problems, %s drug-free (previous period: %s key or with drug problems).",
				d.num(float64(ru.Children), 0), d.num(float64(ru.Classes[metrics.ClassKey]), 0), d.num(float64(ru.Classes[metrics.ClassAffected]), 0), d.num(float64(ru.Classes[metrics.ClassClear]), 0), d.num(float64(ru.PreviousAffected), 0))))
	}
	p.mapOfUnits()
	p.para(d.tr("Số liệu từng đơn vị: xem Phụ lục kèm theo.", "Figures per unit: see the appendix."))

	p.heading(d.tr("III. TIÊU CHÍ CÔNG NHẬN ĐỊA BÀN KHÔNG MA TÚY", "III. DRUG-FREE RECOGNITION CRITERIA"))
	rows = nil
	for _, c := range d.Criteria {
		rows = append(rows, []string{fmt.Sprint(c.ID), d.criterionName(c.ID), strings.Join(d.criterionEvidence(c), "; "), d.statusName(c.Status)})
	}
	p.table([]float64{10, 65, 65, 25}, "CLLC", []string{d.tr("TT", "No."), d.tr("Tiêu chí", "Criterion"), d.tr("Số liệu", "Figures"), d.tr("Đánh giá", "Status")}, rows, -1, 11)

	p.heading(d.tr("IV. ĐIỂM PHÁT SINH MỚI, PHỨC TẠP TRỞ LẠI", "IV. NEW AND RECURRED HOTSPOTS"))
	switch {
	case d.PlacesWithheld:
		p.para(d.tr(fmt.Sprintf("Phát sinh mới %s điểm, phức tạp trở lại %s điểm (danh sách địa điểm không hiển thị với vai trò người xem).", d.num(float64(m.New), 0), d.num(float64(m.Recurred), 0)),
			fmt.Sprintf("%s new and %s recurred hotspots (the list of places is not shown to the viewer role).", d.num(float64(m.New), 0), d.num(float64(m.Recurred), 0))))
	case len(d.Places) == 0:
		p.para(d.tr("Không có điểm phát sinh mới hoặc phức tạp trở lại trong kỳ.", "No hotspot was new or recurred in the period."))
	default:
		rows = nil
		for _, pl := range d.Places {
			rows = append(rows, []string{pl.Ref, pl.Name, d.kindName(pl.Kind), d.eventName(pl.Event), date(pl.At.In(zone())), pl.Unit})
		}
		p.table([]float64{22, 40, 24, 24, 23, 32}, "LLLLCL", []string{d.tr("Mã điểm", "Ref"), d.tr("Địa điểm", "Place"), d.tr("Loại", "Kind"), d.tr("Diễn biến", "Event"), d.tr("Ngày", "Date"), d.unitsWord()}, rows, -1, 10)
	}

	p.heading(d.tr("V. XU HƯỚNG MỨC ĐỘ PHỨC TẠP", "V. THE TREND"))
	p.trendChart()
	p.para(d.trendWords())
	if d.Rule.Limited() {
		p.para(d.tr("Số đếm dưới 5 người, vụ hoặc tin báo được ghi “< 5”; chỉ số tính từ số đó không hiển thị (—).",
			"Counts of people, incidents or tips below 5 read “< 5”; figures derived from them are withheld (—)."))
	}
}

// closing writes nơi nhận (left) and the signature block (right).
func (p *pdfw) closing() {
	d, pdf := p.d, p.pdf
	p.need(55)
	pdf.Ln(6)
	y := pdf.GetY()
	pdf.SetFont(font, "BI", 12)
	pdf.SetX(marginL)
	pdf.CellFormat(80, 6, d.tr("Nơi nhận:", "To:"), "", 2, "L", false, 0, "")
	pdf.SetFont(font, "", 11)
	above := d.tr("- Ban Chỉ đạo cấp trên;", "- The steering committee above;")
	if d.Parent != "" {
		above = d.tr("- Ban Chỉ đạo "+d.Parent+";", "- The steering committee of "+d.Parent+";")
	}
	for _, s := range []string{above, d.tr("- Thường trực Đảng ủy, HĐND, UBND;", "- The Party committee, council and people's committee;"), d.tr("- Lưu: VT.", "- Archive.")} {
		pdf.SetX(marginL)
		pdf.CellFormat(80, 5, s, "", 2, "L", false, 0, "")
	}
	sx, sw := marginL+80, bodyW-80
	pdf.SetY(y)
	p.centred(sx, sw, 6, "B", 13, d.tr("TM. BAN CHỈ ĐẠO", "FOR THE STEERING COMMITTEE"))
	p.centred(sx, sw, 6, "B", 13, d.tr("TRƯỞNG BAN", "CHAIR"))
	p.centred(sx, sw, 6, "I", 12, d.tr("(Ký, ghi rõ họ tên)", "(Signature and full name)"))
	pdf.SetY(pdf.GetY() + 28)
}

// appendix writes the per-unit table on landscape pages.
func (p *pdfw) appendix() {
	d, pdf := p.d, p.pdf
	pdf.AddPageFormat("L", fpdf.SizeType{Wd: pageW, Ht: pageH})
	p.centred(marginL, pageH-marginL-marginR, 7, "B", 13, d.tr("PHỤ LỤC", "APPENDIX"))
	p.centred(marginL, pageH-marginL-marginR, 6, "I", 12, d.tr("Số liệu từng đơn vị, ", "Figures per unit, ")+d.periodLabel(d.Period)+d.tr(" (kèm theo Báo cáo số      /BC-BCĐ)", " (with report no.      /BC-BCĐ)"))
	pdf.Ln(2)
	t := d.unitTable()
	widths := []float64{14, 38, 20, 13, 14, 12, 12, 12, 11, 12, 12, 14, 13, 13, 13, 13, 14}
	align := "LLLRRRRRRRRRRRRRR"
	heads := make([]string, len(t.cols))
	for i, c := range t.cols {
		heads[i] = d.heading(c)
	}
	var rows [][]string
	for _, r := range append(t.rows, t.total) {
		rec := make([]string, len(r))
		for i, c := range r {
			rec[i] = c.text
		}
		rows = append(rows, rec)
	}
	p.table(widths, align, heads, rows, len(rows)-1, 8.5)
	if d.Rule.Limited() {
		pdf.SetFont(font, "I", 10)
		pdf.SetX(marginL)
		pdf.MultiCell(pageH-marginL-marginR, 5, d.tr("“< 5”: số đếm dưới 5; “—”: không hiển thị (tính từ số đếm dưới 5, hoặc điểm của kỳ trước).",
			"“< 5”: a count below 5; “—”: withheld (derived from a count below 5, or earlier periods' scores)."), "", "L", false)
	}
}

// table draws a table with a bold heading row repeated on each page, cells
// wrapped to their widths; the row at index bold (−1: none) is bold.
func (p *pdfw) table(widths []float64, align string, head []string, rows [][]string, bold int, size float64) {
	pdf := p.pdf
	lh := size * 0.45
	lines := func(w float64, s string) []string {
		if s == "" {
			return []string{""}
		}
		return pdf.SplitText(s, w-2)
	}
	height := func(rec []string) float64 {
		n := 1
		for i, s := range rec {
			n = max(n, len(lines(widths[i], s)))
		}
		return float64(n)*lh + 2
	}
	draw := func(rec []string, style string, fill bool) {
		pdf.SetFont(font, style, size)
		h := height(rec)
		_, ph := pdf.GetPageSize()
		if pdf.GetY()+h > ph-marginB {
			pdf.AddPage()
			if style != "B" || !fill {
				p.tableRow(widths, align, head, size, lh, true)
				pdf.SetFont(font, style, size)
			}
		}
		p.tableRowH(widths, align, rec, lh, h, fill)
	}
	pdf.SetFont(font, "B", size)
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetLineWidth(0.2)
	draw(head, "B", true)
	for i, r := range rows {
		style := ""
		if i == bold {
			style = "B"
		}
		draw(r, style, false)
	}
	pdf.Ln(2)
}

func (p *pdfw) tableRow(widths []float64, align string, rec []string, size, lh float64, fill bool) {
	p.pdf.SetFont(font, "B", size)
	n := 1
	for i, s := range rec {
		n = max(n, len(p.pdf.SplitText(s, widths[i]-2)))
	}
	p.tableRowH(widths, align, rec, lh, float64(n)*lh+2, fill)
}

// tableRowH draws one row of height h at the current position.
func (p *pdfw) tableRowH(widths []float64, align string, rec []string, lh, h float64, fill bool) {
	pdf := p.pdf
	x0, y0 := pdf.GetX(), pdf.GetY()
	x0 = marginL
	x := x0
	for i, s := range rec {
		if fill {
			pdf.SetFillColor(235, 235, 235)
			pdf.Rect(x, y0, widths[i], h, "FD")
		} else {
			pdf.Rect(x, y0, widths[i], h, "D")
		}
		a := "L"
		if i < len(align) {
			a = string(align[i])
		}
		if fill {
			a = "C"
		}
		pdf.SetXY(x+1, y0+1)
		pdf.MultiCell(widths[i]-2, lh, s, "", a, false)
		x += widths[i]
	}
	pdf.SetXY(x0, y0+h)
}

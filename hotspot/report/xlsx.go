package report

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Number formats of the workbook, tagged Vietnamese ([$-42A]); the
// separators shown are the reader's locale's.
const (
	fmtInt    = `[$-42A]#,##0`
	fmtScore  = `[$-42A]#,##0.0`
	fmtSigned = `[$-42A]+#,##0.0;-#,##0.0;0.0`
	fmtPct    = `[$-42A]0.0 %`
	fmtDate   = `dd/mm/yyyy`
)

// WriteXLSX writes the report as a workbook with one sheet per table: the
// units (names, not codes; a frozen heading row; totals as formulas), the
// targets, the criteria with their numbers, the new and recurred hotspots
// (places) and the trend. Numbers are stored as numbers with Vietnamese
// number formats; a figure withheld from the reader is the text "< 5" or
// "—", and a total over a column holding one is the area's own figure,
// not a formula (a formula would sum only what is shown).
func WriteXLSX(w io.Writer, d *Data) error {
	f := excelize.NewFile()
	defer f.Close()
	x := &xlsx{f: f, d: d, styles: map[string]int{}}
	sheets := []struct {
		vi, en string
		fill   func(string) error
	}{
		{"Đơn vị", "Units", x.units},
		{"Chỉ tiêu", "Targets", x.targets},
		{"Tiêu chí", "Criteria", x.criteria},
		{"Điểm mới, tái phức tạp", "New and recurred", x.places},
		{"Xu hướng", "Trend", x.trend},
	}
	for i, s := range sheets {
		name := d.tr(s.vi, s.en)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := s.fill(name); err != nil {
			return fmt.Errorf("xlsx %s: %w", name, err)
		}
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

type xlsx struct {
	f      *excelize.File
	d      *Data
	styles map[string]int
}

// style returns the id of a style with number format nf (none for ""),
// bold or not.
func (x *xlsx) style(nf string, bold bool) int {
	key := fmt.Sprint(nf, bold)
	if id, ok := x.styles[key]; ok {
		return id
	}
	s := &excelize.Style{Font: &excelize.Font{Bold: bold, Family: "Times New Roman", Size: 12}}
	if nf != "" {
		s.CustomNumFmt = &nf
	}
	if bold {
		s.Alignment = &excelize.Alignment{WrapText: true, Vertical: "center"}
	}
	id, err := x.f.NewStyle(s)
	if err != nil {
		panic("report: xlsx style " + nf + ": " + err.Error()) // a constant format: a programming error
	}
	x.styles[key] = id
	return id
}

func kindFormat(k kind) string {
	switch k {
	case kInt:
		return fmtInt
	case kScore:
		return fmtScore
	case kSigned:
		return fmtSigned
	case kPct:
		return fmtPct
	}
	return ""
}

func cellName(col, row int) string {
	s, _ := excelize.CoordinatesToCellName(col, row)
	return s
}

// header writes a bold heading row, freezes it and sets the widths.
func (x *xlsx) header(sheet string, heads []string, widths []float64) error {
	for i, h := range heads {
		if err := x.f.SetCellValue(sheet, cellName(i+1, 1), h); err != nil {
			return err
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		w := 14.0
		if i < len(widths) {
			w = widths[i]
		}
		if err := x.f.SetColWidth(sheet, col, col, w); err != nil {
			return err
		}
	}
	last := max(1, len(heads))
	if err := x.f.SetCellStyle(sheet, "A1", cellName(last, 1), x.style("", true)); err != nil {
		return err
	}
	return x.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// put writes one cell: a number with its format, or text.
func (x *xlsx) put(sheet string, col, row int, c cell, bold bool) error {
	at := cellName(col, row)
	if c.isNum && !c.hidden {
		if err := x.f.SetCellValue(sheet, at, c.num); err != nil {
			return err
		}
		return x.f.SetCellStyle(sheet, at, at, x.style(kindFormat(c.kind), bold))
	}
	if err := x.f.SetCellValue(sheet, at, c.text); err != nil {
		return err
	}
	return x.f.SetCellStyle(sheet, at, at, x.style("", bold))
}

// units writes the per-unit table without its code column.
func (x *xlsx) units(sheet string) error {
	t := x.d.unitTable()
	cols := t.cols[colName:] // names, not codes
	heads := make([]string, len(cols))
	for i, c := range cols {
		heads[i] = x.d.heading(c)
	}
	widths := []float64{30, 16}
	if err := x.header(sheet, heads, widths); err != nil {
		return err
	}
	for ri, r := range t.rows {
		for ci, c := range r[colName:] {
			if err := x.put(sheet, ci+1, ri+2, c, false); err != nil {
				return err
			}
		}
	}
	first, last, tr := 2, len(t.rows)+1, len(t.rows)+2
	colOf := func(c int) string { s, _ := excelize.ColumnNumberToName(c - colName + 1); return s }
	for ci, c := range t.total[colName:] {
		col := ci + colName
		spec := t.cols[col]
		anyHidden := c.hidden
		for _, r := range t.rows {
			anyHidden = anyHidden || r[col].hidden
			if spec.ratio[1] > 0 {
				anyHidden = anyHidden || r[spec.ratio[0]].hidden || r[spec.ratio[1]].hidden
			}
		}
		at := cellName(ci+1, tr)
		switch {
		case spec.sum && !anyHidden && len(t.rows) > 0:
			if err := x.f.SetCellFormula(sheet, at, fmt.Sprintf("SUM(%s%d:%s%d)", colOf(col), first, colOf(col), last)); err != nil {
				return err
			}
			if err := x.f.SetCellStyle(sheet, at, at, x.style(kindFormat(spec.kind), true)); err != nil {
				return err
			}
		case spec.ratio[1] > 0 && !anyHidden && len(t.rows) > 0:
			num, den := colOf(spec.ratio[0]), colOf(spec.ratio[1])
			if err := x.f.SetCellFormula(sheet, at, fmt.Sprintf(`IF(%s%d=0,"—",ROUND(%s%d/%s%d,3))`, den, tr, num, tr, den, tr)); err != nil {
				return err
			}
			if err := x.f.SetCellStyle(sheet, at, at, x.style(kindFormat(spec.kind), true)); err != nil {
				return err
			}
		default:
			if err := x.put(sheet, ci+1, tr, c, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func (x *xlsx) targets(sheet string) error {
	d := x.d
	if err := x.header(sheet, []string{d.tr("Chỉ tiêu", "Target"), d.tr("Kết quả", "Result"), d.tr("Mức chỉ tiêu", "Target band"), d.tr("Đánh giá", "Status")}, []float64{60, 14, 22, 18}); err != nil {
		return err
	}
	for i, r := range d.targets() {
		row := i + 2
		for ci, c := range []cell{d.text(r.name), r.value, d.text(r.band), d.text(r.status)} {
			if err := x.put(sheet, ci+1, row, c, false); err != nil {
				return err
			}
		}
	}
	return nil
}

func (x *xlsx) criteria(sheet string) error {
	d := x.d
	if err := x.header(sheet, []string{d.tr("STT", "No."), d.tr("Tiêu chí", "Criterion"), d.tr("Đánh giá", "Status"), d.tr("Số liệu", "Figure"), d.tr("Giá trị", "Value")}, []float64{6, 60, 18, 34, 12}); err != nil {
		return err
	}
	row := 2
	for _, c := range d.Criteria {
		for _, kv := range d.criterionValues(c) {
			k := kv.key
			val := cell{text: kv.text, hidden: kv.num == nil}
			if kv.num != nil {
				val = cell{num: *kv.num, isNum: true, kind: kInt, text: kv.text}
				if *kv.num != float64(int64(*kv.num)) {
					val.kind = kScore
				}
			}
			for ci, cl := range []cell{{num: float64(c.ID), isNum: true, kind: kInt}, d.text(d.criterionName(c.ID)), d.text(d.statusName(c.Status)), d.text(d.valueName(k)), val} {
				if err := x.put(sheet, ci+1, row, cl, false); err != nil {
					return err
				}
			}
			row++
		}
	}
	return nil
}

func (x *xlsx) places(sheet string) error {
	d := x.d
	if err := x.header(sheet, []string{d.tr("Mã điểm", "Ref"), d.tr("Tên địa điểm", "Place"), d.tr("Loại", "Kind"), d.tr("Diễn biến", "Event"), d.tr("Ngày", "Date"), d.unitsWord()}, []float64{14, 36, 20, 18, 12, 26}); err != nil {
		return err
	}
	if d.PlacesWithheld {
		return x.f.SetCellValue(sheet, "A2", d.tr("Không hiển thị với vai trò người xem (chỉ số liệu tổng hợp).", "Not shown to the viewer role (aggregates only)."))
	}
	for i, p := range d.Places {
		row := i + 2
		for ci, s := range []string{p.Ref, p.Name, d.kindName(p.Kind), d.eventName(p.Event)} {
			if err := x.f.SetCellValue(sheet, cellName(ci+1, row), Neutralise(s)); err != nil {
				return err
			}
		}
		at := cellName(5, row)
		y, m, dd := p.At.In(zone()).Date()
		if err := x.f.SetCellValue(sheet, at, dateOnly(y, m, dd)); err != nil {
			return err
		}
		if err := x.f.SetCellStyle(sheet, at, at, x.style(fmtDate, false)); err != nil {
			return err
		}
		if err := x.f.SetCellValue(sheet, cellName(6, row), p.Unit); err != nil {
			return err
		}
	}
	return nil
}

func (x *xlsx) trend(sheet string) error {
	d := x.d
	if err := x.header(sheet, []string{d.tr("Kỳ", "Period"), d.tr("Điểm phức tạp", "Complexity score")}, []float64{30, 18}); err != nil {
		return err
	}
	ps, scores := d.trendPoints()
	if ps == nil {
		return x.f.SetCellValue(sheet, "A2", d.trendWords())
	}
	for i, p := range ps {
		if err := x.f.SetCellValue(sheet, cellName(1, i+2), d.periodLabel(p)); err != nil {
			return err
		}
		v := scores[i]
		if err := x.put(sheet, 2, i+2, d.scoreCell(&v, false), false); err != nil {
			return err
		}
	}
	return x.f.SetCellValue(sheet, cellName(1, len(ps)+3), d.trendWords())
}

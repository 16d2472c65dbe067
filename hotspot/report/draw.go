package report

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/diaban/diaban/hotspot/metrics"
)

// mapOfUnits draws the units' boundaries shaded by class, fitted into the
// body's width (an equirectangular projection around the area's middle
// latitude: at the scale of a province the distortion is invisible), with
// the legend below. Units are numbered when there are more than 12; the
// numbers are the rows of the appendix.
func (p *pdfw) mapOfUnits() {
	d, pdf := p.d, p.pdf
	var bound orb.Bound
	first := true
	for _, u := range d.Units {
		if len(u.Shape) == 0 {
			continue
		}
		if first {
			bound, first = u.Shape.Bound(), false
		} else {
			bound = bound.Union(u.Shape.Bound())
		}
	}
	if first {
		return // no boundaries: nothing to draw
	}
	const boxH = 95.0
	p.need(boxH + 16)
	k := math.Cos((bound.Min[1] + bound.Max[1]) / 2 * math.Pi / 180)
	wDeg, hDeg := (bound.Max[0]-bound.Min[0])*k, bound.Max[1]-bound.Min[1]
	if wDeg <= 0 || hDeg <= 0 {
		return
	}
	scale := math.Min(bodyW/wDeg, boxH/hDeg)
	top := pdf.GetY() + 2
	left := marginL + (bodyW-wDeg*scale)/2
	xy := func(pt orb.Point) (float64, float64) {
		return left + (pt[0]-bound.Min[0])*k*scale, top + (bound.Max[1]-pt[1])*scale
	}
	pdf.SetLineWidth(0.2)
	pdf.SetDrawColor(60, 60, 60)
	numbered := len(d.Units) > 12
	for _, u := range d.Units {
		rgb, ok := classRGB[u.Cur.Class]
		if !ok {
			rgb = [3]int{200, 200, 200}
		}
		// the map's colours at its opacity, over white
		pdf.SetFillColor(255-(255-rgb[0])*45/100, 255-(255-rgb[1])*45/100, 255-(255-rgb[2])*45/100)
		for _, poly := range u.Shape {
			for _, ring := range poly {
				for i, pt := range ring {
					x, y := xy(pt)
					if i == 0 {
						pdf.MoveTo(x, y)
					} else {
						pdf.LineTo(x, y)
					}
				}
				pdf.ClosePath()
			}
		}
		pdf.DrawPath("B*")
	}
	// labels over every shape
	pdf.SetTextColor(20, 20, 20)
	for i, u := range d.Units {
		if len(u.Shape) == 0 {
			continue
		}
		c := labelPoint(u.Shape)
		x, y := xy(c)
		label := u.Name
		size := 7.0
		if numbered {
			label, size = fmt.Sprint(i+1), 6
		}
		pdf.SetFont(font, "", size)
		w := pdf.GetStringWidth(label)
		pdf.Text(x-w/2, y+size*0.15, label)
	}
	pdf.SetY(top + hDeg*scale + 3)
	// legend
	pdf.SetFont(font, "", 10)
	x := marginL
	for _, c := range []metrics.Class{metrics.ClassKey, metrics.ClassAffected, metrics.ClassClear} {
		rgb := classRGB[c]
		pdf.SetFillColor(255-(255-rgb[0])*45/100, 255-(255-rgb[1])*45/100, 255-(255-rgb[2])*45/100)
		y := pdf.GetY()
		pdf.Rect(x, y+1, 5, 3.5, "FD")
		s := d.className(c)
		if d.RollUp != nil {
			s += fmt.Sprintf(" (%d)", d.RollUp.Classes[c])
		}
		pdf.Text(x+6.5, y+4.2, s)
		x += 8 + pdf.GetStringWidth(s) + 6
	}
	pdf.Ln(8)
	if numbered {
		p.pdf.SetFont(font, "I", 10)
		p.pdf.SetX(marginL)
		p.pdf.MultiCell(bodyW, 5, d.tr("Số trên bản đồ là số thứ tự của đơn vị trong Phụ lục.", "Numbers on the map are the units' rows in the appendix."), "", "L", false)
	}
}

// labelPoint returns a point to write a unit's label at: the centre of
// its largest polygon's bounding box, or of its outer ring's vertices if
// that falls outside.
func labelPoint(mp orb.MultiPolygon) orb.Point {
	best, area := 0, -1.0
	for i, poly := range mp {
		if len(poly) == 0 {
			continue
		}
		b := poly.Bound()
		if a := (b.Max[0] - b.Min[0]) * (b.Max[1] - b.Min[1]); a > area {
			best, area = i, a
		}
	}
	return mp[best].Bound().Center()
}

// trendChart draws the complexity score of the trend's periods with its
// axes and values; nothing for a reader the scores are withheld from.
func (p *pdfw) trendChart() {
	d, pdf := p.d, p.pdf
	ps, ys := d.trendPoints()
	if len(ps) == 0 {
		return
	}
	const h, axisW = 55.0, 14.0
	p.need(h + 20)
	top := pdf.GetY() + 4
	left, w := marginL+axisW, bodyW-axisW-4
	lo, hi := ys[0], ys[0]
	for _, y := range ys {
		lo, hi = math.Min(lo, y), math.Max(hi, y)
	}
	lo = math.Min(0, lo)
	if hi <= lo {
		hi = lo + 1
	}
	step := niceStep((hi - lo) / 4)
	hi = math.Ceil(hi/step) * step
	yOf := func(v float64) float64 { return top + h - (v-lo)/(hi-lo)*h }
	xOf := func(i int) float64 {
		if len(ys) == 1 {
			return left + w/2
		}
		return left + float64(i)*w/float64(len(ys)-1)
	}
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetLineWidth(0.25)
	pdf.Line(left, top, left, top+h)
	pdf.Line(left, top+h, left+w, top+h)
	pdf.SetFont(font, "", 8)
	pdf.SetDrawColor(200, 200, 200)
	for v := lo; v <= hi+step/2; v += step {
		y := yOf(v)
		pdf.Line(left, y, left+w, y)
		s := d.num(v, decimalsFor(step))
		pdf.Text(left-1.5-pdf.GetStringWidth(s), y+1, s)
	}
	pdf.SetDrawColor(0x1f, 0x4e, 0x79)
	pdf.SetLineWidth(0.5)
	for i := 1; i < len(ys); i++ {
		pdf.Line(xOf(i-1), yOf(ys[i-1]), xOf(i), yOf(ys[i]))
	}
	pdf.SetFillColor(0x1f, 0x4e, 0x79)
	every := max(1, len(ps)/12)
	for i, v := range ys {
		pdf.Circle(xOf(i), yOf(v), 0.8, "F")
		s := d.num(v, 1)
		pdf.SetFont(font, "", 7.5)
		pdf.Text(xOf(i)-pdf.GetStringWidth(s)/2, yOf(v)-1.8, s)
		if i%every == 0 || i == len(ps)-1 {
			lbl := ps[i].String()
			pdf.SetFont(font, "", 7.5)
			pdf.Text(xOf(i)-pdf.GetStringWidth(lbl)/2, top+h+4, lbl)
		}
	}
	pdf.SetFont(font, "I", 9)
	pdf.Text(marginL, top-1.5, d.tr("Điểm mức độ phức tạp", "Complexity score"))
	pdf.SetY(top + h + 8)
}

// niceStep rounds a raw step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func decimalsFor(step float64) int {
	if step >= 1 {
		return 0
	}
	return int(math.Ceil(-math.Log10(step)))
}

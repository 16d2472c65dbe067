package demo

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/diaban/diaban/hotspot"
)

// The reform of 1 July 2025 in the demo (issue 13): until 30/06/2025 the
// demo's district is Tỉnh Quảng Nam → Thành phố Hội An (503) → its 13 wards
// and communes; from 01/07/2025 the district level is gone and Hội An's
// units are four units of Thành phố Đà Nẵng (48), each the union of its
// predecessors' drawn shapes as the hand-checked crosswalk of Đà Nẵng
// (data/crosswalk_da_nang_checked.csv, resolution 1659/NQ-UBTVQH15) says,
// plus a few tổ dân phố drawn inside Phường Hội An. Points (hotspots,
// incidents, tips with a point, cameras) need nothing: they are located in
// today's units when imported and in the old ones by their polygons.

// ReformDay is the first day of the new units (hotspot.ReformDate, a
// calendar date), and ReformStart its first instant in Asia/Ho_Chi_Minh.
var (
	ReformDay   = hotspot.ReformDate.Format(time.DateOnly)
	ReformStart = time.Date(2025, 7, 1, 0, 0, 0, 0, Location)
)

// The new province: Thành phố Đà Nẵng, which took in Quảng Nam. The demo
// draws only the part it needs: Quảng Nam's outline stands for it.
const (
	NewProvinceCode = "48"
	NewProvinceName = "Thành phố Đà Nẵng"
	oldDistrictCode = "503"
)

// FileCrosswalk is the crosswalk WriteFiles writes (Đà Nẵng's, as shipped).
const FileCrosswalk = "crosswalk.csv"

// newUnit is a unit of today with the old units it was made of.
type newUnit struct {
	code, name string
	typ        hotspot.AreaType
	preds      []string // old commune codes, sorted
}

// hamlet is a tổ dân phố drawn inside a new unit: a strip of one of its
// predecessors' cells between two lines of constant km-north.
type hamlet struct {
	code, name string
	parent     string // new unit
	within     string // old commune whose cell it is cut from
	south      float64
	north      float64 // km north of the cell's centre
}

// hamlets are drawn inside Phường Hội An, in the old town (Minh An): three
// bands across its cell, leaving its edges to the ward (synthetic names).
var hamlets = []hamlet{
	{"20410.01", "Tổ dân phố An Hội", "20410", "20398", -0.55, -0.2},
	{"20410.02", "Tổ dân phố Minh An", "20410", "20398", -0.2, 0.15},
	{"20410.03", "Tổ dân phố Phan Châu Trinh", "20410", "20398", 0.15, 0.5},
}

// loadReform reads Hội An's rows of the hand-checked crosswalk: the new
// units in code order, each with its predecessors.
func loadReform() ([]newUnit, error) {
	b, err := data.ReadFile("data/" + FileCrosswalkSource)
	if err != nil {
		return nil, err
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(recs) < 2 {
		return nil, fmt.Errorf("%s: %v", FileCrosswalkSource, err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range []string{"old_code", "new_code", "old_district_code", "new_name"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("%s: no column %s", FileCrosswalkSource, h)
		}
	}
	byCode := map[string]*newUnit{}
	for _, r := range recs[1:] {
		if r[col["old_district_code"]] != oldDistrictCode {
			continue
		}
		code, name := r[col["new_code"]], r[col["new_name"]]
		u := byCode[code]
		if u == nil {
			typ := hotspot.TypePhuong
			if strings.HasPrefix(name, "Xã ") {
				typ = hotspot.TypeXa
			}
			u = &newUnit{code: code, name: name, typ: typ}
			byCode[code] = u
		}
		u.preds = append(u.preds, r[col["old_code"]])
	}
	var out []newUnit
	for _, u := range byCode {
		slices.Sort(u.preds)
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b newUnit) int { return cmp.Compare(a.code, b.code) })
	return out, nil
}

// FileCrosswalkSource is the embedded crosswalk (see data/SOURCES.md).
const FileCrosswalkSource = "crosswalk_da_nang_checked.csv"

// Crosswalk returns the hand-checked crosswalk of new Đà Nẵng as shipped
// (MIT, dvhcvn/20250701; checked by hand against resolution 1659).
func Crosswalk() []byte {
	b, _ := data.ReadFile("data/" + FileCrosswalkSource)
	return b
}

// oldType is the type of an old unit, from its name.
func oldType(name string) hotspot.AreaType {
	if strings.HasPrefix(name, "Xã ") {
		return hotspot.TypeXa
	}
	return hotspot.TypePhuong
}

// newUnitOf maps each old commune code to the new unit it went into.
func (l *layout) newUnitOf() map[string]string {
	out := map[string]string{}
	for _, u := range l.reform {
		for _, p := range u.preds {
			out[p] = u.code
		}
	}
	return out
}

// unionRings merges rings that tile a region and share their common edges
// exactly (the partition's cells, snapShared): every edge walked both ways
// is inside and dropped, and what is left is chained into the outline. It
// fails when the rings do not make one ring.
func unionRings(rings []orb.Ring) (orb.Ring, error) {
	if len(rings) == 1 {
		return rings[0], nil
	}
	type edge struct{ a, b orb.Point }
	count := map[edge]int{}
	var order []edge
	for _, r := range rings {
		for i := 0; i+1 < len(r); i++ {
			e := edge{r[i], r[i+1]}
			if count[edge{e.b, e.a}] > 0 {
				count[edge{e.b, e.a}]--
				continue
			}
			count[e]++
			order = append(order, e)
		}
	}
	next := map[orb.Point]orb.Point{}
	var start orb.Point
	n := 0
	for _, e := range order {
		if count[e] == 0 {
			continue
		}
		if _, dup := next[e.a]; dup {
			return nil, fmt.Errorf("union: two edges leave %v", e.a)
		}
		if n == 0 {
			start = e.a
		}
		next[e.a] = e.b
		n++
	}
	out := orb.Ring{start}
	for p := next[start]; ; p = next[p] {
		out = append(out, p)
		if p == start {
			break
		}
		if len(out) > n+1 {
			return nil, fmt.Errorf("union: the outline does not close")
		}
	}
	if len(out) != n+1 {
		return nil, fmt.Errorf("union: %d edges left outside the outline (the cells do not make one ring)", n+1-len(out))
	}
	if out.Orientation() != orb.CCW {
		out.Reverse()
	}
	return out, nil
}

// buildReform adds the new units' polygons (unions of their predecessors'
// cells) and the hamlets' to the layout.
func (l *layout) buildReform() error {
	units, err := loadReform()
	if err != nil {
		return err
	}
	cell := map[string]*commune{}
	for i := range l.communes {
		cell[l.communes[i].code] = &l.communes[i]
	}
	for i := range units {
		u := &units[i]
		var rings []orb.Ring
		for _, p := range u.preds {
			c, ok := cell[p]
			if !ok {
				return fmt.Errorf("new unit %s: predecessor %s is not one of the demo's communes", u.code, p)
			}
			rings = append(rings, c.poly[0])
		}
		ring, err := unionRings(rings)
		if err != nil {
			return fmt.Errorf("new unit %s: %w", u.code, err)
		}
		var sum float64
		for _, r := range rings {
			sum += math.Abs(ringAreaKm2(r))
		}
		if got := math.Abs(ringAreaKm2(ring)); math.Abs(got-sum) > 1e-6*sum {
			return fmt.Errorf("new unit %s: union of %.4f km² from cells of %.4f km²", u.code, got, sum)
		}
		l.newPolys = append(l.newPolys, orb.Polygon{ring})
	}
	l.reform = units
	if len(units) != 4 {
		return fmt.Errorf("the crosswalk gives Hội An %d new units, want 4", len(units))
	}
	for _, h := range hamlets {
		c, ok := cell[h.within]
		if !ok {
			return fmt.Errorf("hamlet %s: no commune %s", h.code, h.within)
		}
		// Keep south <= y-y0 <= north: a·x <= b with a = (0, ±1).
		y0 := toKm(c.seed.centre)[1]
		var km []orb.Point
		for _, p := range c.poly[0][:len(c.poly[0])-1] {
			km = append(km, toKm(p))
		}
		km = clipHalfPlane(km, orb.Point{0, 1}, y0+h.north)
		km = clipHalfPlane(km, orb.Point{0, -1}, -(y0 + h.south))
		// Pull the strip 20 m inside the cell's west and east edges so a
		// hamlet never shares a border with the ward around it.
		if len(km) < 3 {
			return fmt.Errorf("hamlet %s: empty strip", h.code)
		}
		ring := make(orb.Ring, 0, len(km)+1)
		cx, cy := 0.0, 0.0
		for _, q := range km {
			cx, cy = cx+q[0]/float64(len(km)), cy+q[1]/float64(len(km))
		}
		for _, q := range km {
			q = orb.Point{cx + (q[0]-cx)*0.96, cy + (q[1]-cy)*0.96}
			ring = append(ring, roundPoint(fromKm(planeOrigin, q[0], q[1]), 1e7))
		}
		ring = append(ring, ring[0])
		if ring.Orientation() != orb.CCW {
			ring.Reverse()
		}
		l.hamletPolys = append(l.hamletPolys, orb.Polygon{ring})
	}
	return nil
}

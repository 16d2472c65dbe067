package demo

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// TestReformGeography: today's Hội An is four units of Đà Nẵng, each the
// union of its predecessors' shapes as the crosswalk says; they tile the
// old district exactly; the hamlets lie inside Phường Hội An; the old units
// end on the day the new ones begin.
func TestReformGeography(t *testing.T) {
	_, dir := written(t)
	oldCommunes, old := areasFromFile(t, dir, false)
	newCommunes, now := areasFromFile(t, dir, true)
	wantNames := map[string]string{NewProvinceCode: NewProvinceName, "20410": "Phường Hội An", "20401": "Phường Hội An Tây",
		"20413": "Phường Hội An Đông", "20434": "Xã Tân Hiệp"}
	for code, name := range wantNames {
		if f := now[code]; f == nil || f.Properties.MustString("name") != name {
			t.Errorf("today's %s: want %q", code, name)
		}
	}
	if len(newCommunes) != 4 {
		t.Fatalf("%d communes today, want 4", len(newCommunes))
	}
	for _, f := range old {
		if f.Properties.MustString("valid_to") != ReformDay {
			t.Errorf("old %s ends %v", f.Properties.MustString("code"), f.Properties["valid_to"])
		}
	}
	for _, f := range now {
		if f.Properties.MustString("valid_from", "") != ReformDay {
			t.Errorf("today's %s begins %v", f.Properties.MustString("code"), f.Properties["valid_from"])
		}
	}
	if now["20410"].Properties.MustString("parent_code") != NewProvinceCode || now["20410"].Properties.MustString("type") != "phường" ||
		now["20434"].Properties.MustString("type") != "xã" || old["20425"].Properties.MustString("type") != "xã" {
		t.Error("parents or types of the new units are wrong")
	}
	// Each new unit's area is its predecessors' (from the crosswalk file).
	f, err := os.Open(filepath.Join(dir, FileCrosswalk))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) != 284 || !slices.Equal(recs[0][:4], []string{"old_code", "new_code", "share_of_old_area", "merge_type"}) {
		t.Fatalf("crosswalk.csv: %d rows, %v", len(recs), err)
	}
	predArea := map[string]float64{}
	preds := 0
	for _, r := range recs[1:] {
		if o := old[r[0]]; o != nil && o.Properties.MustString("level") == LevelCommune {
			predArea[r[1]] += planar.Area(o.Geometry.(orb.Polygon))
			preds++
		}
	}
	if preds != 13 {
		t.Errorf("the crosswalk links %d of the 13 old communes", preds)
	}
	var sumNew, sumOld float64
	for _, f := range newCommunes {
		code := f.Properties.MustString("code")
		a := planar.Area(f.Geometry.(orb.Polygon))
		if d := abs(a - predArea[code]); d > 1e-9*a {
			t.Errorf("%s: area %.9g, its predecessors' %.9g", code, a, predArea[code])
		}
		if selfIntersects(f.Geometry.(orb.Polygon)[0]) {
			t.Errorf("%s: ring crosses itself", code)
		}
		sumNew += a
	}
	for _, f := range oldCommunes {
		sumOld += planar.Area(f.Geometry.(orb.Polygon))
	}
	if abs(sumNew-sumOld) > 1e-9*sumOld {
		t.Errorf("new units cover %.9g, old ones %.9g", sumNew, sumOld)
	}
	// Hamlets: tổ dân phố strictly inside Phường Hội An, not overlapping.
	var hs []orb.Polygon
	for code, f := range now {
		if f.Properties.MustString("level") != LevelHamlet {
			continue
		}
		if !strings.HasPrefix(code, "20410.") || f.Properties.MustString("parent_code") != "20410" || f.Properties.MustString("type") != "tổ dân phố" {
			t.Errorf("hamlet %s: %v", code, f.Properties)
		}
		p := f.Geometry.(orb.Polygon)
		for _, v := range p[0] {
			if !planar.PolygonContains(now["20410"].Geometry.(orb.Polygon), v) {
				t.Errorf("hamlet %s: vertex %v outside Phường Hội An", code, v)
			}
		}
		hs = append(hs, p)
	}
	if len(hs) != 3 {
		t.Fatalf("%d hamlets, want 3", len(hs))
	}
	for i := range hs {
		for j := range hs {
			if i != j && planar.PolygonContains(hs[j], hs[i].Bound().Center()) {
				t.Errorf("hamlets %d and %d overlap", i, j)
			}
		}
	}
}

// TestReformRecords: tips name the unit in force when they came in;
// indicators are recorded on the old units before July 2025 and on the new
// ones after, the new ones' values the sums of their predecessors'.
func TestReformRecords(t *testing.T) {
	ds, _ := written(t)
	oldCodes, newCodes := map[string]bool{}, map[string]bool{}
	for _, a := range ds.Areas {
		if a.Level == LevelCommune && a.ValidTo != "" {
			oldCodes[a.Code] = true
		} else if a.Level == LevelCommune {
			newCodes[a.Code] = true
		}
	}
	for _, tp := range ds.Tips {
		if tp.HasPoint || tp.AreaCode == "" {
			continue
		}
		if before := tp.ReceivedAt.Before(ReformStart); (before && !oldCodes[tp.AreaCode]) || (!before && !newCodes[tp.AreaCode]) {
			t.Errorf("tip %s received %v names %s", tp.Ref, tp.ReceivedAt, tp.AreaCode)
		}
	}
	sums := map[string]int64{}
	for _, in := range ds.Indicators {
		before := in.Period < "2025-07"
		if (before && !oldCodes[in.AreaCode]) || (!before && !newCodes[in.AreaCode]) {
			t.Fatalf("indicator %v on the wrong geography", in)
		}
		if in.Key == IndHouseholdsTotal && (in.Period == "2025-06" || in.Period == "2025-07") {
			sums[in.Period] += in.Value
		}
	}
	// Households grow by 0.08 % a month: the total runs on across the date.
	if a, b := sums["2025-06"], sums["2025-07"]; a == 0 || b < a || float64(b-a) > 0.01*float64(a) {
		t.Errorf("households: %d in June 2025 on the old units, %d in July on the new", a, b)
	}
}

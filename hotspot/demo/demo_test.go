package demo

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// The default data set is generated and written once for all tests.
var (
	defaultOnce sync.Once
	defaultDS   *Dataset
	defaultDir  string
	defaultErr  error
)

func written(t *testing.T) (*Dataset, string) {
	t.Helper()
	defaultOnce.Do(func() {
		defaultDS, defaultErr = Generate(DefaultSeed)
		if defaultErr != nil {
			return
		}
		defaultDir, defaultErr = os.MkdirTemp("", "demo-*")
		if defaultErr == nil {
			defaultErr = defaultDS.WriteFiles(defaultDir)
		}
	})
	if defaultErr != nil {
		t.Fatal(defaultErr)
	}
	return defaultDS, defaultDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if defaultDir != "" {
		os.RemoveAll(defaultDir)
	}
	os.Exit(code)
}

func readCSV(t *testing.T, dir, name string) []map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	_, dir1 := written(t)
	ds2, err := Generate(DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	dir2 := t.TempDir()
	if err := ds2.WriteFiles(dir2); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{FileAreas, FileHotspots, FileEvents, FileIncidents, FileTips, FileCameras, FileIndicators} {
		a, err1 := os.ReadFile(filepath.Join(dir1, name))
		b, err2 := os.ReadFile(filepath.Join(dir2, name))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	other, err := Generate(DefaultSeed + 1)
	if err != nil {
		t.Fatalf("another seed: %v", err)
	}
	if other.Incidents[0].Point == ds2.Incidents[0].Point {
		t.Error("a different seed gave the same first incident")
	}
}

func TestHeaders(t *testing.T) {
	_, dir := written(t)
	want := map[string]string{
		FileHotspots:   "ref,lon,lat,kind,name",
		FileEvents:     "hotspot_ref,event,occurred_at,note",
		FileIncidents:  "ref,lon,lat,kind,occurred_at",
		FileTips:       "ref,received_at,handled_at,lon,lat,area_code",
		FileCameras:    "ref,lon,lat,bearing,fov,range_m,owner,status",
		FileIndicators: "area_code,period,key,value",
	}
	for name, header := range want {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if first, _, _ := strings.Cut(string(b), "\n"); first != header {
			t.Errorf("%s header = %q, want %q", name, first, header)
		}
	}
}

func TestCounts(t *testing.T) {
	ds, _ := written(t)
	tests := []struct {
		name   string
		got    int
		lo, hi int
	}{
		{"areas", len(ds.Areas), 2 + 13 + 1 + 4 + 3, 2 + 13 + 1 + 4 + 3},
		{"hotspots", len(ds.Hotspots), 55, 65},
		{"incidents", len(ds.Incidents), 36000, 44000},
		{"tips", len(ds.Tips), 2600, 3400},
		{"cameras", len(ds.Cameras), 38, 42},
		// 54 months (2021-01..2025-06) on 13 old units, 17 (2025-07..2026-11) on 4 new ones.
		{"indicators", len(ds.Indicators), (13*54 + 4*17) * len(IndicatorKeys), (13*54 + 4*17) * len(IndicatorKeys)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got < tt.lo || tt.got > tt.hi {
				t.Errorf("%d, want %d..%d", tt.got, tt.lo, tt.hi)
			}
		})
	}
}

// areasFromFile parses areas.geojson back with orb/geojson: the units in
// force before the reform (those with a valid_to), or today's.
func areasFromFile(t *testing.T, dir string, today bool) (communes []*geojson.Feature, byCode map[string]*geojson.Feature) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, FileAreas))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	byCode = map[string]*geojson.Feature{}
	for _, f := range fc.Features {
		if (f.Properties.MustString("valid_to", "") == "") != today {
			continue
		}
		code := f.Properties.MustString("code")
		if byCode[code] != nil {
			t.Errorf("duplicate code %s", code)
		}
		if p := f.Properties.MustString("parent_code", ""); p != "" && byCode[p] == nil {
			t.Errorf("%s comes before its parent %s", code, p)
		}
		switch f.Geometry.(type) {
		case orb.Polygon, orb.MultiPolygon:
		default:
			t.Errorf("%s: geometry %s", code, f.Geometry.GeoJSONType())
		}
		byCode[code] = f
		if f.Properties.MustString("level") == LevelCommune {
			communes = append(communes, f)
		}
	}
	return communes, byCode
}

func TestAreas(t *testing.T) {
	_, dir := written(t)
	communes, byCode := areasFromFile(t, dir, false)
	if len(communes) != 13 {
		t.Fatalf("%d communes, want 13", len(communes))
	}
	wantNames := map[string]string{"49": "Tỉnh Quảng Nam", "503": "Thành phố Hội An", "20398": "Phường Minh An", "20434": "Xã Tân Hiệp"}
	for code, name := range wantNames {
		if f := byCode[code]; f == nil || f.Properties.MustString("name") != name {
			t.Errorf("area %s: want %q", code, name)
		}
	}
	province := byCode["49"].Geometry.(orb.MultiPolygon)
	district := byCode["503"].Geometry.(orb.MultiPolygon)
	for _, poly := range district {
		for _, p := range poly[0] {
			if !planar.MultiPolygonContains(province, p) {
				t.Errorf("district vertex %v outside the province", p)
			}
		}
	}
	// Communes tile the district: their areas add up to it, and no ring
	// crosses itself.
	var sum float64
	for _, f := range communes {
		poly := f.Geometry.(orb.Polygon)
		if selfIntersects(poly[0]) {
			t.Errorf("%s: ring crosses itself", f.Properties.MustString("code"))
		}
		if poly[0].Orientation() != orb.CCW {
			t.Errorf("%s: exterior ring not counter-clockwise", f.Properties.MustString("code"))
		}
		sum += planar.Area(poly)
	}
	if d := planar.Area(district); abs(sum-d)/d > 1e-12 {
		t.Errorf("communes cover %.9g, district %.9g", sum, d)
	}
}

func abs(x float64) float64 { return max(x, -x) }

func selfIntersects(r orb.Ring) bool {
	n := len(r) - 1
	for i := 0; i < n; i++ {
		for j := i + 2; j < n; j++ {
			if i == 0 && j == n-1 {
				continue
			}
			if segmentsCross(r[i], r[i+1], r[j], r[j+1]) {
				return true
			}
		}
	}
	return false
}

func segmentsCross(a, b, c, d orb.Point) bool {
	cross := func(o, p, q orb.Point) float64 { return (p[0]-o[0])*(q[1]-o[1]) - (p[1]-o[1])*(q[0]-o[0]) }
	d1, d2 := cross(c, d, a), cross(c, d, b)
	d3, d4 := cross(a, b, c), cross(a, b, d)
	return d1*d2 < 0 && d3*d4 < 0
}

// TestPointsInExactlyOneCommune parses every point from the files and
// checks it lies strictly inside exactly one commune polygon from
// areas.geojson; a grid over the district checks communes do not overlap.
func TestPointsInExactlyOneCommune(t *testing.T) {
	_, dir := written(t)
	for _, today := range []bool{false, true} {
		pointsInOneCommune(t, dir, today)
	}
}

func pointsInOneCommune(t *testing.T, dir string, today bool) {
	communes, byCode := areasFromFile(t, dir, today)
	inside := func(p orb.Point) []string {
		var codes []string
		for _, f := range communes {
			if planar.PolygonContains(f.Geometry.(orb.Polygon), p) {
				codes = append(codes, f.Properties.MustString("code"))
			}
		}
		return codes
	}
	for _, name := range []string{FileHotspots, FileIncidents, FileTips, FileCameras} {
		for _, row := range readCSV(t, dir, name) {
			if row["lon"] == "" && row["lat"] == "" {
				if name != FileTips || row["area_code"] == "" {
					t.Errorf("%s %s: no location", name, row["ref"])
				}
				continue
			}
			lon, err1 := strconv.ParseFloat(row["lon"], 64)
			lat, err2 := strconv.ParseFloat(row["lat"], 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("%s %s: bad coordinates", name, row["ref"])
			}
			codes := inside(orb.Point{lon, lat})
			if len(codes) != 1 {
				t.Errorf("%s %s at %v,%v is in communes %v", name, row["ref"], lon, lat, codes)
				continue
			}
			// A tip's ward is named as today (its point tells the old one).
			if ac := row["area_code"]; today && ac != "" && ac != codes[0] {
				t.Errorf("%s %s: area_code %s but the point is in %s", name, row["ref"], ac, codes[0])
			}
		}
	}
	b := byCode[map[bool]string{false: "503", true: NewProvinceCode}[today]].Geometry.Bound()
	for i := 0; i <= 200; i++ {
		for j := 0; j <= 200; j++ {
			p := orb.Point{b.Min[0] + (b.Max[0]-b.Min[0])*float64(i)/200.3, b.Min[1] + (b.Max[1]-b.Min[1])*float64(j)/200.3}
			if codes := inside(p); len(codes) > 1 {
				t.Fatalf("%v is in communes %v", p, codes)
			}
		}
	}
}

func TestLifecycleLegal(t *testing.T) {
	_, dir := written(t)
	hotspots := map[string]bool{}
	for _, h := range readCSV(t, dir, FileHotspots) {
		hotspots[h["ref"]] = true
	}
	type state struct {
		status string // "", active, eliminated
		last   time.Time
	}
	states := map[string]*state{}
	var lastRef string
	counts := map[string]int{}
	for _, row := range readCSV(t, dir, FileEvents) {
		ref, ev := row["hotspot_ref"], row["event"]
		at, err := time.Parse(time.RFC3339, row["occurred_at"])
		if err != nil || !strings.HasSuffix(row["occurred_at"], "+07:00") {
			t.Fatalf("%s: occurred_at %q", ref, row["occurred_at"])
		}
		if !hotspots[ref] {
			t.Errorf("event for unknown hotspot %s", ref)
		}
		if ref < lastRef {
			t.Errorf("events not sorted by hotspot at %s", ref)
		}
		lastRef = ref
		s := states[ref]
		if s == nil {
			s = &state{}
			states[ref] = s
		}
		if at.Before(s.last) {
			t.Errorf("%s: events not in time order at %s", ref, at)
		}
		s.last = at
		counts[ev]++
		switch {
		case s.status == "" && ev != EventDetected:
			t.Errorf("%s: first event %s", ref, ev)
		case s.status != "" && ev == EventDetected:
			t.Errorf("%s: detected twice", ref)
		case ev == EventEliminated && s.status != "active":
			t.Errorf("%s: eliminated while %s", ref, s.status)
		case ev == EventRecurred && s.status != "eliminated":
			t.Errorf("%s: recurred while %s", ref, s.status)
		case ev != EventDetected && ev != EventEliminated && ev != EventRecurred && ev != EventNote:
			t.Errorf("%s: unknown event %s", ref, ev)
		}
		switch ev {
		case EventDetected, EventRecurred:
			s.status = "active"
		case EventEliminated:
			s.status = "eliminated"
		}
	}
	if len(states) != len(hotspots) {
		t.Errorf("%d hotspots have events, want all %d", len(states), len(hotspots))
	}
	for _, ev := range []string{EventEliminated, EventRecurred, EventNote} {
		if counts[ev] < 3 {
			t.Errorf("only %d %s events", counts[ev], ev)
		}
	}
}

// TestStories checks the patterns the demo plants: hotspots detected
// before the window and in 2026, a cluster that cooled and one emerging.
func TestStories(t *testing.T) {
	ds, _ := written(t)
	first := map[string]time.Time{}
	for _, e := range ds.Events {
		if e.Event == EventDetected {
			first[e.HotspotRef] = e.OccurredAt
		}
	}
	var before, in2026 int
	for _, at := range first {
		if at.Before(WindowStart) {
			before++
		}
		if at.Year() == 2026 {
			in2026++
		}
	}
	if before < 30 || in2026 < 4 {
		t.Errorf("%d detected before the window, %d in 2026", before, in2026)
	}
	// Incidents per half-year in the story communes.
	half := func(code string, from, to time.Time) int {
		n := 0
		for _, in := range ds.Incidents {
			if in.AreaCode == code && !in.OccurredAt.Before(from) && in.OccurredAt.Before(to) {
				n++
			}
		}
		return n
	}
	d := func(y, m int) time.Time { return time.Date(y, time.Month(m), 1, 0, 0, 0, 0, Location) }
	if early, late := half(cooledCommune, d(2023, 12), d(2024, 6)), half(cooledCommune, d(2026, 5), d(2026, 11)); late*10 > early*7 {
		t.Errorf("Cẩm Phô did not cool: %d incidents early, %d late", early, late)
	}
	if early, late := half(emergingCommune, d(2024, 5), d(2024, 11)), half(emergingCommune, d(2026, 5), d(2026, 11)); late < 2*early {
		t.Errorf("Cửa Đại did not emerge: %d incidents in 2024, %d in 2026", early, late)
	}
}

// Personal data must never be in a place name or note: honorifics that go
// before a name (whole words, so "sông" and "Công viên" are fine), a
// capitalised family name followed by another capitalised word ("Phạm Văn"
// but not "tái phạm"), or phone and ID numbers.
var (
	honorifics    = []string{"ông", "bà", "anh", "chị", "cô", "chú", "bác", "đối tượng", "tên", "họ tên"}
	familyNames   = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	longNumber    = regexp.MustCompile(`\d{8,}|\+84`)
	isCapitalised = func(w string) bool { r, _ := utf8.DecodeRuneInString(w); return unicode.IsUpper(r) }
)

// personal returns the first personal-looking part of s, or "".
func personal(s string) string {
	if m := longNumber.FindString(s); m != "" {
		return m
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	for i, w := range words {
		next := ""
		if i+1 < len(words) {
			next = words[i+1]
		}
		lw := strings.ToLower(w)
		for _, h := range honorifics {
			if lw == h || lw+" "+strings.ToLower(next) == h {
				return h
			}
		}
		if slices.Contains(familyNames, w) && next != "" && isCapitalised(next) {
			return w + " " + next
		}
	}
	return ""
}

func TestNoPersonalData(t *testing.T) {
	ds, _ := written(t)
	texts := map[string]string{}
	for _, h := range ds.Hotspots {
		texts[h.Ref+" name"] = h.Name
		if h.Name == "" {
			t.Errorf("%s has no name", h.Ref)
		}
	}
	for i, e := range ds.Events {
		texts[e.HotspotRef+" note "+strconv.Itoa(i)] = e.Note
	}
	keys := make([]string, 0, len(texts))
	for k := range texts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if m := personal(texts[k]); m != "" {
			t.Errorf("%s: %q looks personal (%q)", k, texts[k], m)
		}
	}
	if personal("Nhà Nguyễn Văn A") == "" || personal("Nhà ông Tư") == "" || personal("Kiệt 5, 0905123456") == "" {
		t.Error("the personal-data pattern misses an obvious name")
	}
}

func TestValues(t *testing.T) {
	ds, dir := written(t)
	kinds := map[string][]string{
		FileHotspots:  {KindDealing, KindStorage, KindOrganisedUse, KindPublicUse, KindCultivation, KindProduction},
		FileIncidents: {IncTrafficking, IncStorage, IncTransport, IncOrganisedUse, IncUse, IncCultivation, IncProduction, IncOther},
	}
	for name, allowed := range kinds {
		for _, row := range readCSV(t, dir, name) {
			if !slices.Contains(allowed, row["kind"]) {
				t.Errorf("%s %s: kind %q", name, row["ref"], row["kind"])
			}
		}
	}
	for _, in := range ds.Incidents {
		if in.OccurredAt.Before(WindowStart) || !in.OccurredAt.Before(WindowEnd) {
			t.Fatalf("%s at %s outside the window", in.Ref, in.OccurredAt)
		}
	}
	var unhandled, recentUnhandled int
	for _, row := range readCSV(t, dir, FileTips) {
		rec, err := time.Parse(time.RFC3339, row["received_at"])
		if err != nil {
			t.Fatal(err)
		}
		if row["handled_at"] == "" {
			unhandled++
			if WindowEnd.Sub(rec) < 30*24*time.Hour {
				recentUnhandled++
			}
			continue
		}
		h, err := time.Parse(time.RFC3339, row["handled_at"])
		if err != nil || h.Before(rec) || !h.Before(WindowEnd) {
			t.Errorf("%s: handled_at %q for received %q", row["ref"], row["handled_at"], row["received_at"])
		}
	}
	if recentUnhandled < 3 || unhandled > len(ds.Tips)/10 {
		t.Errorf("%d unhandled tips, %d of them recent", unhandled, recentUnhandled)
	}
	owners := map[string]int{}
	for _, row := range readCSV(t, dir, FileCameras) {
		owners[row["owner"]]++
		b, _ := strconv.Atoi(row["bearing"])
		fov, _ := strconv.Atoi(row["fov"])
		rng, _ := strconv.Atoi(row["range_m"])
		if b < 0 || b > 359 || (fov != 360 && (fov < 60 || fov > 110)) || rng < 30 || rng > 150 ||
			!slices.Contains([]string{StatusPlanned, StatusActive, StatusOffline}, row["status"]) {
			t.Errorf("camera %v", row)
		}
	}
	if owners[OwnerPolice] != 25 || owners[OwnerCommunity] != 15 {
		t.Errorf("camera owners %v", owners)
	}
}

func TestIndicatorsPlausible(t *testing.T) {
	_, dir := written(t)
	type key struct{ area, period string }
	vals := map[key]map[string]int{}
	var order []key
	for _, row := range readCSV(t, dir, FileIndicators) {
		k := key{row["area_code"], row["period"]}
		if vals[k] == nil {
			vals[k] = map[string]int{}
			order = append(order, k)
		}
		v, err := strconv.Atoi(row["value"])
		if err != nil || v < 0 {
			t.Fatalf("%v %s: value %q", k, row["key"], row["value"])
		}
		if !slices.Contains(IndicatorKeys, row["key"]) {
			t.Fatalf("unknown key %q", row["key"])
		}
		vals[k][row["key"]] = v
	}
	periods := map[string]bool{}
	for _, k := range order {
		periods[k.period] = true
		v := vals[k]
		pairs := [][2]string{
			{IndUsersInTreatment, IndRegisteredUsers}, {IndUsersOfferedServices, IndRegisteredUsers},
			{IndHouseholdsReached, IndHouseholdsTotal}, {IndHighRiskReached, IndHighRiskTotal},
			{IndCasesTracedToUsers, IndCasesTotal}, {IndPlantAreaDestroyedM2, IndPlantAreaFoundM2},
		}
		for _, p := range pairs {
			if v[p[0]] > v[p[1]] {
				t.Errorf("%v: %s %d > %s %d", k, p[0], v[p[0]], p[1], v[p[1]])
			}
		}
	}
	if len(periods) != 71 || !periods["2021-01"] || !periods["2025-06"] || !periods["2025-07"] || !periods["2026-11"] {
		t.Errorf("%d periods", len(periods))
	}
}

package importer

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/diaban/diaban/geo"
	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
)

// Kinds lists what `diaban import KIND FILE` accepts, in load order.
var Kinds = func() []string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.name
	}
	return names
}()

// Options tunes an import.
type Options struct {
	// SkipInvalid imports the good rows and reports the bad ones, instead of
	// importing nothing when any row is bad.
	SkipInvalid bool
	// Progress, when set, is called as rows are written, with the count so far
	// and the total to write.
	Progress func(done, total int)
	// Phase, when set, is told when a slow step starts after the rows are
	// written (a bulk load's "building indexes").
	Phase func(what string)
}

// Result tells what an import did.
type Result struct {
	Kind     string                     `json:"kind"`
	Rows     int                        `json:"rows"`
	Imported int                        `json:"imported"`
	Skipped  []*hotspot.ValidationError `json:"skipped,omitempty"`
}

// Import reads one file of the given kind and writes it through st in one
// transaction. Every row is validated first; when any is bad and
// opt.SkipInvalid is not set, a *hotspot.ImportError lists them all and
// nothing is written. Re-importing the same refs updates them.
func Import(ctx context.Context, st *store.Store, kind string, in io.Reader, opt Options) (*Result, error) {
	if !slices.Contains(Kinds, kind) {
		return nil, hotspot.Invalid("kind", "unknown import kind %q (want one of %s)", kind, strings.Join(Kinds, ", "))
	}
	var idx *hotspot.AreaIndex
	if kind != "areas" {
		var err error
		if idx, err = st.Areas(ctx); err != nil {
			return nil, err
		}
		if len(idx.Shapes()) == 0 {
			return nil, &hotspot.ImportError{Kind: kind, Rows: []*hotspot.ValidationError{{Field: "areas", Reason: "no areas are loaded yet: import areas first"}}}
		}
	}
	b, rows, bad, err := parseFile(kind, in, idx)
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: kind, Rows: rows}
	err = st.ImportTx(ctx, func(w *store.ImportWriter) error {
		if b.check != nil {
			more, err := b.check(ctx, w)
			if err != nil {
				return err
			}
			bad = append(bad, more...)
		}
		if b.stream != nil { // parses while it writes: bad rows come back from the write
			n, more, err := b.stream(ctx, w, len(bad) == 0 || opt.SkipInvalid, opt)
			if err != nil {
				return err
			}
			bad = append(bad, more...)
			res.Imported = n
		}
		if len(bad) > 0 && !opt.SkipInvalid {
			sort.SliceStable(bad, func(i, j int) bool { return bad[i].Line < bad[j].Line })
			return &hotspot.ImportError{Kind: kind, Rows: bad}
		}
		if b.stream != nil {
			return nil
		}
		n, err := b.write(ctx, w, opt.Progress)
		res.Imported = n
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(bad, func(i, j int) bool { return bad[i].Line < bad[j].Line })
	res.Skipped = bad
	return res, nil
}

// A kind is one kind of file: the columns a CSV file of it must have, and
// how its records become the rows of a batch.
type kind struct {
	name     string
	columns  []string
	geojson  bool // a GeoJSON FeatureCollection is read as well as CSV
	refKeyed bool // the "ref" field names a row: it may not repeat in a file
	// parse parses the records of a file (each of the right shape, its ref
	// not repeated) without the database: the batch of good rows and the
	// bad ones. idx locates points (nil for areas).
	parse func(recs []*record, idx *hotspot.AreaIndex) (*batch, []*hotspot.ValidationError)
}

// A batch is the good rows of a file, bound to the store writer that takes
// them in the import's transaction.
type batch struct {
	// check reports the bad rows only the database can tell; nil when none.
	check func(ctx context.Context, w *store.ImportWriter) ([]*hotspot.ValidationError, error)
	// write writes the rows, once none is bad (or the bad ones are skipped),
	// and returns how many were new or changed.
	write func(ctx context.Context, w *store.ImportWriter, progress func(done, total int)) (int, error)
	// stream, set instead of write (incidents), parses the rows while it
	// writes them and returns the bad ones too. With write false it only
	// parses, to report every bad row, and w may be nil; when bad rows come
	// back and opt.SkipInvalid is not set, the caller rolls back.
	stream func(ctx context.Context, w *store.ImportWriter, write bool, opt Options) (int, []*hotspot.ValidationError, error)
}

// kinds is every kind of file, in load order (parents before what they hold).
var kinds = []kind{
	{name: "areas", columns: []string{"code", "name", "level", "parent_code"}, geojson: true, parse: parseAreas},
	{name: "hotspots", columns: []string{"ref", "lon", "lat", "kind", "name"}, geojson: true, refKeyed: true, parse: parseHotspots},
	{name: "events", columns: []string{"hotspot_ref", "event", "occurred_at", "note"}, parse: parseEvents},
	{name: "incidents", columns: []string{"ref", "lon", "lat", "kind", "occurred_at"}, geojson: true, refKeyed: true, parse: parseIncidents},
	{name: "tips", columns: []string{"ref", "received_at", "handled_at", "lon", "lat", "area_code"}, refKeyed: true, parse: parseTips},
	{name: "cameras", columns: []string{"ref", "lon", "lat", "bearing", "fov", "range_m", "owner", "status"}, geojson: true, refKeyed: true, parse: parseCameras},
	{name: "indicators", columns: []string{"area_code", "period", "key", "value"}, parse: parseIndicators},
}

// parseFile reads and validates a file of a kind without the database: the
// batch of its good rows, how many rows it holds, and every bad row (for
// incidents, those found before the rows are parsed: the stream finds the
// rest). A file that cannot be read at all is an *ImportError.
func parseFile(name string, in io.Reader, idx *hotspot.AreaIndex) (*batch, int, []*hotspot.ValidationError, error) {
	i := slices.IndexFunc(kinds, func(k kind) bool { return k.name == name })
	if i < 0 {
		return nil, 0, nil, hotspot.Invalid("kind", "unknown import kind %q", name)
	}
	k := kinds[i]
	recs, err := readRecords(in, k.columns, k.geojson)
	if err != nil {
		if ve, ok := err.(*hotspot.ValidationError); ok {
			return nil, 0, nil, &hotspot.ImportError{Kind: name, Rows: []*hotspot.ValidationError{ve}}
		}
		return nil, 0, nil, err
	}
	var bad []*hotspot.ValidationError
	good := make([]*record, 0, len(recs))
	seenRef := make(map[string]int, len(recs))
	for _, r := range recs {
		if ve := r.shapeError(); ve != nil {
			bad = append(bad, ve)
			continue
		}
		if ref := r.get("ref"); ref != "" && k.refKeyed {
			if prev, dup := seenRef[ref]; dup {
				bad = append(bad, r.fail("ref", "%q already appears on line %d", ref, prev))
				continue
			}
			seenRef[ref] = r.line
		}
		good = append(good, r)
	}
	b, more := k.parse(good, idx)
	return b, len(recs), append(bad, more...), nil
}

// parseEach parses recs on every core, keeping file order: the rows that
// parse, and the bad ones. Rows must parse independently of each other;
// locating a point and computing its H3 cells is most of an import's CPU
// time.
func parseEach[R any](recs []*record, idx *hotspot.AreaIndex, parse func(*record, *hotspot.AreaIndex) (R, *hotspot.ValidationError)) ([]R, []*hotspot.ValidationError) {
	rows := make([]R, len(recs))
	errs := make([]*hotspot.ValidationError, len(recs))
	workers := runtime.GOMAXPROCS(0)
	chunk := (len(recs) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := 0; w < workers && w*chunk < len(recs); w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(recs))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				rows[i], errs[i] = parse(recs[i], idx)
			}
		}()
	}
	wg.Wait()
	var bad []*hotspot.ValidationError
	kept := rows[:0]
	for i, row := range rows {
		if errs[i] != nil {
			bad = append(bad, errs[i])
			continue
		}
		kept = append(kept, row)
	}
	return kept, bad
}

// locate finds the point of a record, the area holding it and its cells.
// optional says whether the record may have no point (nil, nil).
func locate(r *record, idx *hotspot.AreaIndex, optional bool) (*store.Located, *hotspot.ValidationError) {
	p, ve := r.point(optional)
	if ve != nil || p == nil {
		return nil, ve
	}
	a, ok := idx.Locate(*p)
	if !ok {
		field := "lon"
		if r.geom != nil {
			field = "geometry"
		}
		return nil, r.fail(field, "point (%g, %g) lies outside every area", p.Lon, p.Lat)
	}
	return &store.Located{Point: *p, AreaID: a.ID, Cells: geo.PointCells(*p)}, nil
}

// ---- hotspots

func parseHotspots(recs []*record, idx *hotspot.AreaIndex) (*batch, []*hotspot.ValidationError) {
	rows, bad := parseEach(recs, idx, parseHotspot)
	return &batch{write: func(ctx context.Context, w *store.ImportWriter, progress func(int, int)) (int, error) {
		return w.UpsertHotspots(ctx, rows, progress)
	}}, bad
}

func parseHotspot(r *record, idx *hotspot.AreaIndex) (store.HotspotRow, *hotspot.ValidationError) {
	ref := r.get("ref")
	if ref == "" {
		return store.HotspotRow{}, r.fail("ref", "is empty")
	}
	kind := hotspot.HotspotKind(r.get("kind"))
	if err := hotspot.ValidateHotspotKind(kind); err != nil {
		return store.HotspotRow{}, r.fail("kind", "%s", err.(*hotspot.ValidationError).Reason)
	}
	loc, ve := locate(r, idx, false)
	if ve != nil {
		return store.HotspotRow{}, ve
	}
	return store.HotspotRow{Ref: ref, Kind: kind, Name: r.get("name"), Loc: *loc}, nil
}

// ---- cameras

func parseCameras(recs []*record, idx *hotspot.AreaIndex) (*batch, []*hotspot.ValidationError) {
	rows, bad := parseEach(recs, idx, parseCamera)
	return &batch{write: func(ctx context.Context, w *store.ImportWriter, progress func(int, int)) (int, error) {
		return w.UpsertCameras(ctx, rows, progress)
	}}, bad
}

func parseCamera(r *record, idx *hotspot.AreaIndex) (store.CameraRow, *hotspot.ValidationError) {
	cam := hotspot.Camera{Ref: r.get("ref"), Owner: hotspot.CameraOwner(r.get("owner")), Status: hotspot.CameraStatus(r.get("status"))}
	if cam.Ref == "" {
		return store.CameraRow{}, r.fail("ref", "is empty")
	}
	var ve *hotspot.ValidationError
	if cam.Bearing, ve = r.float("bearing"); ve != nil {
		return store.CameraRow{}, ve
	}
	if cam.FOV, ve = r.float("fov"); ve != nil {
		return store.CameraRow{}, ve
	}
	if cam.RangeM, ve = r.float("range_m"); ve != nil {
		return store.CameraRow{}, ve
	}
	loc, ve := locate(r, idx, false)
	if ve != nil {
		return store.CameraRow{}, ve
	}
	cam.Point = loc.Point
	if err := cam.Validate(); err != nil {
		e := err.(*hotspot.ValidationError)
		return store.CameraRow{}, r.fail(e.Field, "%s", e.Reason)
	}
	return store.CameraRow{Ref: cam.Ref, Bearing: cam.Bearing, FOV: cam.FOV, RangeM: cam.RangeM, Owner: cam.Owner, Status: cam.Status, Loc: *loc}, nil
}

// ---- tips

// parseTips parses the tips. A tip without a point may name a unit retired
// by a reform (issue 13): the check looks such codes up among every area,
// and the store carries the tip to the unit of today the crosswalk leads to,
// remembering the one it named.
func parseTips(recs []*record, idx *hotspot.AreaIndex) (*batch, []*hotspot.ValidationError) {
	type tipRow struct {
		store.TipRow
		line int
		code string
	}
	parsed, bad := parseEach(recs, idx, func(r *record, idx *hotspot.AreaIndex) (tipRow, *hotspot.ValidationError) {
		row, ve := parseTip(r, idx)
		return tipRow{row, r.line, r.get("area_code")}, ve
	})
	var rows []store.TipRow
	return &batch{
		check: func(ctx context.Context, w *store.ImportWriter) ([]*hotspot.ValidationError, error) {
			// Only a tip without a point names its unit by code.
			kept, more, err := resolveAreaCodes(ctx, w, parsed,
				func(t *tipRow) (string, int, bool) { return t.code, t.line, t.Loc == nil && t.AreaID == 0 },
				func(t *tipRow, id int64) { t.RecordedAreaID = id })
			rows = make([]store.TipRow, len(kept))
			for i := range kept {
				rows[i] = kept[i].TipRow
			}
			return more, err
		},
		write: func(ctx context.Context, w *store.ImportWriter, progress func(int, int)) (int, error) {
			return w.UpsertTips(ctx, rows, progress)
		}}, bad
}

func parseTip(r *record, idx *hotspot.AreaIndex) (store.TipRow, *hotspot.ValidationError) {
	ref := r.get("ref")
	if ref == "" {
		return store.TipRow{}, r.fail("ref", "is empty")
	}
	received, err := hotspot.ParseInstant(r.get("received_at"))
	if err != nil {
		return store.TipRow{}, r.fail("received_at", "%v", err)
	}
	var handled *time.Time
	if s := r.get("handled_at"); s != "" {
		h, err := hotspot.ParseInstant(s)
		if err != nil {
			return store.TipRow{}, r.fail("handled_at", "%v", err)
		}
		if h.Before(received) {
			return store.TipRow{}, r.fail("handled_at", "is before received_at")
		}
		handled = &h
	}
	loc, ve := locate(r, idx, true)
	if ve != nil {
		return store.TipRow{}, ve
	}
	code := r.get("area_code")
	row := store.TipRow{Ref: ref, ReceivedAt: received, HandledAt: handled}
	switch {
	case loc != nil:
		if code != "" && !slices.Contains(idx.Ancestors(codeOf(idx, loc.AreaID)), code) {
			return store.TipRow{}, r.fail("area_code", "the point lies in area %s, not in %s", codeOf(idx, loc.AreaID), code)
		}
		row.Loc, row.AreaID = loc, loc.AreaID
	case code != "":
		if a, ok := idx.ByCode(code); ok {
			row.AreaID = a.ID
		} else if hotspot.ValidAreaCode("area_code", code) != nil {
			return store.TipRow{}, r.fail("area_code", "unknown area %q", code)
		} // else perhaps a retired unit: parseTips' check looks it up
	default:
		return store.TipRow{}, r.fail("area_code", "a tip needs a point (lon, lat) or an area_code")
	}
	return row, nil
}

func codeOf(idx *hotspot.AreaIndex, id int64) string {
	for _, s := range idx.Shapes() {
		if s.ID == id {
			return s.Code
		}
	}
	return ""
}

// ---- indicators

var (
	keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// indicatorPeriod reads an indicator's period by the one period rule
// (hotspot.ParsePeriod) and keeps the kinds indicators are recorded for: a
// year, a quarter or a month, returned in canonical form ("2025-q3" is
// stored as "2025-Q3"). Halves and custom windows are periods to ask
// about, not to record in: they are summed from months and quarters.
func indicatorPeriod(s string) (string, error) {
	p, err := hotspot.ParsePeriod(s)
	if err != nil {
		return "", err
	}
	switch p.Kind() {
	case hotspot.PeriodYear, hotspot.PeriodQuarter, hotspot.PeriodMonth:
		return p.String(), nil
	}
	return "", fmt.Errorf("%q is a %s; indicators are recorded for a year (YYYY), a quarter (YYYY-Qn) or a month (YYYY-MM)", s, p.Kind())
}

// indicatorRow is an indicator value with the line and area code it came
// from, for the check of repeats.
type indicatorRow struct {
	store.IndicatorRow
	line int
	code string
}

// parseIndicators parses every row, then reports each repeat of an area,
// period and key after its first line (the last check of a row).
func parseIndicators(recs []*record, idx *hotspot.AreaIndex) (*batch, []*hotspot.ValidationError) {
	parsed, bad := parseEach(recs, idx, parseIndicator)
	kept := make([]indicatorRow, 0, len(parsed))
	seen := make(map[string]int, len(parsed))
	for _, in := range parsed {
		k := in.code + "\x00" + in.Period + "\x00" + in.Key
		if prev, dup := seen[k]; dup {
			bad = append(bad, &hotspot.ValidationError{Line: in.line, Field: "key", Reason: fmt.Sprintf("%s %s %s already appears on line %d", in.code, in.Period, in.Key, prev)})
			continue
		}
		seen[k] = in.line
		kept = append(kept, in)
	}
	var rows []store.IndicatorRow
	return &batch{
		// Units retired by a reform still take the values they reported while
		// in force (issue 13): codes not current are looked up among every area.
		check: func(ctx context.Context, w *store.ImportWriter) ([]*hotspot.ValidationError, error) {
			found, more, err := resolveAreaCodes(ctx, w, kept,
				func(in *indicatorRow) (string, int, bool) { return in.code, in.line, in.AreaID == 0 },
				func(in *indicatorRow, id int64) { in.AreaID = id })
			rows = make([]store.IndicatorRow, len(found))
			for i := range found {
				rows[i] = found[i].IndicatorRow
			}
			return more, err
		},
		write: func(ctx context.Context, w *store.ImportWriter, progress func(int, int)) (int, error) {
			return w.UpsertIndicators(ctx, rows, progress)
		}}, bad
}

func parseIndicator(r *record, idx *hotspot.AreaIndex) (indicatorRow, *hotspot.ValidationError) {
	code := r.get("area_code")
	var areaID int64 // 0: not a current area; the check looks it up among the retired ones
	if a, ok := idx.ByCode(code); ok {
		areaID = a.ID
	} else if hotspot.ValidAreaCode("area_code", code) != nil {
		return indicatorRow{}, r.fail("area_code", "unknown area %q", code)
	}
	period, err := indicatorPeriod(r.get("period"))
	if err != nil {
		return indicatorRow{}, r.fail("period", "%s", err)
	}
	key := r.get("key")
	if !keyPattern.MatchString(key) {
		return indicatorRow{}, r.fail("key", "%q is not a key (lower-case letters, digits and _)", key)
	}
	v, err := strconv.ParseFloat(r.get("value"), 64)
	if err != nil || !hotspot.Finite(v) || v < 0 {
		return indicatorRow{}, r.fail("value", "%q is not a count (a number ≥ 0)", r.get("value"))
	}
	return indicatorRow{IndicatorRow: store.IndicatorRow{AreaID: areaID, Period: period, Key: key, Value: v}, line: r.line, code: code}, nil
}

// resolveAreaCodes looks up, among every area (units retired by a reform
// too), the codes of the items that name their unit by code (need), gives
// each its id (set), and returns the items kept: an unknown code makes its
// item a bad row on area_code.
func resolveAreaCodes[T any](ctx context.Context, w *store.ImportWriter, items []T, need func(*T) (code string, line int, ok bool), set func(*T, int64)) ([]T, []*hotspot.ValidationError, error) {
	var codes []string
	for i := range items {
		if code, _, ok := need(&items[i]); ok {
			codes = append(codes, code)
		}
	}
	var ids map[string]int64
	if len(codes) > 0 {
		var err error
		if ids, err = w.AreaIDs(ctx, codes); err != nil {
			return nil, nil, err
		}
	}
	var bad []*hotspot.ValidationError
	kept := make([]T, 0, len(items))
	for i := range items {
		if code, line, ok := need(&items[i]); ok {
			id, known := ids[code]
			if !known {
				bad = append(bad, &hotspot.ValidationError{Line: line, Field: "area_code", Reason: fmt.Sprintf("unknown area %q", code)})
				continue
			}
			set(&items[i], id)
		}
		kept = append(kept, items[i])
	}
	return kept, bad, nil
}

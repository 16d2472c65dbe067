package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/diaban/diaban/hotspot"
)

// ReformReport is what `diaban reform check` finds about one reform date.
type ReformReport struct {
	ValidFrom      string             `json:"valid_from"`
	Province       string             `json:"province,omitempty"`
	OldUnits       int                `json:"old_units"` // communes retired on the date (in the province)
	NewUnits       int                `json:"new_units"` // communes begun on the date
	NoSuccessor    []ReformUnit       `json:"no_successor"`
	NoPredecessor  []ReformUnit       `json:"no_predecessor"`
	Mismatches     []ReformMismatch   `json:"mismatches"`
	SuspiciousRows []ReformSuspicious `json:"suspicious_rows"`
}

// ReformUnit names a unit.
type ReformUnit struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// ReformMismatch compares a new unit with the union of its predecessors:
// Gap is the part of the new unit none of them covers, Excess the part of
// them outside it (expected where a predecessor was split), both in % of the
// new unit's area.
type ReformMismatch struct {
	ReformUnit
	Predecessors int     `json:"predecessors"`
	GapPct       float64 `json:"gap_pct"`
	ExcessPct    float64 `json:"excess_pct"`
}

// ReformSuspicious is a crosswalk row that looks wrong.
type ReformSuspicious struct {
	OldCode string `json:"old_code"`
	NewCode string `json:"new_code"`
	Reason  string `json:"reason"`
}

// mismatchThreshold is the smallest gap or excess reported, in % of area.
const mismatchThreshold = 0.5

const sqlReformUnits = `
SELECT a.id, a.code, v.name, v.valid_from = $1 AS is_new
FROM area_versions v JOIN areas a ON a.id = v.area_id
WHERE a.level = 'commune' AND (v.valid_from = $1 OR v.valid_to = $1)`

// Areas are measured as the crosswalk import measures a share
// (sqlOverlapShare): in the equal-area projection EPSG:6933, the polygons as
// drawn.
const sqlReformLinks = `
SELECT c.old_area_id, c.new_area_id, o.code, n.code, c.merge_type, c.share::float8,
       CASE WHEN ST_Area(ST_Transform(ov.geom, 6933)) > 0
            THEN ST_Area(ST_Transform(ST_Intersection(ov.geom, nv.geom), 6933)) / ST_Area(ST_Transform(ov.geom, 6933)) END
FROM area_crosswalk c
JOIN areas o ON o.id = c.old_area_id
JOIN areas n ON n.id = c.new_area_id
LEFT JOIN area_versions ov ON ov.area_id = c.old_area_id AND ov.valid_to = c.valid_from
LEFT JOIN area_versions nv ON nv.area_id = c.new_area_id AND nv.valid_from = c.valid_from
WHERE c.valid_from = $1 AND (c.new_area_id = ANY($2::bigint[]) OR c.old_area_id = ANY($3::bigint[]))`

const sqlReformMismatch = `
SELECT a.code, nv.name, count(*)::int,
       100 * ST_Area(ST_Transform(ST_Difference(nv.geom, ST_Union(ov.geom)), 6933)) / ST_Area(ST_Transform(nv.geom, 6933)),
       100 * ST_Area(ST_Transform(ST_Difference(ST_Union(ov.geom), nv.geom), 6933)) / ST_Area(ST_Transform(nv.geom, 6933))
FROM area_versions nv
JOIN areas a ON a.id = nv.area_id
JOIN area_crosswalk c ON c.new_area_id = nv.area_id AND c.valid_from = nv.valid_from
JOIN area_versions ov ON ov.area_id = c.old_area_id AND ov.valid_to = c.valid_from
WHERE nv.valid_from = $1 AND nv.area_id = ANY($2::bigint[])
GROUP BY a.code, nv.name, nv.geom
ORDER BY a.code`

// ReformCheck reports on the reform that took effect on validFrom, for the
// communes of province (its units on validFrom and the old units linked into
// them or below it the day before), or everywhere when province is "".
func (s *Store) ReformCheck(ctx context.Context, province string, validFrom time.Time) (*ReformReport, error) {
	validFrom = DateOf(validFrom)
	rep := &ReformReport{ValidFrom: validFrom.Format(time.DateOnly), Province: province}
	rows, err := s.pool.Query(ctx, sqlReformUnits, validFrom)
	if err != nil {
		return nil, fmt.Errorf("reform units: %w", err)
	}
	type unit struct {
		id    int64
		code  string
		name  string
		isNew bool
	}
	var units []unit
	var u unit
	if _, err := pgx.ForEachRow(rows, []any{&u.id, &u.code, &u.name, &u.isNew}, func() error { units = append(units, u); return nil }); err != nil {
		return nil, fmt.Errorf("reform units: %w", err)
	}
	inProvince := func(*AreasAsOf, string) bool { return true }
	var after, before *AreasAsOf
	if province != "" {
		if after, err = s.AreasAsOf(ctx, validFrom); err != nil {
			return nil, err
		}
		if before, err = s.AreasAsOf(ctx, validFrom.AddDate(0, 0, -1)); err != nil {
			return nil, err
		}
		_, okA := after.ByCode(province)
		_, okB := before.ByCode(province)
		if !okA && !okB {
			return nil, hotspot.Invalid("province", "no area %q around %s", province, rep.ValidFrom)
		}
		inProvince = func(t *AreasAsOf, code string) bool {
			for i := 0; i < 8 && code != ""; i++ {
				if code == province {
					return true
				}
				a, ok := t.ByCode(code)
				if !ok {
					return false
				}
				code = a.ParentCode
			}
			return false
		}
	}
	var newIDs, oldIDs []int64
	newUnits, oldUnits, retiredByID := map[int64]unit{}, map[int64]unit{}, map[int64]unit{}
	for _, u := range units {
		if !u.isNew {
			retiredByID[u.id] = u
		}
		if u.isNew && inProvince(after, u.code) {
			newIDs = append(newIDs, u.id)
			newUnits[u.id] = u
		}
		if !u.isNew && inProvince(before, u.code) {
			oldIDs = append(oldIDs, u.id)
			oldUnits[u.id] = u
		}
	}
	lrows, err := s.pool.Query(ctx, sqlReformLinks, validFrom, newIDs, oldIDs)
	if err != nil {
		return nil, fmt.Errorf("reform links: %w", err)
	}
	type lk struct {
		oldID, newID     int64
		oldCode, newCode string
		typ              string
		share            float64
		overlap          *float64
	}
	var links []lk
	var l lk
	if _, err := pgx.ForEachRow(lrows, []any{&l.oldID, &l.newID, &l.oldCode, &l.newCode, &l.typ, &l.share, &l.overlap}, func() error { links = append(links, l); return nil }); err != nil {
		return nil, fmt.Errorf("reform links: %w", err)
	}
	hasSucc, hasPred := map[int64]bool{}, map[int64]bool{}
	fulls, partialSum := map[string]int{}, map[string]float64{}
	for _, l := range links {
		hasSucc[l.oldID], hasPred[l.newID] = true, true
		if _, linkedOld := oldUnits[l.oldID]; !linkedOld {
			// An old unit of another province linked into this one counts too.
			if u, retired := retiredByID[l.oldID]; retired {
				oldUnits[l.oldID] = u
			}
		}
		if l.typ == "full" {
			fulls[l.oldCode]++
		} else {
			partialSum[l.oldCode] += l.share
		}
		switch {
		case l.overlap == nil:
			rep.SuspiciousRows = append(rep.SuspiciousRows, ReformSuspicious{l.oldCode, l.newCode, "no version of the old unit ends, or of the new one begins, on this date"})
		case l.typ == "full" && *l.overlap < 0.5:
			rep.SuspiciousRows = append(rep.SuspiciousRows, ReformSuspicious{l.oldCode, l.newCode, fmt.Sprintf("full, but only %.1f%% of the old unit lies inside the new one", 100**l.overlap)})
		case l.typ == "partial" && *l.overlap == 0:
			rep.SuspiciousRows = append(rep.SuspiciousRows, ReformSuspicious{l.oldCode, l.newCode, "partial, but the units do not overlap"})
		}
	}
	for code, n := range fulls {
		switch {
		case n > 1:
			rep.SuspiciousRows = append(rep.SuspiciousRows, ReformSuspicious{code, "", fmt.Sprintf("%d full rows: an old unit goes whole into one new unit", n)})
		case partialSum[code] > 0:
			rep.SuspiciousRows = append(rep.SuspiciousRows, ReformSuspicious{code, "", "both full and partial rows"})
		}
	}
	for code, sum := range partialSum {
		if fulls[code] == 0 && sum < 0.99 {
			rep.SuspiciousRows = append(rep.SuspiciousRows, ReformSuspicious{code, "", fmt.Sprintf("its partial shares sum to %.3f: part of it went nowhere", sum)})
		}
	}
	slices.SortFunc(rep.SuspiciousRows, func(a, b ReformSuspicious) int {
		if a.OldCode != b.OldCode {
			return compareStr(a.OldCode, b.OldCode)
		}
		return compareStr(a.NewCode, b.NewCode)
	})
	for _, u := range oldUnits {
		rep.OldUnits++
		if !hasSucc[u.id] {
			rep.NoSuccessor = append(rep.NoSuccessor, ReformUnit{u.code, u.name})
		}
	}
	for _, u := range newUnits {
		rep.NewUnits++
		if !hasPred[u.id] {
			rep.NoPredecessor = append(rep.NoPredecessor, ReformUnit{u.code, u.name})
		}
	}
	byCode := func(a, b ReformUnit) int { return compareStr(a.Code, b.Code) }
	slices.SortFunc(rep.NoSuccessor, byCode)
	slices.SortFunc(rep.NoPredecessor, byCode)
	mrows, err := s.pool.Query(ctx, sqlReformMismatch, validFrom, newIDs)
	if err != nil {
		return nil, fmt.Errorf("reform mismatch: %w", err)
	}
	var m ReformMismatch
	if _, err := pgx.ForEachRow(mrows, []any{&m.Code, &m.Name, &m.Predecessors, &m.GapPct, &m.ExcessPct}, func() error {
		if m.GapPct >= mismatchThreshold || m.ExcessPct >= mismatchThreshold {
			rep.Mismatches = append(rep.Mismatches, m)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("reform mismatch: %w", err)
	}
	return rep, nil
}

func compareStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

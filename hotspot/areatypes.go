package hotspot

import (
	"strings"
	"time"
)

// AreaType is what kind of unit an area is within its level: a commune is a
// xã, phường, thị trấn or (since 1 July 2025) đặc khu; a hamlet a thôn, tổ
// dân phố, ấp or khu phố. Provinces and districts carry none. The schema's
// CHECK (migrations/00009) names the same.
type AreaType string

const (
	TypeXa       AreaType = "xã"
	TypePhuong   AreaType = "phường"
	TypeThiTran  AreaType = "thị trấn"
	TypeDacKhu   AreaType = "đặc khu"
	TypeThon     AreaType = "thôn"
	TypeToDanPho AreaType = "tổ dân phố"
	TypeAp       AreaType = "ấp"
	TypeKhuPho   AreaType = "khu phố"
)

// AreaTypes lists the types of each level that has them.
var AreaTypes = map[Level][]AreaType{
	LevelCommune: {TypeXa, TypePhuong, TypeThiTran, TypeDacKhu},
	LevelHamlet:  {TypeThon, TypeToDanPho, TypeAp, TypeKhuPho},
}

// ReformDate is the day the two-level government began (the district level
// was abolished and communes merged): 1 July 2025.
var ReformDate = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

// ParseAreaType reads a type as written in files ("Phường", "phuong" is not
// accepted: the Vietnamese word, any case) and checks it fits level. The
// empty string is no type.
func ParseAreaType(level Level, s string) (AreaType, error) {
	s = strings.Join(strings.Fields(strings.ToLower(s)), " ")
	if s == "" {
		return "", nil
	}
	for _, t := range AreaTypes[level] {
		if string(t) == s {
			return t, nil
		}
	}
	var want []string
	for _, t := range AreaTypes[level] {
		want = append(want, string(t))
	}
	if len(want) == 0 {
		return "", Invalid("type", "a %s has no type (got %q)", level, s)
	}
	return "", Invalid("type", "%q is not a type of %s (want %s)", s, level, strings.Join(want, ", "))
}

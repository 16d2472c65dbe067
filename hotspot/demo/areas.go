package demo

import (
	"github.com/paulmach/orb"

	"github.com/diaban/diaban/hotspot"
)

// Levels of administrative units, as written to areas.geojson.
const (
	LevelProvince = "province"
	LevelDistrict = "district"
	LevelCommune  = "commune"
	LevelHamlet   = "hamlet"
)

// areas lists the units before the reform (the province, the district and
// its 13 communes, each retired on ReformDay), then today's (Đà Nẵng, the
// four new units and the hamlets drawn in one of them), parents first.
func (l *layout) areas() []Area {
	u := l.units
	old := func(a Area) Area { a.ValidTo = ReformDay; return a }
	out := []Area{
		old(Area{Code: u.Province.ID, Name: u.Province.Name, Level: LevelProvince, Type: "", Geometry: l.province}),
		old(Area{Code: u.District.ID, Name: u.District.Name, Level: LevelDistrict, ParentCode: u.Province.ID, Geometry: l.district}),
	}
	for _, c := range l.communes {
		out = append(out, old(Area{Code: c.code, Name: c.name, Level: LevelCommune, Type: string(oldType(c.name)),
			ParentCode: u.District.ID, Geometry: orb.Polygon(c.poly)}))
	}
	out = append(out, Area{Code: NewProvinceCode, Name: NewProvinceName, Level: LevelProvince, ValidFrom: ReformDay, Geometry: l.province})
	for i, n := range l.reform {
		out = append(out, Area{Code: n.code, Name: n.name, Level: LevelCommune, Type: string(n.typ),
			ParentCode: NewProvinceCode, ValidFrom: ReformDay, Geometry: l.newPolys[i]})
	}
	for i, h := range hamlets {
		out = append(out, Area{Code: h.code, Name: h.name, Level: LevelHamlet, Type: string(hotspot.TypeToDanPho),
			ParentCode: h.parent, ValidFrom: ReformDay, Geometry: l.hamletPolys[i]})
	}
	return out
}

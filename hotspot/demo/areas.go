package demo

import "github.com/paulmach/orb"

// Levels of administrative units, as written to areas.geojson.
const (
	LevelProvince = "province"
	LevelDistrict = "district"
	LevelCommune  = "commune"
	LevelHamlet   = "hamlet"
)

// areas lists the province, the district and the communes, parents first.
func (l *layout) areas() []Area {
	u := l.units
	out := []Area{
		{Code: u.Province.ID, Name: u.Province.Name, Level: LevelProvince, Geometry: l.province},
		{Code: u.District.ID, Name: u.District.Name, Level: LevelDistrict, ParentCode: u.Province.ID, Geometry: l.district},
	}
	for _, c := range l.communes {
		out = append(out, Area{Code: c.code, Name: c.name, Level: LevelCommune, ParentCode: u.District.ID, Geometry: orb.Polygon(c.poly)})
	}
	return out
}

package geo

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/ewkb"
)

// SRID is the spatial reference of everything diaban stores: WGS 84.
const SRID = 4326

// EWKB encodes an orb geometry as PostGIS extended WKB with SRID 4326, the
// wire format PostGIS's geometry type accepts as a bound parameter
// (ST_GeomFromEWKB($1)).
func EWKB(g orb.Geometry) ([]byte, error) {
	gg, err := toGeom(g)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := ewkb.Write(&buf, binary.LittleEndian, gg); err != nil {
		return nil, fmt.Errorf("encode EWKB: %w", err)
	}
	return buf.Bytes(), nil
}

// DecodeWKB decodes WKB as PostGIS's ST_AsBinary returns it.
func DecodeWKB(b []byte) (orb.Geometry, error) {
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("decode WKB: %w", err)
	}
	return g, nil
}

func toGeom(g orb.Geometry) (geom.T, error) {
	switch g := g.(type) {
	case orb.Point:
		return geom.NewPointFlat(geom.XY, []float64{g[0], g[1]}).SetSRID(SRID), nil
	case orb.Polygon:
		p := geom.NewPolygon(geom.XY)
		if _, err := p.SetCoords(polyCoords(g)); err != nil {
			return nil, err
		}
		return p.SetSRID(SRID), nil
	case orb.MultiPolygon:
		coords := make([][][]geom.Coord, len(g))
		for i, p := range g {
			coords[i] = polyCoords(p)
		}
		mp := geom.NewMultiPolygon(geom.XY)
		if _, err := mp.SetCoords(coords); err != nil {
			return nil, err
		}
		return mp.SetSRID(SRID), nil
	default:
		return nil, fmt.Errorf("geometry type %s is not supported here", g.GeoJSONType())
	}
}

func polyCoords(p orb.Polygon) [][]geom.Coord {
	rings := make([][]geom.Coord, len(p))
	for i, r := range p {
		cs := make([]geom.Coord, len(r))
		for j, pt := range r {
			cs[j] = geom.Coord{pt[0], pt[1]}
		}
		rings[i] = cs
	}
	return rings
}

// AppendPointEWKB appends p as little-endian EWKB with SRID 4326 — the same
// 25 bytes EWKB(orb.Point) makes, without allocating — for bulk loads that
// encode millions of points.
func AppendPointEWKB(dst []byte, p Point) []byte {
	const wkbPoint, sridFlag = 1, 0x20000000
	dst = append(dst, 1) // little endian
	dst = binary.LittleEndian.AppendUint32(dst, wkbPoint|sridFlag)
	dst = binary.LittleEndian.AppendUint32(dst, SRID)
	dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(p.Lon))
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(p.Lat))
}

package geo

import "math"

// EarthRadiusM is the mean Earth radius in metres (IUGG R1), the radius of
// the sphere every function in this file works on.
const EarthRadiusM = 6371008.8

const (
	degToRad = math.Pi / 180
	radToDeg = 180 / math.Pi
)

// Haversine returns the great-circle distance in metres between a and b on a
// sphere of radius EarthRadiusM. It is a spherical approximation of the WGS 84
// ellipsoid: off by up to about 0.5 %, far below a camera's range tolerance.
func Haversine(a, b Point) float64 {
	lat1, lat2 := a.Lat*degToRad, b.Lat*degToRad
	dLat := lat2 - lat1
	dLon := (b.Lon - a.Lon) * degToRad
	s1, s2 := math.Sin(dLat/2), math.Sin(dLon/2)
	h := s1*s1 + math.Cos(lat1)*math.Cos(lat2)*s2*s2
	if h > 1 {
		h = 1
	}
	return 2 * EarthRadiusM * math.Asin(math.Sqrt(h))
}

// InitialBearing returns the initial great-circle bearing (forward azimuth)
// from a to b in degrees clockwise from true north, in [0, 360). It is a
// spherical approximation. From a pole, or when a == b, the bearing is not
// defined and the result is whatever atan2 gives (0 when a == b).
func InitialBearing(a, b Point) float64 {
	lat1, lat2 := a.Lat*degToRad, b.Lat*degToRad
	dLon := (b.Lon - a.Lon) * degToRad
	y := math.Sin(dLon) * math.Cos(lat2)
	x := math.Cos(lat1)*math.Sin(lat2) - math.Sin(lat1)*math.Cos(lat2)*math.Cos(dLon)
	return normBearing(math.Atan2(y, x) * radToDeg)
}

// Destination returns the point reached from p by travelling distM metres
// along the great circle that starts with bearing bearingDeg (degrees
// clockwise from north). It is a spherical approximation. The longitude of
// the result is normalised to [-180, 180).
func Destination(p Point, bearingDeg, distM float64) Point {
	if distM == 0 {
		return Point{Lon: normLon(p.Lon), Lat: p.Lat}
	}
	// Work with unit vectors rather than the textbook asin formula, which
	// loses precision near the poles.
	sinLat, cosLat := math.Sincos(p.Lat * degToRad)
	sinLon, cosLon := math.Sincos(p.Lon * degToRad)
	sinBrg, cosBrg := math.Sincos(bearingDeg * degToRad)
	sinD, cosD := math.Sincos(distM / EarthRadiusM)
	// position, local north and local east
	px, py, pz := cosLat*cosLon, cosLat*sinLon, sinLat
	nx, ny, nz := -sinLat*cosLon, -sinLat*sinLon, cosLat
	ex, ey := -sinLon, cosLon
	dx, dy, dz := nx*cosBrg+ex*sinBrg, ny*cosBrg+ey*sinBrg, nz*cosBrg
	qx, qy, qz := px*cosD+dx*sinD, py*cosD+dy*sinD, pz*cosD+dz*sinD
	lat := math.Atan2(qz, math.Hypot(qx, qy)) * radToDeg
	lon := math.Atan2(qy, qx) * radToDeg
	return Point{Lon: normLon(lon), Lat: lat}
}

// AngleDiff returns the absolute smallest difference between two angles in
// degrees, in [0, 180]: AngleDiff(350, 5) is 15.
func AngleDiff(a, b float64) float64 {
	d := math.Mod(a-b, 360)
	if d < 0 {
		d += 360
	}
	if d > 180 {
		d = 360 - d
	}
	return d
}

// normBearing maps any finite angle in degrees to [0, 360).
func normBearing(d float64) float64 {
	d = math.Mod(d, 360)
	if d < 0 {
		d += 360
	}
	if d >= 360 { // -tiny + 360 rounds to 360
		d = 0
	}
	return d
}

// normLon maps a longitude in degrees to [-180, 180).
func normLon(lon float64) float64 {
	return normBearing(lon+180) - 180
}

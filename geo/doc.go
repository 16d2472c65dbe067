// Package geo holds diaban's pure geometry: H3 cells of points and polygons,
// spherical distances and bearings, camera fields of view, the index that
// finds which polygon holds a point (PolygonIndex), and conversions
// between the coordinate spellings of the libraries we use.
//
// Coordinates have one spelling inside diaban: a Point is (Lon, Lat) in
// degrees, WGS 84 (SRID 4326), the order GeoJSON and orb use. h3-go's LatLng
// order is met only inside this package. Nothing here touches a database or
// the network.
package geo

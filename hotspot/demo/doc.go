// Package demo generates diaban's deterministic demo data set: a district
// modelled on Hội An (Quảng Nam) with its 13 communes and wards, three years
// of drug hotspots and their lifecycle, incidents, tips, surveillance cameras
// and the monthly indicators steering committees review.
//
// Names and official codes of the administrative units and the province
// outline are real (see data/SOURCES.md); commune boundaries and every
// hotspot, incident, tip, camera and indicator are synthetic. Nothing in the
// data set describes a person: hotspots are places and people appear only as
// counts per area and month.
//
// Generate builds a Dataset from a seed; the same seed always gives the same
// data, byte for byte, once written with WriteFiles.
package demo

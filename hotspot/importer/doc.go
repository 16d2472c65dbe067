// Package importer loads files into the store: its one job is file formats
// (CSV with a header row, GeoJSON FeatureCollections), validation that names
// the line (or feature) and the field of every bad row, parsing rows on
// every core, and the streamed binary COPY of a bulk load of incidents,
// parsed while the server copies.
//
// It holds no SQL: each kind of file (Kinds) parses into the typed rows of
// hotspot/store, whose ImportWriter writes them in one transaction. Import
// is the entry point:
//
//	res, err := importer.Import(ctx, st, "incidents", f, importer.Options{SkipInvalid: true})
//
// A file with any bad row imports nothing unless Options.SkipInvalid is set;
// the bad rows come back as a *hotspot.ImportError of hotspot.ValidationErrors
// sorted by line.
package importer

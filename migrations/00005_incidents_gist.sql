-- +goose Up
-- Incidents' points are indexed with GiST rather than SP-GiST. A large load
-- into a table that holds fewer rows builds the table's indexes after the
-- copy (hotspot/bulkload.go), and GiST builds from a sort along a space-filling
-- curve: 1.8 s for a million points against 3.1–4.3 s for SP-GiST, which can
-- only insert one point at a time. Row-by-row inserts cost GiST a little more
-- (7.4 against 5.7 s per million into a table of a million; BENCHMARKS.md).
-- The smaller point tables keep SP-GiST.
DROP INDEX incidents_geom_idx;
CREATE INDEX incidents_geom_idx ON incidents USING gist (geom);

-- +goose Down
DROP INDEX incidents_geom_idx;
CREATE INDEX incidents_geom_idx ON incidents USING spgist (geom);

-- pg_tileserv's layers for bench/tiles: the same columns as diaban's tile
-- layers (tiles/layers.go) over the same tables, in a schema of their own
-- so that they are named apart from the tables pg_tileserv also finds in
-- public. Run as the database owner; pg_tileserv connects as the owner too
-- (it has no notion of diaban's area scope), its best case.
DROP SCHEMA IF EXISTS bench_tiles CASCADE;
CREATE SCHEMA bench_tiles;

CREATE VIEW bench_tiles.areas AS
SELECT id, code, name, level, coalesce(parent_code, '') AS parent_code, geom FROM current_areas;

-- The status as diaban's hotspots layer reads it (the status kept on the
-- hotspot's timeline, migration 00014, per hotspot drawn), so both do the
-- same work.
CREATE VIEW bench_tiles.hotspots AS
SELECT h.id, h.ref, h.name, h.kind,
       coalesce((SELECT t.status FROM hotspot_timelines t WHERE t.hotspot_id = h.id), 'unknown') AS status,
       a.code AS area, h.geom
FROM hotspots h
JOIN areas a ON a.id = h.area_id;

-- The same layer with the status asked of the schema's view hotspot_status
-- (the latest event of each hotspot drawn, found in hotspot_events): what
-- both servers did before 00014 (PEER_VIEW=1 in run.sh).
CREATE VIEW bench_tiles.hotspots_view AS
SELECT h.id, h.ref, h.name, h.kind,
       (SELECT s.status FROM hotspot_status s WHERE s.hotspot_id = h.id) AS status,
       a.code AS area, h.geom
FROM hotspots h
JOIN areas a ON a.id = h.area_id;

CREATE VIEW bench_tiles.cameras AS
SELECT c.id, c.ref, c.bearing, c.fov, c.range_m, c.owner, c.status, a.code AS area, c.geom
FROM cameras c JOIN areas a ON a.id = c.area_id;

-- The cells layer as a function layer: the incidents inside the tile found
-- through the GiST index on incidents.geom, grouped by their H3 cell at
-- the zoom's resolution (diaban's cellResolution), each cell with its whole
-- count (all time, every area) from incident_cell_months, so the numbers
-- are diaban's. PostGIS has no H3 here, so a cell is drawn as the centroid
-- of its incidents in the tile (a point: less to encode than diaban's
-- hexagons, which favours pg_tileserv).
CREATE FUNCTION bench_tiles.cells(z integer, x integer, y integer) RETURNS bytea
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    env geometry := ST_TileEnvelope(z, x, y);
    r smallint := CASE WHEN z <= 11 THEN 7 WHEN z <= 13 THEN 8 WHEN z <= 15 THEN 9 ELSE 10 END;
    out bytea;
BEGIN
    WITH i AS (
        SELECT CASE r WHEN 7 THEN h3_r7 WHEN 8 THEN h3_r8 WHEN 9 THEN h3_r9 ELSE h3_r10 END AS cell, geom
        FROM incidents WHERE geom && ST_Transform(env, 4326)),
    g AS (SELECT cell, ST_Centroid(ST_Collect(geom)) AS geom FROM i GROUP BY cell),
    t AS (
        SELECT ST_AsMVTGeom(ST_Transform(g.geom, 3857), env, 4096, 64, true) AS geom, g.cell::text AS cell, w.n AS count
        FROM g CROSS JOIN LATERAL (
            SELECT sum(m.n)::bigint AS n FROM incident_cell_months m WHERE m.res = r AND m.cell = g.cell) w)
    SELECT ST_AsMVT(t, 'cells', 4096, 'geom') INTO out FROM t WHERE geom IS NOT NULL;
    RETURN out;
END $$;

-- The aggregate of issue 18's first measurement: only the incidents inside
-- the tile counted (a hexagon across a tile edge gets a different count on
-- each side), without the whole-cell lookup.
CREATE FUNCTION bench_tiles.cells_in_tile(z integer, x integer, y integer) RETURNS bytea
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    env geometry := ST_TileEnvelope(z, x, y);
    r smallint := CASE WHEN z <= 11 THEN 7 WHEN z <= 13 THEN 8 WHEN z <= 15 THEN 9 ELSE 10 END;
    out bytea;
BEGIN
    WITH i AS (
        SELECT CASE r WHEN 7 THEN h3_r7 WHEN 8 THEN h3_r8 WHEN 9 THEN h3_r9 ELSE h3_r10 END AS cell, geom
        FROM incidents WHERE geom && ST_Transform(env, 4326)),
    t AS (
        SELECT ST_AsMVTGeom(ST_Transform(ST_Centroid(ST_Collect(geom)), 3857), env, 4096, 64, true) AS geom,
               cell::text AS cell, count(*) AS count
        FROM i GROUP BY cell)
    SELECT ST_AsMVT(t, 'cells_in_tile', 4096, 'geom') INTO out FROM t WHERE geom IS NOT NULL;
    RETURN out;
END $$;

-- +goose Up
-- Incident counts per area and month, and per H3 cell, area and month, kept
-- current by statement triggers on incidents (issue 18). The density layers
-- (the cells tiles, GET /api/cells), the metrics and the emerging layer read
-- these instead of the incidents themselves.
--
-- Why, and the security argument
-- ------------------------------
-- Under row-level security PostgreSQL evaluates the policy's qual before any
-- qual of the query that is not LEAKPROOF, and a qual that must wait cannot be
-- an index condition. PostGIS's `&&` is not leakproof (it raises errors that
-- depend on its arguments: mixed SRIDs, corrupt values), so as diaban_app
-- every incidents tile scanned the whole table (427 ms a tile at 1,000,000
-- incidents, against 19 ms as the owner). We do NOT mark `&&` or any PostGIS
-- function leakproof: that takes a superuser, holds for every table of the
-- database, and its error paths do depend on the row's value, so the claim
-- would be false.
--
-- Instead every read under the policies is written with leakproof quals only
-- on the index columns: bigint and integer equality and ranges (int8eq,
-- int8le/ge, int4le/ge), text equality and timestamptz comparisons are all
-- marked leakproof in pg_proc, so the planner may push them into index
-- scans beneath the policy. The tile's box becomes a set of H3 cell ranges
-- (cell BETWEEN lo AND hi on the primary key below), an area becomes
-- `area_id = ANY(ids)`, with the ids intersected with the caller's scope in
-- the store (hotspot/store/scope.go) so that the policy is a second guard
-- rather than the only filter. The policies below are the same as the
-- incidents' (migration 00003): a row of these tables is a count of the
-- incidents of one area, and is visible exactly when those incidents are.
-- Nothing is disclosed that the incidents' own policy would hide: a count
-- over the rows of area A is only readable in a scope that reads A.
--
-- The tables are written only by the trigger function, which runs as its
-- owner (SECURITY DEFINER, fixed search_path, like record_changes):
-- diaban_app may read them, never write them, so it cannot forge a count.

-- The month of an instant in Asia/Ho_Chi_Minh as hotspot.Month counts it:
-- year × 12 + month − 1.
-- +goose StatementBegin
CREATE FUNCTION diaban_month(t timestamptz) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (extract(year FROM t AT TIME ZONE 'Asia/Ho_Chi_Minh') * 12
          + extract(month FROM t AT TIME ZONE 'Asia/Ho_Chi_Minh') - 1)::integer
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION diaban_month(timestamptz) TO diaban_app;

-- Per area, month and kind: what the metrics count.
CREATE TABLE incident_area_months (
    area_id bigint  NOT NULL,
    month   integer NOT NULL,
    kind    text    NOT NULL,
    n       integer NOT NULL,
    PRIMARY KEY (area_id, month, kind)
);

-- Per H3 cell (resolutions 7–10), area and month, all kinds together: what
-- the density layers draw. A cell on an area's border has one row per area.
CREATE TABLE incident_cell_months (
    res     smallint NOT NULL CHECK (res BETWEEN 7 AND 10),
    cell    bigint   NOT NULL,
    area_id bigint   NOT NULL,
    month   integer  NOT NULL,
    n       integer  NOT NULL,
    PRIMARY KEY (res, cell, area_id, month)
);
-- No INCLUDE columns: the trigger's updates of n stay HOT (heap-only).
CREATE INDEX incident_cell_months_area_idx ON incident_cell_months (area_id, res, month);

INSERT INTO incident_area_months (area_id, month, kind, n)
SELECT area_id, diaban_month(occurred_at), kind, count(*) FROM incidents GROUP BY 1, 2, 3;
INSERT INTO incident_cell_months (res, cell, area_id, month, n)
SELECT r.res, r.cell, i.area_id, i.month, sum(i.n)
FROM (SELECT area_id, diaban_month(occurred_at) AS month, h3_r7, h3_r8, h3_r9, h3_r10, count(*) AS n
      FROM incidents GROUP BY 1, 2, 3, 4, 5, 6) i
CROSS JOIN LATERAL (VALUES (7::smallint, i.h3_r7), (8, i.h3_r8), (9, i.h3_r9), (10, i.h3_r10)) r(res, cell)
GROUP BY 1, 2, 3, 4;

-- +goose StatementBegin
-- incident_counts_apply adds the rows of one statement into the counts
-- (+1 per new row, −1 per old one). Rows that fall to zero stay; readers
-- keep sum(n) > 0.
CREATE FUNCTION incident_counts_apply() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    delta text;
BEGIN
    delta := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT area_id, occurred_at, kind, h3_r7, h3_r8, h3_r9, h3_r10, 1 AS s FROM new_rows'
        WHEN 'DELETE' THEN 'SELECT area_id, occurred_at, kind, h3_r7, h3_r8, h3_r9, h3_r10, -1 AS s FROM old_rows'
        ELSE 'SELECT area_id, occurred_at, kind, h3_r7, h3_r8, h3_r9, h3_r10, 1 AS s FROM new_rows
              UNION ALL SELECT area_id, occurred_at, kind, h3_r7, h3_r8, h3_r9, h3_r10, -1 FROM old_rows' END;
    EXECUTE format($q$
        INSERT INTO incident_area_months AS t (area_id, month, kind, n)
        SELECT area_id, diaban_month(occurred_at), kind, sum(s) FROM (%s) d GROUP BY 1, 2, 3
        ON CONFLICT (area_id, month, kind) DO UPDATE SET n = t.n + excluded.n$q$, delta);
    EXECUTE format($q$
        INSERT INTO incident_cell_months AS t (res, cell, area_id, month, n)
        SELECT r.res, r.cell, d.area_id, d.month, sum(d.n)
        FROM (SELECT area_id, diaban_month(occurred_at) AS month, h3_r7, h3_r8, h3_r9, h3_r10, sum(s) AS n
              FROM (%s) d0 GROUP BY 1, 2, 3, 4, 5, 6) d
        CROSS JOIN LATERAL (VALUES (7::smallint, d.h3_r7), (8, d.h3_r8), (9, d.h3_r9), (10, d.h3_r10)) r(res, cell)
        GROUP BY 1, 2, 3, 4
        ON CONFLICT (res, cell, area_id, month) DO UPDATE SET n = t.n + excluded.n$q$, delta);
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER incidents_counts_ins AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_counts_apply();
CREATE TRIGGER incidents_counts_upd AFTER UPDATE ON incidents REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_counts_apply();
CREATE TRIGGER incidents_counts_del AFTER DELETE ON incidents REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_counts_apply();

GRANT SELECT ON incident_area_months, incident_cell_months TO diaban_app;
ALTER TABLE incident_area_months ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_cell_months ENABLE ROW LEVEL SECURITY;
CREATE POLICY incident_area_months_scope ON incident_area_months FOR SELECT TO diaban_app
    USING ((SELECT diaban_scope_all()) OR area_id = ANY ((SELECT diaban_scope_ids())::bigint[]));
CREATE POLICY incident_cell_months_scope ON incident_cell_months FOR SELECT TO diaban_app
    USING ((SELECT diaban_scope_all()) OR area_id = ANY ((SELECT diaban_scope_ids())::bigint[]));

-- +goose Down
DROP TRIGGER incidents_counts_ins ON incidents;
DROP TRIGGER incidents_counts_upd ON incidents;
DROP TRIGGER incidents_counts_del ON incidents;
DROP FUNCTION incident_counts_apply();
DROP TABLE incident_cell_months, incident_area_months;
DROP FUNCTION diaban_month(timestamptz);

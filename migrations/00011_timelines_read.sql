-- +goose Up
-- Reads under the policies at the owner's speed (issue 18;
-- bench/rls/RESULTS.md): the metrics' hotspot timelines, and the points'
-- tiles.
--
-- 1. The policy as a semi-join the planner can hash. The policy of 00004
--    asked, for every timeline row, EXISTS (the row's hotspot is in scope).
--    Under an OR with the scope_all test that EXISTS stays a correlated
--    subplan: one index probe of hotspots per timeline, so a district's
--    metrics read 10,000 timelines with 10,000 probes (203 ms against 38 ms
--    as the owner at 1,000,000 incidents and 10,000 hotspots). Written as
--    `hotspot_id IN (SELECT ...)` the same condition is a hashed subplan:
--    the scope's hotspots are read once through hotspots_area_idx and each
--    timeline is a hash probe. The rows visible are exactly those of 00004:
--    a timeline is visible when its hotspot's area is in the scope (or the
--    scope is everything); the subquery also reads hotspots under hotspots'
--    own policy, which can only narrow it to the same rows.
--
-- 2. Each timeline also as one bytea, `packed`: per event, in order
--    (occurred_at, id), 16 bytes big-endian: int8 (microseconds since
--    1970-01-01 UTC × 4 + kind code 1–3) then int8 (the event's id). A
--    district's 10,000 timelines were three arrays each, and sending them
--    (one output function call per element) cost 3–5× the query itself;
--    one bytea a row is a copy. hotspot/store/metricsload.go decodes it.
--    The arrays stay (reform's as_of reader uses them); the trigger keeps
--    both.
--
-- 3. The points' tiles by H3 id ranges: the hotspots and cameras layers
--    (tiles/layers.go) find a tile's points by ranges of their res-10 cell
--    ids, leakproof integer comparisons PostgreSQL applies through these
--    indexes beneath the policies, where the tile box (&&, not leakproof)
--    read every hotspot of the scope for every tile.
CREATE INDEX IF NOT EXISTS hotspots_h3_r10_idx ON hotspots (h3_r10);
CREATE INDEX IF NOT EXISTS cameras_h3_r10_idx ON cameras (h3_r10);

DROP POLICY hotspot_timelines_scope ON hotspot_timelines;
CREATE POLICY hotspot_timelines_scope ON hotspot_timelines FOR SELECT TO diaban_app
    USING ((SELECT diaban_scope_all()) OR hotspot_id IN (
        SELECT h.id FROM hotspots h WHERE h.area_id = ANY ((SELECT diaban_scope_ids())::bigint[])));

ALTER TABLE hotspot_timelines ADD COLUMN packed bytea;
UPDATE hotspot_timelines t SET packed = (
    SELECT string_agg(int8send((extract(epoch FROM u.o) * 1000000)::bigint * 4 + u.k) || int8send(u.id), ''::bytea ORDER BY u.ord)
    FROM unnest(t.kinds, t.occurred, t.event_ids) WITH ORDINALITY u(k, o, id, ord));
ALTER TABLE hotspot_timelines ALTER COLUMN packed SET NOT NULL;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rebuild_hotspot_timelines() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO hotspot_timelines (hotspot_id, kinds, occurred, event_ids, packed)
    SELECT e.hotspot_id,
           array_agg(e.k ORDER BY e.occurred_at, e.id),
           array_agg(e.occurred_at ORDER BY e.occurred_at, e.id),
           array_agg(e.id ORDER BY e.occurred_at, e.id),
           string_agg(int8send((extract(epoch FROM e.occurred_at) * 1000000)::bigint * 4 + e.k) || int8send(e.id), ''::bytea
                      ORDER BY e.occurred_at, e.id)
    FROM (SELECT hotspot_id, id, occurred_at,
                 CASE event WHEN 'detected' THEN 1 WHEN 'eliminated' THEN 2 ELSE 3 END::smallint AS k
          FROM hotspot_events
          WHERE hotspot_id IN (SELECT DISTINCT hotspot_id FROM new_rows WHERE event <> 'note')
            AND event <> 'note') e
    GROUP BY e.hotspot_id
    ON CONFLICT (hotspot_id) DO UPDATE
        SET kinds = EXCLUDED.kinds, occurred = EXCLUDED.occurred, event_ids = EXCLUDED.event_ids, packed = EXCLUDED.packed;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rebuild_hotspot_timelines() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO hotspot_timelines (hotspot_id, kinds, occurred, event_ids)
    SELECT e.hotspot_id,
           array_agg(CASE e.event WHEN 'detected' THEN 1 WHEN 'eliminated' THEN 2 ELSE 3 END::smallint ORDER BY e.occurred_at, e.id),
           array_agg(e.occurred_at ORDER BY e.occurred_at, e.id),
           array_agg(e.id ORDER BY e.occurred_at, e.id)
    FROM hotspot_events e
    WHERE e.hotspot_id IN (SELECT DISTINCT hotspot_id FROM new_rows WHERE event <> 'note')
      AND e.event <> 'note'
    GROUP BY e.hotspot_id
    ON CONFLICT (hotspot_id) DO UPDATE
        SET kinds = EXCLUDED.kinds, occurred = EXCLUDED.occurred, event_ids = EXCLUDED.event_ids;
    RETURN NULL;
END $$;
-- +goose StatementEnd
ALTER TABLE hotspot_timelines DROP COLUMN packed;
DROP INDEX IF EXISTS hotspots_h3_r10_idx;
DROP INDEX IF EXISTS cameras_h3_r10_idx;
DROP POLICY hotspot_timelines_scope ON hotspot_timelines;
CREATE POLICY hotspot_timelines_scope ON hotspot_timelines FOR SELECT TO diaban_app
    USING ((SELECT diaban_scope_all()) OR EXISTS (
        SELECT 1 FROM hotspots h WHERE h.id = hotspot_id AND h.area_id = ANY ((SELECT diaban_scope_ids())::bigint[])));

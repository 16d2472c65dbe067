-- +goose Up
-- Hotspot timelines read at the owner's cost under the policies (issue 18;
-- bench/rls/RESULTS.md).
--
-- 1. hotspot_timelines.area_id: the area of the timeline's hotspot, kept
--    equal to hotspots.area_id, and the timelines' policy on it directly.
--    The policy of 00011 asked `hotspot_id IN (SELECT h.id FROM hotspots h
--    WHERE h.area_id = ANY (scope))`: every query reading timelines under
--    the policies first hashed every hotspot of the scope (10,000 for the
--    bench district), so a tile drawing 20 hotspots, or a commune's metrics,
--    paid for the whole district's hotspots. `area_id = ANY (scope)` is a
--    check on the row itself, like the policies of hotspots, incidents and
--    the count tables.
--
--    Security argument. The policy shows a timeline to diaban_app exactly
--    when 00011's did, provided hotspot_timelines.area_id = hotspots.area_id
--    for every timeline, which holds because:
--    - this migration copies it from hotspots for every existing timeline,
--      and the column is NOT NULL;
--    - rebuild_hotspot_timelines (the only writer of timelines, SECURITY
--      DEFINER, run by the events' trigger) writes the hotspot's area as
--      it reads it, after taking a share lock on the hotspot rows: a
--      concurrent change of a hotspot's area either commits first (then
--      the rebuild reads the new area) or waits for the rebuild's
--      transaction (then the trigger below updates the row written);
--    - hotspots_timelines_area, on every UPDATE of hotspots.area_id that
--      changes it, sets the timeline's area in the same transaction
--      (SECURITY DEFINER: diaban_app may not write timelines);
--    - diaban_app has SELECT only on hotspot_timelines (00004), so it can
--      neither write an area_id nor a timeline; hotspots' id never changes
--      (events and timelines reference it) and a hotspot is not deleted
--      while it has events (the foreign keys).
--    No operator is marked leakproof; the scope functions and the
--    integer `= ANY` are those every other policy already uses.
--
-- 2. hotspot_timelines.status: the hotspot's status as hotspot_status
--    computes it ('eliminated' when its latest state-changing event by
--    (occurred_at, id) is an elimination, else 'active'; no timeline:
--    'unknown'), a generated column of the timeline's last kind, so it is
--    kept by every write of the timeline, which the events' trigger makes.
--    The hotspots tile layer reads it per hotspot drawn through the primary
--    key instead of scanning the hotspot's events through hotspot_status
--    (under the policies, one hotspots probe per event read).
ALTER TABLE hotspot_timelines ADD COLUMN area_id bigint;
UPDATE hotspot_timelines t SET area_id = h.area_id FROM hotspots h WHERE h.id = t.hotspot_id;
ALTER TABLE hotspot_timelines ALTER COLUMN area_id SET NOT NULL;
ALTER TABLE hotspot_timelines ADD COLUMN status text NOT NULL
    GENERATED ALWAYS AS (CASE kinds[cardinality(kinds)] WHEN 2 THEN 'eliminated' ELSE 'active' END) STORED;
CREATE INDEX hotspot_timelines_area_idx ON hotspot_timelines (area_id);

DROP POLICY hotspot_timelines_scope ON hotspot_timelines;
CREATE POLICY hotspot_timelines_scope ON hotspot_timelines FOR SELECT TO diaban_app
    USING ((SELECT diaban_scope_all()) OR area_id = ANY ((SELECT diaban_scope_ids())::bigint[]));

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rebuild_hotspot_timelines() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    -- The hotspots' areas cannot change under us until we commit (see the
    -- migration's argument); the FK check's KEY SHARE lock does not block
    -- an update of area_id, this one does.
    PERFORM 1 FROM hotspots
    WHERE id IN (SELECT DISTINCT hotspot_id FROM new_rows WHERE event <> 'note')
    ORDER BY id FOR SHARE;
    INSERT INTO hotspot_timelines (hotspot_id, area_id, kinds, occurred, event_ids, packed)
    SELECT e.hotspot_id, min(h.area_id),
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
    JOIN hotspots h ON h.id = e.hotspot_id
    GROUP BY e.hotspot_id
    ON CONFLICT (hotspot_id) DO UPDATE
        SET area_id = EXCLUDED.area_id, kinds = EXCLUDED.kinds, occurred = EXCLUDED.occurred,
            event_ids = EXCLUDED.event_ids, packed = EXCLUDED.packed;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION hotspot_timelines_follow_area() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE hotspot_timelines SET area_id = NEW.area_id WHERE hotspot_id = NEW.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER hotspots_timelines_area AFTER UPDATE OF area_id ON hotspots
    FOR EACH ROW WHEN (OLD.area_id IS DISTINCT FROM NEW.area_id)
    EXECUTE FUNCTION hotspot_timelines_follow_area();

-- +goose Down
DROP TRIGGER hotspots_timelines_area ON hotspots;
DROP FUNCTION hotspot_timelines_follow_area();
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
DROP POLICY hotspot_timelines_scope ON hotspot_timelines;
CREATE POLICY hotspot_timelines_scope ON hotspot_timelines FOR SELECT TO diaban_app
    USING ((SELECT diaban_scope_all()) OR hotspot_id IN (
        SELECT h.id FROM hotspots h WHERE h.area_id = ANY ((SELECT diaban_scope_ids())::bigint[])));
DROP INDEX hotspot_timelines_area_idx;
ALTER TABLE hotspot_timelines DROP COLUMN status;
ALTER TABLE hotspot_timelines DROP COLUMN area_id;

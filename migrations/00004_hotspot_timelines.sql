-- +goose Up
-- Each hotspot's state-changing events as three parallel arrays sorted by
-- (occurred_at, id): what the metrics read, so a province-year reads one row
-- per hotspot instead of millions of event rows (BENCHMARKS.md). Derived
-- from hotspot_events by the trigger below; never written otherwise.
CREATE TABLE hotspot_timelines (
    hotspot_id bigint PRIMARY KEY REFERENCES hotspots (id),
    kinds      smallint[]    NOT NULL, -- 1 detected, 2 eliminated, 3 recurred
    occurred   timestamptz[] NOT NULL,
    event_ids  bigint[]      NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION rebuild_hotspot_timelines() RETURNS trigger
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

CREATE TRIGGER hotspot_events_timelines AFTER INSERT ON hotspot_events
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rebuild_hotspot_timelines();

INSERT INTO hotspot_timelines (hotspot_id, kinds, occurred, event_ids)
SELECT hotspot_id,
       array_agg(CASE event WHEN 'detected' THEN 1 WHEN 'eliminated' THEN 2 ELSE 3 END::smallint ORDER BY occurred_at, id),
       array_agg(occurred_at ORDER BY occurred_at, id),
       array_agg(id ORDER BY occurred_at, id)
FROM hotspot_events WHERE event <> 'note'
GROUP BY hotspot_id;

-- The service's role reads timelines of its scope only, like the events.
GRANT SELECT ON hotspot_timelines TO diaban_app;
ALTER TABLE hotspot_timelines ENABLE ROW LEVEL SECURITY;
CREATE POLICY hotspot_timelines_scope ON hotspot_timelines FOR SELECT TO diaban_app
    USING ((SELECT diaban_scope_all()) OR EXISTS (
        SELECT 1 FROM hotspots h WHERE h.id = hotspot_id AND h.area_id = ANY ((SELECT diaban_scope_ids())::bigint[])));

-- +goose Down
DROP TRIGGER hotspot_events_timelines ON hotspot_events;
DROP FUNCTION rebuild_hotspot_timelines();
DROP TABLE hotspot_timelines;

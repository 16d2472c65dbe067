-- +goose Up
-- Tips of retired units (issue 13, rule 4). A tip without a point is known
-- only by the unit it names; when that unit is retired by a reform, the tip
-- is carried to the unit of today the crosswalk leads to (area_id, which
-- scopes and counts it today) and keeps the unit it was recorded under
-- (recorded_area_id), which counts it on the geography of an earlier date.
-- NULL: area_id is the unit it was recorded under (or the tip has a point).
ALTER TABLE tips ADD COLUMN recorded_area_id bigint REFERENCES areas (id);
CREATE INDEX tips_recorded_area_idx ON tips (recorded_area_id) WHERE recorded_area_id IS NOT NULL;

-- +goose StatementBegin
-- diaban_successor follows the crosswalk from an area to a unit in force
-- today: at each step the link of the latest reform, then the largest share,
-- then the lowest id. NULL when no lineage leads to a current unit.
CREATE FUNCTION diaban_successor(area bigint) RETURNS bigint
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    WITH RECURSIVE walk (id, depth) AS (
        SELECT area, 0
        UNION ALL
        SELECT (SELECT c.new_area_id FROM area_crosswalk c
                WHERE c.old_area_id = walk.id
                ORDER BY c.valid_from DESC, c.share DESC, c.new_area_id LIMIT 1), depth + 1
        FROM walk
        WHERE walk.id IS NOT NULL AND depth < 10
          AND NOT EXISTS (SELECT 1 FROM area_versions v WHERE v.area_id = walk.id AND v.valid_to IS NULL)
    )
    SELECT w.id FROM walk w
    WHERE w.id IS NOT NULL AND EXISTS (SELECT 1 FROM area_versions v WHERE v.area_id = w.id AND v.valid_to IS NULL)
    ORDER BY depth LIMIT 1
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION diaban_successor(bigint);
DROP INDEX tips_recorded_area_idx;
ALTER TABLE tips DROP COLUMN recorded_area_id;

-- +goose Up
-- Areas across the reform of 1 July 2025 (issue 13): the type of a unit
-- (xã, phường, thị trấn, đặc khu for communes; thôn, tổ dân phố, ấp, khu phố
-- for hamlets) on each area version, and the crosswalk that says which old
-- unit went into which new one.

ALTER TABLE area_versions ADD COLUMN type text
    CHECK (type IS NULL OR type IN ('xã', 'phường', 'thị trấn', 'đặc khu', 'thôn', 'tổ dân phố', 'ấp', 'khu phố'));

-- An old unit (its version ending on valid_from) went into a new one (its
-- version starting on valid_from), whole ('full') or in part ('partial',
-- share = the part of the old unit's value that the new one carries: the
-- file's share_of_old_area, else area(old ∩ new) / area(old) measured in
-- PostGIS on the two versions). The same code may be both sides (20410
-- Phường Sơn Phong → 20410 Phường Hội An): valid_from tells the versions apart.
CREATE TABLE area_crosswalk (
    old_area_id  bigint  NOT NULL REFERENCES areas (id),
    new_area_id  bigint  NOT NULL REFERENCES areas (id),
    valid_from   date    NOT NULL,
    merge_type   text    NOT NULL CHECK (merge_type IN ('full', 'partial')),
    share        numeric NOT NULL CHECK (share > 0 AND share <= 1),
    share_source text    NOT NULL CHECK (share_source IN ('full', 'file', 'computed')),
    PRIMARY KEY (old_area_id, new_area_id, valid_from),
    CHECK (merge_type = 'partial' OR share = 1)
);
CREATE INDEX area_crosswalk_new_idx ON area_crosswalk (new_area_id, valid_from);

GRANT SELECT ON area_crosswalk TO diaban_app;

CREATE TRIGGER area_crosswalk_changes_ins AFTER INSERT ON area_crosswalk REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes('area');
CREATE TRIGGER area_crosswalk_changes_upd AFTER UPDATE ON area_crosswalk REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes('area');

-- Areas as they are today, with their type (a new last column keeps the view's
-- grants and its readers).
CREATE OR REPLACE VIEW current_areas AS
SELECT a.id, a.code, a.level, v.name, p.code AS parent_code, v.parent_id, v.valid_from, v.geom, v.type
FROM areas a
JOIN area_versions v ON v.area_id = a.id AND v.valid_to IS NULL
LEFT JOIN areas p ON p.id = v.parent_id;

-- The versions in force on a date: what as_of reads.
CREATE INDEX area_versions_range_idx ON area_versions USING gist (daterange(valid_from, valid_to));

-- +goose Down
DROP INDEX area_versions_range_idx;
DROP VIEW current_areas;
CREATE VIEW current_areas AS
SELECT a.id, a.code, a.level, v.name, p.code AS parent_code, v.parent_id, v.valid_from, v.geom
FROM areas a
JOIN area_versions v ON v.area_id = a.id AND v.valid_to IS NULL
LEFT JOIN areas p ON p.id = v.parent_id;
GRANT SELECT ON current_areas TO diaban_app;
DROP TABLE area_crosswalk;
ALTER TABLE area_versions DROP COLUMN type;

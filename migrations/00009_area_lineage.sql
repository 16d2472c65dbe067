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

-- Where the records lie in retired geography. Records are registered to
-- today's units; metrics on an earlier geography (as_of) must find the
-- points inside a retired version's polygon "for no more than an indexed
-- join" (issue 13), so the spatial join is done once, when a version is
-- retired or redrawn (hotspot/store/versionmembers.go) and when records are
-- written (the triggers below), and kept here. Only retired versions
-- (valid_to set) are kept: a current version's records are those registered
-- to it.
CREATE TABLE version_hotspots (
    version_id bigint NOT NULL,
    hotspot_id bigint NOT NULL,
    PRIMARY KEY (version_id, hotspot_id)
);
CREATE INDEX version_hotspots_hotspot_idx ON version_hotspots (hotspot_id);
CREATE TABLE version_tips (
    version_id bigint NOT NULL,
    tip_id     bigint NOT NULL,
    PRIMARY KEY (version_id, tip_id)
);
CREATE INDEX version_tips_tip_idx ON version_tips (tip_id);
-- Incidents by retired version, month (diaban_month) and kind, like
-- incident_area_months (00008).
CREATE TABLE version_incident_months (
    version_id bigint  NOT NULL,
    month      integer NOT NULL,
    kind       text    NOT NULL,
    n          integer NOT NULL,
    PRIMARY KEY (version_id, month, kind)
);

-- +goose StatementBegin
-- version_members_apply keeps the members of retired versions as records
-- are written: an old row leaves (−1 for incidents, its memberships deleted
-- for hotspots and tips), a new row enters through one indexed spatial join
-- against the retired versions. An UPDATE that leaves the point where it
-- was (re-registration changes only area_id) removes and adds the same rows.
-- Transition tables have no statistics: no join between them (an anti-join
-- ran as a quadratic nested loop), and the spatial join is a LATERAL probe
-- of area_versions' GiST index per row (as a plain join the planner scanned
-- the rows once per version).
CREATE FUNCTION version_members_apply() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    delta text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM area_versions WHERE valid_to IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'incidents' THEN
        delta := CASE TG_OP
            WHEN 'INSERT' THEN 'SELECT geom, occurred_at, kind, 1 AS s FROM new_rows'
            WHEN 'DELETE' THEN 'SELECT geom, occurred_at, kind, -1 AS s FROM old_rows'
            ELSE 'SELECT geom, occurred_at, kind, 1 AS s FROM new_rows UNION ALL SELECT geom, occurred_at, kind, -1 FROM old_rows' END;
        EXECUTE format($q$
            INSERT INTO version_incident_months AS t (version_id, month, kind, n)
            SELECT v.id, diaban_month(d.occurred_at), d.kind, sum(d.s)
            FROM (%s) d
            CROSS JOIN LATERAL (SELECT id FROM area_versions
                                WHERE valid_to IS NOT NULL AND ST_Covers(geom, d.geom)) v
            GROUP BY 1, 2, 3
            ON CONFLICT (version_id, month, kind) DO UPDATE SET n = t.n + excluded.n$q$, delta);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        EXECUTE format('DELETE FROM %I WHERE %I IN (SELECT id FROM old_rows)',
            CASE TG_TABLE_NAME WHEN 'hotspots' THEN 'version_hotspots' ELSE 'version_tips' END,
            CASE TG_TABLE_NAME WHEN 'hotspots' THEN 'hotspot_id' ELSE 'tip_id' END);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        EXECUTE format('INSERT INTO %I SELECT v.id, d.id FROM new_rows d CROSS JOIN LATERAL (SELECT id FROM area_versions WHERE valid_to IS NOT NULL AND ST_Covers(geom, d.geom)) v ON CONFLICT DO NOTHING',
            CASE TG_TABLE_NAME WHEN 'hotspots' THEN 'version_hotspots' ELSE 'version_tips' END);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER incidents_versions_ins AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION version_members_apply();
CREATE TRIGGER incidents_versions_upd AFTER UPDATE ON incidents REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION version_members_apply();
CREATE TRIGGER incidents_versions_del AFTER DELETE ON incidents REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION version_members_apply();
CREATE TRIGGER hotspots_versions_ins AFTER INSERT ON hotspots REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION version_members_apply();
CREATE TRIGGER hotspots_versions_upd AFTER UPDATE ON hotspots REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION version_members_apply();
CREATE TRIGGER hotspots_versions_del AFTER DELETE ON hotspots REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION version_members_apply();
CREATE TRIGGER tips_versions_ins AFTER INSERT ON tips REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION version_members_apply();
CREATE TRIGGER tips_versions_upd AFTER UPDATE ON tips REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION version_members_apply();
CREATE TRIGGER tips_versions_del AFTER DELETE ON tips REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION version_members_apply();

-- Membership rows are read joined with hotspots and tips, whose policies
-- apply; the incident counts are visible to the system scope only (a
-- retired version's incidents are registered to many current units), and
-- the store reads incidents through their polygon for a narrower scope.
GRANT SELECT ON version_hotspots, version_tips, version_incident_months TO diaban_app;
ALTER TABLE version_incident_months ENABLE ROW LEVEL SECURITY;
CREATE POLICY version_incident_months_scope ON version_incident_months FOR SELECT TO diaban_app
    USING ((SELECT diaban_scope_all()));

-- +goose Down
DROP TRIGGER incidents_versions_ins ON incidents;
DROP TRIGGER incidents_versions_upd ON incidents;
DROP TRIGGER incidents_versions_del ON incidents;
DROP TRIGGER hotspots_versions_ins ON hotspots;
DROP TRIGGER hotspots_versions_upd ON hotspots;
DROP TRIGGER hotspots_versions_del ON hotspots;
DROP TRIGGER tips_versions_ins ON tips;
DROP TRIGGER tips_versions_upd ON tips;
DROP TRIGGER tips_versions_del ON tips;
DROP FUNCTION version_members_apply();
DROP TABLE version_hotspots, version_tips, version_incident_months;
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

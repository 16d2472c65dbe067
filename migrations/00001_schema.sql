-- +goose Up
-- diaban's core schema. SRID 4326 everywhere; H3 cells as BIGINT, computed in Go on write.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- An area's identity: its official code and level. Its name, parent and boundary
-- live in area_versions, because Vietnam redraws them (the district level was
-- removed on 1 July 2025) and an area's history must survive a boundary change.
CREATE TABLE areas (
    id    bigserial PRIMARY KEY,
    code  text NOT NULL UNIQUE CHECK (code <> ''),
    level text NOT NULL CHECK (level IN ('province', 'district', 'commune', 'hamlet'))
);

CREATE TABLE area_versions (
    id         bigserial PRIMARY KEY,
    area_id    bigint NOT NULL REFERENCES areas (id),
    name       text NOT NULL CHECK (name <> ''),
    parent_id  bigint REFERENCES areas (id),
    valid_from date NOT NULL DEFAULT DATE '1900-01-01',
    valid_to   date, -- exclusive; NULL while current
    geom       geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    EXCLUDE USING gist (area_id WITH =, daterange(valid_from, valid_to) WITH &&)
);
CREATE INDEX area_versions_geom_idx ON area_versions USING gist (geom);
CREATE INDEX area_versions_current_idx ON area_versions (area_id) WHERE valid_to IS NULL;

-- The H3 cells whose centres lie inside an area's current boundary, at resolutions 7 to 10.
CREATE TABLE area_cells (
    area_id bigint   NOT NULL REFERENCES areas (id),
    res     smallint NOT NULL CHECK (res BETWEEN 0 AND 15),
    cell    bigint   NOT NULL,
    PRIMARY KEY (area_id, res, cell)
);
CREATE INDEX area_cells_cell_idx ON area_cells (cell);

-- Areas as they are today: one row per area with its current version.
CREATE VIEW current_areas AS
SELECT a.id, a.code, a.level, v.name, p.code AS parent_code, v.parent_id, v.valid_from, v.geom
FROM areas a
JOIN area_versions v ON v.area_id = a.id AND v.valid_to IS NULL
LEFT JOIN areas p ON p.id = v.parent_id;

-- Points are indexed with SP-GiST: a quad-tree takes bulk inserts of points
-- faster than GiST (BENCHMARKS.md, import). Refs compare bytewise (COLLATE "C").

-- Drug hotspots are places. Their status is derived from hotspot_events, never stored.
CREATE TABLE hotspots (
    id         bigserial PRIMARY KEY,
    ref        text COLLATE "C" NOT NULL UNIQUE CHECK (ref <> ''),
    kind       text NOT NULL CHECK (kind IN ('dealing', 'storage', 'organised_use', 'public_use', 'cultivation', 'production')),
    name       text NOT NULL DEFAULT '',
    geom       geometry(Point, 4326) NOT NULL,
    area_id    bigint NOT NULL REFERENCES areas (id),
    h3_r7      bigint NOT NULL,
    h3_r8      bigint NOT NULL,
    h3_r9      bigint NOT NULL,
    h3_r10     bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hotspots_geom_idx ON hotspots USING spgist (geom);
CREATE INDEX hotspots_area_idx ON hotspots (area_id);

-- The append-only lifecycle of a hotspot.
CREATE TABLE hotspot_events (
    id          bigserial PRIMARY KEY,
    hotspot_id  bigint NOT NULL REFERENCES hotspots (id),
    event       text NOT NULL CHECK (event IN ('detected', 'eliminated', 'recurred', 'note')),
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    note        text NOT NULL DEFAULT '',
    UNIQUE (hotspot_id, event, occurred_at)
);
CREATE INDEX hotspot_events_timeline_idx ON hotspot_events (hotspot_id, occurred_at, id);
CREATE INDEX hotspot_events_occurred_idx ON hotspot_events (occurred_at);

-- +goose StatementBegin
CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;
-- +goose StatementEnd
CREATE TRIGGER hotspot_events_append_only BEFORE UPDATE OR DELETE ON hotspot_events
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- A hotspot's status now: the last state-changing event decides.
CREATE VIEW hotspot_status AS
SELECT h.id AS hotspot_id,
       COALESCE((SELECT CASE e.event WHEN 'eliminated' THEN 'eliminated' ELSE 'active' END
                 FROM hotspot_events e
                 WHERE e.hotspot_id = h.id AND e.event <> 'note'
                 ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1), 'unknown') AS status
FROM hotspots h;

CREATE TABLE incidents (
    id          bigserial PRIMARY KEY,
    ref         text COLLATE "C" NOT NULL UNIQUE CHECK (ref <> ''),
    kind        text NOT NULL CHECK (kind IN ('trafficking', 'storage', 'transport', 'organised_use', 'use', 'cultivation', 'production', 'other')),
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    geom        geometry(Point, 4326) NOT NULL,
    -- No foreign key here, unlike the smaller tables: the importer assigns
    -- area_id from the current areas, areas are never deleted, and a per-row
    -- key check costs about a third of a bulk load of incidents (BENCHMARKS.md).
    area_id     bigint NOT NULL,
    h3_r7       bigint NOT NULL,
    h3_r8       bigint NOT NULL,
    h3_r9       bigint NOT NULL,
    h3_r10      bigint NOT NULL
);
CREATE INDEX incidents_geom_idx ON incidents USING spgist (geom);
CREATE INDEX incidents_area_time_idx ON incidents (area_id, occurred_at);
CREATE INDEX incidents_time_idx ON incidents (occurred_at);

-- Residents' tips: when received and handled, and where (a point, or only an area).
-- Never who sent them.
CREATE TABLE tips (
    id          bigserial PRIMARY KEY,
    ref         text COLLATE "C" NOT NULL UNIQUE CHECK (ref <> ''),
    received_at timestamptz NOT NULL,
    handled_at  timestamptz CHECK (handled_at IS NULL OR handled_at >= received_at),
    geom        geometry(Point, 4326),
    area_id     bigint NOT NULL REFERENCES areas (id),
    h3_r7       bigint,
    h3_r8       bigint,
    h3_r9       bigint,
    h3_r10      bigint,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tips_geom_idx ON tips USING spgist (geom);
CREATE INDEX tips_area_time_idx ON tips (area_id, received_at);

CREATE TABLE cameras (
    id         bigserial PRIMARY KEY,
    ref        text COLLATE "C" NOT NULL UNIQUE CHECK (ref <> ''),
    geom       geometry(Point, 4326) NOT NULL,
    bearing    double precision NOT NULL CHECK (bearing >= 0 AND bearing < 360),
    fov        double precision NOT NULL CHECK (fov > 0 AND fov <= 360),
    range_m    double precision NOT NULL CHECK (range_m > 0 AND range_m <= 5000),
    owner      text NOT NULL CHECK (owner IN ('police', 'community')),
    status     text NOT NULL CHECK (status IN ('planned', 'active', 'offline')),
    area_id    bigint NOT NULL REFERENCES areas (id),
    h3_r7      bigint NOT NULL,
    h3_r8      bigint NOT NULL,
    h3_r9      bigint NOT NULL,
    h3_r10     bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cameras_geom_idx ON cameras USING spgist (geom);
CREATE INDEX cameras_area_idx ON cameras (area_id);

-- The non-spatial numbers committees review, per area and period: counts only.
CREATE TABLE area_indicators (
    area_id bigint  NOT NULL REFERENCES areas (id),
    period  text    NOT NULL CHECK (period ~ '^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$'),
    key     text    NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]*$'),
    value   numeric NOT NULL CHECK (value >= 0),
    PRIMARY KEY (area_id, period, key)
);

-- One row per committed change; its sequence is what pg_notify carries and what
-- a reconnecting client asks to replay from. A statement that touches many rows
-- (a bulk import) writes one 'bulk' row instead of one per row.
CREATE TABLE changes (
    seq       bigserial PRIMARY KEY,
    kind      text NOT NULL,
    op        text NOT NULL CHECK (op IN ('insert', 'update', 'delete', 'bulk')),
    entity_id bigint,
    area_id   bigint,
    rows      integer NOT NULL DEFAULT 1,
    at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX changes_kind_seq_idx ON changes (kind, seq);

-- +goose StatementBegin
CREATE FUNCTION record_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n        integer;
    last_seq bigint;
    v_kind   text := TG_ARGV[0];
    v_op     text := lower(TG_OP);
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT count(*) INTO n FROM old_rows;
    ELSE
        SELECT count(*) INTO n FROM new_rows;
    END IF;
    IF n = 0 THEN
        RETURN NULL;
    END IF;
    -- Writers of changes take this lock until they commit, so sequences become
    -- visible in order and a follower that has seen N never misses one below N.
    PERFORM pg_advisory_xact_lock(7270001);
    IF n > 100 THEN
        INSERT INTO changes (kind, op, rows) VALUES (v_kind, 'bulk', n) RETURNING seq INTO last_seq;
    ELSIF TG_OP = 'DELETE' THEN
        WITH ins AS (
            INSERT INTO changes (kind, op, entity_id, area_id)
            SELECT v_kind, v_op, (to_jsonb(r) ->> 'id')::bigint, (to_jsonb(r) ->> 'area_id')::bigint FROM old_rows r RETURNING seq)
        SELECT max(seq) INTO last_seq FROM ins;
    ELSE
        WITH ins AS (
            INSERT INTO changes (kind, op, entity_id, area_id)
            SELECT v_kind, v_op, (to_jsonb(r) ->> 'id')::bigint, (to_jsonb(r) ->> 'area_id')::bigint FROM new_rows r RETURNING seq)
        SELECT max(seq) INTO last_seq FROM ins;
    END IF;
    PERFORM pg_notify('diaban_changes', last_seq::text);
    RETURN NULL;
END $$;

CREATE FUNCTION record_event_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n        integer;
    last_seq bigint;
BEGIN
    SELECT count(*) INTO n FROM new_rows;
    IF n = 0 THEN
        RETURN NULL;
    END IF;
    -- Writers of changes take this lock until they commit, so sequences become
    -- visible in order and a follower that has seen N never misses one below N.
    PERFORM pg_advisory_xact_lock(7270001);
    IF n > 100 THEN
        INSERT INTO changes (kind, op, rows) VALUES ('event', 'bulk', n) RETURNING seq INTO last_seq;
    ELSE
        WITH ins AS (
            INSERT INTO changes (kind, op, entity_id, area_id)
            SELECT 'event', 'insert', r.id, h.area_id
            FROM new_rows r JOIN hotspots h ON h.id = r.hotspot_id ORDER BY r.id RETURNING seq)
        SELECT max(seq) INTO last_seq FROM ins;
    END IF;
    PERFORM pg_notify('diaban_changes', last_seq::text);
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER hotspots_changes_ins AFTER INSERT ON hotspots REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes('hotspot');
CREATE TRIGGER hotspots_changes_upd AFTER UPDATE ON hotspots REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes('hotspot');
CREATE TRIGGER hotspots_changes_del AFTER DELETE ON hotspots REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes('hotspot');
CREATE TRIGGER events_changes_ins AFTER INSERT ON hotspot_events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_event_changes();
CREATE TRIGGER incidents_changes_ins AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes('incident');
CREATE TRIGGER incidents_changes_upd AFTER UPDATE ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes('incident');
CREATE TRIGGER incidents_changes_del AFTER DELETE ON incidents REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes('incident');
CREATE TRIGGER tips_changes_ins AFTER INSERT ON tips REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes('tip');
CREATE TRIGGER tips_changes_upd AFTER UPDATE ON tips REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes('tip');
CREATE TRIGGER cameras_changes_ins AFTER INSERT ON cameras REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes('camera');
CREATE TRIGGER cameras_changes_upd AFTER UPDATE ON cameras REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes('camera');
CREATE TRIGGER cameras_changes_del AFTER DELETE ON cameras REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes('camera');
CREATE TRIGGER indicators_changes_ins AFTER INSERT ON area_indicators REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes('indicator');
CREATE TRIGGER indicators_changes_upd AFTER UPDATE ON area_indicators REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes('indicator');
CREATE TRIGGER area_versions_changes_ins AFTER INSERT ON area_versions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes('area');
CREATE TRIGGER area_versions_changes_upd AFTER UPDATE ON area_versions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes('area');

-- +goose Down
DROP TABLE changes, area_indicators, cameras, tips, incidents, hotspot_events, hotspots, area_cells, area_versions, areas CASCADE;
DROP FUNCTION record_changes, record_event_changes, forbid_change;

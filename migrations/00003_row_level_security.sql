-- +goose Up
-- Area scope enforced by PostgreSQL (issue 6). `diaban serve` connects as
-- the owner and then SET ROLE diaban_app, a role that owns nothing and has no
-- BYPASSRLS; on every use of a pooled connection it sets two settings:
--   diaban.scope      '*' for everything (admins, the service's own work)
--   diaban.scope_ids  '{1,2,3}': the ids of the user's area and every area below it
-- Unset or empty settings see nothing and may write nothing (deny by default).
-- The owner (migrations, the CLI, tests' setup) keeps full access: RLS is
-- enabled, not forced.

-- Roles are cluster-wide: every database migrated on this server shares one.
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'diaban_app') THEN
        CREATE ROLE diaban_app NOLOGIN NOINHERIT NOBYPASSRLS;
    END IF;
END $$;
-- +goose StatementEnd
-- The migrating user may become diaban_app (SET ROLE). A superuser can
-- already; granting it to one would only raise a notice.
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('GRANT diaban_app TO %I', current_user);
    END IF;
END $$;
-- +goose StatementEnd

GRANT USAGE ON SCHEMA public TO diaban_app;
-- The importer stages rows in temporary tables.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO diaban_app', current_database());
END $$;
-- +goose StatementEnd

GRANT SELECT ON areas, area_versions, area_cells, current_areas, changes TO diaban_app;
GRANT SELECT, INSERT, UPDATE ON hotspots, incidents, tips, cameras, area_indicators TO diaban_app;
-- Append-only tables: no UPDATE or DELETE (their triggers refuse them too).
GRANT SELECT, INSERT ON hotspot_events, audit TO diaban_app;
GRANT SELECT, INSERT, UPDATE ON users TO diaban_app;
GRANT SELECT, INSERT, DELETE ON sessions TO diaban_app;
GRANT SELECT ON hotspot_status TO diaban_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO diaban_app;
-- PostGIS and the trigger functions are executable by PUBLIC; ours are granted below.

-- A view runs with its owner's rights unless told otherwise, which would
-- read hotspots and events past their policies.
ALTER VIEW hotspot_status SET (security_invoker = true);

-- The change triggers write to `changes`, which diaban_app may only read
-- (it must not be able to forge a change and its notification): they run as
-- their owner, with a fixed search_path as a SECURITY DEFINER function must.
ALTER FUNCTION record_changes() SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION record_event_changes() SECURITY DEFINER SET search_path = public, pg_temp;

-- +goose StatementBegin
-- Whether this use of the connection sees every area.
CREATE FUNCTION diaban_scope_all() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(current_setting('diaban.scope', true), '') = '*'
$$;

-- The ids of the areas this use of the connection may see ('{}' when unset).
CREATE FUNCTION diaban_scope_ids() RETURNS bigint[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(nullif(current_setting('diaban.scope_ids', true), ''), '{}')::bigint[]
$$;

-- Whether rows of area_id are in scope: for direct SQL. The policies below
-- spell it out with scalar subqueries instead, so that the settings are read
-- and the array parsed once per statement (an InitPlan), not once per row,
-- and an index on area_id can serve `area_id = ANY (...)`.
CREATE FUNCTION diaban_in_scope(area_id bigint) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT diaban_scope_all() OR area_id = ANY (diaban_scope_ids())
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION diaban_scope_all(), diaban_scope_ids(), diaban_in_scope(bigint) TO diaban_app;

ALTER TABLE hotspots ENABLE ROW LEVEL SECURITY;
ALTER TABLE hotspot_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE incidents ENABLE ROW LEVEL SECURITY;
ALTER TABLE tips ENABLE ROW LEVEL SECURITY;
ALTER TABLE cameras ENABLE ROW LEVEL SECURITY;
ALTER TABLE area_indicators ENABLE ROW LEVEL SECURITY;

CREATE POLICY hotspots_scope ON hotspots FOR ALL TO diaban_app
    USING ((SELECT diaban_scope_all()) OR area_id = ANY ((SELECT diaban_scope_ids())::bigint[]))
    WITH CHECK ((SELECT diaban_scope_all()) OR area_id = ANY ((SELECT diaban_scope_ids())::bigint[]));
CREATE POLICY incidents_scope ON incidents FOR ALL TO diaban_app
    USING ((SELECT diaban_scope_all()) OR area_id = ANY ((SELECT diaban_scope_ids())::bigint[]))
    WITH CHECK ((SELECT diaban_scope_all()) OR area_id = ANY ((SELECT diaban_scope_ids())::bigint[]));
CREATE POLICY tips_scope ON tips FOR ALL TO diaban_app
    USING ((SELECT diaban_scope_all()) OR area_id = ANY ((SELECT diaban_scope_ids())::bigint[]))
    WITH CHECK ((SELECT diaban_scope_all()) OR area_id = ANY ((SELECT diaban_scope_ids())::bigint[]));
CREATE POLICY cameras_scope ON cameras FOR ALL TO diaban_app
    USING ((SELECT diaban_scope_all()) OR area_id = ANY ((SELECT diaban_scope_ids())::bigint[]))
    WITH CHECK ((SELECT diaban_scope_all()) OR area_id = ANY ((SELECT diaban_scope_ids())::bigint[]));
CREATE POLICY area_indicators_scope ON area_indicators FOR ALL TO diaban_app
    USING ((SELECT diaban_scope_all()) OR area_id = ANY ((SELECT diaban_scope_ids())::bigint[]))
    WITH CHECK ((SELECT diaban_scope_all()) OR area_id = ANY ((SELECT diaban_scope_ids())::bigint[]));
-- An event is in scope when its hotspot is.
CREATE POLICY hotspot_events_scope ON hotspot_events FOR ALL TO diaban_app
    USING ((SELECT diaban_scope_all()) OR EXISTS (
        SELECT 1 FROM hotspots h WHERE h.id = hotspot_id AND h.area_id = ANY ((SELECT diaban_scope_ids())::bigint[])))
    WITH CHECK ((SELECT diaban_scope_all()) OR EXISTS (
        SELECT 1 FROM hotspots h WHERE h.id = hotspot_id AND h.area_id = ANY ((SELECT diaban_scope_ids())::bigint[])));

-- +goose Down
DROP POLICY hotspot_events_scope ON hotspot_events;
DROP POLICY area_indicators_scope ON area_indicators;
DROP POLICY cameras_scope ON cameras;
DROP POLICY tips_scope ON tips;
DROP POLICY incidents_scope ON incidents;
DROP POLICY hotspots_scope ON hotspots;
ALTER TABLE hotspots DISABLE ROW LEVEL SECURITY;
ALTER TABLE hotspot_events DISABLE ROW LEVEL SECURITY;
ALTER TABLE incidents DISABLE ROW LEVEL SECURITY;
ALTER TABLE tips DISABLE ROW LEVEL SECURITY;
ALTER TABLE cameras DISABLE ROW LEVEL SECURITY;
ALTER TABLE area_indicators DISABLE ROW LEVEL SECURITY;
DROP FUNCTION diaban_in_scope(bigint), diaban_scope_ids(), diaban_scope_all();
ALTER FUNCTION record_changes() SECURITY INVOKER RESET search_path;
ALTER FUNCTION record_event_changes() SECURITY INVOKER RESET search_path;
ALTER VIEW hotspot_status RESET (security_invoker);
-- The role is shared by every database on the server: only its rights here go.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM diaban_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM diaban_app;
REVOKE ALL ON SCHEMA public FROM diaban_app;
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM diaban_app', current_database());
END $$;
-- +goose StatementEnd

-- +goose Up
-- The monthly reports the server makes by itself (issue 14): each month, on
-- the report day, the previous month's report of every unit, in each format
-- and for each audience (exact: admins, officers, planners; limited: a
-- viewer's, its small counts suppressed and no hotspot places), kept here
-- for the committees to download. A row is never changed; a month made
-- twice keeps the first (UNIQUE).
CREATE TABLE scheduled_reports (
    id       bigserial PRIMARY KEY,
    area_id  bigint NOT NULL REFERENCES areas (id),
    period   text   NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    audience text   NOT NULL CHECK (audience IN ('exact', 'limited')),
    format   text   NOT NULL CHECK (format IN ('pdf', 'xlsx', 'csv')),
    body     bytea  NOT NULL,
    made_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (area_id, period, audience, format)
);
CREATE INDEX scheduled_reports_period_idx ON scheduled_reports (period);

-- Read within the scope; written only by the service's own work (scope '*').
ALTER TABLE scheduled_reports ENABLE ROW LEVEL SECURITY;
CREATE POLICY scheduled_reports_read ON scheduled_reports FOR SELECT TO diaban_app
    USING ((SELECT diaban_scope_all()) OR area_id = ANY ((SELECT diaban_scope_ids())::bigint[]));
CREATE POLICY scheduled_reports_write ON scheduled_reports FOR INSERT TO diaban_app
    WITH CHECK ((SELECT diaban_scope_all()));
GRANT SELECT, INSERT ON scheduled_reports TO diaban_app;
GRANT USAGE, SELECT ON SEQUENCE scheduled_reports_id_seq TO diaban_app;

-- +goose StatementBegin
CREATE FUNCTION forbid_report_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'scheduled_reports is append-only';
END $$;

-- One change of kind 'report' per unit whose reports a statement added
-- (not one per format and audience): the websocket's notice of a new report.
CREATE FUNCTION record_report_changes() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    last_seq bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(7270001);
    WITH ins AS (
        INSERT INTO changes (kind, op, entity_id, area_id)
        SELECT 'report', 'insert', min(id), area_id FROM new_rows GROUP BY area_id ORDER BY area_id RETURNING seq)
    SELECT max(seq) INTO last_seq FROM ins;
    IF last_seq IS NOT NULL THEN
        PERFORM pg_notify('diaban_changes', last_seq::text);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER scheduled_reports_immutable BEFORE UPDATE OR DELETE ON scheduled_reports
    FOR EACH ROW EXECUTE FUNCTION forbid_report_change();
CREATE TRIGGER scheduled_reports_changes AFTER INSERT ON scheduled_reports REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_report_changes();

-- +goose Down
DROP TABLE scheduled_reports;
DROP FUNCTION record_report_changes();
DROP FUNCTION forbid_report_change();

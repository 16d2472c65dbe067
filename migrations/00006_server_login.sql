-- +goose Up
-- The server's own login (issue 12). `diaban serve` logs in as diaban_server,
-- a LOGIN role that owns nothing, is no member of the owner and inherits
-- nothing (NOINHERIT): it can only SET ROLE diaban_app, the row-level-
-- security role of 00003. A RESET ROLE gets diaban_server back, which may
-- read and write nothing at all. (Before, serve logged in as the owner and
-- SET ROLE diaban_app, so a RESET ROLE got the owner back.)
--
-- diaban_app no longer writes users, sessions or audit rows itself: it calls
-- the SECURITY DEFINER functions below, which do only what the service
-- needs — look a user up for a login, start a session for an enabled user
-- (at most 7 days), end one session, append an audit row. It cannot create
-- or promote a user, change a password, read a password hash but through
-- the login lookup, or start a session for a disabled user. Migrations and
-- the CLI keep running as the owner.
--
-- Roles are cluster-wide. A migrating user without CREATEROLE cannot create
-- diaban_server: then create it first (README, Security).
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'diaban_server') THEN
        IF (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
            CREATE ROLE diaban_server LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
        ELSE
            RAISE NOTICE 'role diaban_server missing and % may not create it: see README, Security', current_user;
        END IF;
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'diaban_server') THEN
        BEGIN
            GRANT diaban_app TO diaban_server;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'cannot grant diaban_app to diaban_server: do it as a superuser (README, Security)';
        END;
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO diaban_server', current_database());
    END IF;
END $$;
-- +goose StatementEnd

-- Users: the columns a session check reads, never the password hash.
REVOKE ALL ON users FROM diaban_app;
GRANT SELECT (id, name, role, scope_area_id, disabled, created_at) ON users TO diaban_app;
-- Sessions: checked by token hash; written only through the functions.
REVOKE ALL ON sessions FROM diaban_app;
GRANT SELECT (token_hash, user_id, expires_at, created_at) ON sessions TO diaban_app;
-- Audit: read by admins; appended only through diaban_audit.
REVOKE ALL ON audit FROM diaban_app;
GRANT SELECT ON audit TO diaban_app;
REVOKE ALL ON SEQUENCE users_id_seq, audit_id_seq FROM diaban_app;

-- +goose StatementBegin
-- The account of a login attempt, with its password hash (checked by the
-- server: argon2id is not in the database). No row: no such user.
CREATE FUNCTION diaban_login(p_name text)
RETURNS TABLE (id bigint, name text, role text, scope text, disabled boolean, created_at timestamptz, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.name, u.role, coalesce(a.code, ''), u.disabled, u.created_at, u.password_hash
    FROM users u LEFT JOIN areas a ON a.id = u.scope_area_id
    WHERE u.name = p_name
$$;

-- Starts a session of an enabled user for ttl (at most 7 days) and returns
-- when it expires; the token's SHA-256 hash is all that is stored.
CREATE FUNCTION diaban_session_start(p_user bigint, p_token_hash bytea, p_ttl interval)
RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    exp timestamptz;
BEGIN
    IF p_ttl <= interval '0' OR p_ttl > interval '7 days' THEN
        RAISE EXCEPTION 'session ttl % out of (0, 7 days]', p_ttl USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT FROM users WHERE users.id = p_user AND NOT users.disabled) THEN
        RAISE EXCEPTION 'no enabled user %', p_user USING ERRCODE = '42501';
    END IF;
    INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (p_token_hash, p_user, now() + p_ttl)
    RETURNING expires_at INTO exp;
    RETURN exp;
END $$;

-- Ends one session (logout) and sweeps sessions expired a day ago.
CREATE FUNCTION diaban_session_end(p_token_hash bytea) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DELETE FROM sessions WHERE token_hash = p_token_hash OR expires_at < now() - interval '1 day'
$$;

-- Appends an audit row (the table refuses updates and deletes); its time is
-- the database's, and no text may exceed 4,000 characters.
CREATE FUNCTION diaban_audit(p_user text, p_role text, p_action text, p_ids bigint[], p_area text, p_address text, p_detail text)
RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    INSERT INTO audit (username, role, action, entity_ids, area, address, detail)
    VALUES (left(p_user, 200), left(p_role, 50), left(p_action, 200), coalesce(p_ids, '{}'),
            left(p_area, 200), left(p_address, 200), left(p_detail, 4000))
    RETURNING id
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION diaban_login(text), diaban_session_start(bigint, bytea, interval), diaban_session_end(bytea),
    diaban_audit(text, text, text, bigint[], text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION diaban_login(text), diaban_session_start(bigint, bytea, interval), diaban_session_end(bytea),
    diaban_audit(text, text, text, bigint[], text, text, text) TO diaban_app;

-- +goose Down
DROP FUNCTION diaban_login(text), diaban_session_start(bigint, bytea, interval), diaban_session_end(bytea),
    diaban_audit(text, text, text, bigint[], text, text, text);
GRANT SELECT, INSERT, UPDATE ON users TO diaban_app;
GRANT SELECT, INSERT, DELETE ON sessions TO diaban_app;
GRANT SELECT, INSERT ON audit TO diaban_app;
GRANT USAGE, SELECT ON SEQUENCE users_id_seq, audit_id_seq TO diaban_app;
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM diaban_server', current_database());
END $$;
-- +goose StatementEnd
-- diaban_server is shared by every database on the server: it stays.

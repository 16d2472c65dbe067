-- +goose Up
-- Accounts, sessions and the audit log (issue 6). Passwords are stored as
-- argon2id hashes in PHC string form; sessions only as SHA-256 hashes of
-- their tokens, so a copy of this table logs nobody in.
CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    role          text NOT NULL CHECK (role IN ('admin', 'officer', 'planner', 'viewer')),
    scope_area_id bigint REFERENCES areas (id), -- NULL: everything (admins only)
    password_hash text NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (role = 'admin' OR scope_area_id IS NOT NULL)
);

CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id    bigint NOT NULL REFERENCES users (id),
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);

-- Every write and export: who, in which role, what, which ids, in which area,
-- when and from where. Append-only.
CREATE TABLE audit (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    username   text NOT NULL,
    role       text NOT NULL,
    action     text NOT NULL,
    entity_ids bigint[] NOT NULL DEFAULT '{}',
    area       text NOT NULL DEFAULT '',
    address    text NOT NULL DEFAULT '',
    detail     text NOT NULL DEFAULT ''
);
CREATE INDEX audit_at_idx ON audit (at);
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

-- +goose Down
DROP TABLE audit, sessions, users;

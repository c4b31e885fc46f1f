-- The console's own tables: staff users, their web sessions, and sign-in throttles; the PostgreSQL
-- translation of migrations/sqlite/00001_console.sql. Times are Unix seconds.
-- Text compared by order (email, for ListUsers) is COLLATE "C", so bytes decide as in SQLite; that
-- also keeps lower() in the email CHECK to ASCII, as SQLite's is.

-- +goose Up
CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    -- Stored lower-case so UNIQUE is case-insensitive; the CHECK stops a writer that forgot to normalize.
    email               TEXT COLLATE "C" NOT NULL UNIQUE CHECK (email = lower(trim(email)) AND length(email) BETWEEN 3 AND 254),
    name                TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role                TEXT NOT NULL CHECK (role IN ('admin', 'reviewer', 'support', 'auditor')),
    password_hash       TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    disabled            BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          BIGINT NOT NULL,
    last_login_at       BIGINT,
    password_changed_at BIGINT NOT NULL
);

CREATE TABLE web_sessions (
    id_hash      TEXT PRIMARY KEY, -- SHA-256 of the cookie's random id; the id itself is never stored
    user_id      TEXT REFERENCES users (id) ON DELETE CASCADE, -- NULL while anonymous
    csrf_token   TEXT NOT NULL,
    data         BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX web_sessions_last_seen ON web_sessions (last_seen_at);

CREATE TABLE login_throttles (
    throttle_key TEXT PRIMARY KEY, -- "account:" or "address:" and a hash, never the email or address
    failures     INTEGER NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    lockouts     INTEGER NOT NULL,
    updated_at   BIGINT NOT NULL
);

-- +goose Down
DROP TABLE login_throttles;
DROP TABLE web_sessions;
DROP TABLE users;

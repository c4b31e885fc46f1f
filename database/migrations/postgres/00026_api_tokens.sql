-- API tokens; the PostgreSQL translation of migrations/sqlite/00026_api_tokens.sql, which says what
-- the table holds. Times are Unix seconds.

-- +goose Up
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    hash         BYTEA NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    scope        TEXT NOT NULL CHECK (scope IN ('decisions.read')),
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT,
    revoked_by   TEXT
);

-- +goose Down
DROP TABLE api_tokens;

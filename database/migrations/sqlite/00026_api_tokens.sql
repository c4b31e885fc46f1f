-- API tokens: what the business's systems present to pull decisions (GET /api/v1/…). A token is
-- shown once, when an admin creates it; only its SHA-256 is kept (it is 32 random bytes, so a fast
-- hash is enough), with its first characters to recognise it by. Revoked tokens are kept, for the
-- audit trail's sake. Times are Unix seconds. Kept to SQL that PostgreSQL also accepts.

-- +goose Up
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    hash         BLOB NOT NULL UNIQUE,
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

-- Staff members' second factor; the PostgreSQL translation of migrations/sqlite/00018_mfa.sql, which
-- says what the tables hold: a sealed TOTP secret per user, pending until confirmed, with the newest
-- step accepted, and the SHA-256 of one-time recovery codes. Times are Unix seconds.

-- +goose Up
CREATE TABLE user_totp (
    user_id      TEXT PRIMARY KEY REFERENCES users (id),
    secret       BYTEA NOT NULL,
    confirmed_at BIGINT,
    last_step    BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);

CREATE TABLE user_recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL CHECK (length(code_hash) = 64),
    used_at   BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- +goose Down
DROP TABLE user_recovery_codes;
DROP TABLE user_totp;

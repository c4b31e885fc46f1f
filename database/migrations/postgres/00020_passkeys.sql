-- Staff members' passkeys; the PostgreSQL translation of migrations/sqlite/00020_passkeys.sql, which
-- says what the tables hold: each passkey's verified credential as JSON, and the challenges already
-- answered. Times are Unix seconds.

-- +goose Up
CREATE TABLE user_passkeys (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    credential   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX user_passkeys_user ON user_passkeys (user_id, created_at);

CREATE TABLE passkey_challenges (
    challenge TEXT PRIMARY KEY,
    used_at   BIGINT NOT NULL
);
CREATE INDEX passkey_challenges_used ON passkey_challenges (used_at);

-- +goose Down
DROP TABLE passkey_challenges;
DROP TABLE user_passkeys;

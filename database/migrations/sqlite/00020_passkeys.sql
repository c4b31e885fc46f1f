-- Staff members' passkeys (WebAuthn credentials), which sign in as both factors at once, and the
-- challenges already answered, so that a captured answer cannot be sent again. Times are Unix
-- seconds. Kept to SQL that PostgreSQL also accepts.

-- +goose Up
-- One row per passkey. id is the credential's id (base64url, as the browser reports it); credential
-- is the verified credential as JSON: its public key, signature counter, flags and transports. It
-- holds no secret: the private key never leaves the authenticator.
CREATE TABLE user_passkeys (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    credential   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX user_passkeys_user ON user_passkeys (user_id, created_at);

-- A challenge is answered once: its ceremony (kept in a signed cookie) is refused when its
-- challenge is already here. Rows older than the ceremonies' time to live are pruned.
CREATE TABLE passkey_challenges (
    challenge TEXT PRIMARY KEY,
    used_at   BIGINT NOT NULL
);
CREATE INDEX passkey_challenges_used ON passkey_challenges (used_at);

-- +goose Down
DROP TABLE passkey_challenges;
DROP TABLE user_passkeys;

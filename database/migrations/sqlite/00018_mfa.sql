-- Staff members' second factor: a TOTP secret (RFC 6238: SHA-1, 6 digits, 30-second steps) and
-- one-time recovery codes. Times are Unix seconds. Kept to SQL that PostgreSQL also accepts, apart
-- from BLOB (BYTEA there).

-- +goose Up
-- One secret per user. The secret is sealed with the console's MFA key (AES-256-GCM, the user's id
-- as additional data), so a copy of the database alone yields no secret, and a secret copied into
-- another user's row does not open there. A new secret is pending (confirmed_at NULL) until the user
-- types a code it generates; only a confirmed one is asked for at sign-in.
CREATE TABLE user_totp (
    user_id      TEXT PRIMARY KEY REFERENCES users (id),
    secret       BLOB NOT NULL,
    confirmed_at BIGINT,
    -- The newest 30-second step whose code was accepted: a code is accepted once, and no code of an
    -- earlier step after it, however wide the window.
    last_step    BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);

-- Ten codes made at confirmation, each good once in place of a TOTP code. Only the hex SHA-256 of
-- the user's id and the normalised code (lower-case, without dashes or spaces) is stored; used_at is
-- set when one is spent.
CREATE TABLE user_recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL CHECK (length(code_hash) = 64),
    used_at   BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- +goose Down
DROP TABLE user_recovery_codes;
DROP TABLE user_totp;

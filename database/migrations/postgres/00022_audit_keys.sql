-- Keys that seal personal data inside audit rows; the PostgreSQL translation of
-- migrations/sqlite/00022_audit_keys.sql, which says what the table holds: one AES-256 key per data
-- subject, NULL once shredded. Times are Unix seconds.

-- +goose Up
-- subject is "customer:<id>". key is 32 random bytes (AES-256-GCM), NULL once shredded; the row
-- stays, so a shredded subject never gets a new key and its later rows keep no personal data.
CREATE TABLE audit_keys (
    subject     TEXT PRIMARY KEY CHECK (length(subject) BETWEEN 3 AND 200),
    key         BYTEA CHECK (key IS NULL OR octet_length(key) = 32),
    created_at  BIGINT NOT NULL,
    shredded_at BIGINT,
    CHECK ((key IS NULL) = (shredded_at IS NOT NULL))
);

-- +goose Down
DROP TABLE audit_keys;

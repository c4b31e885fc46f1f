-- Keys that seal personal data inside audit rows, one per data subject (a customer). A row's hash
-- covers the sealed bytes, so destroying a key (retention) makes that personal data unreadable for
-- good while every hash still verifies. Times are Unix seconds. Kept to SQL that PostgreSQL also
-- accepts, apart from BLOB (BYTEA there).

-- +goose Up
-- subject is "customer:<id>". key is 32 random bytes (AES-256-GCM), NULL once shredded; the row
-- stays, so a shredded subject never gets a new key and its later rows keep no personal data.
CREATE TABLE audit_keys (
    subject     TEXT PRIMARY KEY CHECK (length(subject) BETWEEN 3 AND 200),
    key         BLOB CHECK (key IS NULL OR length(key) = 32),
    created_at  BIGINT NOT NULL,
    shredded_at BIGINT,
    CHECK ((key IS NULL) = (shredded_at IS NOT NULL))
);

-- +goose Down
DROP TABLE audit_keys;

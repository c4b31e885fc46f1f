-- Legal holds on customers; the PostgreSQL translation of migrations/sqlite/00021_legal_holds.sql,
-- which says what the table holds: one row per hold, kept after its release, at most one in force
-- per customer. Times are Unix seconds.

-- +goose Up
CREATE TABLE legal_holds (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id    TEXT NOT NULL CHECK (length(customer_id) BETWEEN 1 AND 100),
    reason         TEXT NOT NULL CHECK (length(reason) BETWEEN 3 AND 500),
    held_by_id     TEXT NOT NULL REFERENCES users (id),
    held_by_email  TEXT NOT NULL,
    held_at        BIGINT NOT NULL,
    release_reason TEXT CHECK (length(release_reason) BETWEEN 3 AND 500),
    released_by_id TEXT REFERENCES users (id),
    released_by_email TEXT,
    released_at    BIGINT,
    CHECK ((released_at IS NULL) = (release_reason IS NULL) AND (released_at IS NULL) = (released_by_id IS NULL))
);
CREATE UNIQUE INDEX legal_holds_in_force ON legal_holds (customer_id) WHERE released_at IS NULL;
CREATE INDEX legal_holds_customer ON legal_holds (customer_id, held_at);

-- +goose Down
DROP TABLE legal_holds;

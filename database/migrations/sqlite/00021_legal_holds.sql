-- Legal holds on customers: while a customer is held, retention deletes nothing of theirs. Times are
-- Unix seconds. Kept to SQL that PostgreSQL also accepts.

-- +goose Up
-- One row per hold, kept after its release, so the customer page and the trail agree on the
-- history. A customer has at most one hold in force (released_at NULL), which the partial unique
-- index makes true even for two admins placing one at once.
CREATE TABLE legal_holds (
    id             INTEGER PRIMARY KEY, -- the rowid: assigned on insert
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

-- Review decisions: what a reviewer decided about a completed check. The Hive API has no
-- place for them, so the console keeps them. Rows are never changed or deleted: a later decision
-- supersedes an earlier one and the history stays, which the triggers below enforce.
-- Times are Unix seconds; "newest" is created_at then id, so two decisions in one second still order.
-- Kept to SQL that PostgreSQL also accepts, except where noted.

-- +goose Up
CREATE TABLE reviews (
    -- INTEGER PRIMARY KEY is SQLite's rowid: assigned on insert, increasing while rows are never deleted
    -- (the trigger below sees to that). PostgreSQL needs BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY.
    id             INTEGER PRIMARY KEY,
    check_id       TEXT NOT NULL CHECK (length(check_id) BETWEEN 1 AND 100),
    customer_id    TEXT CHECK (length(customer_id) BETWEEN 1 AND 100), -- NULL when not known
    decision       TEXT NOT NULL CHECK (decision IN ('approve', 'reject', 'resubmit')),
    -- A reason code from the configured list; required for a rejection and only there. The list can
    -- change, so the schema checks the shape, not the value.
    reason         TEXT CHECK (length(reason) BETWEEN 1 AND 40),
    note           TEXT NOT NULL CHECK (note = trim(note) AND length(note) BETWEEN 1 AND 2000),
    -- The SDK session issued for a resubmission; required for one and only there.
    session_id     TEXT CHECK (length(session_id) BETWEEN 1 AND 100),
    -- Users are disabled, never deleted, so the reference holds; the email is kept as it was then.
    reviewer_id    TEXT NOT NULL REFERENCES users (id),
    reviewer_email TEXT NOT NULL CHECK (length(reviewer_email) BETWEEN 3 AND 254),
    created_at     BIGINT NOT NULL,
    CHECK ((decision = 'reject' AND reason IS NOT NULL) OR (decision <> 'reject' AND reason IS NULL)),
    CHECK ((decision = 'resubmit' AND session_id IS NOT NULL) OR (decision <> 'resubmit' AND session_id IS NULL))
);
CREATE INDEX reviews_check ON reviews (check_id, created_at, id);
CREATE INDEX reviews_customer ON reviews (customer_id, created_at, id);
CREATE INDEX reviews_created ON reviews (created_at, id);

-- SQLite trigger syntax; PostgreSQL needs a plpgsql function raising the same message and
-- BEFORE UPDATE OR DELETE ... FOR EACH ROW triggers calling it.
-- +goose StatementBegin
CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
BEGIN
    SELECT RAISE(ABORT, 'review decisions are immutable');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews
BEGIN
    SELECT RAISE(ABORT, 'review decisions are immutable');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER reviews_no_delete;
DROP TRIGGER reviews_no_update;
DROP TABLE reviews;

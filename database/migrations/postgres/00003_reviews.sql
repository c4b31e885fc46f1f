-- Review decisions; the PostgreSQL translation of migrations/sqlite/00003_reviews.sql.
-- Rows are never changed or deleted: a later decision supersedes an earlier one and the history
-- stays, which the triggers below enforce (TRUNCATE included, which fires no row trigger).
-- Times are Unix seconds; "newest" is created_at then id, so two decisions in one second still order.

-- +goose Up
CREATE TABLE reviews (
    -- Assigned on insert and increasing, as SQLite's rowid is while rows are never deleted.
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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

-- +goose StatementBegin
CREATE FUNCTION reviews_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'review decisions are immutable' USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
    FOR EACH ROW EXECUTE FUNCTION reviews_immutable();
CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews
    FOR EACH ROW EXECUTE FUNCTION reviews_immutable();
CREATE TRIGGER reviews_no_truncate BEFORE TRUNCATE ON reviews
    FOR EACH STATEMENT EXECUTE FUNCTION reviews_immutable();

-- +goose Down
DROP TABLE reviews; -- its triggers go with it
DROP FUNCTION reviews_immutable();

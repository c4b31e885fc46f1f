-- The review state on each check; the PostgreSQL translation of migrations/sqlite/00013_review_state.sql.
-- NULL is a completed check nobody decided on.

-- +goose Up
ALTER TABLE hive_checks ADD COLUMN review_state TEXT;
-- +goose StatementBegin
CREATE FUNCTION review_state_of(stage TEXT, decision TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN stage = 'first' THEN 'pending_second' WHEN stage = 'disputed' THEN 'disagree'
        WHEN decision = 'approve' THEN 'approved' WHEN decision = 'reject' THEN 'rejected' ELSE 'resubmission' END
$$;
-- +goose StatementEnd
UPDATE hive_checks c SET review_state = (
    SELECT review_state_of(r.stage, r.decision) FROM reviews r WHERE r.check_id = c.id ORDER BY r.created_at DESC, r.id DESC LIMIT 1
) WHERE c.id IN (SELECT check_id FROM reviews);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION reviews_mark_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE hive_checks SET reviewed = (NEW.stage = 'final'), review_state = review_state_of(NEW.stage, NEW.decision)
    WHERE id = NEW.check_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION hive_checks_reviewed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last reviews%ROWTYPE;
BEGIN
    SELECT * INTO last FROM reviews WHERE check_id = NEW.id ORDER BY created_at DESC, id DESC LIMIT 1;
    NEW.reviewed := COALESCE(last.stage = 'final', FALSE);
    NEW.review_state := CASE WHEN last.id IS NULL THEN NULL ELSE review_state_of(last.stage, last.decision) END;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE INDEX hive_checks_review_state ON hive_checks (review_state, created_at, ord)
WHERE deleted_at IS NULL AND status = 'complete';

-- +goose Down
DROP INDEX IF EXISTS hive_checks_review_state;
DELETE FROM sync_deferred WHERE statement LIKE '%hive\_checks\_review\_state%' ESCAPE '\';
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION hive_checks_reviewed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.reviewed := COALESCE((SELECT stage = 'final' FROM reviews WHERE check_id = NEW.id
        ORDER BY created_at DESC, id DESC LIMIT 1), FALSE);
    RETURN NEW;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION reviews_mark_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE hive_checks SET reviewed = (NEW.stage = 'final') WHERE id = NEW.check_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP FUNCTION review_state_of(TEXT, TEXT);
ALTER TABLE hive_checks DROP COLUMN review_state;

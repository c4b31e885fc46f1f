-- Retention erases a deleted customer's personal data, notes and review notes included: their text
-- gives way to its SHA-256 ("sha256:" and 64 hex digits) and erased_at records when. That is the one
-- change the immutability triggers now let through: once, keeping every other column as it was.
-- A comparison with NULL counts as a difference (coalesce), so no NULL lets an update through.
-- Times are Unix seconds. Kept to SQL that PostgreSQL also accepts, apart from the triggers.

-- +goose Up
ALTER TABLE notes ADD COLUMN erased_at BIGINT;
ALTER TABLE reviews ADD COLUMN erased_at BIGINT;

DROP TRIGGER notes_no_update;
-- +goose StatementBegin
CREATE TRIGGER notes_no_update BEFORE UPDATE ON notes
WHEN NOT coalesce(OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
    AND NEW.body GLOB 'sha256:[0-9a-f]*' AND length(NEW.body) = 71
    AND NEW.id = OLD.id AND NEW.target_type = OLD.target_type AND NEW.target_id = OLD.target_id
    AND NEW.author_id = OLD.author_id AND NEW.author_email = OLD.author_email AND NEW.author_role = OLD.author_role
    AND NEW.created_at = OLD.created_at, 0)
BEGIN
    SELECT RAISE(ABORT, 'notes are immutable');
END;
-- +goose StatementEnd

DROP TRIGGER reviews_no_update;
-- +goose StatementBegin
CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
WHEN NOT coalesce(OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
    AND NEW.note GLOB 'sha256:[0-9a-f]*' AND length(NEW.note) = 71
    AND NEW.id = OLD.id AND NEW.check_id = OLD.check_id AND NEW.customer_id IS OLD.customer_id
    AND NEW.decision = OLD.decision AND NEW.reason IS OLD.reason AND NEW.session_id IS OLD.session_id
    AND NEW.reviewer_id = OLD.reviewer_id AND NEW.reviewer_email = OLD.reviewer_email
    AND NEW.created_at = OLD.created_at AND NEW.stage = OLD.stage, 0)
BEGIN
    SELECT RAISE(ABORT, 'review decisions are immutable');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER reviews_no_update;
-- +goose StatementBegin
CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
BEGIN
    SELECT RAISE(ABORT, 'review decisions are immutable');
END;
-- +goose StatementEnd
DROP TRIGGER notes_no_update;
-- +goose StatementBegin
CREATE TRIGGER notes_no_update BEFORE UPDATE ON notes
BEGIN
    SELECT RAISE(ABORT, 'notes are immutable');
END;
-- +goose StatementEnd
ALTER TABLE reviews DROP COLUMN erased_at;
ALTER TABLE notes DROP COLUMN erased_at;

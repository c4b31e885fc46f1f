-- The checks list filters by the console's review state (unreviewed, awaiting second review,
-- reviewers disagree, approved, rejected, resubmission requested): each check carries the state its
-- newest decision put it in, kept by the triggers that keep `reviewed`, with an index that answers
-- the filter and its count. NULL is a completed check nobody decided on.

-- +goose Up
ALTER TABLE hive_checks ADD COLUMN review_state TEXT;
UPDATE hive_checks SET review_state = (
    SELECT CASE WHEN r.stage = 'first' THEN 'pending_second' WHEN r.stage = 'disputed' THEN 'disagree'
        WHEN r.decision = 'approve' THEN 'approved' WHEN r.decision = 'reject' THEN 'rejected' ELSE 'resubmission' END
    FROM reviews r WHERE r.check_id = hive_checks.id ORDER BY r.created_at DESC, r.id DESC LIMIT 1
) WHERE id IN (SELECT check_id FROM reviews);

DROP TRIGGER reviews_mark_check;
-- +goose StatementBegin
CREATE TRIGGER reviews_mark_check AFTER INSERT ON reviews BEGIN
    UPDATE hive_checks SET reviewed = (new.stage = 'final'),
        review_state = CASE WHEN new.stage = 'first' THEN 'pending_second' WHEN new.stage = 'disputed' THEN 'disagree'
            WHEN new.decision = 'approve' THEN 'approved' WHEN new.decision = 'reject' THEN 'rejected' ELSE 'resubmission' END
    WHERE id = new.check_id;
END;
-- +goose StatementEnd
DROP TRIGGER hive_checks_reviewed;
-- +goose StatementBegin
CREATE TRIGGER hive_checks_reviewed AFTER INSERT ON hive_checks
WHEN EXISTS (SELECT 1 FROM reviews WHERE check_id = new.id) BEGIN
    UPDATE hive_checks SET (reviewed, review_state) = (
        SELECT r.stage = 'final', CASE WHEN r.stage = 'first' THEN 'pending_second' WHEN r.stage = 'disputed' THEN 'disagree'
            WHEN r.decision = 'approve' THEN 'approved' WHEN r.decision = 'reject' THEN 'rejected' ELSE 'resubmission' END
        FROM reviews r WHERE r.check_id = new.id ORDER BY r.created_at DESC, r.id DESC LIMIT 1
    ) WHERE id = new.id;
END;
-- +goose StatementEnd
CREATE INDEX hive_checks_review_state ON hive_checks (review_state, created_at, ord)
WHERE deleted_at IS NULL AND status = 'complete';

-- +goose Down
DROP INDEX IF EXISTS hive_checks_review_state;
DELETE FROM sync_deferred WHERE statement LIKE '%hive\_checks\_review\_state%' ESCAPE '\';
DROP TRIGGER hive_checks_reviewed;
-- +goose StatementBegin
CREATE TRIGGER hive_checks_reviewed AFTER INSERT ON hive_checks
WHEN EXISTS (SELECT 1 FROM reviews WHERE check_id = new.id) BEGIN
    UPDATE hive_checks SET reviewed = (
        SELECT stage = 'final' FROM reviews WHERE check_id = new.id ORDER BY created_at DESC, id DESC LIMIT 1
    ) WHERE id = new.id;
END;
-- +goose StatementEnd
DROP TRIGGER reviews_mark_check;
-- +goose StatementBegin
CREATE TRIGGER reviews_mark_check AFTER INSERT ON reviews BEGIN
    UPDATE hive_checks SET reviewed = (new.stage = 'final') WHERE id = new.check_id;
END;
-- +goose StatementEnd
ALTER TABLE hive_checks DROP COLUMN review_state;

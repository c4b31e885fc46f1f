-- Four-eyes: an approval the rules say needs a second approver is recorded as a first step; the check
-- stays waiting until someone else confirms it. A reviewer who disagrees with a first approval records
-- their rejection as a dispute, which sends the check back to the queue. Only a final decision takes
-- a check out of the queue. Decisions recorded before this migration were all final.

-- +goose Up
-- Adding a column changes no row, so the immutability triggers do not object.
ALTER TABLE reviews ADD COLUMN stage TEXT NOT NULL DEFAULT 'final'
    CHECK ((stage = 'final') OR (stage = 'first' AND decision = 'approve') OR (stage = 'disputed' AND decision = 'reject'));

DROP TRIGGER reviews_mark_check;
-- +goose StatementBegin
CREATE TRIGGER reviews_mark_check AFTER INSERT ON reviews BEGIN
    UPDATE hive_checks SET reviewed = (new.stage = 'final') WHERE id = new.check_id;
END;
-- +goose StatementEnd
DROP TRIGGER hive_checks_reviewed;
-- A check the copy first sees after it was decided on (restored in Hive, say): its newest decision says.
-- +goose StatementBegin
CREATE TRIGGER hive_checks_reviewed AFTER INSERT ON hive_checks
WHEN EXISTS (SELECT 1 FROM reviews WHERE check_id = new.id) BEGIN
    UPDATE hive_checks SET reviewed = (
        SELECT stage = 'final' FROM reviews WHERE check_id = new.id ORDER BY created_at DESC, id DESC LIMIT 1
    ) WHERE id = new.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER hive_checks_reviewed;
-- +goose StatementBegin
CREATE TRIGGER hive_checks_reviewed AFTER INSERT ON hive_checks
WHEN EXISTS (SELECT 1 FROM reviews WHERE check_id = new.id) BEGIN
    UPDATE hive_checks SET reviewed = TRUE WHERE id = new.id;
END;
-- +goose StatementEnd
DROP TRIGGER reviews_mark_check;
-- +goose StatementBegin
CREATE TRIGGER reviews_mark_check AFTER INSERT ON reviews BEGIN
    UPDATE hive_checks SET reviewed = TRUE WHERE id = new.check_id AND NOT reviewed;
END;
-- +goose StatementEnd
UPDATE hive_checks SET reviewed = TRUE WHERE id IN (SELECT check_id FROM reviews);
ALTER TABLE reviews DROP COLUMN stage;

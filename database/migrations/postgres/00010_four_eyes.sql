-- Four-eyes; the PostgreSQL translation of migrations/sqlite/00010_four_eyes.sql. An approval the
-- rules say needs a second approver is recorded as a first step; a reviewer who disagrees with it
-- records a dispute, which sends the check back to the queue. Only a final decision takes a check out
-- of the queue. Decisions recorded before this migration were all final.

-- +goose Up
-- Adding a column with a constant default rewrites no row, so the immutability triggers do not fire.
ALTER TABLE reviews ADD COLUMN stage TEXT NOT NULL DEFAULT 'final'
    CHECK ((stage = 'final') OR (stage = 'first' AND decision = 'approve') OR (stage = 'disputed' AND decision = 'reject'));

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION reviews_mark_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE hive_checks SET reviewed = (NEW.stage = 'final') WHERE id = NEW.check_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION hive_checks_reviewed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.reviewed := COALESCE((SELECT stage = 'final' FROM reviews WHERE check_id = NEW.id
        ORDER BY created_at DESC, id DESC LIMIT 1), FALSE);
    RETURN NEW;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION hive_checks_reviewed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.reviewed := EXISTS (SELECT 1 FROM reviews WHERE check_id = NEW.id);
    RETURN NEW;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION reviews_mark_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE hive_checks SET reviewed = TRUE WHERE id = NEW.check_id AND NOT reviewed;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
UPDATE hive_checks SET reviewed = TRUE WHERE id IN (SELECT check_id FROM reviews);
ALTER TABLE reviews DROP COLUMN stage;

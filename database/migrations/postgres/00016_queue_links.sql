-- The queue's links; the PostgreSQL translation of migrations/sqlite/00016_queue_links.sql.
-- The review queue shows how many other customers each waiting check is linked to, names a link to a
-- customer a reviewer rejected as a reason, and puts such checks first within their service-time
-- band. Both are kept on the check: links (other customers sharing an identifier, crowds left out;
-- NULL until worked out, and again when a new report or a decision may change it) and
-- linked_rejected. The queue's index leads with the flag after the result, so each result's part is
-- read as two ranges, flagged first.

-- +goose Up
ALTER TABLE hive_checks ADD COLUMN links INTEGER;
ALTER TABLE hive_checks ADD COLUMN linked_rejected BOOLEAN NOT NULL DEFAULT FALSE;
DROP INDEX IF EXISTS hive_checks_queue;
DELETE FROM sync_deferred WHERE statement LIKE '%hive\_checks\_queue%' ESCAPE '\';
CREATE INDEX hive_checks_queue ON hive_checks (result_rank, linked_rejected, updated_at, ord)
WHERE deleted_at IS NULL AND status = 'complete' AND NOT reviewed;
-- The waiting checks whose links are still to work out, for the sync's worker.
CREATE INDEX hive_checks_unlinked ON hive_checks (updated_at)
WHERE links IS NULL AND deleted_at IS NULL AND status = 'complete' AND NOT reviewed;

-- +goose Down
DROP INDEX IF EXISTS hive_checks_unlinked;
DROP INDEX IF EXISTS hive_checks_queue;
DELETE FROM sync_deferred WHERE statement LIKE '%hive\_checks\_queue%' ESCAPE '\' OR statement LIKE '%hive\_checks\_unlinked%' ESCAPE '\';
CREATE INDEX hive_checks_queue ON hive_checks (result_rank, updated_at, ord)
WHERE deleted_at IS NULL AND status = 'complete' AND NOT reviewed;
ALTER TABLE hive_checks DROP COLUMN linked_rejected;
ALTER TABLE hive_checks DROP COLUMN links;

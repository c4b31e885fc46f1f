-- The review queue is read in the order of time left: within one result the check due first is the
-- one that completed first (a check's last update is its completion), so the queue's index orders each
-- result's waiting checks by completion, and the console merges the results.

-- +goose Up
-- A first load killed midway leaves the old index dropped and its statement waiting in sync_deferred:
-- the new one replaces both.
DROP INDEX IF EXISTS hive_checks_queue;
DELETE FROM sync_deferred WHERE statement LIKE '%hive\_checks\_queue%' ESCAPE '\';
CREATE INDEX hive_checks_queue ON hive_checks (result_rank, updated_at, ord)
WHERE deleted_at IS NULL AND status = 'complete' AND NOT reviewed;

-- +goose Down
DROP INDEX IF EXISTS hive_checks_queue;
DELETE FROM sync_deferred WHERE statement LIKE '%hive\_checks\_queue%' ESCAPE '\';
CREATE INDEX hive_checks_queue ON hive_checks (result_rank DESC, created_at, ord)
WHERE deleted_at IS NULL AND status = 'complete' AND NOT reviewed;

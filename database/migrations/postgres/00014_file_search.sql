-- The files list finds a file by the start of its id or of its check's id: PostgreSQL answers those
-- prefix ranges (~>=~, ~<~) from indexes in the pattern operator class only. SQLite's indexes on
-- these columns answer them already (see migrations/sqlite/00014_file_search.sql).

-- +goose Up
CREATE INDEX hive_files_id_prefix ON hive_files (id text_pattern_ops);
CREATE INDEX hive_files_check_prefix ON hive_files (check_id text_pattern_ops);

-- +goose Down
DROP INDEX IF EXISTS hive_files_check_prefix;
DROP INDEX IF EXISTS hive_files_id_prefix;
DELETE FROM sync_deferred WHERE statement LIKE '%hive\_files\_%\_prefix%' ESCAPE '\';

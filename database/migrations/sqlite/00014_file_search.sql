-- The files list finds a file by the start of its id or of its check's id. SQLite answers those
-- prefix ranges (>=, <) from the primary key and hive_files_check already; PostgreSQL needs indexes
-- in its pattern operator class (migrations/postgres/00014_file_search.sql). This version keeps the
-- two databases' migrations numbered alike.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;

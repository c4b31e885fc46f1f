-- Session devices; the PostgreSQL translation of migrations/sqlite/00019_session_devices.sql.

-- +goose Up
ALTER TABLE web_sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE web_sessions ADD COLUMN client_ip TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE web_sessions DROP COLUMN client_ip;
ALTER TABLE web_sessions DROP COLUMN user_agent;

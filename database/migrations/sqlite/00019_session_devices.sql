-- Staff see their own web sessions on the Security page (the browser, the address, when it started and
-- was last used) and end any of them: each session keeps the browser's User-Agent, cut to 300
-- characters, and the client address it signed in from. Sessions from before keep '' for both.

-- +goose Up
ALTER TABLE web_sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE web_sessions ADD COLUMN client_ip TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE web_sessions DROP COLUMN client_ip;
ALTER TABLE web_sessions DROP COLUMN user_agent;

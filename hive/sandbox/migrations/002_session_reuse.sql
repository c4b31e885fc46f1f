-- +goose Up
-- What a completed session's evidence takes from another customer's instead of making it up: the
-- document and the face on it, the devices (JSON; NULL when nothing). It holds a copy, not a
-- reference, so deleting the other customer later changes nothing in this session's check.
ALTER TABLE sessions ADD COLUMN reuse TEXT;

-- +goose Down
ALTER TABLE sessions DROP COLUMN reuse;

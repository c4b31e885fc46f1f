-- Notes; the PostgreSQL translation of migrations/sqlite/00012_notes.sql. A thread on every check and
-- every customer, apart from decisions; never changed or deleted (TRUNCATE included), a correction is
-- a new note. A note that names a colleague (@ and their email) puts it in their inbox.

-- +goose Up
CREATE TABLE notes (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_type  TEXT NOT NULL CHECK (target_type IN ('check', 'customer')),
    target_id    TEXT NOT NULL CHECK (length(target_id) BETWEEN 1 AND 100),
    body         TEXT NOT NULL CHECK (body = trim(body) AND length(body) BETWEEN 1 AND 2000),
    author_id    TEXT NOT NULL REFERENCES users (id),
    author_email TEXT NOT NULL CHECK (length(author_email) BETWEEN 3 AND 254),
    author_role  TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX notes_target ON notes (target_type, target_id, created_at, id);

-- +goose StatementBegin
CREATE FUNCTION notes_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'notes are immutable' USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER notes_no_update BEFORE UPDATE ON notes FOR EACH ROW EXECUTE FUNCTION notes_immutable();
CREATE TRIGGER notes_no_delete BEFORE DELETE ON notes FOR EACH ROW EXECUTE FUNCTION notes_immutable();
CREATE TRIGGER notes_no_truncate BEFORE TRUNCATE ON notes FOR EACH STATEMENT EXECUTE FUNCTION notes_immutable();

CREATE TABLE note_mentions (
    note_id BIGINT NOT NULL REFERENCES notes (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    read_at BIGINT,
    PRIMARY KEY (user_id, note_id)
);
CREATE INDEX note_mentions_unread ON note_mentions (user_id) WHERE read_at IS NULL;

-- +goose Down
DROP TABLE note_mentions;
DROP TABLE notes;
DROP FUNCTION notes_immutable();

-- Notes: a thread on every check and every customer, apart from decisions ("called the customer, asked
-- for a new photo"). Notes are never changed or deleted: a correction is a new note, which the
-- triggers below enforce. A note that names a colleague (@ and their email) puts it in their inbox:
-- one mention row each, marked read when they open the inbox.

-- +goose Up
CREATE TABLE notes (
    id           INTEGER PRIMARY KEY,
    target_type  TEXT NOT NULL CHECK (target_type IN ('check', 'customer')),
    target_id    TEXT NOT NULL CHECK (length(target_id) BETWEEN 1 AND 100),
    body         TEXT NOT NULL CHECK (body = trim(body) AND length(body) BETWEEN 1 AND 2000),
    -- Users are disabled, never deleted; the email and role are kept as they were then.
    author_id    TEXT NOT NULL REFERENCES users (id),
    author_email TEXT NOT NULL CHECK (length(author_email) BETWEEN 3 AND 254),
    author_role  TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX notes_target ON notes (target_type, target_id, created_at, id);

-- +goose StatementBegin
CREATE TRIGGER notes_no_update BEFORE UPDATE ON notes
BEGIN
    SELECT RAISE(ABORT, 'notes are immutable');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER notes_no_delete BEFORE DELETE ON notes
BEGIN
    SELECT RAISE(ABORT, 'notes are immutable');
END;
-- +goose StatementEnd

CREATE TABLE note_mentions (
    note_id BIGINT NOT NULL REFERENCES notes (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    read_at BIGINT, -- NULL while unread
    PRIMARY KEY (user_id, note_id)
);
CREATE INDEX note_mentions_unread ON note_mentions (user_id) WHERE read_at IS NULL;

-- +goose Down
DROP TABLE note_mentions;
DROP TABLE notes;

-- The audit trail: one row per event, each sealed by a SHA-256 hash chain (see package audit for the
-- canonical encoding). Append-only: triggers refuse UPDATE and DELETE, and an INSERT that is not the next
-- seq (which also stops INSERT OR REPLACE, whose implicit delete fires no trigger); a change needs a
-- deliberate DROP TRIGGER first, and then the trail's verification finds it.
-- There is no foreign key to users: the trail must outlive any account, and a cascade would erase history.
-- Kept to SQL that PostgreSQL also accepts, apart from the triggers (a plpgsql function there), and the
-- text columns compared by range (action) should be COLLATE "C" there so byte order decides.

-- +goose Up
CREATE TABLE audit_events (
    seq          INTEGER PRIMARY KEY CHECK (seq > 0), -- 1, 2, 3 … in write order (BIGINT in PostgreSQL)
    at_ns        BIGINT NOT NULL,                      -- Unix nanoseconds, UTC
    actor_id     TEXT NOT NULL,                        -- '' when anonymous (a failed sign-in)
    actor_email  TEXT NOT NULL,
    role         TEXT NOT NULL,
    action       TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
    target_type  TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    client_ip    TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    details      TEXT NOT NULL,                        -- the exact JSON text the hash covers; '' for none
    hash_version INTEGER NOT NULL,                     -- which canonical encoding the hash covers
    prev_hash    TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash         TEXT NOT NULL CHECK (length(hash) = 64)
);
CREATE INDEX audit_events_at ON audit_events (at_ns);
CREATE INDEX audit_events_actor ON audit_events (actor_id);
CREATE INDEX audit_events_action ON audit_events (action);
CREATE INDEX audit_events_target ON audit_events (target_type, target_id);

-- +goose StatementBegin
CREATE TRIGGER audit_events_next_seq BEFORE INSERT ON audit_events
WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_events)
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only: a new row takes the next seq');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_events_no_delete;
DROP TRIGGER audit_events_no_update;
DROP TRIGGER audit_events_next_seq;
DROP TABLE audit_events;

-- A change is recorded in two rows: "attempted" before the console asks Hive (or changes its own
-- data), and its outcome, "success" or "failure", after. The outcome check gains the first.
-- SQLite cannot change a CHECK constraint in place, so the table is made again: its triggers are
-- dropped, every row is copied as it is (a row's hash covers its content, which does not change, so
-- the chain verifies as before), and the indexes and append-only triggers are made again. It all runs
-- in the migration's one transaction, holding the database's write lock.

-- +goose Up
DROP TRIGGER audit_events_no_delete;
DROP TRIGGER audit_events_no_update;
DROP TRIGGER audit_events_next_seq;
CREATE TABLE audit_events_next (
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
    outcome      TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied', 'attempted')),
    details      TEXT NOT NULL,                        -- the exact JSON text the hash covers; '' for none
    hash_version INTEGER NOT NULL,                     -- which canonical encoding the hash covers
    prev_hash    TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash         TEXT NOT NULL CHECK (length(hash) = 64)
);
INSERT INTO audit_events_next (seq, at_ns, actor_id, actor_email, role, action, target_type, target_id, client_ip, request_id, outcome, details, hash_version, prev_hash, hash)
    SELECT seq, at_ns, actor_id, actor_email, role, action, target_type, target_id, client_ip, request_id, outcome, details, hash_version, prev_hash, hash FROM audit_events ORDER BY seq;
DROP TABLE audit_events;
ALTER TABLE audit_events_next RENAME TO audit_events;
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
-- Fails, by the outcome check, once the trail holds an "attempted" row: the trail is not rewritten.
DROP TRIGGER audit_events_no_delete;
DROP TRIGGER audit_events_no_update;
DROP TRIGGER audit_events_next_seq;
CREATE TABLE audit_events_next (
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
INSERT INTO audit_events_next (seq, at_ns, actor_id, actor_email, role, action, target_type, target_id, client_ip, request_id, outcome, details, hash_version, prev_hash, hash)
    SELECT seq, at_ns, actor_id, actor_email, role, action, target_type, target_id, client_ip, request_id, outcome, details, hash_version, prev_hash, hash FROM audit_events ORDER BY seq;
DROP TABLE audit_events;
ALTER TABLE audit_events_next RENAME TO audit_events;
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


-- The audit trail; the PostgreSQL translation of migrations/sqlite/00002_audit.sql (see there and
-- package audit). Append-only: triggers refuse UPDATE, DELETE and TRUNCATE (which fires no row
-- trigger), and an INSERT that is not the next seq (which also stops INSERT … ON CONFLICT DO UPDATE);
-- a change needs a deliberate DROP TRIGGER first, and then the trail's verification finds it.
-- There is no foreign key to users: the trail must outlive any account, and a cascade would erase history.
-- action is COLLATE "C" because the action filter compares it by range, which must follow bytes.

-- +goose Up
CREATE TABLE audit_events (
    seq          BIGINT PRIMARY KEY CHECK (seq > 0),  -- 1, 2, 3 … in write order
    at_ns        BIGINT NOT NULL,                     -- Unix nanoseconds, UTC
    actor_id     TEXT NOT NULL,                       -- '' when anonymous (a failed sign-in)
    actor_email  TEXT NOT NULL,
    role         TEXT NOT NULL,
    action       TEXT COLLATE "C" NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
    target_type  TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    client_ip    TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    details      TEXT NOT NULL,                       -- the exact JSON text the hash covers; '' for none
    hash_version INTEGER NOT NULL,                    -- which canonical encoding the hash covers
    prev_hash    TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash         TEXT NOT NULL CHECK (length(hash) = 64)
);
CREATE INDEX audit_events_at ON audit_events (at_ns);
CREATE INDEX audit_events_actor ON audit_events (actor_id);
CREATE INDEX audit_events_action ON audit_events (action);
CREATE INDEX audit_events_target ON audit_events (target_type, target_id);

-- +goose StatementBegin
CREATE FUNCTION audit_events_next_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq IS DISTINCT FROM (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_events) THEN
        RAISE EXCEPTION 'the audit trail is append-only: a new row takes the next seq'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_events_next_seq BEFORE INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_next_seq();
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- +goose Down
DROP TABLE audit_events; -- its triggers go with it
DROP FUNCTION audit_events_append_only();
DROP FUNCTION audit_events_next_seq();

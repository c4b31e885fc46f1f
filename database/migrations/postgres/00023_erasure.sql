-- Retention's erasure of notes and review notes; the PostgreSQL translation of
-- migrations/sqlite/00023_erasure.sql, which says what it allows: the text replaced by its SHA-256
-- once, with erased_at, every other column kept. Times are Unix seconds.

-- +goose Up
ALTER TABLE notes ADD COLUMN erased_at BIGINT;
ALTER TABLE reviews ADD COLUMN erased_at BIGINT;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION notes_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
        AND NEW.body ~ '^sha256:[0-9a-f]{64}$'
        AND (NEW.id, NEW.target_type, NEW.target_id, NEW.author_id, NEW.author_email, NEW.author_role, NEW.created_at)
            IS NOT DISTINCT FROM (OLD.id, OLD.target_type, OLD.target_id, OLD.author_id, OLD.author_email, OLD.author_role, OLD.created_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'notes are immutable' USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION reviews_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
        AND NEW.note ~ '^sha256:[0-9a-f]{64}$'
        AND (NEW.id, NEW.check_id, NEW.customer_id, NEW.decision, NEW.reason, NEW.session_id, NEW.reviewer_id,
             NEW.reviewer_email, NEW.created_at, NEW.stage)
            IS NOT DISTINCT FROM (OLD.id, OLD.check_id, OLD.customer_id, OLD.decision, OLD.reason, OLD.session_id, OLD.reviewer_id,
             OLD.reviewer_email, OLD.created_at, OLD.stage) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'review decisions are immutable' USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION reviews_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'review decisions are immutable' USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION notes_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'notes are immutable' USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
-- +goose StatementEnd
ALTER TABLE reviews DROP COLUMN erased_at;
ALTER TABLE notes DROP COLUMN erased_at;

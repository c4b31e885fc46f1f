-- Who works on a check: a reviewer takes one from the review queue (a claim) or an admin gives it to
-- someone (an assignment), so two people do not work the same case. One row per held check; a
-- decision, a release or a new holder replaces or removes it. A claim lapses when its holder has not
-- touched the check for the configured time (active_at tells when they last did); an assignment
-- holds until it is released or the check decided. Times are Unix seconds. The trail keeps the
-- history: this table is only the present.

-- +goose Up
CREATE TABLE check_claims (
    check_id    TEXT PRIMARY KEY CHECK (length(check_id) BETWEEN 1 AND 100),
    -- Users are disabled, never deleted, so the reference holds; the email is kept as it was then.
    user_id     TEXT NOT NULL REFERENCES users (id),
    user_email  TEXT NOT NULL CHECK (length(user_email) BETWEEN 3 AND 254),
    assigned_by TEXT CHECK (length(assigned_by) BETWEEN 3 AND 254), -- the admin's email; NULL for a claim
    claimed_at  BIGINT NOT NULL,
    active_at   BIGINT NOT NULL
);
CREATE INDEX check_claims_user ON check_claims (user_email, check_id);

-- +goose Down
DROP TABLE check_claims;

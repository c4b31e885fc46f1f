-- Webhooks: the endpoints decisions are sent to, the outbox of events (written in the transaction
-- that records what they announce), one delivery per event and endpoint, and each attempt's answer.
-- Times are Unix seconds, apart from next_at and lease_until (Unix milliseconds). Kept to SQL that
-- PostgreSQL also accepts.

-- +goose Up
-- An endpoint's signing secret is sealed (AES-GCM) under a key derived from HIVECONSOLE_MFA_KEY.
-- While a rotation's grace period runs, old_secret signs too, until old_until.
CREATE TABLE webhook_endpoints (
    id          TEXT PRIMARY KEY,
    url         TEXT NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
    events      TEXT NOT NULL, -- comma-separated event types
    enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    secret      BLOB NOT NULL,
    old_secret  BLOB,
    old_until   BIGINT,
    source      TEXT NOT NULL CHECK (source IN ('page', 'config')),
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- The outbox: one row per event, its body as sent. The id is the receiver's idempotency key.
CREATE TABLE webhook_events (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX webhook_events_created ON webhook_events (created_at);

-- One delivery per event and endpoint, even with several replicas sending: a replica claims a due
-- delivery by setting holder and lease_until in one statement.
CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY, -- the rowid: assigned on insert
    event_id     TEXT NOT NULL REFERENCES webhook_events (id),
    endpoint_id  TEXT NOT NULL REFERENCES webhook_endpoints (id),
    state        TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      BIGINT NOT NULL,
    holder       TEXT,
    lease_until  BIGINT,
    delivered_at BIGINT,
    UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);

CREATE TABLE webhook_attempts (
    id           INTEGER PRIMARY KEY,
    delivery_id  BIGINT NOT NULL REFERENCES webhook_deliveries (id),
    at           BIGINT NOT NULL,
    status       INTEGER, -- the HTTP status; NULL when no answer came
    duration_ms  INTEGER NOT NULL,
    error        TEXT,    -- why no answer came
    response     TEXT     -- the answer's first bytes
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- The pseudonym events name a reviewer by: random, one per staff account, the same on every replica.
CREATE TABLE staff_pseudonyms (
    user_id    TEXT PRIMARY KEY,
    pseudonym  TEXT NOT NULL UNIQUE
);

-- +goose Down
DROP TABLE staff_pseudonyms;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_events;
DROP TABLE webhook_endpoints;

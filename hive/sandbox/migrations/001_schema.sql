-- +goose Up
-- A customer is kept as the JSON the API serves: lists of 100,000 customers are then a scan and a
-- concatenation, not 100,000 encodings.
CREATE TABLE customers (
    id         TEXT PRIMARY KEY,
    seq        INTEGER NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX customers_newest ON customers (created_at DESC, seq DESC);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    seq          INTEGER NOT NULL UNIQUE,
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    status       TEXT NOT NULL CHECK (status IN ('created', 'completed')),
    scenario     TEXT,             -- set when completed
    person       TEXT,             -- the customer as the SDK saw it at completion (JSON)
    submitted_at INTEGER,          -- when the SDK finished uploading
    expires_at   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    check_id     TEXT REFERENCES checks (id) ON DELETE SET NULL
);
CREATE INDEX sessions_newest ON sessions (created_at DESC, seq DESC);
CREATE INDEX sessions_customer ON sessions (customer_id);

CREATE TABLE checks (
    id          TEXT PRIMARY KEY,
    seq         INTEGER NOT NULL UNIQUE,
    session_id  TEXT NOT NULL UNIQUE REFERENCES sessions (id) ON DELETE CASCADE,
    status      TEXT NOT NULL CHECK (status IN ('processing', 'complete')),
    decision    TEXT,
    report_id   TEXT,
    complete_at INTEGER NOT NULL,  -- when processing ends
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX checks_newest ON checks (created_at DESC, seq DESC);
CREATE INDEX checks_due ON checks (complete_at) WHERE status = 'processing';

CREATE TABLE reports (
    id       TEXT PRIMARY KEY,
    check_id TEXT NOT NULL UNIQUE REFERENCES checks (id) ON DELETE CASCADE,
    body     TEXT NOT NULL         -- the report's JSON, as served
);

CREATE TABLE files (
    id         TEXT PRIMARY KEY,
    seq        INTEGER NOT NULL UNIQUE,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    check_id   TEXT REFERENCES checks (id) ON DELETE SET NULL,
    type       TEXT NOT NULL,
    metadata   TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
);
CREATE INDEX files_newest ON files (created_at DESC, seq DESC);
CREATE INDEX files_session ON files (session_id);

CREATE TABLE access_tokens (
    hash       BLOB PRIMARY KEY,   -- SHA-256 of the token: a stolen database file holds no token
    expires_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE access_tokens;
DROP TABLE files;
DROP TABLE reports;
DROP TABLE checks;
DROP TABLE sessions;
DROP TABLE customers;

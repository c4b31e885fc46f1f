-- The read model: the console's own copy of Hive's customers, SDK sessions, checks and files, and a
-- summary of each completed check's report. Hive's list endpoints take no paging, filter or change
-- feed, so lists, search and queues read these tables, which a background sync keeps in step with Hive
-- and which every change the console makes updates at once.
--
-- Every copied row carries the sync pass that last saw it ("pass"); a complete pass that did not see
-- a row marks it deleted in Hive ("deleted_at") and keeps it, so links and audit rows still resolve.
-- "changed" is the pass (or write) that last changed the row, so derived columns are recomputed only
-- for what changed. Times are Unix seconds.

-- +goose Up
CREATE TABLE hive_customers (
    -- INTEGER PRIMARY KEY is the rowid, which the search index below refers to.
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    email          TEXT NOT NULL,
    phone          TEXT,
    first_name     TEXT,
    middle_name    TEXT,
    last_name      TEXT,
    gender         TEXT,
    dob            TEXT,
    metadata       TEXT,            -- JSON object, NULL when Hive sent null
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    full_name      TEXT NOT NULL,   -- first, middle and last joined
    name_key       TEXT NOT NULL,   -- full_name folded, for sorting by name
    -- What a search looks in, folded (lower case, no accents): names and id for every role; email
    -- and phone digits only for roles that see contact data in clear.
    search_names   TEXT NOT NULL,
    search_contact TEXT NOT NULL,
    checks         INTEGER NOT NULL DEFAULT 0, -- the customer's checks not deleted
    latest_result  TEXT,            -- the latest check's result; NULL without checks
    pass           BIGINT NOT NULL,
    ord            BIGINT NOT NULL, -- Hive's list order within one second of created_at: larger is newer
    digest         TEXT NOT NULL,   -- a hash of the object as Hive sent it: a pass rewrites only what changed
    deleted_at     BIGINT
);
CREATE INDEX hive_customers_created ON hive_customers (created_at, ord) WHERE deleted_at IS NULL;
CREATE INDEX hive_customers_name ON hive_customers (name_key, id) WHERE deleted_at IS NULL;
CREATE INDEX hive_customers_email ON hive_customers (email, id) WHERE deleted_at IS NULL;
CREATE INDEX hive_customers_result ON hive_customers (latest_result, created_at, ord) WHERE deleted_at IS NULL;

-- Substring search: an FTS5 index with the trigram tokenizer over the two search columns, kept in
-- step by triggers (an external-content index stores no copy of the text).
CREATE VIRTUAL TABLE hive_customers_search USING fts5 (
    search_names, search_contact, content = 'hive_customers', content_rowid = 'seq', tokenize = 'trigram'
);
-- +goose StatementBegin
CREATE TRIGGER hive_customers_search_insert AFTER INSERT ON hive_customers BEGIN
    INSERT INTO hive_customers_search (rowid, search_names, search_contact)
    VALUES (new.seq, new.search_names, new.search_contact);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hive_customers_search_delete AFTER DELETE ON hive_customers BEGIN
    INSERT INTO hive_customers_search (hive_customers_search, rowid, search_names, search_contact)
    VALUES ('delete', old.seq, old.search_names, old.search_contact);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hive_customers_search_update AFTER UPDATE OF search_names, search_contact ON hive_customers
WHEN old.search_names IS NOT new.search_names OR old.search_contact IS NOT new.search_contact BEGIN
    INSERT INTO hive_customers_search (hive_customers_search, rowid, search_names, search_contact)
    VALUES ('delete', old.seq, old.search_names, old.search_contact);
    INSERT INTO hive_customers_search (rowid, search_names, search_contact)
    VALUES (new.seq, new.search_names, new.search_contact);
END;
-- +goose StatementEnd

CREATE TABLE hive_sessions (
    id             TEXT PRIMARY KEY,
    customer_id    TEXT NOT NULL,
    full_name      TEXT NOT NULL,
    email          TEXT NOT NULL,
    application_id TEXT NOT NULL,
    workspace_id   TEXT NOT NULL,
    status         TEXT NOT NULL,
    expires_at     BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    check_id       TEXT,
    pass           BIGINT NOT NULL,
    ord            BIGINT NOT NULL, -- Hive's list order within one second of created_at: larger is newer
    digest         TEXT NOT NULL,   -- a hash of the object as Hive sent it: a pass rewrites only what changed
    deleted_at     BIGINT
);
CREATE INDEX hive_sessions_created ON hive_sessions (created_at, ord) WHERE deleted_at IS NULL;
CREATE INDEX hive_sessions_customer ON hive_sessions (customer_id, created_at);

CREATE TABLE hive_checks (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL,
    customer_id TEXT,               -- from the session; NULL until the session is known
    status      TEXT NOT NULL,
    decision    TEXT,
    report_id   TEXT,
    -- what the lists show: processing, or the result Hive's decision stands for
    result      TEXT NOT NULL,
    -- the report's overall result, once its summary is stored
    report_result TEXT,
    -- how the lists order results: processing, clear, caution, unknown (complete, no summary yet), consider
    result_rank INTEGER GENERATED ALWAYS AS (CASE
        WHEN status = 'processing' THEN -1
        WHEN report_result = 'clear' THEN 0
        WHEN report_result = 'caution' THEN 1
        WHEN report_result = 'consider' THEN 3
        ELSE 2 END) STORED,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    pass        BIGINT NOT NULL,
    changed     BIGINT NOT NULL,
    ord         BIGINT NOT NULL,
    digest      TEXT NOT NULL,
    deleted_at  BIGINT
);
CREATE INDEX hive_checks_created ON hive_checks (created_at, ord) WHERE deleted_at IS NULL;
CREATE INDEX hive_checks_result ON hive_checks (result, created_at, ord) WHERE deleted_at IS NULL;
CREATE INDEX hive_checks_report_result ON hive_checks (report_result, created_at, ord) WHERE deleted_at IS NULL;
CREATE INDEX hive_checks_rank ON hive_checks (result_rank, created_at, ord) WHERE deleted_at IS NULL;
CREATE INDEX hive_checks_customer ON hive_checks (customer_id, created_at, ord);
CREATE INDEX hive_checks_session ON hive_checks (session_id);
CREATE INDEX hive_checks_changed ON hive_checks (changed);
-- Completed checks whose report summary is still to fetch.
CREATE INDEX hive_checks_unsummarised ON hive_checks (created_at) WHERE status = 'complete' AND report_result IS NULL AND deleted_at IS NULL;

CREATE TABLE hive_files (
    id         TEXT PRIMARY KEY,
    type       TEXT NOT NULL,
    metadata   TEXT,
    url        TEXT NOT NULL,
    check_id   TEXT,
    created_at BIGINT NOT NULL,
    pass       BIGINT NOT NULL,
    ord        BIGINT NOT NULL,
    digest     TEXT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX hive_files_created ON hive_files (created_at, ord) WHERE deleted_at IS NULL;
CREATE INDEX hive_files_type ON hive_files (type, created_at, ord) WHERE deleted_at IS NULL;
CREATE INDEX hive_files_check ON hive_files (check_id, created_at);

-- One row per completed check's report: a completed report never changes, so it is fetched once.
CREATE TABLE hive_reports (
    check_id        TEXT PRIMARY KEY,
    report_id       TEXT NOT NULL,
    result          TEXT NOT NULL,
    decision        TEXT,
    document_status TEXT,
    facial_status   TEXT,
    customer_status TEXT,
    breakdowns      TEXT NOT NULL,  -- JSON: every breakdown's and sub-check's path and status
    concerns        TEXT NOT NULL,  -- JSON: the sub-checks that are not clear, with the values involved
    doc_type        TEXT,
    doc_country     TEXT,
    doc_number      TEXT,
    doc_expiry      TEXT,
    personal_number TEXT,
    surname         TEXT,
    given_names     TEXT,
    date_of_birth   TEXT,
    nationality     TEXT,
    mrz_hash        TEXT,           -- SHA-256 of the MRZ lines, to find one document used twice
    face_similarity REAL,
    face_live       BOOLEAN,
    liveness        REAL,
    device_hashes   TEXT NOT NULL,  -- JSON array
    ip_addresses    TEXT NOT NULL,  -- JSON array
    processed_at    BIGINT,
    fetched_at      BIGINT NOT NULL
);
CREATE INDEX hive_reports_doc_number ON hive_reports (doc_number);
CREATE INDEX hive_reports_mrz ON hive_reports (mrz_hash);

-- How each kind's sync stands: the pass in progress, the last complete one, and the last failure.
CREATE TABLE sync_state (
    kind            TEXT PRIMARY KEY CHECK (kind IN ('customers', 'sessions', 'checks', 'files', 'reports')),
    pass            BIGINT NOT NULL DEFAULT 0,
    pass_started_at BIGINT,
    pass_rows       BIGINT NOT NULL DEFAULT 0,
    complete_pass   BIGINT NOT NULL DEFAULT 0,
    completed_at    BIGINT,
    duration_ms     BIGINT,
    rows            BIGINT NOT NULL DEFAULT 0,
    error           TEXT,
    error_at        BIGINT,
    failures        INTEGER NOT NULL DEFAULT 0
);
INSERT INTO sync_state (kind) VALUES ('customers'), ('sessions'), ('checks'), ('files'), ('reports');

-- Which replica syncs: the holder renews its lease well before it expires; another takes over once
-- it has expired.
CREATE TABLE sync_lease (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE sync_lease;
DROP TABLE sync_state;
DROP TABLE hive_reports;
DROP TABLE hive_files;
DROP TABLE hive_checks;
DROP TABLE hive_sessions;
DROP TRIGGER hive_customers_search_update;
DROP TRIGGER hive_customers_search_delete;
DROP TRIGGER hive_customers_search_insert;
DROP TABLE hive_customers_search;
DROP TABLE hive_customers;

-- The read model; the PostgreSQL translation of migrations/sqlite/00006_read_model.sql, which says
-- what each table and column holds. Search uses trigram GIN indexes (pg_trgm) on the two search
-- columns instead of SQLite's FTS5 table, and serves LIKE '%…%' from them.

-- +goose Up
CREATE TABLE hive_customers (
    id             TEXT PRIMARY KEY,
    email          TEXT COLLATE "C" NOT NULL,
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
    name_key       TEXT COLLATE "C" NOT NULL,   -- full_name folded, for sorting by name (COLLATE "C": byte order, as in SQLite)
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

-- Substring search: pg_trgm's GIN indexes serve LIKE '%…%' on the folded search columns. The
-- extension is trusted (a database owner may create it); its operator class is named through the
-- schema it lives in, which is found at run time, since it may already be installed elsewhere.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
-- +goose StatementBegin
DO $$
DECLARE trgm text;
BEGIN
    SELECT n.nspname INTO trgm FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    EXECUTE format('CREATE INDEX hive_customers_search_names ON hive_customers USING gin (search_names %I.gin_trgm_ops) WHERE deleted_at IS NULL', trgm);
    EXECUTE format('CREATE INDEX hive_customers_search_contact ON hive_customers USING gin (search_contact %I.gin_trgm_ops) WHERE deleted_at IS NULL', trgm);
END
$$;
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
    face_similarity DOUBLE PRECISION,
    face_live       BOOLEAN,
    liveness        DOUBLE PRECISION,
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
DROP TABLE hive_customers;

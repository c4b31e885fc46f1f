-- Retention runs: what `hiveconsole retention apply` (or serve's schedule) set out to delete, and how
-- far it got, so that a run interrupted anywhere resumes where it stopped and two processes never
-- run at once. Also marks the console's copy of a customer erased, so that a sync pass that read
-- them from Hive just before the deletion cannot write their personal data back. Times are Unix
-- seconds, apart from expires_at (Unix milliseconds, as the sync lease's). Kept to SQL that
-- PostgreSQL also accepts.

-- +goose Up
-- One row per run. open is 1 until the run finishes, then NULL: the unique constraint allows one
-- unfinished run, even for two processes starting one at once. holder is the process working the
-- run, until expires_at; after that another process may take the run over and resume it.
CREATE TABLE retention_runs (
    id          INTEGER PRIMARY KEY, -- the rowid: assigned on insert
    policy      TEXT NOT NULL,
    started_by  TEXT NOT NULL,
    started_at  BIGINT NOT NULL, -- also the moment the rules' ages count back from
    planned     INTEGER NOT NULL,
    finished_at BIGINT,
    open        INTEGER CHECK (open = 1),
    holder      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    UNIQUE (open),
    CHECK ((open IS NULL) = (finished_at IS NOT NULL))
);

-- One row per customer a run set out to delete, with how far it got: planned, attempted (its audit
-- row is written and its deletion begun), deleted, held (a legal hold came first), changed (no
-- longer within the rules, e.g. a new check), failed (Hive refused; error says why).
CREATE TABLE retention_items (
    run_id      BIGINT NOT NULL REFERENCES retention_runs (id),
    customer_id TEXT NOT NULL,
    rule        TEXT NOT NULL CHECK (rule IN ('decided', 'incomplete')),
    state       TEXT NOT NULL CHECK (state IN ('planned', 'attempted', 'deleted', 'held', 'changed', 'failed')),
    error       TEXT,
    done_at     BIGINT,
    PRIMARY KEY (run_id, customer_id)
);
CREATE INDEX retention_items_state ON retention_items (run_id, state, customer_id);
CREATE INDEX retention_items_customer ON retention_items (customer_id, state);

ALTER TABLE hive_customers ADD COLUMN erased_at BIGINT;
ALTER TABLE hive_sessions ADD COLUMN erased_at BIGINT;
ALTER TABLE hive_checks ADD COLUMN erased_at BIGINT;
ALTER TABLE hive_files ADD COLUMN erased_at BIGINT;

-- +goose Down
ALTER TABLE hive_files DROP COLUMN erased_at;
ALTER TABLE hive_checks DROP COLUMN erased_at;
ALTER TABLE hive_sessions DROP COLUMN erased_at;
ALTER TABLE hive_customers DROP COLUMN erased_at;
DROP TABLE retention_items;
DROP TABLE retention_runs;

-- Retention runs and their customers, and the copy's erased marks; the PostgreSQL translation of
-- migrations/sqlite/00024_retention_runs.sql, which says what each holds. Times are Unix seconds,
-- apart from expires_at (Unix milliseconds).

-- +goose Up
CREATE TABLE retention_runs (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    policy      TEXT NOT NULL,
    started_by  TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    planned     INTEGER NOT NULL,
    finished_at BIGINT,
    open        INTEGER CHECK (open = 1),
    holder      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    UNIQUE (open),
    CHECK ((open IS NULL) = (finished_at IS NOT NULL))
);

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

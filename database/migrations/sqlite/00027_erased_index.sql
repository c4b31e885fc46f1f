-- The customers retention erased, found at the end of every sync pass to erase what a pass wrote of
-- theirs after the erasure (a session or check it had not seen before). Few rows: a partial index.

-- +goose Up
CREATE INDEX hive_customers_erased ON hive_customers (erased_at) WHERE erased_at IS NOT NULL;

-- +goose Down
DROP INDEX hive_customers_erased;

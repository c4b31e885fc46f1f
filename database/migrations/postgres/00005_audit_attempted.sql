-- A change is recorded in two rows: "attempted" before the console asks Hive (or changes its own
-- data), and its outcome, "success" or "failure", after. The outcome check gains the first.

-- +goose Up
ALTER TABLE audit_events DROP CONSTRAINT audit_events_outcome_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_outcome_check
    CHECK (outcome IN ('success', 'failure', 'denied', 'attempted'));

-- +goose Down
ALTER TABLE audit_events DROP CONSTRAINT audit_events_outcome_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_outcome_check
    CHECK (outcome IN ('success', 'failure', 'denied'));

-- The read model at a million customers: what the lists filter and count on gets an index that
-- answers it alone, and the customers' search text leaves the id out.
--
-- The id was most of the search index: a random id gives about thirty trigrams no other row shares,
-- so it tripled the index and the time to build it. An id is found by its start instead (what
-- people paste or type), through a pattern index on it.

-- +goose Up
UPDATE hive_customers SET search_names = split_part(search_names, E'\n', 1) WHERE position(E'\n' in search_names) > 0;
CREATE INDEX hive_customers_id_prefix ON hive_customers (id text_pattern_ops);
CREATE INDEX hive_checks_id_prefix ON hive_checks (id text_pattern_ops);

-- Customers with checks, newest first (and their count), without reading the ones without.
CREATE INDEX hive_customers_with_checks ON hive_customers (created_at, ord) WHERE deleted_at IS NULL AND checks > 0;

-- A check is reviewed once the console holds a decision on it; decisions are never deleted, so it
-- stays reviewed. The review queue is the completed checks not reviewed, most severe first, then
-- the oldest: one index holds it in that order.
ALTER TABLE hive_checks ADD COLUMN reviewed BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE hive_checks SET reviewed = TRUE WHERE id IN (SELECT check_id FROM reviews);
-- +goose StatementBegin
CREATE FUNCTION reviews_mark_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE hive_checks SET reviewed = TRUE WHERE id = NEW.check_id AND NOT reviewed;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER reviews_mark_check AFTER INSERT ON reviews FOR EACH ROW EXECUTE FUNCTION reviews_mark_check();
-- A check the copy first sees after it was decided on (restored in Hive, say).
-- +goose StatementBegin
CREATE FUNCTION hive_checks_reviewed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.reviewed := EXISTS (SELECT 1 FROM reviews WHERE check_id = NEW.id);
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER hive_checks_reviewed BEFORE INSERT ON hive_checks FOR EACH ROW EXECUTE FUNCTION hive_checks_reviewed();
CREATE INDEX hive_checks_queue ON hive_checks (result_rank DESC, created_at, ord)
WHERE deleted_at IS NULL AND status = 'complete' AND NOT reviewed;

-- Open sessions (created, not expired yet) are counted on every view of the sessions list.
CREATE INDEX hive_sessions_status ON hive_sessions (status, expires_at) WHERE deleted_at IS NULL;

-- How many live rows each kind has, per day of creation (created_at / 86400), kept by triggers:
-- every list shows its total on every view (the sum of a few hundred rows, where counting a million
-- would cost more than the page), and a page deep in a list finds the day it starts in and skips
-- only the rows of that day.
CREATE TABLE hive_tallies (
    kind TEXT NOT NULL CHECK (kind IN ('customers', 'sessions', 'checks', 'files')),
    day  BIGINT NOT NULL,
    live BIGINT NOT NULL,
    PRIMARY KEY (kind, day)
);
INSERT INTO hive_tallies (kind, day, live)
SELECT 'customers', created_at / 86400, count(*) FROM hive_customers WHERE deleted_at IS NULL GROUP BY created_at / 86400
UNION ALL SELECT 'sessions', created_at / 86400, count(*) FROM hive_sessions WHERE deleted_at IS NULL GROUP BY created_at / 86400
UNION ALL SELECT 'checks', created_at / 86400, count(*) FROM hive_checks WHERE deleted_at IS NULL GROUP BY created_at / 86400
UNION ALL SELECT 'files', created_at / 86400, count(*) FROM hive_files WHERE deleted_at IS NULL GROUP BY created_at / 86400;
-- One trigger per statement, not per row: updating a tally row once per row would leave a version
-- of it per row in the transaction, each found by walking the ones before it.
-- +goose StatementBegin
CREATE FUNCTION hive_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO hive_tallies (kind, day, live)
        SELECT TG_ARGV[0], created_at / 86400, count(*) FROM new_rows WHERE deleted_at IS NULL GROUP BY created_at / 86400
        ON CONFLICT (kind, day) DO UPDATE SET live = hive_tallies.live + excluded.live;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE hive_tallies t SET live = t.live - o.n
        FROM (SELECT created_at / 86400 AS day, count(*) AS n FROM old_rows WHERE deleted_at IS NULL GROUP BY created_at / 86400) o
        WHERE t.kind = TG_ARGV[0] AND t.day = o.day;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER hive_customers_tally_insert AFTER INSERT ON hive_customers REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hive_tally('customers');
CREATE TRIGGER hive_customers_tally_update AFTER UPDATE ON hive_customers REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hive_tally('customers');
CREATE TRIGGER hive_customers_tally_delete AFTER DELETE ON hive_customers REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hive_tally('customers');
CREATE TRIGGER hive_sessions_tally_insert AFTER INSERT ON hive_sessions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hive_tally('sessions');
CREATE TRIGGER hive_sessions_tally_update AFTER UPDATE ON hive_sessions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hive_tally('sessions');
CREATE TRIGGER hive_sessions_tally_delete AFTER DELETE ON hive_sessions REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hive_tally('sessions');
CREATE TRIGGER hive_checks_tally_insert AFTER INSERT ON hive_checks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hive_tally('checks');
CREATE TRIGGER hive_checks_tally_update AFTER UPDATE ON hive_checks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hive_tally('checks');
CREATE TRIGGER hive_checks_tally_delete AFTER DELETE ON hive_checks REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hive_tally('checks');
CREATE TRIGGER hive_files_tally_insert AFTER INSERT ON hive_files REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hive_tally('files');
CREATE TRIGGER hive_files_tally_update AFTER UPDATE ON hive_files REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hive_tally('files');
CREATE TRIGGER hive_files_tally_delete AFTER DELETE ON hive_files REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hive_tally('files');

-- The first pass into an empty table builds its indexes once at the end rather than row by row:
-- what it dropped, and the statements that build it again, in order, until the pass ends.
CREATE TABLE sync_deferred (
    kind      TEXT NOT NULL,
    step      INTEGER NOT NULL,
    statement TEXT NOT NULL,
    PRIMARY KEY (kind, step)
);

-- +goose Down
DROP TABLE sync_deferred;
DROP TRIGGER hive_customers_tally_delete ON hive_customers;
DROP TRIGGER hive_customers_tally_update ON hive_customers;
DROP TRIGGER hive_customers_tally_insert ON hive_customers;
DROP TRIGGER hive_sessions_tally_delete ON hive_sessions;
DROP TRIGGER hive_sessions_tally_update ON hive_sessions;
DROP TRIGGER hive_sessions_tally_insert ON hive_sessions;
DROP TRIGGER hive_checks_tally_delete ON hive_checks;
DROP TRIGGER hive_checks_tally_update ON hive_checks;
DROP TRIGGER hive_checks_tally_insert ON hive_checks;
DROP TRIGGER hive_files_tally_delete ON hive_files;
DROP TRIGGER hive_files_tally_update ON hive_files;
DROP TRIGGER hive_files_tally_insert ON hive_files;
DROP FUNCTION hive_tally();
DROP TABLE hive_tallies;
DROP INDEX hive_sessions_status;
DROP INDEX hive_checks_queue;
DROP TRIGGER hive_checks_reviewed ON hive_checks;
DROP FUNCTION hive_checks_reviewed();
DROP TRIGGER reviews_mark_check ON reviews;
DROP FUNCTION reviews_mark_check();
ALTER TABLE hive_checks DROP COLUMN reviewed;
DROP INDEX hive_customers_with_checks;
DROP INDEX hive_checks_id_prefix;
DROP INDEX hive_customers_id_prefix;
UPDATE hive_customers SET search_names = search_names || E'\n' || lower(id);

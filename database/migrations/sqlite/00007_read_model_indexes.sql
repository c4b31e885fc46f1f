-- The read model at a million customers: what the lists filter and count on gets an index that
-- answers it alone, and the customers' search index leaves the id out.
--
-- The id was most of the search index: a random id gives about thirty trigrams no other row shares,
-- so it tripled the index and the time to build it. An id is found by its start instead (what
-- people paste or type), through the unique index on it.

-- +goose Up
DROP TRIGGER hive_customers_search_update;
DROP TRIGGER hive_customers_search_delete;
DROP TRIGGER hive_customers_search_insert;
UPDATE hive_customers SET search_names = substr(search_names, 1, instr(search_names, char(10)) - 1)
WHERE instr(search_names, char(10)) > 0;
INSERT INTO hive_customers_search (hive_customers_search) VALUES ('rebuild');
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

-- Customers with checks, newest first (and their count), without reading the ones without.
CREATE INDEX hive_customers_with_checks ON hive_customers (created_at, ord) WHERE deleted_at IS NULL AND checks > 0;

-- A check is reviewed once the console holds a decision on it; decisions are never deleted, so it
-- stays reviewed. The review queue is the completed checks not reviewed, most severe first, then
-- the oldest: one index holds it in that order.
ALTER TABLE hive_checks ADD COLUMN reviewed BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE hive_checks SET reviewed = TRUE WHERE id IN (SELECT check_id FROM reviews);
-- +goose StatementBegin
CREATE TRIGGER reviews_mark_check AFTER INSERT ON reviews BEGIN
    UPDATE hive_checks SET reviewed = TRUE WHERE id = new.check_id AND NOT reviewed;
END;
-- +goose StatementEnd
-- A check the copy first sees after it was decided on (restored in Hive, say).
-- +goose StatementBegin
CREATE TRIGGER hive_checks_reviewed AFTER INSERT ON hive_checks
WHEN EXISTS (SELECT 1 FROM reviews WHERE check_id = new.id) BEGIN
    UPDATE hive_checks SET reviewed = TRUE WHERE id = new.id;
END;
-- +goose StatementEnd
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
-- +goose StatementBegin
CREATE TRIGGER hive_customers_tally_insert AFTER INSERT ON hive_customers WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO hive_tallies (kind, day, live) VALUES ('customers', new.created_at / 86400, 1)
    ON CONFLICT (kind, day) DO UPDATE SET live = live + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hive_customers_tally_update AFTER UPDATE OF deleted_at, created_at ON hive_customers
WHEN (old.deleted_at IS NULL) <> (new.deleted_at IS NULL) OR old.created_at / 86400 <> new.created_at / 86400 BEGIN
    UPDATE hive_tallies SET live = live - 1 WHERE old.deleted_at IS NULL AND kind = 'customers' AND day = old.created_at / 86400;
    INSERT INTO hive_tallies (kind, day, live) SELECT 'customers', new.created_at / 86400, 1 WHERE new.deleted_at IS NULL
    ON CONFLICT (kind, day) DO UPDATE SET live = live + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hive_customers_tally_delete AFTER DELETE ON hive_customers WHEN old.deleted_at IS NULL BEGIN
    UPDATE hive_tallies SET live = live - 1 WHERE kind = 'customers' AND day = old.created_at / 86400;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hive_sessions_tally_insert AFTER INSERT ON hive_sessions WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO hive_tallies (kind, day, live) VALUES ('sessions', new.created_at / 86400, 1)
    ON CONFLICT (kind, day) DO UPDATE SET live = live + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hive_sessions_tally_update AFTER UPDATE OF deleted_at, created_at ON hive_sessions
WHEN (old.deleted_at IS NULL) <> (new.deleted_at IS NULL) OR old.created_at / 86400 <> new.created_at / 86400 BEGIN
    UPDATE hive_tallies SET live = live - 1 WHERE old.deleted_at IS NULL AND kind = 'sessions' AND day = old.created_at / 86400;
    INSERT INTO hive_tallies (kind, day, live) SELECT 'sessions', new.created_at / 86400, 1 WHERE new.deleted_at IS NULL
    ON CONFLICT (kind, day) DO UPDATE SET live = live + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hive_sessions_tally_delete AFTER DELETE ON hive_sessions WHEN old.deleted_at IS NULL BEGIN
    UPDATE hive_tallies SET live = live - 1 WHERE kind = 'sessions' AND day = old.created_at / 86400;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hive_checks_tally_insert AFTER INSERT ON hive_checks WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO hive_tallies (kind, day, live) VALUES ('checks', new.created_at / 86400, 1)
    ON CONFLICT (kind, day) DO UPDATE SET live = live + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hive_checks_tally_update AFTER UPDATE OF deleted_at, created_at ON hive_checks
WHEN (old.deleted_at IS NULL) <> (new.deleted_at IS NULL) OR old.created_at / 86400 <> new.created_at / 86400 BEGIN
    UPDATE hive_tallies SET live = live - 1 WHERE old.deleted_at IS NULL AND kind = 'checks' AND day = old.created_at / 86400;
    INSERT INTO hive_tallies (kind, day, live) SELECT 'checks', new.created_at / 86400, 1 WHERE new.deleted_at IS NULL
    ON CONFLICT (kind, day) DO UPDATE SET live = live + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hive_checks_tally_delete AFTER DELETE ON hive_checks WHEN old.deleted_at IS NULL BEGIN
    UPDATE hive_tallies SET live = live - 1 WHERE kind = 'checks' AND day = old.created_at / 86400;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hive_files_tally_insert AFTER INSERT ON hive_files WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO hive_tallies (kind, day, live) VALUES ('files', new.created_at / 86400, 1)
    ON CONFLICT (kind, day) DO UPDATE SET live = live + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hive_files_tally_update AFTER UPDATE OF deleted_at, created_at ON hive_files
WHEN (old.deleted_at IS NULL) <> (new.deleted_at IS NULL) OR old.created_at / 86400 <> new.created_at / 86400 BEGIN
    UPDATE hive_tallies SET live = live - 1 WHERE old.deleted_at IS NULL AND kind = 'files' AND day = old.created_at / 86400;
    INSERT INTO hive_tallies (kind, day, live) SELECT 'files', new.created_at / 86400, 1 WHERE new.deleted_at IS NULL
    ON CONFLICT (kind, day) DO UPDATE SET live = live + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hive_files_tally_delete AFTER DELETE ON hive_files WHEN old.deleted_at IS NULL BEGIN
    UPDATE hive_tallies SET live = live - 1 WHERE kind = 'files' AND day = old.created_at / 86400;
END;
-- +goose StatementEnd

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
DROP TRIGGER hive_customers_tally_delete;
DROP TRIGGER hive_customers_tally_update;
DROP TRIGGER hive_customers_tally_insert;
DROP TRIGGER hive_sessions_tally_delete;
DROP TRIGGER hive_sessions_tally_update;
DROP TRIGGER hive_sessions_tally_insert;
DROP TRIGGER hive_checks_tally_delete;
DROP TRIGGER hive_checks_tally_update;
DROP TRIGGER hive_checks_tally_insert;
DROP TRIGGER hive_files_tally_delete;
DROP TRIGGER hive_files_tally_update;
DROP TRIGGER hive_files_tally_insert;
DROP TABLE hive_tallies;
DROP INDEX hive_sessions_status;
DROP INDEX hive_checks_queue;
DROP TRIGGER hive_checks_reviewed;
DROP TRIGGER reviews_mark_check;
ALTER TABLE hive_checks DROP COLUMN reviewed;
DROP INDEX hive_customers_with_checks;
-- The id goes back into the search text; only the folded name is left in it, so the id is appended.
DROP TRIGGER hive_customers_search_update;
DROP TRIGGER hive_customers_search_delete;
DROP TRIGGER hive_customers_search_insert;
UPDATE hive_customers SET search_names = search_names || char(10) || lower(id);
INSERT INTO hive_customers_search (hive_customers_search) VALUES ('rebuild');
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

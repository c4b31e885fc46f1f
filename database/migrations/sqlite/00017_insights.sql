-- Insights: the team's figures over days, read from tallies rather than from every check, so a
-- 90-day page reads a few hundred rows whatever the number of checks.
--
-- insight_days counts, per UTC day of completion (a completed check's last update), the completed
-- checks by the result the lists show ('result') and their reports' uncleared sub-checks by path
-- ('concern'). Triggers keep it, like hive_tallies: a check counts while it is complete and not
-- deleted, under the day it completed; a report's concerns count under their check's day.
--
-- insight_decisions counts reviewers' decisions per UTC day, reviewer, Hive's decision on the check
-- when the reviewer decided ('' for none), the reviewer's decision and its stage; insight_waits holds,
-- per check, the time from its completion to its first final decision, under that decision's day and
-- reviewer. A trigger on reviews keeps both: decisions are immutable, so each counts once.
--
-- insight_queue keeps the review queue's size and overdue count once an hour, as the queue showed
-- them: the rule and the service times of that hour, the decisions of that hour. Any replica may
-- write; the hour is the key, so the first one wins.

-- +goose Up
CREATE TABLE insight_days (
    kind  TEXT NOT NULL CHECK (kind IN ('result', 'concern')),
    day   BIGINT NOT NULL,
    value TEXT NOT NULL,
    n     BIGINT NOT NULL,
    PRIMARY KEY (kind, day, value)
);
INSERT INTO insight_days (kind, day, value, n)
SELECT 'result', updated_at / 86400, result, count(*) FROM hive_checks
WHERE deleted_at IS NULL AND status = 'complete' GROUP BY updated_at / 86400, result;
INSERT INTO insight_days (kind, day, value, n)
SELECT 'concern', c.updated_at / 86400, k.path, count(*) FROM hive_concerns k JOIN hive_checks c ON c.id = k.check_id
WHERE c.deleted_at IS NULL AND c.status = 'complete' GROUP BY c.updated_at / 86400, k.path;

-- +goose StatementBegin
CREATE TRIGGER insight_checks_insert AFTER INSERT ON hive_checks
WHEN new.deleted_at IS NULL AND new.status = 'complete' BEGIN
    INSERT INTO insight_days (kind, day, value, n) VALUES ('result', new.updated_at / 86400, new.result, 1)
    ON CONFLICT (kind, day, value) DO UPDATE SET n = n + 1;
    INSERT INTO insight_days (kind, day, value, n)
    SELECT 'concern', new.updated_at / 86400, path, 1 FROM hive_concerns WHERE check_id = new.id
    ON CONFLICT (kind, day, value) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER insight_checks_update AFTER UPDATE OF status, result, updated_at, deleted_at ON hive_checks
WHEN (old.deleted_at IS NULL AND old.status = 'complete') <> (new.deleted_at IS NULL AND new.status = 'complete')
    OR (new.deleted_at IS NULL AND new.status = 'complete'
        AND (old.result <> new.result OR old.updated_at / 86400 <> new.updated_at / 86400)) BEGIN
    UPDATE insight_days SET n = n - 1 WHERE old.deleted_at IS NULL AND old.status = 'complete'
        AND kind = 'result' AND day = old.updated_at / 86400 AND value = old.result;
    UPDATE insight_days SET n = n - 1 WHERE old.deleted_at IS NULL AND old.status = 'complete'
        AND kind = 'concern' AND day = old.updated_at / 86400 AND value IN (SELECT path FROM hive_concerns WHERE check_id = old.id);
    INSERT INTO insight_days (kind, day, value, n)
    SELECT 'result', new.updated_at / 86400, new.result, 1 WHERE new.deleted_at IS NULL AND new.status = 'complete'
    ON CONFLICT (kind, day, value) DO UPDATE SET n = n + 1;
    INSERT INTO insight_days (kind, day, value, n)
    SELECT 'concern', new.updated_at / 86400, path, 1 FROM hive_concerns
    WHERE check_id = new.id AND new.deleted_at IS NULL AND new.status = 'complete'
    ON CONFLICT (kind, day, value) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER insight_checks_delete AFTER DELETE ON hive_checks
WHEN old.deleted_at IS NULL AND old.status = 'complete' BEGIN
    UPDATE insight_days SET n = n - 1 WHERE kind = 'result' AND day = old.updated_at / 86400 AND value = old.result;
    UPDATE insight_days SET n = n - 1 WHERE kind = 'concern' AND day = old.updated_at / 86400
        AND value IN (SELECT path FROM hive_concerns WHERE check_id = old.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER insight_concerns_insert AFTER INSERT ON hive_concerns BEGIN
    INSERT INTO insight_days (kind, day, value, n)
    SELECT 'concern', updated_at / 86400, new.path, 1 FROM hive_checks
    WHERE id = new.check_id AND deleted_at IS NULL AND status = 'complete'
    ON CONFLICT (kind, day, value) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER insight_concerns_delete AFTER DELETE ON hive_concerns BEGIN
    UPDATE insight_days SET n = n - 1 WHERE kind = 'concern' AND value = old.path
        AND day = (SELECT updated_at / 86400 FROM hive_checks WHERE id = old.check_id AND deleted_at IS NULL AND status = 'complete');
END;
-- +goose StatementEnd

CREATE TABLE insight_decisions (
    day           BIGINT NOT NULL,
    reviewer_id   TEXT NOT NULL,
    hive_decision TEXT NOT NULL,
    decision      TEXT NOT NULL,
    stage         TEXT NOT NULL,
    n             BIGINT NOT NULL,
    PRIMARY KEY (day, reviewer_id, hive_decision, decision, stage)
);
CREATE TABLE insight_waits (
    check_id    TEXT PRIMARY KEY,
    day         BIGINT NOT NULL,
    reviewer_id TEXT NOT NULL,
    seconds     BIGINT NOT NULL
);
CREATE INDEX insight_waits_day ON insight_waits (day, reviewer_id, seconds);
INSERT INTO insight_decisions (day, reviewer_id, hive_decision, decision, stage, n)
SELECT r.created_at / 86400, r.reviewer_id, COALESCE(c.decision, ''), r.decision, r.stage, count(*)
FROM reviews r LEFT JOIN hive_checks c ON c.id = r.check_id
GROUP BY r.created_at / 86400, r.reviewer_id, COALESCE(c.decision, ''), r.decision, r.stage;
INSERT INTO insight_waits (check_id, day, reviewer_id, seconds)
SELECT r.check_id, r.created_at / 86400, r.reviewer_id, max(0, r.created_at - c.updated_at)
FROM reviews r JOIN hive_checks c ON c.id = r.check_id AND c.status = 'complete'
WHERE r.stage = 'final' AND NOT EXISTS (SELECT 1 FROM reviews e WHERE e.check_id = r.check_id AND e.stage = 'final'
    AND (e.created_at < r.created_at OR (e.created_at = r.created_at AND e.id < r.id)));
-- +goose StatementBegin
CREATE TRIGGER insight_reviews_insert AFTER INSERT ON reviews BEGIN
    INSERT INTO insight_decisions (day, reviewer_id, hive_decision, decision, stage, n)
    VALUES (new.created_at / 86400, new.reviewer_id, COALESCE((SELECT decision FROM hive_checks WHERE id = new.check_id), ''),
        new.decision, new.stage, 1)
    ON CONFLICT (day, reviewer_id, hive_decision, decision, stage) DO UPDATE SET n = n + 1;
    INSERT INTO insight_waits (check_id, day, reviewer_id, seconds)
    SELECT new.check_id, new.created_at / 86400, new.reviewer_id, max(0, new.created_at - updated_at) FROM hive_checks
    WHERE id = new.check_id AND status = 'complete' AND new.stage = 'final'
        AND NOT EXISTS (SELECT 1 FROM reviews e WHERE e.check_id = new.check_id AND e.stage = 'final' AND e.id <> new.id)
    ON CONFLICT (check_id) DO NOTHING;
END;
-- +goose StatementEnd

CREATE TABLE insight_queue (
    hour     BIGINT PRIMARY KEY, -- Unix seconds of the hour's start, UTC
    taken_at BIGINT NOT NULL,
    waiting  BIGINT NOT NULL CHECK (waiting >= 0),
    overdue  BIGINT NOT NULL CHECK (overdue >= 0)
);

-- +goose Down
DROP TABLE insight_queue;
DROP TRIGGER insight_reviews_insert;
DROP TABLE insight_waits;
DROP TABLE insight_decisions;
DROP TRIGGER insight_concerns_delete;
DROP TRIGGER insight_concerns_insert;
DROP TRIGGER insight_checks_delete;
DROP TRIGGER insight_checks_update;
DROP TRIGGER insight_checks_insert;
DROP TABLE insight_days;

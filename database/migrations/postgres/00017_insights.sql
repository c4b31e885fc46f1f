-- Insights' tallies; the PostgreSQL translation of migrations/sqlite/00017_insights.sql, which says
-- what they hold. A check's insert is counted once per statement (the first load inserts a million
-- in a few thousand statements); its update, delete, a concern's insert and a decision once per row,
-- and an update only when what is counted changed.

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
CREATE FUNCTION insight_checks_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insight_days (kind, day, value, n)
    SELECT 'result', updated_at / 86400, result, count(*) FROM new_rows
    WHERE deleted_at IS NULL AND status = 'complete' GROUP BY updated_at / 86400, result
    ON CONFLICT (kind, day, value) DO UPDATE SET n = insight_days.n + excluded.n;
    INSERT INTO insight_days (kind, day, value, n)
    SELECT 'concern', c.updated_at / 86400, k.path, count(*) FROM new_rows c JOIN hive_concerns k ON k.check_id = c.id
    WHERE c.deleted_at IS NULL AND c.status = 'complete' GROUP BY c.updated_at / 86400, k.path
    ON CONFLICT (kind, day, value) DO UPDATE SET n = insight_days.n + excluded.n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION insight_checks_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL AND OLD.status = 'complete' THEN
        UPDATE insight_days SET n = n - 1 WHERE kind = 'result' AND day = OLD.updated_at / 86400 AND value = OLD.result;
        UPDATE insight_days SET n = n - 1 WHERE kind = 'concern' AND day = OLD.updated_at / 86400
            AND value IN (SELECT path FROM hive_concerns WHERE check_id = OLD.id);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.deleted_at IS NULL AND NEW.status = 'complete' THEN
        INSERT INTO insight_days (kind, day, value, n) VALUES ('result', NEW.updated_at / 86400, NEW.result, 1)
        ON CONFLICT (kind, day, value) DO UPDATE SET n = insight_days.n + 1;
        INSERT INTO insight_days (kind, day, value, n)
        SELECT 'concern', NEW.updated_at / 86400, path, 1 FROM hive_concerns WHERE check_id = NEW.id
        ON CONFLICT (kind, day, value) DO UPDATE SET n = insight_days.n + 1;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION insight_concerns_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO insight_days (kind, day, value, n)
        SELECT 'concern', updated_at / 86400, NEW.path, 1 FROM hive_checks
        WHERE id = NEW.check_id AND deleted_at IS NULL AND status = 'complete'
        ON CONFLICT (kind, day, value) DO UPDATE SET n = insight_days.n + 1;
    ELSE
        UPDATE insight_days SET n = n - 1 WHERE kind = 'concern' AND value = OLD.path
            AND day = (SELECT updated_at / 86400 FROM hive_checks WHERE id = OLD.check_id AND deleted_at IS NULL AND status = 'complete');
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER insight_checks_insert AFTER INSERT ON hive_checks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION insight_checks_inserted();
CREATE TRIGGER insight_checks_update AFTER UPDATE OF status, result, updated_at, deleted_at ON hive_checks FOR EACH ROW
    WHEN ((OLD.deleted_at IS NULL AND OLD.status = 'complete') IS DISTINCT FROM (NEW.deleted_at IS NULL AND NEW.status = 'complete')
        OR (NEW.deleted_at IS NULL AND NEW.status = 'complete'
            AND (OLD.result IS DISTINCT FROM NEW.result OR OLD.updated_at / 86400 IS DISTINCT FROM NEW.updated_at / 86400)))
    EXECUTE FUNCTION insight_checks_changed();
CREATE TRIGGER insight_checks_delete AFTER DELETE ON hive_checks FOR EACH ROW
    EXECUTE FUNCTION insight_checks_changed();
CREATE TRIGGER insight_concerns_insert AFTER INSERT ON hive_concerns FOR EACH ROW
    EXECUTE FUNCTION insight_concerns_changed();
CREATE TRIGGER insight_concerns_delete AFTER DELETE ON hive_concerns FOR EACH ROW
    EXECUTE FUNCTION insight_concerns_changed();

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
SELECT r.check_id, r.created_at / 86400, r.reviewer_id, greatest(0, r.created_at - c.updated_at)
FROM reviews r JOIN hive_checks c ON c.id = r.check_id AND c.status = 'complete'
WHERE r.stage = 'final' AND NOT EXISTS (SELECT 1 FROM reviews e WHERE e.check_id = r.check_id AND e.stage = 'final'
    AND (e.created_at < r.created_at OR (e.created_at = r.created_at AND e.id < r.id)));
-- +goose StatementBegin
CREATE FUNCTION insight_reviews_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insight_decisions (day, reviewer_id, hive_decision, decision, stage, n)
    VALUES (NEW.created_at / 86400, NEW.reviewer_id, COALESCE((SELECT decision FROM hive_checks WHERE id = NEW.check_id), ''),
        NEW.decision, NEW.stage, 1)
    ON CONFLICT (day, reviewer_id, hive_decision, decision, stage) DO UPDATE SET n = insight_decisions.n + 1;
    INSERT INTO insight_waits (check_id, day, reviewer_id, seconds)
    SELECT NEW.check_id, NEW.created_at / 86400, NEW.reviewer_id, greatest(0, NEW.created_at - updated_at) FROM hive_checks
    WHERE id = NEW.check_id AND status = 'complete' AND NEW.stage = 'final'
        AND NOT EXISTS (SELECT 1 FROM reviews e WHERE e.check_id = NEW.check_id AND e.stage = 'final' AND e.id <> NEW.id)
    ON CONFLICT (check_id) DO NOTHING;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER insight_reviews_insert AFTER INSERT ON reviews FOR EACH ROW EXECUTE FUNCTION insight_reviews_inserted();

CREATE TABLE insight_queue (
    hour     BIGINT PRIMARY KEY, -- Unix seconds of the hour's start, UTC
    taken_at BIGINT NOT NULL,
    waiting  BIGINT NOT NULL CHECK (waiting >= 0),
    overdue  BIGINT NOT NULL CHECK (overdue >= 0)
);

-- +goose Down
DROP TABLE insight_queue;
DROP TRIGGER insight_reviews_insert ON reviews;
DROP FUNCTION insight_reviews_inserted();
DROP TABLE insight_waits;
DROP TABLE insight_decisions;
DROP TRIGGER insight_concerns_delete ON hive_concerns;
DROP TRIGGER insight_concerns_insert ON hive_concerns;
DROP TRIGGER insight_checks_delete ON hive_checks;
DROP TRIGGER insight_checks_update ON hive_checks;
DROP TRIGGER insight_checks_insert ON hive_checks;
DROP FUNCTION insight_concerns_changed();
DROP FUNCTION insight_checks_changed();
DROP FUNCTION insight_checks_inserted();
DROP TABLE insight_days;

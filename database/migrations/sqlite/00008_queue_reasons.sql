-- Why a check waits for a reviewer: each sub-check its report did not clear, one row each, so the
-- review queue counts and filters its checks by reason. Written with the report's summary.

-- +goose Up
CREATE TABLE hive_concerns (
    check_id TEXT NOT NULL,
    path     TEXT NOT NULL, -- "facial/face_comparison/similarity"
    PRIMARY KEY (check_id, path)
);
CREATE INDEX hive_concerns_path ON hive_concerns (path, check_id);
INSERT OR IGNORE INTO hive_concerns (check_id, path)
SELECT r.check_id, json_extract(j.value, '$.path') FROM hive_reports r, json_each(r.concerns) j
WHERE json_extract(j.value, '$.path') IS NOT NULL;

-- +goose Down
DROP TABLE hive_concerns;

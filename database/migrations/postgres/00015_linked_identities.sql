-- Linked identities; the PostgreSQL translation of migrations/sqlite/00015_linked_identities.sql.
-- What a check's report identifies its customer by, one row per kind and value, so the checks and
-- customers that share one are found from an index. Kinds:
--   document         the document's type, issuing country and number
--   personal_number  the issuing country and the personal number on the document
--   name_dob         the name on the document and the date of birth
--   mrz              the MRZ lines' hash
--   device           a device hash the customer used
--   ip               an address the customer came from
-- Written with the report's summary (readmodel/report.go builds the first four with the same SQL as
-- below, so both databases compare values they wrote the same way); the reports already stored are
-- read here.

-- +goose Up
CREATE TABLE hive_identifiers (
    kind     TEXT NOT NULL,
    value    TEXT NOT NULL,
    check_id TEXT NOT NULL,
    PRIMARY KEY (kind, value, check_id)
);
CREATE INDEX hive_identifiers_check ON hive_identifiers (check_id);
INSERT INTO hive_identifiers (kind, value, check_id)
SELECT kind, value, check_id FROM (
    SELECT 'document' AS kind, upper(COALESCE(doc_type, '')) || '|' || upper(COALESCE(doc_country, '')) || '|' || upper(doc_number) AS value, check_id
    FROM hive_reports WHERE doc_number IS NOT NULL
    UNION ALL
    SELECT 'personal_number', upper(COALESCE(doc_country, '')) || '|' || upper(personal_number), check_id
    FROM hive_reports WHERE personal_number IS NOT NULL
    UNION ALL
    SELECT 'name_dob', upper(surname) || '|' || upper(COALESCE(given_names, '')) || '|' || date_of_birth, check_id
    FROM hive_reports WHERE surname IS NOT NULL AND date_of_birth IS NOT NULL
    UNION ALL
    SELECT 'mrz', mrz_hash, check_id FROM hive_reports WHERE mrz_hash IS NOT NULL
    UNION ALL
    SELECT 'device', j, r.check_id FROM hive_reports r, jsonb_array_elements_text(r.device_hashes::jsonb) j WHERE j <> ''
    UNION ALL
    SELECT 'ip', j, r.check_id FROM hive_reports r, jsonb_array_elements_text(r.ip_addresses::jsonb) j WHERE j <> ''
) found WHERE true
ON CONFLICT DO NOTHING;

-- +goose Down
DROP TABLE hive_identifiers;

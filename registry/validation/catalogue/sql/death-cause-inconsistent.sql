-- rule = "death-cause-inconsistent"
-- suite = "cross_table_clinical"
-- description = "a death from bleeding needs a fatal bleed; a fatal bleed needs a patient who died of bleeding (or of an unknown cause) on or after it"
-- columns = { patients = ["vital_status", "death_date", "cause_of_death"], bleeding_events = ["fatal", "date"] }

SELECT
    'patients' AS tbl,
    p._row AS row_no,
    p.patient_id AS record_id,
    'cause_of_death' AS field_name,
    CAST(p.cause_of_death AS TEXT) AS value_text,
    'death from bleeding but no fatal bleeding event' AS message
FROM {batch} AS p
WHERE
    p._valid = TRUE AND p.cause_of_death = 'bleeding' AND NOT EXISTS (
        SELECT 1 FROM bleeding_events AS b
        WHERE b.patient_id = p.patient_id AND (b._valid = FALSE OR b.fatal = TRUE)
    )
UNION ALL
SELECT
    'bleeding_events' AS tbl,
    b._row AS row_no,
    b.bleed_id AS record_id,
    'fatal' AS field_name,
    'true' AS value_text,
    CASE
        WHEN p.vital_status <> 'dead' THEN 'a fatal bleed, but the patient is alive'
        WHEN p.death_date < b.date THEN 'a fatal bleed after the death date ' || CAST(p.death_date AS TEXT)
        ELSE 'a fatal bleed, but the cause of death is ' || CAST(p.cause_of_death AS TEXT)
    END AS message
FROM bleeding_events AS b INNER JOIN {batch} AS p ON b.patient_id = p.patient_id AND p._valid = TRUE
WHERE b._valid = TRUE AND b.fatal = TRUE AND (
    p.vital_status <> 'dead' OR p.death_date < b.date OR p.cause_of_death NOT IN ('bleeding', 'unknown')
)

-- rule = "ctcae-inconsistent"
-- suite = "cross_table_clinical"
-- description = "CTCAE grade 5 only for a patient who died of VTE on or after the event, and a death from VTE needs a grade-5 event"
-- columns = { vte_events = ["ctcae_grade", "diagnosis_date"], patients = ["cause_of_death", "death_date"] }
-- [[cases]]
-- name = "grade 5 for a patient alive"
-- change = { vte_events = { ctcae_grade = "5" } }
-- finds = [["vte_events", "ctcae_grade"]]
-- [[cases]]
-- name = "grade 5 for a patient who died of the VTE"
-- change = { vte_events = { ctcae_grade = "5" }, patients = { vital_status = "dead", death_date = "2021-03-21", cause_of_death = "vte", last_contact_date = "2021-03-21" } }
-- finds = []

SELECT
    'vte_events' AS tbl,
    e._row AS row_no,
    e.event_id AS record_id,
    'ctcae_grade' AS field_name,
    CAST(e.ctcae_grade AS TEXT) AS value_text,
    'grade 5 but the patient did not die of VTE on or after this event' AS message
FROM vte_events AS e INNER JOIN {batch} AS p ON e.patient_id = p.patient_id AND p._valid = TRUE
WHERE e._valid = TRUE AND e.ctcae_grade = 5 AND (p.cause_of_death IS NULL OR p.cause_of_death <> 'vte' OR p.death_date < e.diagnosis_date)
UNION ALL
SELECT
    'patients' AS tbl,
    p._row AS row_no,
    p.patient_id AS record_id,
    'cause_of_death' AS field_name,
    CAST(p.cause_of_death AS TEXT) AS value_text,
    'death from VTE but no grade-5 event' AS message
FROM {batch} AS p
WHERE p._valid = TRUE AND p.cause_of_death = 'vte' AND NOT EXISTS (
    SELECT 1 FROM vte_events AS e
    WHERE e.patient_id = p.patient_id AND (e._valid = FALSE OR e.ctcae_grade = 5)
)

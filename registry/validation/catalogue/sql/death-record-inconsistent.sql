-- rule = "death-record-inconsistent"
-- suite = "cross_table_clinical"
-- description = "a record that implies death in a patient who is not dead, or dated away from the death: an event found at autopsy in a living patient or dated before the death; a catheter removed for death in a living patient or more than {{ removal_days }} day from the death (off_study_reason death with vital_status alive is a row rule of patients)"
-- columns = { vte_events = ["event_id", "diagnosis_date", "detection", "imaging"], catheters = ["catheter_id", "removal_date", "removal_reason"], patients = ["vital_status", "death_date"] }

-- source: shared/spec/registry.md, Plausibility rules (death-record-inconsistent): an autopsy
-- follows a death, and a catheter removed because the patient died is removed at the death
SELECT
    'vte_events' AS tbl,
    e._row AS row_no,
    e.event_id AS record_id,
    CASE WHEN e.detection = 'autopsy' THEN 'detection' ELSE 'imaging' END AS field_name,
    'autopsy' AS value_text,
    CASE
        WHEN p.vital_status <> 'dead' THEN 'found at autopsy in a patient who is ' || p.vital_status
        ELSE 'found at autopsy, dated ' || CAST(e.diagnosis_date AS TEXT) || ', before the death on ' || CAST(p.death_date AS TEXT)
    END AS message
FROM vte_events AS e
INNER JOIN {batch} AS p ON e.patient_id = p.patient_id AND p._valid = TRUE
WHERE
    e._valid = TRUE AND (e.detection = 'autopsy' OR e.imaging = 'autopsy')
    AND (p.vital_status <> 'dead' OR (p.death_date IS NOT NULL AND e.diagnosis_date < p.death_date))
UNION ALL
SELECT
    'catheters' AS tbl,
    c._row AS row_no,
    c.catheter_id AS record_id,
    'removal_reason' AS field_name,
    'death' AS value_text,
    CASE
        WHEN p.vital_status <> 'dead' THEN 'removed for death in a patient who is ' || p.vital_status
        ELSE 'removed for death on ' || CAST(c.removal_date AS TEXT) || ', more than {{ removal_days }} day from the death on ' || CAST(p.death_date AS TEXT)
    END AS message
FROM catheters AS c
INNER JOIN {batch} AS p ON c.patient_id = p.patient_id AND p._valid = TRUE
WHERE
    c._valid = TRUE AND c.removal_reason = 'death' AND (
        p.vital_status <> 'dead'
        OR (c.removal_date IS NOT NULL AND p.death_date IS NOT NULL AND ABS(DAYS(c.removal_date) - DAYS(p.death_date)) > {{ removal_days }})
    )

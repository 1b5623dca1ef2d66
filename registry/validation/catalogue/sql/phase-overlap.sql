-- rule = "phase-overlap"
-- suite = "treatment_phases"
-- description = "a treatment phase starts before an earlier phase of the patient has ended (hsct and relapse_therapy may follow any)"
-- columns = { treatment_phases = ["patient_id", "phase", "start_date", "end_date"] }
-- derived = ["prev_end", "prev_open"]

SELECT
    'treatment_phases' AS tbl,
    b._row AS row_no,
    b.phase_id AS record_id,
    'start_date' AS field_name,
    CAST(b.start_date AS TEXT) AS value_text,
    'starts before the end of an earlier phase (' || COALESCE(CAST(b.prev_end AS TEXT), 'ongoing') || ')' AS message
FROM (SELECT
    w.*,
    MAX(w.end_date) OVER (PARTITION BY w.patient_id ORDER BY w.start_date, w._row ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end,
    MAX(CASE WHEN w.end_date IS NULL THEN 1 ELSE 0 END) OVER (PARTITION BY w.patient_id ORDER BY w.start_date, w._row ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_open
FROM (SELECT * FROM {batch}) AS w
WHERE w._valid = TRUE AND w.phase NOT IN ('hsct', 'relapse_therapy')) AS b
WHERE b.prev_open = 1 OR b.prev_end >= b.start_date

-- rule = "phase-mismatch"
-- suite = "cross_table_temporal"
-- description = "phase_at_event is not the treatment phase recorded for the event date"
-- columns = { vte_events = ["patient_id", "diagnosis_date", "phase_at_event"], treatment_phases = ["patient_id", "phase", "start_date", "end_date"] }

SELECT
    'vte_events' AS tbl,
    e._row AS row_no,
    e.event_id AS record_id,
    'phase_at_event' AS field_name,
    CAST(e.phase_at_event AS TEXT) AS value_text,
    'the phase on ' || CAST(
        e.diagnosis_date AS TEXT) || ' is ' || (
        SELECT MIN(ph.phase) FROM treatment_phases AS ph
        WHERE ph.patient_id = e.patient_id AND ph._valid = TRUE AND ph.start_date <= e.diagnosis_date AND (ph.end_date IS NULL OR ph.end_date >= e.diagnosis_date)
    ) AS message
FROM vte_events AS e INNER JOIN {batch} AS p ON e.patient_id = p.patient_id
WHERE e._valid = TRUE AND EXISTS (
    SELECT 1 FROM treatment_phases AS ph
    WHERE ph.patient_id = e.patient_id AND ph._valid = TRUE AND ph.start_date <= e.diagnosis_date AND (ph.end_date IS NULL OR ph.end_date >= e.diagnosis_date)) AND NOT EXISTS (
    SELECT 1 FROM treatment_phases AS ph
    WHERE ph.patient_id = e.patient_id AND ph._valid = TRUE AND ph.phase = e.phase_at_event AND ph.start_date <= e.diagnosis_date AND (ph.end_date IS NULL OR ph.end_date >= e.diagnosis_date)
)

-- rule = "dose-outside-phase"
-- suite = "cross_table_temporal"
-- description = "asparaginase given outside any recorded treatment phase"
-- columns = { asparaginase_doses = ["patient_id", "administration_date"], treatment_phases = ["patient_id", "start_date", "end_date"] }

SELECT
    'asparaginase_doses' AS tbl,
    a._row AS row_no,
    a.dose_id AS record_id,
    'administration_date' AS field_name,
    CAST(a.administration_date AS TEXT) AS value_text,
    'no treatment phase covers this date' AS message
FROM asparaginase_doses AS a INNER JOIN {batch} AS p ON a.patient_id = p.patient_id
WHERE a._valid = TRUE AND NOT EXISTS (
    SELECT 1 FROM treatment_phases AS ph
    WHERE ph.patient_id = a.patient_id AND (ph._valid = FALSE OR (ph.start_date <= a.administration_date AND (ph.end_date IS NULL OR ph.end_date >= a.administration_date)))
)

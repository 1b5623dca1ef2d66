-- rule = "late-enrollment"
-- suite = "patients"
-- description = "enrollment more than {{ max_days }} days after diagnosis"
-- columns = { patients = ["enrollment_date", "diagnosis_date"] }

SELECT
    'patients' AS tbl,
    b._row AS row_no,
    b.patient_id AS record_id,
    'enrollment_date' AS field_name,
    CAST(b.enrollment_date AS TEXT) AS value_text,
    CAST(DAYS(b.enrollment_date) - DAYS(b.diagnosis_date) AS INTEGER) || ' days after diagnosis (expected within {{ max_days }})' AS message
FROM (SELECT * FROM {batch}) AS b
WHERE b._valid = TRUE AND DAYS(b.enrollment_date) - DAYS(b.diagnosis_date) > {{ max_days }}

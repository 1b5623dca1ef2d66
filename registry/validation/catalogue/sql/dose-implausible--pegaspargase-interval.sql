-- rule = "dose-implausible"
-- suite = "asparaginase_doses"
-- description = "two pegaspargase doses closer than {{ min_days }} days"
-- columns = { asparaginase_doses = ["patient_id", "product", "administration_date"] }

SELECT
    'asparaginase_doses' AS tbl,
    b._row AS row_no,
    b.dose_id AS record_id,
    'administration_date' AS field_name,
    CAST(b.administration_date AS TEXT) AS value_text,
    'less than {{ min_days }} days after another pegaspargase dose' AS message
FROM (SELECT * FROM {batch}) AS b
WHERE b._valid = TRUE AND b.product = 'pegaspargase' AND EXISTS (
    SELECT 1 FROM asparaginase_doses AS a
    WHERE a.patient_id = b.patient_id AND a._valid = TRUE AND a._row <> b._row AND a.product = 'pegaspargase' AND (a.administration_date < b.administration_date OR (a.administration_date = b.administration_date AND a._row < b._row)) AND DAYS(b.administration_date) - DAYS(a.administration_date) < {{ min_days }}
)

-- rule = "anti-xa-without-heparin"
-- suite = "cross_table_clinical"
-- description = "an anti-Xa sample with no course of an anti-Xa-monitored agent (heparins, fondaparinux, rivaroxaban, apixaban, edoxaban) active on that date"
-- columns = { lab_results = ["test", "date", "patient_id"], anticoagulation_courses = ["agent", "start_date", "stop_date"] }

SELECT
    'lab_results' AS tbl,
    l._row AS row_no,
    l.lab_id AS record_id,
    'test' AS field_name,
    CAST(l.test AS TEXT) AS value_text,
    'no course of an anti-Xa-monitored agent active on ' || CAST(l.date AS TEXT) AS message
FROM lab_results AS l INNER JOIN {batch} AS p ON l.patient_id = p.patient_id
WHERE l._valid = TRUE AND l.test = 'anti_xa' AND NOT EXISTS (
    SELECT 1 FROM anticoagulation_courses AS k
    WHERE k.patient_id = l.patient_id AND (k._valid = FALSE OR (k.agent IN {{ anti_xa_monitored | sql_list }} AND k.start_date <= l.date AND (k.stop_date IS NULL OR k.stop_date >= l.date)))
)

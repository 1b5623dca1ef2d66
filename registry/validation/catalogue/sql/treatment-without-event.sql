-- rule = "treatment-without-event"
-- suite = "cross_table_temporal"
-- description = "a treatment course starts more than a day before its event"
-- columns = { anticoagulation_courses = ["event_id", "intent", "start_date"], vte_events = ["event_id", "diagnosis_date"] }

SELECT
    'anticoagulation_courses' AS tbl,
    k._row AS row_no,
    k.course_id AS record_id,
    'start_date' AS field_name,
    CAST(k.start_date AS TEXT) AS value_text,
    'starts before event ' || e.event_id || ' of ' || CAST(e.diagnosis_date AS TEXT) AS message
FROM anticoagulation_courses AS k INNER JOIN vte_events AS e ON k.event_id = e.event_id AND k.patient_id = e.patient_id AND e._valid = TRUE INNER JOIN {batch} AS p ON k.patient_id = p.patient_id
WHERE k._valid = TRUE AND k.intent = 'treatment' AND DAYS(k.start_date) < DAYS(e.diagnosis_date) - 1

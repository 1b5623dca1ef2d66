-- rule = "platelets-hold-inconsistent"
-- suite = "cross_table_clinical"
-- description = "platelets below {{ threshold }} x10^9/L during a full-dose (treatment) course with no dose adjustment within {{ window_days }} days"
-- columns = { lab_results = ["test", "value", "date"], anticoagulation_courses = ["course_id", "intent", "start_date", "stop_date"], dose_adjustments = ["course_id", "date"] }

SELECT
    'lab_results' AS tbl,
    l._row AS row_no,
    l.lab_id AS record_id,
    'value' AS field_name,
    CAST(l.value AS TEXT) AS value_text,
    'platelets ' || CAST(l.value AS TEXT) || ' during ' || k.course_id || ' and no hold or reduction within {{ window_days }} days' AS message
FROM lab_results AS l INNER JOIN anticoagulation_courses AS k ON l.patient_id = k.patient_id AND k._valid = TRUE AND k.intent = 'treatment' AND l.date >= k.start_date AND (k.stop_date IS NULL OR l.date <= k.stop_date) INNER JOIN {batch} AS p ON l.patient_id = p.patient_id
WHERE l._valid = TRUE AND l.test = 'platelets' AND l.value < {{ threshold }} AND NOT EXISTS (
    SELECT 1 FROM dose_adjustments AS a
    WHERE a.course_id = k.course_id AND (a._valid = FALSE OR ABS(DAYS(a.date) - DAYS(l.date)) <= {{ window_days }})
)

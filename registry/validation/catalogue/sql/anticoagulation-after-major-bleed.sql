-- rule = "anticoagulation-after-major-bleed"
-- suite = "cross_table_clinical"
-- description = "a treatment course still running {{ window_days }} days after a major bleed with no hold, reduction or stop in between"
-- columns = { bleeding_events = ["isth_category", "date"], anticoagulation_courses = ["intent", "start_date", "stop_date"], dose_adjustments = ["course_id", "date", "action"] }

SELECT
    'bleeding_events' AS tbl,
    b._row AS row_no,
    b.bleed_id AS record_id,
    'isth_category' AS field_name,
    CAST(b.isth_category AS TEXT) AS value_text,
    'major bleed on ' || CAST(b.date AS TEXT) || ', and treatment course ' || k.course_id || ' went on with no hold, reduction or stop within {{ window_days }} days' AS message
FROM bleeding_events AS b
INNER JOIN anticoagulation_courses AS k
    ON
        b.patient_id = k.patient_id AND k._valid = TRUE AND k.intent = 'treatment'
        AND b.date >= k.start_date AND (k.stop_date IS NULL OR DAYS(k.stop_date) > DAYS(b.date) + {{ window_days }})
INNER JOIN {batch} AS p ON b.patient_id = p.patient_id
WHERE b._valid = TRUE AND b.isth_category = 'major' AND NOT EXISTS (
    SELECT 1 FROM dose_adjustments AS a
    WHERE a.course_id = k.course_id AND (
        a._valid = FALSE
        OR (a.action IN ('held', 'reduced') AND a.date >= b.date AND DAYS(a.date) <= DAYS(b.date) + {{ window_days }})
    )
)

-- rule = "anticoagulation-after-major-bleed"
-- suite = "cross_table_clinical"
-- description = "a treatment course still running {{ window_days }} days after a major bleed with no hold, reduction or stop in between (a course already held on the day of the bleed is not running)"
-- columns = { bleeding_events = ["isth_category", "date"], anticoagulation_courses = ["intent", "start_date", "stop_date"], dose_adjustments = ["adjustment_id", "patient_id", "course_id", "date", "action"] }

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
) AND NOT EXISTS (
    -- already held on the day of the bleed: the course's last adjustment on or before it (by
    -- date, then by the adjustment's number) is a hold
    SELECT 1 FROM dose_adjustments AS h
    WHERE
        h.course_id = k.course_id AND h._valid = TRUE AND h.action = 'held' AND h.date <= b.date
        AND NOT EXISTS (
            SELECT 1 FROM dose_adjustments AS r
            WHERE
                r.course_id = k.course_id AND r._valid = TRUE AND r.date <= b.date
                AND (
                    r.date > h.date OR (
                        r.date = h.date
                        AND CAST(SUBSTR(r.adjustment_id, LENGTH(r.patient_id) + 3) AS INTEGER)
                        > CAST(SUBSTR(h.adjustment_id, LENGTH(h.patient_id) + 3) AS INTEGER)
                    )
                )
        )
)

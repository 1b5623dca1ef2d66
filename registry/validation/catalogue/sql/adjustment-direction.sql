-- rule = "adjustment-direction"
-- suite = "cross_table_clinical"
-- description = "a reduction's new_dose must be below the dose in force before it, an increase's above it (the course's dose, or the new dose of the course's last adjustment before it: by date, then by the adjustment's number, D1, D2, ..., the same in a file and in the registry)"
-- derived = ["in_force"]
-- columns = { dose_adjustments = ["adjustment_id", "patient_id", "course_id", "date", "action", "new_dose"], anticoagulation_courses = ["dose"] }

SELECT
    'dose_adjustments' AS tbl,
    x._row AS row_no,
    x.adjustment_id AS record_id,
    'new_dose' AS field_name,
    CAST(x.new_dose AS TEXT) AS value_text,
    x.action || ' to ' || CAST(x.new_dose AS TEXT) || ' while the dose in force was ' || CAST(x.in_force AS TEXT) AS message
FROM (
    SELECT
        a._row,
        a.adjustment_id,
        a.action,
        a.new_dose,
        COALESCE((
            SELECT b.new_dose FROM dose_adjustments AS b
            WHERE
                b.course_id = a.course_id AND b._valid = TRUE
                AND b.action IN ('reduced', 'increased', 'resumed_full')
                AND (
                    b.date < a.date OR (
                        b.date = a.date
                        AND CAST(SUBSTR(b.adjustment_id, LENGTH(b.patient_id) + 3) AS INTEGER)
                        < CAST(SUBSTR(a.adjustment_id, LENGTH(a.patient_id) + 3) AS INTEGER)
                    )
                )
            ORDER BY b.date DESC, CAST(SUBSTR(b.adjustment_id, LENGTH(b.patient_id) + 3) AS INTEGER) DESC
            LIMIT 1
        ), k.dose) AS in_force
    FROM dose_adjustments AS a
    INNER JOIN anticoagulation_courses AS k ON a.course_id = k.course_id AND k._valid = TRUE
    INNER JOIN {batch} AS p ON a.patient_id = p.patient_id
    WHERE a._valid = TRUE AND a.new_dose IS NOT NULL AND a.action IN ('reduced', 'increased') AND NOT EXISTS (
        SELECT 1 FROM dose_adjustments AS b
        WHERE b.course_id = a.course_id AND b._valid = FALSE
    )
) AS x
WHERE (x.action = 'reduced' AND x.new_dose >= x.in_force) OR (x.action = 'increased' AND x.new_dose <= x.in_force)

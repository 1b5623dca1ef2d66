-- rule = "untreated-event"
-- suite = "cross_table_clinical"
-- description = "a VTE with no treatment course (detection other than autopsy)"
-- columns = { vte_events = ["event_id", "detection"], anticoagulation_courses = ["event_id", "intent"] }

SELECT
    'vte_events' AS tbl,
    e._row AS row_no,
    e.event_id AS record_id,
    'event_id' AS field_name,
    CAST(e.event_id AS TEXT) AS value_text,
    'no treatment course names this ' || e.detection || ' event' AS message
FROM vte_events AS e INNER JOIN {batch} AS p ON e.patient_id = p.patient_id
WHERE e._valid = TRUE AND e.detection <> 'autopsy' AND NOT EXISTS (
    SELECT 1 FROM anticoagulation_courses AS k
    WHERE k.event_id = e.event_id AND (k._valid = FALSE OR k.intent = 'treatment')
)

-- rule = "ptwg-inconsistent"
-- suite = "cross_table_clinical"
-- description = "an incidental event is PTWG-qualifying exactly when it was treated with anticoagulation"
-- columns = { vte_events = ["event_id", "detection", "ptwg_qualifying"], anticoagulation_courses = ["event_id", "intent"] }

SELECT
    'vte_events' AS tbl,
    e._row AS row_no,
    e.event_id AS record_id,
    'ptwg_qualifying' AS field_name,
    CAST(e.ptwg_qualifying AS TEXT) AS value_text,
    CASE WHEN e.ptwg_qualifying = TRUE THEN 'untreated incidental events do not qualify' ELSE 'treated incidental events qualify' END AS message
FROM vte_events AS e INNER JOIN {batch} AS p ON e.patient_id = p.patient_id
WHERE e._valid = TRUE AND e.detection = 'incidental' AND NOT EXISTS (
    SELECT 1 FROM anticoagulation_courses AS k
    WHERE k.event_id = e.event_id AND k._valid = FALSE) AND ((e.ptwg_qualifying = TRUE AND NOT EXISTS (
    SELECT 1 FROM anticoagulation_courses AS k
    WHERE k.event_id = e.event_id AND (k._valid = FALSE OR k.intent = 'treatment'))) OR (e.ptwg_qualifying = FALSE AND EXISTS (
    SELECT 1 FROM anticoagulation_courses AS k
    WHERE k.event_id = e.event_id AND (k._valid = FALSE OR k.intent = 'treatment')
))
)

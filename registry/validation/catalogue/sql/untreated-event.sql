-- rule = "untreated-event"
-- suite = "cross_table_clinical"
-- description = "a VTE with no treatment course (detection other than autopsy)"
-- columns = { vte_events = ["event_id", "detection"], anticoagulation_courses = ["event_id", "intent"] }
-- [[cases]]
-- name = "a second, symptomatic event with no course"
-- add = { vte_events = [{ event_id = "NYC01-7F3K9Q2M-V2", diagnosis_date = "2021-03-25", site = "lower_extremity_dvt", catheter_related = "false", catheter_id = "" }] }
-- finds = [["vte_events", "event_id"]]
-- [[cases]]
-- name = "the second event has its course"
-- add = { vte_events = [{ event_id = "NYC01-7F3K9Q2M-V2", diagnosis_date = "2021-03-25", site = "lower_extremity_dvt", catheter_related = "false", catheter_id = "" }], anticoagulation_courses = [{ course_id = "NYC01-7F3K9Q2M-K2", event_id = "NYC01-7F3K9Q2M-V2", start_date = "2021-03-25" }] }
-- finds = []

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

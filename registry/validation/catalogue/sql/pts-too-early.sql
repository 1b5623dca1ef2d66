-- rule = "pts-too-early"
-- suite = "cross_table_clinical"
-- description = "post-thrombotic syndrome is assessed from {{ min_days }} days (3 months) after the event on"
-- columns = { vte_assessments = ["date", "pts_score", "event_id"], vte_events = ["diagnosis_date"] }

SELECT
    'vte_assessments' AS tbl,
    s._row AS row_no,
    s.assessment_id AS record_id,
    'pts_score' AS field_name,
    CAST(s.pts_score AS TEXT) AS value_text,
    'PTS scored ' || CAST(CAST(DAYS(s.date) - DAYS(e.diagnosis_date) AS INTEGER) AS TEXT) || ' days after the event; it is assessed from {{ min_days }} days on' AS message
FROM vte_assessments AS s
INNER JOIN vte_events AS e ON s.event_id = e.event_id AND s.patient_id = e.patient_id AND e._valid = TRUE
INNER JOIN {batch} AS p ON s.patient_id = p.patient_id
WHERE s._valid = TRUE AND s.pts_score IS NOT NULL AND DAYS(s.date) - DAYS(e.diagnosis_date) < {{ min_days }}

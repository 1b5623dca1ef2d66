-- rule = "catheter-not-in-place"
-- suite = "cross_table_temporal"
-- description = "a catheter-related event on a date its catheter was not in place"
-- columns = { vte_events = ["catheter_id", "catheter_related", "diagnosis_date"], catheters = ["catheter_id", "insertion_date", "removal_date"] }

SELECT
    'vte_events' AS tbl,
    e._row AS row_no,
    e.event_id AS record_id,
    'catheter_id' AS field_name,
    CAST(e.catheter_id AS TEXT) AS value_text,
    'catheter ' || c.catheter_id || ' was in place ' || CAST(c.insertion_date AS TEXT) || ' to ' || COALESCE(CAST(c.removal_date AS TEXT), 'now') AS message
FROM vte_events AS e INNER JOIN catheters AS c ON e.catheter_id = c.catheter_id AND e.patient_id = c.patient_id AND c._valid = TRUE INNER JOIN {batch} AS p ON e.patient_id = p.patient_id
WHERE e._valid = TRUE AND e.catheter_related = TRUE AND (c.insertion_date > e.diagnosis_date OR (c.removal_date IS NOT NULL AND c.removal_date < e.diagnosis_date))

-- rule = "incidence-implausible"
-- suite = "submission"
-- description = "symptomatic VTE in fewer than {{ (low * 100) | round | int }}% or more than {{ (high * 100) | round | int }}% of patients followed at least 6 months (checked from {{ min_patients }} such patients)"
-- columns = { patients = ["diagnosis_date", "last_contact_date"], vte_events = ["detection"] }

SELECT
    'vte_events' AS tbl,
    NULL AS row_no,
    NULL AS record_id,
    'detection' AS field_name,
    CAST(ROUND(100.0 * s.sx / s.n, 1) AS TEXT) AS value_text,
    'symptomatic VTE in ' || CAST(ROUND(100.0 * s.sx / s.n, 1) AS TEXT) || '% of ' || CAST(s.n AS TEXT) || ' patients followed >= 6 months (plausible {{ (low * 100) | round | int }}-{{ (high * 100) | round | int }}%)' AS message
FROM (SELECT
    COUNT(*) AS n,
    SUM(CASE WHEN EXISTS (
        SELECT 1 FROM vte_events AS e
        WHERE e.patient_id = p.patient_id AND e._valid = TRUE AND e.detection = 'symptomatic'
    ) THEN 1
    ELSE 0 END) AS sx
FROM (SELECT * FROM {batch}) AS p
WHERE p._valid = TRUE AND DAYS(p.last_contact_date) - DAYS(p.diagnosis_date) >= {{ min_follow_up_days }}) AS s
WHERE s.n >= {{ min_patients }} AND (s.sx < {{ low }} * s.n OR s.sx > {{ high }} * s.n)

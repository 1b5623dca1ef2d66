-- rule = "ctcae-inconsistent"
-- suite = "cross_table_clinical"
-- description = "ctcae_grade must equal the CTCAE v5 grade derived from the raw fields (vte_events.ctcae_grade): 5 death from VTE, 4 life-threatening, 3 urgent intervention or a PE / intracardiac thrombus, 2 treated, 1 otherwise; a thrombolysis or thrombectomy is an urgent intervention"
-- derived = ["derived"]
-- columns = { vte_events = ["ctcae_grade", "diagnosis_date", "site", "life_threatening", "urgent_intervention"], patients = ["cause_of_death", "death_date"], anticoagulation_courses = ["event_id", "intent"], vte_interventions = ["event_id", "type"] }

SELECT
    'vte_events' AS tbl,
    e._row AS row_no,
    e.event_id AS record_id,
    'ctcae_grade' AS field_name,
    CAST(e.ctcae_grade AS TEXT) AS value_text,
    'grade 5 but the patient did not die of VTE on or after this event' AS message
FROM vte_events AS e INNER JOIN {batch} AS p ON e.patient_id = p.patient_id AND p._valid = TRUE
WHERE e._valid = TRUE AND e.ctcae_grade = 5 AND (p.cause_of_death IS NULL OR p.cause_of_death <> 'vte' OR p.death_date < e.diagnosis_date)
UNION ALL
SELECT
    'patients' AS tbl,
    p._row AS row_no,
    p.patient_id AS record_id,
    'cause_of_death' AS field_name,
    CAST(p.cause_of_death AS TEXT) AS value_text,
    'death from VTE but no grade-5 event' AS message
FROM {batch} AS p
WHERE
    p._valid = TRUE AND p.cause_of_death = 'vte' AND NOT EXISTS (
        SELECT 1 FROM vte_events AS e
        WHERE e.patient_id = p.patient_id AND (e._valid = FALSE OR e.ctcae_grade = 5)
    )
UNION ALL
SELECT
    'patients' AS tbl,
    p._row AS row_no,
    p.patient_id AS record_id,
    'cause_of_death' AS field_name,
    CAST(p.cause_of_death AS TEXT) AS value_text,
    'death from VTE with more than one grade-5 event' AS message
FROM {batch} AS p
WHERE
    p._valid = TRUE AND p.cause_of_death = 'vte' AND (
        SELECT COUNT(*) FROM vte_events AS e
        WHERE e.patient_id = p.patient_id AND e._valid = TRUE AND e.ctcae_grade = 5
    ) > 1
UNION ALL
SELECT
    'vte_events' AS tbl,
    g._row AS row_no,
    g.event_id AS record_id,
    'ctcae_grade' AS field_name,
    CAST(g.ctcae_grade AS TEXT) AS value_text,
    'the event''s fields make it CTCAE grade ' || CAST(g.derived AS TEXT) || ' (4 life-threatening, 3 urgent intervention or PE / intracardiac, 2 treated, 1 none)' AS message
FROM (
    SELECT
        e._row,
        e.event_id,
        e.ctcae_grade,
        CASE
            WHEN e.life_threatening = TRUE THEN 4
            WHEN e.urgent_intervention = TRUE OR e.site IN {{ ctcae_grade_3_sites | sql_list }} THEN 3
            WHEN EXISTS (
                SELECT 1 FROM anticoagulation_courses AS k
                WHERE k.event_id = e.event_id AND k._valid = TRUE AND k.intent = 'treatment'
            ) OR EXISTS (
                SELECT 1 FROM vte_interventions AS i
                WHERE i.event_id = e.event_id AND i._valid = TRUE
            ) THEN 2
            ELSE 1
        END AS derived
    FROM vte_events AS e INNER JOIN {batch} AS p ON e.patient_id = p.patient_id
    -- the raw fields are those of schema 1.1 (null: not collected); rows that failed
    -- conformance could be the missing treatment, so their patient's events are left alone
    WHERE e._valid = TRUE AND e.ctcae_grade <> 5 AND e.life_threatening IS NOT NULL AND e.urgent_intervention IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM anticoagulation_courses AS k
        WHERE k.patient_id = e.patient_id AND k._valid = FALSE
    ) AND NOT EXISTS (
        SELECT 1 FROM vte_interventions AS i
        WHERE i.patient_id = e.patient_id AND i._valid = FALSE
    )
) AS g
WHERE g.derived <> g.ctcae_grade
UNION ALL
SELECT
    'vte_events' AS tbl,
    e._row AS row_no,
    e.event_id AS record_id,
    'urgent_intervention' AS field_name,
    'false' AS value_text,
    i.type || ' (' || i.intervention_id || ') is an urgent medical intervention' AS message
FROM vte_events AS e
INNER JOIN vte_interventions AS i ON e.event_id = i.event_id AND i._valid = TRUE
INNER JOIN {batch} AS p ON e.patient_id = p.patient_id
WHERE e._valid = TRUE AND e.urgent_intervention = FALSE AND i.type IN {{ urgent_interventions | sql_list }}

-- rule = "site-catheter-inconsistent"
-- suite = "cross_table_clinical"
-- description = "a catheter-related site must be catheter-related and a non-catheter site must not; a catheter-related event must be at a site its catheter can cause (no upper-extremity DVT from a femoral catheter, no lower-extremity DVT from an upper-body catheter)"
-- columns = { vte_events = ["site", "catheter_related", "catheter_id"], catheters = ["insertion_vein"] }

SELECT
    'vte_events' AS tbl,
    e._row AS row_no,
    e.event_id AS record_id,
    'catheter_related' AS field_name,
    CASE WHEN e.catheter_related = TRUE THEN 'true' ELSE 'false' END AS value_text,
    CASE
        WHEN e.site = 'cvc_upper_dvt' THEN 'site cvc_upper_dvt is a catheter-related thrombosis'
        ELSE 'site non_cvc_upper_dvt is a thrombosis not related to a catheter'
    END AS message
FROM vte_events AS e INNER JOIN {batch} AS p ON e.patient_id = p.patient_id
WHERE
    e._valid = TRUE AND (
        (e.site = 'cvc_upper_dvt' AND e.catheter_related = FALSE)
        OR (e.site = 'non_cvc_upper_dvt' AND e.catheter_related = TRUE)
    )
UNION ALL
SELECT
    'vte_events' AS tbl,
    e._row AS row_no,
    e.event_id AS record_id,
    'site' AS field_name,
    CAST(e.site AS TEXT) AS value_text,
    'a catheter inserted in the ' || CAST(c.insertion_vein AS TEXT) || ' vein (' || c.catheter_id || ') does not cause ' || CAST(e.site AS TEXT) AS message
FROM vte_events AS e
INNER JOIN catheters AS c ON e.catheter_id = c.catheter_id AND e.patient_id = c.patient_id AND c._valid = TRUE
INNER JOIN {batch} AS p ON e.patient_id = p.patient_id
WHERE e._valid = TRUE AND e.catheter_related = TRUE AND (
    (c.insertion_vein IN {{ upper_body_veins | sql_list }} AND e.site IN {{ not_from_upper | sql_list }})
    OR (c.insertion_vein IN {{ lower_body_veins | sql_list }} AND e.site IN {{ not_from_lower | sql_list }})
)

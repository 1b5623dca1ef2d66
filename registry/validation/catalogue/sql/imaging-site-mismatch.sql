-- rule = "imaging-site-mismatch"
-- suite = "vte_events"
-- description = "the imaging modality does not suit the thrombosis site (PE by CTPA or V/Q, CSVT by MRI/MRV or CT, right atrium by echocardiography, veins by ultrasound, venography, CT or MRI)"
-- columns = { vte_events = ["site", "imaging"] }

SELECT
    'vte_events' AS tbl,
    b._row AS row_no,
    b.event_id AS record_id,
    'imaging' AS field_name,
    CAST(b.imaging AS TEXT) AS value_text,
    b.imaging || ' does not confirm ' || b.site AS message
FROM (SELECT * FROM {batch}) AS b
WHERE b._valid = TRUE AND (
    {%- for site, suitable in suitable_imaging.items() %}
    {% if not loop.first %}OR {% endif %}(b.site = '{{ site }}' AND b.imaging NOT IN {{ suitable | sql_list }})
    {%- endfor %}
)

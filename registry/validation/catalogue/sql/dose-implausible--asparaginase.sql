-- rule = "dose-implausible"
-- suite = "asparaginase_doses"
-- description = "asparaginase dose outside the plausible range of the product"
-- columns = { asparaginase_doses = ["product", "dose", "dose_unit"] }

SELECT
    'asparaginase_doses' AS tbl,
    b._row AS row_no,
    b.dose_id AS record_id,
    'dose' AS field_name,
    CAST(b.dose AS TEXT) AS value_text,
    b.product || ' ' || CAST(b.dose AS TEXT) || ' ' || b.dose_unit || ' is outside the plausible range' AS message
FROM (SELECT * FROM {batch}) AS b
WHERE b._valid = TRUE AND (
    {%- for product, (low, high) in ranges.items() %}
    {% if not loop.first %}OR {% endif %}(b.product = '{{ product }}' AND (b.dose < {{ low }} OR b.dose > {{ high }}))
    {%- endfor %}
)

-- rule = "dose-implausible"
-- suite = "anticoagulation_courses"
-- description = "anticoagulant dose outside the plausible range (enoxaparin treatment 0.8-2.0 mg/kg, prophylaxis 0.4-1.0 mg/kg; UFH 10-40 units/kg/h; rivaroxaban 0.8-20 mg)"
-- columns = { anticoagulation_courses = ["agent", "intent", "dose", "dose_unit"] }

SELECT
    'anticoagulation_courses' AS tbl,
    b._row AS row_no,
    b.course_id AS record_id,
    'dose' AS field_name,
    CAST(b.dose AS TEXT) AS value_text,
    b.agent || ' ' || CAST(b.dose AS TEXT) || ' ' || b.dose_unit || ' (' || b.intent || ') is outside the plausible range' AS message
FROM (SELECT * FROM {batch}) AS b
WHERE b._valid = TRUE AND ((b.agent = 'enoxaparin' AND b.dose_unit = 'mg_per_kg' AND b.intent = 'treatment' AND (b.dose < 0.8 OR b.dose > 2.0)) OR (b.agent = 'enoxaparin' AND b.dose_unit = 'mg_per_kg' AND b.intent <> 'treatment' AND (b.dose < 0.4 OR b.dose > 1.0)) OR (b.agent = 'unfractionated_heparin' AND b.dose_unit = 'units_per_kg_per_hour' AND (b.dose < 10 OR b.dose > 40)) OR (b.agent = 'rivaroxaban' AND b.dose_unit = 'mg' AND (b.dose < 0.8 OR b.dose > 20)))

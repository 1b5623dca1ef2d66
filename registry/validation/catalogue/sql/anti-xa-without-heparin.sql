-- rule = "anti-xa-without-heparin"
-- suite = "cross_table_clinical"
-- description = "an anti-Xa sample with no course of an anti-Xa-monitored agent (heparins, fondaparinux, rivaroxaban, apixaban, edoxaban) active on that date"
-- columns = { lab_results = ["test", "date", "patient_id"], anticoagulation_courses = ["agent", "start_date", "stop_date"] }
-- [[cases]]
-- name = "anti-Xa a day after the enoxaparin course stopped"
-- change = { lab_results = { date = "2021-06-21" } }
-- finds = [["lab_results", "test"]]
-- [[cases]]
-- name = "anti-Xa on the course's last day"
-- change = { lab_results = { date = "2021-06-20" } }
-- finds = []
-- [[cases]]
-- name = "anti-Xa during a rivaroxaban course"
-- change = { anticoagulation_courses = { agent = "rivaroxaban", dose = "15", dose_unit = "mg", frequency = "once_daily" } }
-- finds = []
-- [[cases]]
-- name = "anti-Xa during a warfarin course"
-- change = { anticoagulation_courses = { agent = "warfarin", dose = "0.1", dose_unit = "mg_per_kg", frequency = "once_daily" } }
-- finds = [["lab_results", "test"]]

SELECT
    'lab_results' AS tbl,
    l._row AS row_no,
    l.lab_id AS record_id,
    'test' AS field_name,
    CAST(l.test AS TEXT) AS value_text,
    'no course of an anti-Xa-monitored agent active on ' || CAST(l.date AS TEXT) AS message
FROM lab_results AS l INNER JOIN {batch} AS p ON l.patient_id = p.patient_id
WHERE l._valid = TRUE AND l.test = 'anti_xa' AND NOT EXISTS (
    SELECT 1 FROM anticoagulation_courses AS k
    WHERE k.patient_id = l.patient_id AND (k._valid = FALSE OR (k.agent IN {{ anti_xa_monitored | sql_list }} AND k.start_date <= l.date AND (k.stop_date IS NULL OR k.stop_date >= l.date)))
)

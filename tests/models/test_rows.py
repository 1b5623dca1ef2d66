"""The spec's tables as test tables: valid rows parse, each invalid row raises its rule ID."""

from __future__ import annotations

import pytest

from registry import parse_row, parse_rows
from registry.models import TABLES, Manifest, RegistryRecord, SurveyResponseRecord
from tests.rows import PID, VALID, VALID_MANIFEST, VALID_SURVEY, row

# (id, table, changes, rule, field)
INVALID: list[tuple[str, str, dict[str, str], str, str]] = [
    # the plausibility rules of one record (spec: "Plausibility rules")
    (
        "off-study-for-death-alive",
        "patients",
        {"off_study_reason": "death"},
        "death-record-inconsistent",
        "off_study_reason",
    ),
    # a 50-month-old girl of 104 cm weighing 90 kg: BMI 83, far past CDC's modified z 8
    (
        "growth-weight-implausible",
        "patients",
        {"weight_kg_at_diagnosis": "90"},
        "growth-implausible",
        "weight_kg_at_diagnosis",
    ),
    # 60 cm at 50 months: modified height z far below -5
    (
        "growth-height-implausible",
        "patients",
        {"height_cm_at_diagnosis": "60", "weight_kg_at_diagnosis": "6"},
        "growth-implausible",
        "height_cm_at_diagnosis",
    ),
    (
        "picc-in-the-jugular",
        "catheters",
        {"catheter_type": "picc"},
        "catheter-anatomy-inconsistent",
        "catheter_type",
    ),
    (
        "femoral-tip-in-the-svc",
        "catheters",
        {"insertion_vein": "femoral", "tip_position": "svc"},
        "catheter-tip-unusual",
        "insertion_vein",
    ),
    (
        "jugular-tip-in-the-ivc",
        "catheters",
        {"tip_position": "ivc"},
        "catheter-tip-unusual",
        "insertion_vein",
    ),
    (
        "limb-dvt-in-the-midline",
        "vte_events",
        {"side": "midline"},
        "event-anatomy-inconsistent",
        "site",
    ),
    # patients
    ("sex-missing", "patients", {"sex": ""}, "missing-value", "sex"),
    ("sex-code", "patients", {"sex": "m"}, "invalid-code", "sex"),
    (
        "age-text",
        "patients",
        {"age_at_diagnosis_months": "four"},
        "type-error",
        "age_at_diagnosis_months",
    ),
    (
        "age-decimal",
        "patients",
        {"age_at_diagnosis_months": "50.5"},
        "type-error",
        "age_at_diagnosis_months",
    ),
    (
        "age-over-21y",
        "patients",
        {"age_at_diagnosis_months": "264"},
        "out-of-range",
        "age_at_diagnosis_months",
    ),
    (
        "age-negative",
        "patients",
        {"age_at_diagnosis_months": "-1"},
        "out-of-range",
        "age_at_diagnosis_months",
    ),
    (
        "dx-before-2000",
        "patients",
        {"diagnosis_date": "1999-12-31", "enrollment_date": "2000-01-05"},
        "out-of-range",
        "diagnosis_date",
    ),
    (
        "dx-us-layout",
        "patients",
        {"diagnosis_date": "03/01/2021"},
        "pattern-mismatch",
        "diagnosis_date",
    ),
    ("dx-words", "patients", {"diagnosis_date": "March 2021"}, "type-error", "diagnosis_date"),
    ("dx-impossible", "patients", {"diagnosis_date": "2021-02-30"}, "type-error", "diagnosis_date"),
    (
        "dx-timestamp",
        "patients",
        {"diagnosis_date": "2021-03-01T00:00:00"},
        "pattern-mismatch",
        "diagnosis_date",
    ),
    (
        "enrolled-before-dx",
        "patients",
        {"enrollment_date": "2021-02-28"},
        "before-diagnosis",
        "enrollment_date",
    ),
    (
        "contact-before-enrollment",
        "patients",
        {"last_contact_date": "2021-03-09"},
        "end-before-start",
        "last_contact_date",
    ),
    (
        "nci-standard-but-10y",
        "patients",
        {"age_at_diagnosis_months": "130"},
        "nci-risk-inconsistent",
        "nci_risk_group",
    ),
    (
        "nci-standard-but-wbc-50",
        "patients",
        {"wbc_at_diagnosis": "50"},
        "nci-risk-inconsistent",
        "nci_risk_group",
    ),
    (
        "nci-high-but-standard",
        "patients",
        {"nci_risk_group": "high"},
        "nci-risk-inconsistent",
        "nci_risk_group",
    ),
    ("nci-missing-b-all", "patients", {"nci_risk_group": ""}, "missing-value", "nci_risk_group"),
    # 1.1: NCI risk only for B-ALL outside infancy ("iff")
    (
        "t-all-standard-risk",
        "patients",
        {"immunophenotype": "t_cell"},
        "unexpected-value",
        "nci_risk_group",
    ),
    (
        "infant-nci-given",
        "patients",
        {"age_at_diagnosis_months": "8", "nci_risk_group": "high"},
        "unexpected-value",
        "nci_risk_group",
    ),
    (
        "csvt-flag-for-dvt",
        "vte_events",
        {"csvt_infarct_or_hemorrhage": "false"},
        "unexpected-value",
        "csvt_infarct_or_hemorrhage",
    ),
    (
        "urgent-missing",
        "vte_events",
        {"urgent_intervention": ""},
        "missing-value",
        "urgent_intervention",
    ),
    ("side-code", "vte_events", {"side": "both"}, "invalid-code", "side"),
    (
        "thrombolysis-no-agent",
        "vte_interventions",
        {"type": "systemic_thrombolysis"},
        "missing-value",
        "agent",
    ),
    (
        "filter-with-agent",
        "vte_interventions",
        {"type": "ivc_filter", "agent": "alteplase"},
        "unexpected-value",
        "agent",
    ),
    ("reduced-no-new-dose", "dose_adjustments", {"new_dose": ""}, "missing-value", "new_dose"),
    ("held-new-dose", "dose_adjustments", {"action": "held"}, "unexpected-value", "new_dose"),
    ("new-dose-0", "dose_adjustments", {"new_dose": "0"}, "out-of-range", "new_dose"),
    ("tip-code", "catheters", {"tip_position": "atrium"}, "invalid-code", "tip_position"),
    (
        "argatroban-mg-per-kg",
        "anticoagulation_courses",
        {"agent": "argatroban", "dose_unit": "mg_per_kg", "frequency": "continuous"},
        "unit-mismatch",
        "dose_unit",
    ),
    (
        "asparaginase-activity-u-ml",
        "lab_results",
        {"test": "asparaginase_activity", "unit": "u_ml", "value": "0.2", "course_id": ""},
        "unit-mismatch",
        "unit",
    ),
    ("wbc-zero", "patients", {"wbc_at_diagnosis": "0"}, "out-of-range", "wbc_at_diagnosis"),
    ("wbc-nan", "patients", {"wbc_at_diagnosis": "nan"}, "type-error", "wbc_at_diagnosis"),
    (
        "wbc-comma-decimal",
        "patients",
        {"wbc_at_diagnosis": "12,5"},
        "type-error",
        "wbc_at_diagnosis",
    ),
    ("flag-maybe", "patients", {"down_syndrome": "maybe"}, "type-error", "down_syndrome"),
    ("flag-2", "patients", {"prior_vte": "2"}, "type-error", "prior_vte"),
    (
        "weight-too-low",
        "patients",
        {"weight_kg_at_diagnosis": "1.4"},
        "out-of-range",
        "weight_kg_at_diagnosis",
    ),
    (
        "height-too-high",
        "patients",
        {"height_cm_at_diagnosis": "221"},
        "out-of-range",
        "height_cm_at_diagnosis",
    ),
    (
        "dead-no-date",
        "patients",
        {"vital_status": "dead", "cause_of_death": "leukemia"},
        "missing-value",
        "death_date",
    ),
    (
        "dead-no-cause",
        "patients",
        {"vital_status": "dead", "death_date": "2022-01-01"},
        "missing-value",
        "cause_of_death",
    ),
    ("alive-with-date", "patients", {"death_date": "2022-01-01"}, "unexpected-value", "death_date"),
    (
        "alive-with-cause",
        "patients",
        {"cause_of_death": "other"},
        "unexpected-value",
        "cause_of_death",
    ),
    (
        "death-before-dx",
        "patients",
        {"vital_status": "dead", "death_date": "2021-02-01", "cause_of_death": "other"},
        "before-diagnosis",
        "death_date",
    ),
    ("patient-id-short", "patients", {"patient_id": "NYC01-7F3K9Q2"}, "id-format", "patient_id"),
    (
        "patient-id-letter-o",
        "patients",
        {"patient_id": "NYC01-7F3K9QOM"},
        "id-format",
        "patient_id",
    ),
    ("patient-id-lower", "patients", {"patient_id": "nyc01-7f3k9q2m"}, "id-format", "patient_id"),
    ("site-id-lower", "patients", {"site_id": "nyc01"}, "id-format", "site_id"),
    ("site-not-prefix", "patients", {"site_id": "BOS02"}, "site-mismatch", "patient_id"),
    ("protocol-name-41", "patients", {"protocol_name": "A" * 41}, "out-of-range", "protocol_name"),
    ("unknown-column-mrn", "patients", {"mrn": "00123456"}, "unknown-column", "mrn"),
    # treatment_phases
    (
        "phase-end-before-start",
        "treatment_phases",
        {"end_date": "2021-03-01"},
        "end-before-start",
        "end_date",
    ),
    ("phase-code", "treatment_phases", {"phase": "induction_1"}, "invalid-code", "phase"),
    (
        "phase-id-wrong-prefix",
        "treatment_phases",
        {"phase_id": f"{PID}-C1"},
        "id-format",
        "phase_id",
    ),
    (
        "phase-id-other-patient",
        "treatment_phases",
        {"phase_id": "NYC01-AAAAAAAA-P1"},
        "id-format",
        "phase_id",
    ),
    ("phase-id-zero", "treatment_phases", {"phase_id": f"{PID}-P0"}, "id-format", "phase_id"),
    (
        "phase-id-leading-zero",
        "treatment_phases",
        {"phase_id": f"{PID}-P01"},
        "id-format",
        "phase_id",
    ),
    (
        "phase-patient-missing",
        "treatment_phases",
        {"patient_id": ""},
        "missing-value",
        "patient_id",
    ),
    # catheters
    ("lumens-4", "catheters", {"lumens": "4"}, "out-of-range", "lumens"),
    (
        "removal-reason-no-date",
        "catheters",
        {"removal_reason": "infection"},
        "unexpected-value",
        "removal_reason",
    ),
    (
        "removal-date-no-reason",
        "catheters",
        {"removal_date": "2021-06-01"},
        "missing-value",
        "removal_reason",
    ),
    (
        "removed-before-insertion",
        "catheters",
        {"removal_date": "2021-03-01", "removal_reason": "accidental"},
        "end-before-start",
        "removal_date",
    ),
    ("side-code", "catheters", {"side": "both"}, "invalid-code", "side"),
    # asparaginase_doses
    ("asp-dose-zero", "asparaginase_doses", {"dose": "0"}, "out-of-range", "dose"),
    (
        "asp-rylaze-in-iu",
        "asparaginase_doses",
        {"product": "erwinia_recombinant"},
        "unit-mismatch",
        "dose_unit",
    ),
    (
        "asp-peg-in-mg",
        "asparaginase_doses",
        {"dose_unit": "mg_per_m2", "dose": "25"},
        "unit-mismatch",
        "dose_unit",
    ),
    ("asp-route-sc", "asparaginase_doses", {"route": "sc"}, "invalid-code", "route"),
    # thrombophilia_tests
    (
        "fvl-low",
        "thrombophilia_tests",
        {"result_category": "low"},
        "genotype-result-mismatch",
        "result_category",
    ),
    (
        "pt-positive",
        "thrombophilia_tests",
        {"test": "prothrombin_g20210a", "result_category": "positive"},
        "genotype-result-mismatch",
        "result_category",
    ),
    (
        "la-heterozygous",
        "thrombophilia_tests",
        {"test": "lupus_anticoagulant"},
        "genotype-result-mismatch",
        "result_category",
    ),
    (
        "value-without-unit",
        "thrombophilia_tests",
        {"test": "protein_c_activity", "result_category": "low", "result_value": "45"},
        "missing-value",
        "result_unit",
    ),
    (
        "unit-without-value",
        "thrombophilia_tests",
        {"result_unit": "percent"},
        "unexpected-value",
        "result_unit",
    ),
    (
        "protein-c-in-mg-dl",
        "thrombophilia_tests",
        {
            "test": "protein_c_activity",
            "result_category": "low",
            "result_value": "45",
            "result_unit": "mg_dl",
        },
        "unit-mismatch",
        "result_unit",
    ),
    (
        "genotype-with-unit",
        "thrombophilia_tests",
        {"result_value": "1", "result_unit": "ratio"},
        "unit-mismatch",
        "result_unit",
    ),
    # vte_events
    ("cvc-event-no-catheter", "vte_events", {"catheter_id": ""}, "missing-value", "catheter_id"),
    (
        "non-cvc-with-catheter",
        "vte_events",
        {"catheter_related": "false", "site": "cerebral_sinovenous", "imaging": "mri_mrv"},
        "unexpected-value",
        "catheter_id",
    ),
    (
        "symptomatic-not-ptwg",
        "vte_events",
        {"ptwg_qualifying": "false"},
        "ptwg-inconsistent",
        "ptwg_qualifying",
    ),
    (
        "autopsy-not-ptwg",
        "vte_events",
        {"detection": "autopsy", "imaging": "autopsy", "ptwg_qualifying": "false"},
        "ptwg-inconsistent",
        "ptwg_qualifying",
    ),
    (
        "screening-ptwg",
        "vte_events",
        {"detection": "screening"},
        "ptwg-inconsistent",
        "ptwg_qualifying",
    ),
    ("ctcae-6", "vte_events", {"ctcae_grade": "6"}, "out-of-range", "ctcae_grade"),
    ("ctcae-0", "vte_events", {"ctcae_grade": "0"}, "out-of-range", "ctcae_grade"),
    (
        "platelets-negative",
        "vte_events",
        {"platelets_at_diagnosis": "-1"},
        "out-of-range",
        "platelets_at_diagnosis",
    ),
    (
        "fibrinogen-11",
        "vte_events",
        {"fibrinogen_at_diagnosis": "11"},
        "out-of-range",
        "fibrinogen_at_diagnosis",
    ),
    (
        "at-4",
        "vte_events",
        {"antithrombin_at_diagnosis": "4"},
        "out-of-range",
        "antithrombin_at_diagnosis",
    ),
    (
        "catheter-ref-not-catheter",
        "vte_events",
        {"catheter_id": f"{PID}"},
        "id-format",
        "catheter_id",
    ),
    (
        "recurrence-of-itself",
        "vte_events",
        {"recurrence_of_event_id": f"{PID}-V1"},
        "fk-missing",
        "recurrence_of_event_id",
    ),
    ("imaging-code", "vte_events", {"imaging": "xray"}, "invalid-code", "imaging"),
    # anticoagulation_courses
    (
        "treatment-no-event",
        "anticoagulation_courses",
        {"event_id": ""},
        "treatment-without-event",
        "event_id",
    ),
    (
        "primary-with-event",
        "anticoagulation_courses",
        {"intent": "primary_prophylaxis", "dose": "0.5"},
        "unexpected-value",
        "event_id",
    ),
    (
        "enoxaparin-in-units",
        "anticoagulation_courses",
        {"dose_unit": "units_per_kg"},
        "unit-mismatch",
        "dose_unit",
    ),
    (
        "rivaroxaban-per-kg",
        "anticoagulation_courses",
        {"agent": "rivaroxaban"},
        "unit-mismatch",
        "dose_unit",
    ),
    (
        "stop-before-start",
        "anticoagulation_courses",
        {"stop_date": "2021-03-19"},
        "end-before-start",
        "stop_date",
    ),
    (
        "stop-no-reason",
        "anticoagulation_courses",
        {"stop_reason": ""},
        "missing-value",
        "stop_reason",
    ),
    (
        "reason-no-stop",
        "anticoagulation_courses",
        {"stop_date": ""},
        "unexpected-value",
        "stop_reason",
    ),
    (
        "course-weight-1kg",
        "anticoagulation_courses",
        {"weight_kg": "1"},
        "out-of-range",
        "weight_kg",
    ),
    ("course-dose-negative", "anticoagulation_courses", {"dose": "-1"}, "out-of-range", "dose"),
    (
        "duration-code",
        "anticoagulation_courses",
        {"intended_duration": "12_weeks"},
        "invalid-code",
        "intended_duration",
    ),
    # dose_adjustments
    (
        "thrombocytopenia-no-count",
        "dose_adjustments",
        {"platelets": ""},
        "missing-value",
        "platelets",
    ),
    ("adjustment-action", "dose_adjustments", {"action": "stopped"}, "invalid-code", "action"),
    ("adjustment-course-ref", "dose_adjustments", {"course_id": "K1"}, "id-format", "course_id"),
    # lab_results
    ("anti-xa-3.5", "lab_results", {"value": "3.5"}, "out-of-range", "value"),
    (
        "inr-0.4",
        "lab_results",
        {"test": "inr", "unit": "ratio", "value": "0.4"},
        "out-of-range",
        "value",
    ),
    (
        "platelets-in-g-l",
        "lab_results",
        {"test": "platelets", "unit": "g_l", "value": "80"},
        "unit-mismatch",
        "unit",
    ),
    ("lab-value-text", "lab_results", {"value": "<0.1"}, "type-error", "value"),
    # bleeding_events
    (
        "intracranial-minor",
        "bleeding_events",
        {"site": "intracranial"},
        "isth-inconsistent",
        "isth_category",
    ),
    (
        "hb-drop-2.5-crnm",
        "bleeding_events",
        {"hemoglobin_drop_g_dl": "2.5", "isth_category": "clinically_relevant_non_major"},
        "isth-inconsistent",
        "isth_category",
    ),
    ("fatal-minor", "bleeding_events", {"fatal": "true"}, "isth-inconsistent", "isth_category"),
    # case report form 1.1: the ISTH category derived both ways
    (
        "transfused-minor",
        "bleeding_events",
        {"transfusion": "true"},
        "isth-inconsistent",
        "isth_category",
    ),
    (
        "major-mucocutaneous-hb-0.2",
        "bleeding_events",
        {"isth_category": "major", "hemoglobin_drop_g_dl": "0.2"},
        "isth-inconsistent",
        "isth_category",
    ),
    (
        "sought-care-minor",
        "bleeding_events",
        {"sought_care": "true"},
        "isth-inconsistent",
        "isth_category",
    ),
    (
        "intraspinal-minor",
        "bleeding_events",
        {"site": "intraspinal"},
        "isth-inconsistent",
        "isth_category",
    ),
    (
        "surgery-crnm",
        "bleeding_events",
        {"surgery_in_operating_suite": "true", "isth_category": "clinically_relevant_non_major"},
        "isth-inconsistent",
        "isth_category",
    ),
    ("sought-care-missing", "bleeding_events", {"sought_care": ""}, "missing-value", "sought_care"),
    (
        "hb-drop-16",
        "bleeding_events",
        {"hemoglobin_drop_g_dl": "16"},
        "out-of-range",
        "hemoglobin_drop_g_dl",
    ),
    # vte_assessments
    (
        "pts-score-no-instrument",
        "vte_assessments",
        {"pts_instrument": ""},
        "unexpected-value",
        "pts_score",
    ),
    ("pts-instrument-no-score", "vte_assessments", {"pts_score": ""}, "missing-value", "pts_score"),
    ("pts-101", "vte_assessments", {"pts_score": "101"}, "out-of-range", "pts_score"),
    (
        "response-code",
        "vte_assessments",
        {"thrombus_response": "resolved"},
        "invalid-code",
        "thrombus_response",
    ),
]

# (id, table, changes): rows that look unusual but are valid.
VALID_VARIANTS: list[tuple[str, str, dict[str, str]]] = [
    ("flags-1-0", "patients", {"down_syndrome": "1", "prior_vte": "0"}),
    ("flags-yes-no-any-case", "patients", {"down_syndrome": "YES", "mediastinal_mass": "No"}),
    ("t-all-no-nci", "patients", {"immunophenotype": "t_cell", "nci_risk_group": ""}),
    (
        "infant-no-nci",
        "patients",
        {
            "age_at_diagnosis_months": "8",
            "nci_risk_group": "",
            "weight_kg_at_diagnosis": "7.9",
            "height_cm_at_diagnosis": "69",
        },
    ),
    (
        "csvt-with-infarct",
        "vte_events",
        {
            "site": "cerebral_sinovenous",
            "imaging": "mri_mrv",
            "catheter_related": "false",
            "catheter_id": "",
            "side": "",
            "csvt_infarct_or_hemorrhage": "true",
        },
    ),
    (
        "transfused-crnm",
        "bleeding_events",
        {"transfusion": "true", "isth_category": "clinically_relevant_non_major"},
    ),
    (
        "care-sought",
        "bleeding_events",
        {"sought_care": "true", "isth_category": "patient_important_no_intervention"},
    ),
    (
        "thrombolysis",
        "vte_interventions",
        {"type": "catheter_directed_thrombolysis", "agent": "urokinase"},
    ),
    ("resumed-without-new-dose", "dose_adjustments", {"action": "resumed_full", "new_dose": ""}),
    ("held", "dose_adjustments", {"action": "held", "new_dose": ""}),
    (
        "argatroban",
        "anticoagulation_courses",
        {
            "agent": "argatroban",
            "dose": "0.75",
            "dose_unit": "mcg_per_kg_per_min",
            "frequency": "continuous",
        },
    ),
    (
        "asparaginase-activity",
        "lab_results",
        {"test": "asparaginase_activity", "unit": "iu_ml", "value": "0.2", "course_id": ""},
    ),
    ("captsure-60", "vte_assessments", {"pts_instrument": "captsure", "pts_score": "60"}),
    # growth: not checked for sex unknown; Down syndrome judged on its own reference
    ("growth-sex-unknown", "patients", {"sex": "unknown", "weight_kg_at_diagnosis": "90"}),
    (
        "high-risk-10y",
        "patients",
        {
            "age_at_diagnosis_months": "120",
            "nci_risk_group": "high",
            "weight_kg_at_diagnosis": "32",
            "height_cm_at_diagnosis": "138",
        },
    ),
    (
        "dead",
        "patients",
        {
            "vital_status": "dead",
            "death_date": "2022-02-01",
            "cause_of_death": "infection",
            "off_study_reason": "death",
        },
    ),
    ("surrounding-spaces", "patients", {"sex": " female ", "wbc_at_diagnosis": " 12.5"}),
    ("ongoing-phase", "treatment_phases", {"end_date": ""}),
    ("same-day-phase", "treatment_phases", {"end_date": "2021-03-02"}),
    ("removed", "catheters", {"removal_date": "2021-09-01", "removal_reason": "end_of_therapy"}),
    (
        "rylaze",
        "asparaginase_doses",
        {"product": "erwinia_recombinant", "dose": "25", "dose_unit": "mg_per_m2", "route": "im"},
    ),
    (
        "lpa-high",
        "thrombophilia_tests",
        {
            "test": "lipoprotein_a",
            "result_category": "high",
            "result_value": "45",
            "result_unit": "mg_dl",
        },
    ),
    (
        "incidental-either-way",
        "vte_events",
        {"detection": "incidental", "ptwg_qualifying": "false"},
    ),
    (
        "not-catheter-related",
        "vte_events",
        {
            "catheter_related": "false",
            "catheter_id": "",
            "site": "pulmonary_embolism",
            "imaging": "ct_pulmonary_angiography",
        },
    ),
    (
        "secondary-without-event",
        "anticoagulation_courses",
        {"intent": "secondary_prophylaxis", "event_id": ""},
    ),
    ("secondary-with-event", "anticoagulation_courses", {"intent": "secondary_prophylaxis"}),
    ("ongoing-course", "anticoagulation_courses", {"stop_date": "", "stop_reason": ""}),
    (
        "ufh-infusion",
        "anticoagulation_courses",
        {
            "agent": "unfractionated_heparin",
            "dose": "20",
            "dose_unit": "units_per_kg_per_hour",
            "frequency": "continuous",
        },
    ),
    (
        "procedure-hold",
        "dose_adjustments",
        {"reason": "lumbar_puncture", "action": "held", "platelets": "", "new_dose": ""},
    ),
    ("lab-no-course", "lab_results", {"course_id": ""}),
    ("bleed-hb-1.9", "bleeding_events", {"hemoglobin_drop_g_dl": "1.9"}),
    ("major-intracranial", "bleeding_events", {"site": "intracranial", "isth_category": "major"}),
    ("no-pts", "vte_assessments", {"pts_instrument": "", "pts_score": ""}),
]


def _rules(result: object) -> set[tuple[str, str | None]]:
    assert isinstance(result, list), f"expected errors, got a valid record: {result!r}"
    return {(e.rule, e.field) for e in result}


@pytest.mark.parametrize("table", [spec.name for spec in TABLES])
def test_valid_row_parses(table: str) -> None:
    record = parse_row(table, VALID[table])
    assert isinstance(record, RegistryRecord), record


@pytest.mark.parametrize(
    ("table", "changes"), [pytest.param(t, c, id=i) for i, t, c in VALID_VARIANTS]
)
def test_valid_variant_parses(table: str, changes: dict[str, str]) -> None:
    record = parse_row(table, row(table, **changes))
    assert isinstance(record, RegistryRecord), record


@pytest.mark.parametrize(
    ("table", "changes", "rule", "field"),
    [pytest.param(t, c, r, f, id=i) for i, t, c, r, f in INVALID],
)
def test_invalid_row_raises_its_rule(
    table: str, changes: dict[str, str], rule: str, field: str
) -> None:
    assert (rule, field) in _rules(parse_row(table, row(table, **changes)))


def test_error_carries_the_offending_value() -> None:
    errors = parse_row("patients", row("patients", sex="m", age_at_diagnosis_months="300"))
    assert isinstance(errors, list)
    by_field = {e.field: e for e in errors}
    assert by_field["sex"].value == "m"
    assert by_field["age_at_diagnosis_months"].value == "300"
    assert all(e.message for e in errors)


def test_all_failures_of_a_row_are_reported() -> None:
    bad = row("catheters", lumens="9", side="up", insertion_date="yesterday")
    assert _rules(parse_row("catheters", bad)) >= {
        ("out-of-range", "lumens"),
        ("invalid-code", "side"),
        ("type-error", "insertion_date"),
    }


def test_batch_keeps_valid_rows_and_every_error_by_row() -> None:
    rows = [
        VALID["lab_results"],
        row("lab_results", lab_id=f"{PID}-L2", value="9", test="inr", unit="u_ml"),
        row("lab_results", lab_id=f"{PID}-L3", value="x"),
        row("lab_results", lab_id=f"{PID}-L4", test="hemoglobin", unit="g_dl", value="11"),
    ]
    parsed = parse_rows("lab_results", rows)
    assert [index for index, _ in parsed.records] == [0, 3]
    assert {(i, e.rule, e.field) for i, e in parsed.errors} == {
        (1, "unit-mismatch", "unit"),
        (2, "type-error", "value"),
    }


def test_batch_equals_row_by_row() -> None:
    rows = [
        row("vte_events", ctcae_grade=str(g), ptwg_qualifying=p)
        for g in range(0, 7)
        for p in ("true", "false", "x")
    ]
    parsed = parse_rows("vte_events", rows)
    one_by_one = [parse_row("vte_events", r) for r in rows]
    for index, result in enumerate(one_by_one):
        batch_errors = [e for i, e in parsed.errors if i == index]
        if isinstance(result, list):
            assert batch_errors == result
        else:
            assert not batch_errors


# --- survey -------------------------------------------------------------------------------
SURVEY_INVALID: list[tuple[str, dict[str, str], str, str]] = [
    ("q01-missing-complete", {"q01_practice_type": ""}, "missing-value", "q01_practice_type"),
    ("q01-code", {"q01_practice_type": "surgery"}, "invalid-code", "q01_practice_type"),
    ("q05-not-other", {"q05_country_other": "Canada"}, "unexpected-value", "q05_country_other"),
    (
        "q10-none-and-pe",
        {"q10_vte_types_treated___none": "1"},
        "exclusive-option",
        "q10_vte_types_treated___none",
    ),
    ("q16-15-days", {"q16_cvc_delay_removal": "15"}, "out-of-range", "q16_cvc_delay_removal"),
    (
        "q16-when-never",
        {"q15_cvc_line_removal": "never"},
        "unexpected-value",
        "q16_cvc_delay_removal",
    ),
    (
        "q27-when-never",
        {"q26_doac_use": "never"},
        "unexpected-value",
        "q27_doac_agents___rivaroxaban",
    ),
    (
        "q34-when-never",
        {"q33_transfuse_platelets": "never"},
        "unexpected-value",
        "q34_transfusion_target",
    ),
    (
        "q40-without-at",
        {
            "q39_prophylaxis_agents___antithrombin_concentrate": "0",
            "q39_prophylaxis_agents___lmwh": "1",
        },
        "unexpected-value",
        "q40_at_replace_threshold",
    ),
    (
        "q44-when-never",
        {"q43_thrombophilia_testing": "never"},
        "unexpected-value",
        "q44_thrombophilia_panel___factor_v_leiden",
    ),
    ("checkbox-2", {"q10_vte_types_treated___pe": "2"}, "type-error", "q10_vte_types_treated___pe"),
    ("response-id", {"response_id": "R12"}, "id-format", "response_id"),
    (
        "submitted-before-started",
        {"submitted_at": "2020-05-01 09:00:00"},
        "end-before-start",
        "submitted_at",
    ),
    ("unknown-column-email", {"email": "x@example.org"}, "unknown-column", "email"),
]


@pytest.mark.parametrize(
    ("changes", "rule", "field"), [pytest.param(c, r, f, id=i) for i, c, r, f in SURVEY_INVALID]
)
def test_invalid_survey_response(changes: dict[str, str], rule: str, field: str) -> None:
    result = parse_row(SurveyResponseRecord, {**VALID_SURVEY, **changes})
    assert (rule, field) in _rules(result)


def test_valid_survey_response_and_partial_response() -> None:
    assert isinstance(parse_row(SurveyResponseRecord, VALID_SURVEY), RegistryRecord)
    partial = {
        "response_id": "R000002",
        "started_at": "2020-05-02 08:00:00",
        "complete": "0",
        "q10_vte_types_treated___none": "0",
        "q27_doac_agents___apixaban": "0",
    }
    assert isinstance(parse_row(SurveyResponseRecord, partial), RegistryRecord)


# --- manifest -----------------------------------------------------------------------------
MANIFEST_INVALID: list[tuple[str, dict[str, str], str, str]] = [
    ("unknown-key", {"site_name": "Mercy"}, "unknown-column", "site_name"),
    ("schema-2", {"schema_version": "2.0"}, "invalid-code", "schema_version"),
    ("no-zone", {"created_at": "2023-07-01T09:00:00"}, "type-error", "created_at"),
    ("not-uuid", {"submission_id": "42"}, "type-error", "submission_id"),
    ("site-lower", {"site_id": "nyc01"}, "id-format", "site_id"),
    ("cutoff-missing", {"data_cutoff_date": ""}, "missing-value", "data_cutoff_date"),
]


@pytest.mark.parametrize(
    ("changes", "rule", "field"),
    [pytest.param(c, r, f, id=i) for i, c, r, f in MANIFEST_INVALID],
)
def test_invalid_manifest(changes: dict[str, str], rule: str, field: str) -> None:
    assert (rule, field) in _rules(parse_row(Manifest, {**VALID_MANIFEST, **changes}))


def test_valid_manifest() -> None:
    assert isinstance(parse_row(Manifest, VALID_MANIFEST), Manifest)


# --- schema 1.0: rows of a 1.0 submission, read with the 1.0 record classes -----------------
def _in_1_0(table: str, **changes: str) -> dict[str, str]:
    from registry.models import table_spec

    fields = table_spec(table).fields_in("1.0")
    return {k: v for k, v in row(table, **changes).items() if k in fields}


@pytest.mark.parametrize(
    ("table", "changes"),
    [
        pytest.param("vte_events", {}, id="event-without-1.1-fields"),
        pytest.param("bleeding_events", {}, id="bleed-without-1.1-fields"),
        pytest.param("patients", {"immunophenotype": "t_cell"}, id="t-all-with-nci-risk"),
        pytest.param(
            "anticoagulation_courses",
            {"agent": "argatroban", "dose_unit": "mg_per_kg", "frequency": "continuous"},
            id="argatroban-in-mg-per-kg",
        ),
    ],
)
def test_a_1_0_row_is_read_as_1_0(table: str, changes: dict[str, str]) -> None:
    from registry.models import table_spec

    record = parse_row(table_spec(table).record_in("1.0"), _in_1_0(table, **changes))
    assert not isinstance(record, list), record
    assert parse_row(table, _in_1_0(table, **changes)) != []  # 1.1 reads it as incomplete


def test_a_1_0_bleed_still_needs_major_criteria_to_be_major() -> None:
    from registry.models import table_spec

    errors = parse_row(
        table_spec("bleeding_events").record_in("1.0"), _in_1_0("bleeding_events", site="pulmonary")
    )
    assert isinstance(errors, list) and errors[0].rule == "isth-inconsistent"

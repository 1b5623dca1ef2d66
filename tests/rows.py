"""One consistent, valid patient with a row in every table, as CSV text (the site's view)."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PID = "NYC01-7F3K9Q2M"

VALID: dict[str, dict[str, str]] = {
    "patients": {
        "patient_id": PID,
        "site_id": "NYC01",
        "sex": "female",
        "age_at_diagnosis_months": "50",
        "diagnosis_date": "2021-03-01",
        "enrollment_date": "2021-03-10",
        "immunophenotype": "b_cell",
        "nci_risk_group": "standard",
        "wbc_at_diagnosis": "12.5",
        "cns_status": "cns1",
        "down_syndrome": "false",
        "mediastinal_mass": "false",
        "weight_kg_at_diagnosis": "17.2",
        "height_cm_at_diagnosis": "104",
        "protocol": "cog",
        "protocol_name": "AALL1731",
        "induction_steroid": "dexamethasone",
        "prior_vte": "false",
        "family_history_vte": "unknown",
        "last_contact_date": "2023-06-30",
        "vital_status": "alive",
        "death_date": "",
        "cause_of_death": "",
        "off_study_reason": "",
    },
    "treatment_phases": {
        "phase_id": f"{PID}-P1",
        "patient_id": PID,
        "phase": "induction",
        "start_date": "2021-03-02",
        "end_date": "2021-03-30",
    },
    "catheters": {
        "catheter_id": f"{PID}-C1",
        "patient_id": PID,
        "catheter_type": "implanted_port",
        "insertion_vein": "internal_jugular",
        "side": "right",
        "lumens": "1",
        "insertion_date": "2021-03-03",
        "removal_date": "",
        "removal_reason": "",
        "tip_position": "cavoatrial_junction",
    },
    "asparaginase_doses": {
        "dose_id": f"{PID}-A1",
        "patient_id": PID,
        "product": "pegaspargase",
        "dose": "2500",
        "dose_unit": "iu_per_m2",
        "administration_date": "2021-03-05",
        "route": "iv",
        "hypersensitivity": "false",
        "after_vte": "false",
    },
    "thrombophilia_tests": {
        "test_id": f"{PID}-T1",
        "patient_id": PID,
        "test": "factor_v_leiden",
        "sample_date": "2021-03-02",
        "result_category": "heterozygous",
        "result_value": "",
        "result_unit": "",
        "on_anticoagulation": "false",
    },
    "vte_events": {
        "event_id": f"{PID}-V1",
        "patient_id": PID,
        "diagnosis_date": "2021-03-20",
        "site": "cvc_upper_dvt",
        "catheter_related": "true",
        "catheter_id": f"{PID}-C1",
        "detection": "symptomatic",
        "imaging": "doppler_ultrasound",
        "occlusive": "occlusive",
        "phase_at_event": "induction",
        "platelets_at_diagnosis": "85",
        "fibrinogen_at_diagnosis": "1.4",
        "antithrombin_at_diagnosis": "62",
        "on_prophylaxis": "false",
        "recurrence_of_event_id": "",
        "side": "right",
        "urgent_intervention": "false",
        "life_threatening": "false",
        "csvt_infarct_or_hemorrhage": "",
        "ctcae_grade": "2",
        "ptwg_qualifying": "true",
    },
    "anticoagulation_courses": {
        "course_id": f"{PID}-K1",
        "patient_id": PID,
        "event_id": f"{PID}-V1",
        "intent": "treatment",
        "agent": "enoxaparin",
        "dose": "1.0",
        "dose_unit": "mg_per_kg",
        "frequency": "twice_daily",
        "weight_kg": "17.0",
        "start_date": "2021-03-20",
        "intended_duration": "3_months",
        "stop_date": "2021-06-20",
        "stop_reason": "completed",
    },
    "dose_adjustments": {
        "adjustment_id": f"{PID}-D1",
        "course_id": f"{PID}-K1",
        "patient_id": PID,
        "date": "2021-04-02",
        "action": "reduced",
        "reason": "thrombocytopenia",
        "platelets": "38",
        "new_dose": "0.75",
        "platelet_transfusion": "false",
    },
    "lab_results": {
        "lab_id": f"{PID}-L1",
        "patient_id": PID,
        "date": "2021-03-22",
        "test": "anti_xa",
        "value": "0.62",
        "unit": "u_ml",
        "course_id": f"{PID}-K1",
    },
    "bleeding_events": {
        "bleed_id": f"{PID}-B1",
        "patient_id": PID,
        "date": "2021-04-05",
        "site": "mucocutaneous",
        "isth_category": "minor",
        "hemoglobin_drop_g_dl": "0.3",
        "transfusion": "false",
        "surgery_in_operating_suite": "false",
        "intervention_to_restore_hemostasis": "false",
        "sought_care": "false",
        "fatal": "false",
        "course_id": f"{PID}-K1",
    },
    "vte_assessments": {
        "assessment_id": f"{PID}-S1",
        "event_id": f"{PID}-V1",
        "patient_id": PID,
        "date": "2021-06-18",
        "imaging": "doppler_ultrasound",
        "thrombus_response": "complete_resolution",
        "pts_instrument": "modified_villalta",
        "pts_score": "2",
    },
    "vte_interventions": {
        "intervention_id": f"{PID}-I1",
        "event_id": f"{PID}-V1",
        "patient_id": PID,
        "date": "2021-03-21",
        "type": "other",
        "agent": "",
        "result": "not_assessed",
    },
}

VALID_SURVEY: dict[str, str] = {
    "response_id": "R000001",
    "started_at": "2020-05-01 10:00:00",
    "submitted_at": "2020-05-01 10:14:00",
    "complete": "1",
    "q01_practice_type": "hematology",
    "q02_years_in_practice": "6_10",
    "q03_new_leukemia_per_year": "0_50",
    "q04_country": "us",
    "q10_vte_types_treated___cvc_dvt": "1",
    "q10_vte_types_treated___pe": "1",
    "q10_vte_types_treated___none": "0",
    "q15_cvc_line_removal": "if_nonfunctional_or_infected",
    "q16_cvc_delay_removal": "3",
    "q26_doac_use": "selected",
    "q27_doac_agents___rivaroxaban": "1",
    "q31_plt_reduce_threshold": "lt_50",
    "q32_plt_hold_threshold": "lt_20",
    "q33_transfuse_platelets": "acute_period_only",
    "q34_transfusion_target": "50",
    "q38_primary_prophylaxis": "high_risk_only",
    "q39_prophylaxis_agents___antithrombin_concentrate": "1",
    "q40_at_replace_threshold": "60",
    "q43_thrombophilia_testing": "after_vte_only",
    "q44_thrombophilia_panel___factor_v_leiden": "1",
}

VALID_MANIFEST: dict[str, str] = {
    "site_id": "NYC01",
    "submission_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
    "schema_version": "1.0",
    "data_cutoff_date": "2023-06-30",
    "created_at": "2023-07-01T09:00:00+00:00",
    "generator": "hand-written test rows",
}


def write_submission(
    folder: Path,
    tables: Mapping[str, list[dict[str, str]]] | None = None,
    manifest: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``tables`` (default: the valid patient) as CSV with a manifest: schema 1.1 with
    its inventory, or 1.0 when ``manifest`` says so (then without the fields and tables
    that 1.1 added, as a 1.0 site would have sent them)."""
    from registry.models import TABLES
    from registry.submission import inventory, write_manifest
    from registry.version import SCHEMA_VERSION

    folder.mkdir(parents=True, exist_ok=True)
    tables = tables if tables is not None else {s.name: [dict(VALID[s.name])] for s in TABLES}
    version = (manifest or {}).get("schema_version", SCHEMA_VERSION)
    for spec in TABLES:
        if spec.name not in tables:
            continue
        rows = tables[spec.name]
        with (folder / f"{spec.name}.csv").open("w", newline="", encoding="utf-8") as handle:
            fields = list(rows[0]) if rows else spec.fields
            writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    head = {
        k: v for k, v in {**VALID_MANIFEST, **(manifest or {})}.items() if k != "schema_version"
    }
    counts = {name: len(rows) for name, rows in tables.items()}
    write_manifest(folder, head, inventory(folder, counts))
    return as_1_0(folder) if version == "1.0" else folder


def reinventory(folder: Path) -> None:
    """Make the manifest agree with the files again (a site that edited a file)."""
    from registry.submission import inventory

    manifest = json.loads((folder / "manifest.json").read_text())
    rows = {
        name: (folder / f"{name}.csv").read_bytes().count(b"\n") - 1
        for name in manifest["tables"]
        if (folder / f"{name}.csv").exists()
    }
    manifest["tables"] = inventory(folder, rows)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def as_1_0(folder: Path) -> Path:
    """Make a submission folder what a site on schema 1.0 sends: without the columns and the
    table that 1.1 added, with a 1.0 manifest (no inventory)."""
    from registry.models import TABLES

    for spec in TABLES:
        path = folder / f"{spec.name}.csv"
        if not path.exists():
            continue
        if spec.since == "1.1":
            path.unlink()
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
        keep = [f for f in reader.fieldnames or [] if f in spec.fields_in("1.0")]
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, keep, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["schema_version"] = "1.0"
    manifest.pop("tables", None)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def row(table: str, **changes: str) -> dict[str, str]:
    """A copy of the valid row of ``table`` with some fields changed."""
    return {**VALID[table], **changes}

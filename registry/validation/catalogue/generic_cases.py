"""Literal cases of the generated checks (``generic.py``): changes to the valid one-patient
submission, in the form of the ``[[cases]]`` of the ``.sql`` files
(``registry.validation.catalogue.cases`` says what each key means). The nearest valid case
comes after each violating one."""

from __future__ import annotations

from typing import Any

from registry.models import TABLES

__all__ = ["CASES"]

_PID = "NYC01-7F3K9Q2M"  # the patient of the cases' valid submission
_OTHER = "NYC01-7F3K9Q2N"

CASES: dict[str, list[dict[str, Any]]] = {
    "id-unique": [
        {
            "name": "a patient listed twice",
            "add": {"patients": [{}]},
            "finds": [["patients", "patient_id"]],
        },
        {
            "name": "a second patient of its own",
            "add": {"patients": [{"patient_id": _OTHER}]},
            "finds": [],
        },
    ],
    "fk-missing": [
        {
            "name": "an assessment of an event that is not there",
            "change": {"vte_assessments": {"event_id": f"{_PID}-V9"}},
            "finds": [["vte_assessments", "event_id"]],
        },
        {
            "name": "an assessment of the patient's event",
            "change": {"vte_assessments": {"event_id": f"{_PID}-V1"}},
            "finds": [],
        },
    ],
    "fk-other-patient": [
        {
            "name": "an event on another patient's catheter",
            "add": {
                "patients": [{"patient_id": _OTHER}],
                "catheters": [{"catheter_id": f"{_OTHER}-C1", "patient_id": _OTHER}],
            },
            "change": {"vte_events": {"catheter_id": f"{_OTHER}-C1"}},
            "finds": [["vte_events", "catheter_id"]],
        },
        {
            "name": "another patient has a catheter too",
            "add": {
                "patients": [{"patient_id": _OTHER}],
                "catheters": [{"catheter_id": f"{_OTHER}-C1", "patient_id": _OTHER}],
            },
            "finds": [],
        },
    ],
    "site-mismatch": [
        {
            "name": "a manifest of another site",
            "manifest": {"site_id": "BOS02"},
            "finds": [["patients", "site_id"]] + [[spec.name, "patient_id"] for spec in TABLES],
        },
        {
            "name": "the manifest of the records' site",
            "manifest": {"site_id": "NYC01"},
            "finds": [],
        },
    ],
    "after-cutoff": [
        {
            "name": "a lab the day after the cutoff",
            "change": {"lab_results": {"date": "2023-07-01"}},
            "finds": [["lab_results", "date"]],
        },
        {
            "name": "a lab on the cutoff",
            "change": {"lab_results": {"date": "2023-06-30"}},
            "finds": [],
        },
    ],
    "before-diagnosis": [
        {
            "name": "a catheter 31 days before diagnosis",
            "change": {"catheters": {"insertion_date": "2021-01-29"}},
            "finds": [["catheters", "insertion_date"]],
        },
        {
            "name": "a catheter 30 days before diagnosis",
            "change": {"catheters": {"insertion_date": "2021-01-30"}},
            "finds": [],
        },
    ],
    "after-death": [
        {
            "name": "a course stopping the day after death",
            "change": {
                "patients": {
                    "vital_status": "dead",
                    "death_date": "2021-06-19",
                    "cause_of_death": "infection",
                    "last_contact_date": "2021-06-19",
                }
            },
            "finds": [["anticoagulation_courses", "stop_date"]],
        },
        {
            "name": "a course stopping on the day of death",
            "change": {
                "patients": {
                    "vital_status": "dead",
                    "death_date": "2021-06-20",
                    "cause_of_death": "infection",
                    "last_contact_date": "2021-06-20",
                }
            },
            "finds": [],
        },
    ],
    "completeness-threshold": [
        {
            "name": "protocol_name missing in 25% of 20 patients",
            "copies": 20,
            "copy_share": 0.25,
            "copy_change": {"patients": {"protocol_name": ""}},
            "finds": [["patients", "protocol_name"]],
        },
        {
            "name": "protocol_name missing in 20% of 20 patients",
            "copies": 20,
            "copy_share": 0.2,
            "copy_change": {"patients": {"protocol_name": ""}},
            "finds": [],
        },
        {
            "name": "tip_position (new in 1.1) missing in 25% of 20 catheters",
            "copies": 20,
            "copy_share": 0.25,
            "copy_change": {"catheters": {"tip_position": ""}},
            "finds": [["catheters", "tip_position"]],
        },
        {
            "name": "tip_position not collected by a 1.0 submission",
            "copies": 20,
            "manifest": {"schema_version": "1.0"},
            "finds": [],
        },
    ],
}

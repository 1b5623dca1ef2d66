"""FHIR R4 resources from registry records (plain JSON-ready dicts, one builder per table).

Every coded value carries its standard codings (``registry.models.bindings``) and the
project code as a second coding in the project's code system
(``PROJECT_SYSTEM/<code list>``). Patients carry the pseudonym only: no name, no birth
date; the age at diagnosis is an extension. Resource IDs are the registry's record IDs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from registry.models.bindings import PROJECT_SYSTEM, System, bindings_of
from registry.models.codes import (
    AnticoagulantAgent,
    AsparaginaseProduct,
    AsparaginaseUnit,
    BleedingSite,
    CatheterType,
    CodeList,
    CourseIntent,
    DoseUnit,
    EventSide,
    Frequency,
    Immunophenotype,
    IntendedDuration,
    InterventionType,
    IsthCategory,
    LabTest,
    LabUnit,
    LysisResult,
    RemovalReason,
    ResultCategory,
    ResultUnit,
    Route,
    Thrombolytic,
    ThrombophiliaTest,
    VteSite,
)

__all__ = ["BUILDERS", "EXTENSION", "Resource", "coding", "concept"]

Resource = dict[str, Any]
EXTENSION = "https://all-vte-registry.org/fhir/StructureDefinition"
_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


def _kebab(codes: type[CodeList]) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in codes.__name__).lstrip("-")


def coding(code: CodeList) -> list[dict[str, str]]:
    """The standard codings of ``code``, then the project coding."""
    standard = [
        {"system": b.system.value, "code": b.code, "display": b.display} for b in bindings_of(code)
    ]
    project = {
        "system": f"{PROJECT_SYSTEM}/{_kebab(type(code))}",
        "code": code.value,
        "display": code.label,
    }
    return [*standard, project]


def concept(code: CodeList) -> dict[str, Any]:
    return {"coding": coding(code), "text": code.label}


def _quantity(value: float, unit: CodeList) -> dict[str, Any]:
    ucum = next((b for b in bindings_of(unit) if b.system is System.UCUM), None)
    out: dict[str, Any] = {"value": value, "unit": unit.label}
    if ucum is not None:
        out |= {"system": System.UCUM.value, "code": ucum.code}
    return out


def _date(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


def _ref(kind: str, rid: str) -> dict[str, str]:
    return {"reference": f"{kind}/{rid}"}


def _drop_none(resource: Resource) -> Resource:
    return {k: v for k, v in resource.items() if v is not None and v != []}


def patients(r: dict[str, Any]) -> list[Resource]:
    gender = {"female": "female", "male": "male"}.get(r["sex"], "unknown")
    patient = _drop_none(
        {
            "resourceType": "Patient",
            "id": r["patient_id"],
            "identifier": [
                {"system": f"{PROJECT_SYSTEM}/patient-pseudonym", "value": r["patient_id"]}
            ],
            "gender": gender,
            "extension": [
                {
                    "url": f"{EXTENSION}/age-at-diagnosis",
                    "valueAge": {
                        "value": r["age_at_diagnosis_months"],
                        "unit": "month",
                        "system": System.UCUM.value,
                        "code": "mo",
                    },
                }
            ],
            "deceasedDateTime": _date(r["death_date"]),
            "deceasedBoolean": False if r["death_date"] is None else None,
        }
    )
    leukemia = _drop_none(
        {
            "resourceType": "Condition",
            "id": f"{r['patient_id']}-ALL",
            "clinicalStatus": {"coding": [{"system": _CLINICAL, "code": "active"}]},
            "verificationStatus": {"coding": [{"system": _VERIFICATION, "code": "confirmed"}]},
            "code": concept(Immunophenotype(r["immunophenotype"])),
            "subject": _ref("Patient", r["patient_id"]),
            "onsetDateTime": _date(r["diagnosis_date"]),
        }
    )
    return [patient, leukemia]


def vte_events(r: dict[str, Any]) -> list[Resource]:
    return [
        _drop_none(
            {
                "resourceType": "Condition",
                "id": r["event_id"],
                "verificationStatus": {"coding": [{"system": _VERIFICATION, "code": "confirmed"}]},
                "code": concept(VteSite(r["site"])),
                "bodySite": [_body_site(r)],
                "severity": {
                    "coding": [
                        {
                            "system": f"{PROJECT_SYSTEM}/ctcae-v5-thromboembolic-event-grade",
                            "code": str(r["ctcae_grade"]),
                            "display": f"CTCAE v5 grade {r['ctcae_grade']}",
                        }
                    ]
                },
                "subject": _ref("Patient", r["patient_id"]),
                "onsetDateTime": _date(r["diagnosis_date"]),
                "evidence": [{"detail": [_ref("Procedure", r["catheter_id"])]}]
                if r.get("catheter_id")
                else None,
            }
        )
    ]


def _body_site(r: dict[str, Any]) -> dict[str, Any]:
    """The site of the thrombosis with its side (spec 1.1), as the event recorded them."""
    site = VteSite(r["site"])
    side = EventSide(r["side"]) if r.get("side") else None
    coded = coding(side) if side is not None else []
    text = site.label + (f", {side.label.lower()}" if side is not None else "")
    return {"coding": coded, "text": text} if coded else {"text": text}


def anticoagulation_courses(r: dict[str, Any]) -> list[Resource]:
    stopped = r["stop_date"] is not None
    return [
        _drop_none(
            {
                "resourceType": "MedicationRequest",
                "id": r["course_id"],
                "status": "completed" if stopped else "active",
                "intent": "order",
                "category": [concept(CourseIntent(r["intent"]))],
                "medicationCodeableConcept": concept(AnticoagulantAgent(r["agent"])),
                "subject": _ref("Patient", r["patient_id"]),
                "authoredOn": _date(r["start_date"]),
                "reasonReference": [_ref("Condition", r["event_id"])] if r["event_id"] else None,
                "dosageInstruction": [
                    {
                        "timing": {
                            "code": concept(Frequency(r["frequency"])),
                            "repeat": {
                                "boundsPeriod": _drop_none(
                                    {"start": _date(r["start_date"]), "end": _date(r["stop_date"])}
                                )
                            },
                        },
                        "doseAndRate": [
                            {"doseQuantity": _quantity(r["dose"], DoseUnit(r["dose_unit"]))}
                        ],
                    }
                ],
                "extension": [
                    {
                        "url": f"{EXTENSION}/intended-duration",
                        "valueCodeableConcept": concept(IntendedDuration(r["intended_duration"])),
                    }
                ],
            }
        )
    ]


def asparaginase_doses(r: dict[str, Any]) -> list[Resource]:
    return [
        {
            "resourceType": "MedicationAdministration",
            "id": r["dose_id"],
            "status": "completed",
            "medicationCodeableConcept": concept(AsparaginaseProduct(r["product"])),
            "subject": _ref("Patient", r["patient_id"]),
            "effectiveDateTime": _date(r["administration_date"]),
            "dosage": {
                "route": concept(Route(r["route"])),
                "dose": _quantity(r["dose"], AsparaginaseUnit(r["dose_unit"])),
            },
        }
    ]


def lab_results(r: dict[str, Any]) -> list[Resource]:
    return [
        _drop_none(
            {
                "resourceType": "Observation",
                "id": r["lab_id"],
                "status": "final",
                "category": [{"coding": [{"system": _CATEGORY, "code": "laboratory"}]}],
                "code": concept(LabTest(r["test"])),
                "subject": _ref("Patient", r["patient_id"]),
                "effectiveDateTime": _date(r["date"]),
                "valueQuantity": _quantity(r["value"], LabUnit(r["unit"])),
            }
        )
    ]


def thrombophilia_tests(r: dict[str, Any]) -> list[Resource]:
    value: dict[str, Any] = {"valueCodeableConcept": concept(ResultCategory(r["result_category"]))}
    components = None
    if r["result_value"] is not None and r["result_unit"] is not None:
        components = [
            {
                "code": concept(ThrombophiliaTest(r["test"])),
                "valueQuantity": _quantity(r["result_value"], ResultUnit(r["result_unit"])),
            }
        ]
    return [
        _drop_none(
            {
                "resourceType": "Observation",
                "id": r["test_id"],
                "status": "final",
                "category": [{"coding": [{"system": _CATEGORY, "code": "laboratory"}]}],
                "code": concept(ThrombophiliaTest(r["test"])),
                "subject": _ref("Patient", r["patient_id"]),
                "effectiveDateTime": _date(r["sample_date"]),
                **value,
                "component": components,
            }
        )
    ]


def catheters(r: dict[str, Any]) -> list[Resource]:
    inserted = {
        "resourceType": "Procedure",
        "id": r["catheter_id"],
        "status": "completed",
        "code": {"text": "Central venous catheter insertion"},
        "usedCode": [concept(CatheterType(r["catheter_type"]))],
        "subject": _ref("Patient", r["patient_id"]),
        "performedDateTime": _date(r["insertion_date"]),
    }
    if r["removal_date"] is None:
        return [inserted]
    removed = _drop_none(
        {
            "resourceType": "Procedure",
            "id": f"{r['catheter_id']}-removal",
            "status": "completed",
            "code": {"text": "Central venous catheter removal"},
            "usedCode": [concept(CatheterType(r["catheter_type"]))],
            "subject": _ref("Patient", r["patient_id"]),
            "performedDateTime": _date(r["removal_date"]),
            "partOf": [_ref("Procedure", r["catheter_id"])],
            "reasonCode": [concept(RemovalReason(r["removal_reason"]))]
            if r["removal_reason"]
            else None,
        }
    )
    return [inserted, removed]


def vte_interventions(r: dict[str, Any]) -> list[Resource]:
    return [
        _drop_none(
            {
                "resourceType": "Procedure",
                "id": r["intervention_id"],
                "status": "completed",
                "code": concept(InterventionType(r["type"])),
                "subject": _ref("Patient", r["patient_id"]),
                "performedDateTime": _date(r["date"]),
                "reasonReference": [_ref("Condition", r["event_id"])],
                "usedCode": [concept(Thrombolytic(r["agent"]))] if r["agent"] else None,
                "outcome": concept(LysisResult(r["result"])) if r["result"] else None,
            }
        )
    ]


def bleeding_events(r: dict[str, Any]) -> list[Resource]:
    return [
        _drop_none(
            {
                "resourceType": "AdverseEvent",
                "id": r["bleed_id"],
                "actuality": "actual",
                "event": concept(BleedingSite(r["site"])),
                "subject": _ref("Patient", r["patient_id"]),
                "date": _date(r["date"]),
                "severity": concept(IsthCategory(r["isth_category"])),
                "outcome": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/adverse-event-outcome",
                            "code": "fatal" if r["fatal"] else "unknown",
                        }
                    ]
                },
                "suspectEntity": [{"instance": _ref("MedicationRequest", r["course_id"])}]
                if r["course_id"]
                else None,
            }
        )
    ]


#: Registry table -> its builder (tables with no FHIR resource here: treatment_phases,
#: dose_adjustments, vte_assessments).
BUILDERS = {
    "patients": patients,
    "catheters": catheters,
    "vte_events": vte_events,
    "anticoagulation_courses": anticoagulation_courses,
    "asparaginase_doses": asparaginase_doses,
    "lab_results": lab_results,
    "thrombophilia_tests": thrombophilia_tests,
    "vte_interventions": vte_interventions,
    "bleeding_events": bleeding_events,
}

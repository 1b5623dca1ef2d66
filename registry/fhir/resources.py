"""FHIR R4 resources from registry records (plain JSON-ready dicts, one builder per table).

Every coded value carries its standard codings (``registry.models.bindings``) and the
project code as a second coding in the project's code system
(``PROJECT_SYSTEM/<code list>``). Patients carry the pseudonym only: no name, no birth
date; the age at diagnosis is an extension. Resource IDs are the registry's record IDs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from registry.models.bindings import (
    ANTI_XA_BY_AGENT,
    BY_UNIT,
    PROJECT_SYSTEM,
    Binding,
    System,
    bindings_of,
)
from registry.models.codes import (
    AnticoagulantAgent,
    AsparaginaseProduct,
    AsparaginaseUnit,
    BleedingSite,
    CatheterType,
    CodeList,
    CourseIntent,
    DoseAdjustmentAction,
    DoseAdjustmentReason,
    DoseUnit,
    EventSide,
    Frequency,
    Imaging,
    Immunophenotype,
    IntendedDuration,
    InterventionType,
    IsthCategory,
    LabTest,
    LabUnit,
    LysisResult,
    Phase,
    PtsInstrument,
    RemovalReason,
    ResultCategory,
    ResultUnit,
    Route,
    Thrombolytic,
    ThrombophiliaTest,
    ThrombusResponse,
    VteSite,
)

__all__ = ["BUILDERS", "EXTENSION", "Resource", "Seen", "coding", "concept"]

Resource = dict[str, Any]
EXTENSION = "https://all-vte-registry.org/fhir/StructureDefinition"
_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


def _kebab(codes: type[CodeList]) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in codes.__name__).lstrip("-")


@dataclass
class Seen:
    """What the export has read so far that later records refer to: each course's agent and
    dose unit (an adjustment's dose is in its course's unit; an anti-Xa is coded by the
    calibration its course's agent calls for)."""

    courses: dict[str, tuple[str, str]] = field(default_factory=dict)


def coding(
    code: CodeList, standard_codes: tuple[Binding, ...] | None = None
) -> list[dict[str, str]]:
    """The standard codings of ``code`` (or ``standard_codes``), then the project coding."""
    found = bindings_of(code) if standard_codes is None else standard_codes
    standard = [{"system": b.system.value, "code": b.code, "display": b.display} for b in found]
    project = {
        "system": f"{PROJECT_SYSTEM}/{_kebab(type(code))}",
        "code": code.value,
        "display": code.label,
    }
    return [*standard, project]


def concept(code: CodeList, standard_codes: tuple[Binding, ...] | None = None) -> dict[str, Any]:
    return {"coding": coding(code, standard_codes), "text": code.label}


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


def patients(r: dict[str, Any], seen: Seen) -> list[Resource]:
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


def vte_events(r: dict[str, Any], seen: Seen) -> list[Resource]:
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


def anticoagulation_courses(r: dict[str, Any], seen: Seen) -> list[Resource]:
    seen.courses[r["course_id"]] = (r["agent"], r["dose_unit"])
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


def asparaginase_doses(r: dict[str, Any], seen: Seen) -> list[Resource]:
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


def _lab_code(r: dict[str, Any], seen: Seen) -> dict[str, Any]:
    test = LabTest(r["test"])
    if test is LabTest.ANTI_XA:
        # coded by the calibration the monitored course's agent calls for (if one applies)
        agent = seen.courses.get(r["course_id"] or "", (None, None))[0]
        found = ANTI_XA_BY_AGENT.get(AnticoagulantAgent(agent)) if agent else None
        return concept(test, (found,) if found is not None else ())
    return concept(test)


def lab_results(r: dict[str, Any], seen: Seen) -> list[Resource]:
    return [
        _drop_none(
            {
                "resourceType": "Observation",
                "id": r["lab_id"],
                "status": "final",
                "category": [{"coding": [{"system": _CATEGORY, "code": "laboratory"}]}],
                "code": _lab_code(r, seen),
                "subject": _ref("Patient", r["patient_id"]),
                "effectiveDateTime": _date(r["date"]),
                "valueQuantity": _quantity(r["value"], LabUnit(r["unit"])),
            }
        )
    ]


#: The registry's result categories as HL7 v3 ObservationInterpretation codes (the binding
#: of Observation.interpretation, extensible); genotypes have none there (the project code).
_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
_V3_INTERPRETATION = {
    ResultCategory.NORMAL: ("N", "Normal"),
    ResultCategory.LOW: ("L", "Low"),
    ResultCategory.HIGH: ("H", "High"),
    ResultCategory.POSITIVE: ("POS", "Positive"),
    ResultCategory.NEGATIVE: ("NEG", "Negative"),
    ResultCategory.INDETERMINATE: ("IND", "Indeterminate"),
}


def _interpretation(category: ResultCategory) -> dict[str, Any]:
    out = concept(category)
    if category in _V3_INTERPRETATION:
        code, display = _V3_INTERPRETATION[category]
        out["coding"].insert(0, {"system": _INTERPRETATION, "code": code, "display": display})
    return out


def thrombophilia_tests(r: dict[str, Any], seen: Seen) -> list[Resource]:
    """A measured result is the value and its category the interpretation; a result with a
    category only (a genotype, a lupus anticoagulant) has the category as its value. (The
    result is never repeated in a component under the test's own code: invariant obs-7.)"""
    test, category = ThrombophiliaTest(r["test"]), ResultCategory(r["result_category"])
    measured = r["result_value"] is not None and r["result_unit"] is not None
    if measured:
        unit = ResultUnit(r["result_unit"])
        by_unit = BY_UNIT.get((test, unit))
        code = concept(test, (by_unit,) if by_unit is not None else None)
        value: dict[str, Any] = {
            "valueQuantity": _quantity(r["result_value"], unit),
            "interpretation": [_interpretation(category)],
        }
    else:
        code, value = concept(test), {"valueCodeableConcept": concept(category)}
    return [
        _drop_none(
            {
                "resourceType": "Observation",
                "id": r["test_id"],
                "status": "final",
                "category": [{"coding": [{"system": _CATEGORY, "code": "laboratory"}]}],
                "code": code,
                "subject": _ref("Patient", r["patient_id"]),
                "effectiveDateTime": _date(r["sample_date"]),
                **value,
            }
        )
    ]


def catheters(r: dict[str, Any], seen: Seen) -> list[Resource]:
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


def vte_interventions(r: dict[str, Any], seen: Seen) -> list[Resource]:
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


def bleeding_events(r: dict[str, Any], seen: Seen) -> list[Resource]:
    return [
        _drop_none(
            {
                "resourceType": "AdverseEvent",
                "id": r["bleed_id"],
                "actuality": "actual",
                "event": concept(BleedingSite(r["site"])),
                "subject": _ref("Patient", r["patient_id"]),
                "date": _date(r["date"]),
                # the ISTH category is not a severity (AdverseEvent.severity is bound, required,
                # to mild | moderate | severe): an extension of its own
                "extension": [
                    {
                        "url": f"{EXTENSION}/isth-bleeding-category",
                        "valueCodeableConcept": concept(IsthCategory(r["isth_category"])),
                    }
                ],
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


def treatment_phases(r: dict[str, Any], seen: Seen) -> list[Resource]:
    """A phase of leukemia therapy: the plan in force over its period."""
    ongoing = r["end_date"] is None
    return [
        {
            "resourceType": "CarePlan",
            "id": r["phase_id"],
            "status": "active" if ongoing else "completed",
            "intent": "plan",
            "category": [concept(Phase(r["phase"]))],
            "title": f"ALL therapy: {Phase(r['phase']).label}",
            "subject": _ref("Patient", r["patient_id"]),
            "period": _drop_none({"start": _date(r["start_date"]), "end": _date(r["end_date"])}),
            "addresses": [_ref("Condition", f"{r['patient_id']}-ALL")],
        }
    ]


def dose_adjustments(r: dict[str, Any], seen: Seen) -> list[Resource]:
    """A hold or change of a course: a new order that replaces the course's
    (``priorPrescription``), on hold for a hold, with the new dose in the course's unit."""
    agent, unit = seen.courses[r["course_id"]]
    action = DoseAdjustmentAction(r["action"])
    extensions: list[dict[str, Any]] = [
        {"url": f"{EXTENSION}/dose-adjustment-action", "valueCodeableConcept": concept(action)},
        {"url": f"{EXTENSION}/platelet-transfusion", "valueBoolean": r["platelet_transfusion"]},
    ]
    if r["platelets"] is not None:
        extensions.append(
            {
                "url": f"{EXTENSION}/platelets-at-adjustment",
                "valueQuantity": _quantity(r["platelets"], LabUnit.PLATELETS_10E9_L),
            }
        )
    dosage = None
    if r["new_dose"] is not None:
        dosage = [{"doseAndRate": [{"doseQuantity": _quantity(r["new_dose"], DoseUnit(unit))}]}]
    return [
        _drop_none(
            {
                "resourceType": "MedicationRequest",
                "id": r["adjustment_id"],
                "status": "on-hold" if action is DoseAdjustmentAction.HELD else "active",
                "intent": "order",
                "medicationCodeableConcept": concept(AnticoagulantAgent(agent)),
                "subject": _ref("Patient", r["patient_id"]),
                "authoredOn": _date(r["date"]),
                "priorPrescription": _ref("MedicationRequest", r["course_id"]),
                "reasonCode": [concept(DoseAdjustmentReason(r["reason"]))],
                "dosageInstruction": dosage,
                "extension": extensions,
            }
        )
    ]


def vte_assessments(r: dict[str, Any], seen: Seen) -> list[Resource]:
    """Follow-up of an event: the thrombus against diagnosis, and a post-thrombotic syndrome
    score under its instrument."""
    components = None
    if r["pts_instrument"] is not None and r["pts_score"] is not None:
        components = [
            {"code": concept(PtsInstrument(r["pts_instrument"])), "valueInteger": r["pts_score"]}
        ]
    return [
        _drop_none(
            {
                "resourceType": "Observation",
                "id": r["assessment_id"],
                "status": "final",
                "code": {
                    "coding": [
                        {
                            "system": f"{PROJECT_SYSTEM}/vte-assessment",
                            "code": "thrombus_response",
                            "display": "Thrombus response at follow-up",
                        }
                    ],
                    "text": "Thrombus response at follow-up",
                },
                "subject": _ref("Patient", r["patient_id"]),
                "focus": [_ref("Condition", r["event_id"])],
                "effectiveDateTime": _date(r["date"]),
                "valueCodeableConcept": concept(ThrombusResponse(r["thrombus_response"])),
                "method": concept(Imaging(r["imaging"])) if r["imaging"] else None,
                "component": components,
            }
        )
    ]


#: Registry table -> its builder, in the order of TABLES (a course before what refers to it).
BUILDERS = {
    "patients": patients,
    "treatment_phases": treatment_phases,
    "dose_adjustments": dose_adjustments,
    "vte_assessments": vte_assessments,
    "catheters": catheters,
    "vte_events": vte_events,
    "anticoagulation_courses": anticoagulation_courses,
    "asparaginase_doses": asparaginase_doses,
    "lab_results": lab_results,
    "thrombophilia_tests": thrombophilia_tests,
    "vte_interventions": vte_interventions,
    "bleeding_events": bleeding_events,
}

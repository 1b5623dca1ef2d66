"""Defects that describe something that cannot happen (spec: registry.md, "Plausibility
rules"): dates outside their referenced record, before birth or after the last contact, a
death the records contradict, growth no child has, anatomy that does not connect."""

from __future__ import annotations

from registry.models.bleeding_events import MAJOR_SITES
from registry.models.fields import EARLIEST_DATE
from registry.synthetic.case import Rec, days
from registry.synthetic.defect_context import (
    Context,
    Defect,
    Injector,
    PatientRecords,
    defect,
    first,
)

_LIMB_DVT = ("cvc_upper_dvt", "non_cvc_upper_dvt", "lower_extremity_dvt")
_UPPER_BODY_VEINS = ("internal_jugular", "subclavian", "basilic", "brachial", "cephalic")


def _date_outside_reference(ctx: Context, p: PatientRecords) -> Defect | None:
    """An assessment dated before its event, or an intervention days before it."""
    events = {e["event_id"]: e for e in p["vte_events"]}
    dx = p.patient["diagnosis_date"]
    for table in ("vte_assessments", "vte_interventions"):
        for row in p[table]:
            event = events.get(row["event_id"])
            if event is None:
                continue
            day = event["diagnosis_date"] - days(4)
            if day >= dx:
                row["date"] = day
                return defect("date-outside-reference", table, row, "date")
    return None


def _before_birth(ctx: Context, p: PatientRecords) -> Defect | None:
    """A thrombophilia sample dated three months before the patient was born."""
    test = first(p["thrombophilia_tests"], lambda r: True)
    if test is None:
        return None
    patient = p.patient
    months = patient["age_at_diagnosis_months"] + 3
    day = patient["diagnosis_date"] - days(round(months * 30.44))
    if day < EARLIEST_DATE:
        return None  # out-of-range would name it first
    test["sample_date"] = day
    return defect("before-birth", "thrombophilia_tests", test, "sample_date")


def _after_last_contact(ctx: Context, p: PatientRecords) -> Defect | None:
    """A lab (not tied to a course) dated after the last contact, before the cutoff."""
    patient = p.patient
    day = patient["last_contact_date"] + days(5)
    if patient["death_date"] is not None or day > ctx.cutoff:
        return None
    lab = first(p["lab_results"], lambda r: r["course_id"] is None and r["test"] != "anti_xa")
    if lab is None:
        return None
    lab["date"] = day
    return defect("after-last-contact", "lab_results", lab, "date")


def _death_record(ctx: Context, p: PatientRecords) -> Defect | None:
    """A living patient's catheter removed for death, or off study for death."""
    patient = p.patient
    if patient["vital_status"] != "alive":
        return None
    if ctx.flip("death-record-inconsistent") == 0:
        cat = first(p["catheters"], lambda r: r["removal_date"] is not None)
        if cat is not None:
            cat["removal_reason"] = "death"
            return defect("death-record-inconsistent", "catheters", cat, "removal_reason")
    if "off_study_reason" in ctx.files.dropped_columns.get("patients", []):
        return None  # the file defect missing-column took the column out
    patient["off_study_reason"] = "death"
    return defect("death-record-inconsistent", "patients", patient, "off_study_reason")


def _growth(ctx: Context, p: PatientRecords) -> Defect | None:
    """Weight typed four times over (a unit or a digit slip): a BMI no child has."""
    patient = p.patient
    weight = round(patient["weight_kg_at_diagnosis"] * 4, 1)
    if weight > 200 or patient["sex"] == "unknown":
        return None  # beyond the field's range, or not judged against a reference
    patient["weight_kg_at_diagnosis"] = weight
    return defect("growth-implausible", "patients", patient, "weight_kg_at_diagnosis")


def _catheter_anatomy(ctx: Context, p: PatientRecords) -> Defect | None:
    """A PICC recorded as inserted in the internal jugular vein."""
    cat = first(p["catheters"], lambda r: r["catheter_type"] == "picc")
    if cat is None:
        return None
    cat["insertion_vein"] = "internal_jugular"
    return defect("catheter-anatomy-inconsistent", "catheters", cat, "catheter_type")


def _catheter_tip(ctx: Context, p: PatientRecords) -> Defect | None:
    """An upper-body catheter with its tip recorded in the IVC."""
    cat = first(p["catheters"], lambda r: r["insertion_vein"] in _UPPER_BODY_VEINS)
    if cat is None:
        return None
    cat["tip_position"] = "ivc"
    return defect("catheter-tip-unusual", "catheters", cat, "insertion_vein")


def _event_anatomy(ctx: Context, p: PatientRecords) -> Defect | None:
    """A limb DVT on the midline (the rule on one record), or an upper-body DVT blamed on a
    catheter recorded as femoral (the rule across records)."""
    if ctx.flip("event-anatomy-inconsistent") == 0:
        event = first(p["vte_events"], lambda r: r["site"] in _LIMB_DVT)
        if event is not None:
            event["side"] = "midline"
            return defect("event-anatomy-inconsistent", "vte_events", event, "site")
    cats = {c["catheter_id"]: c for c in p["catheters"]}
    for event in p["vte_events"]:
        cat = cats.get(event["catheter_id"])
        if event["site"] == "cvc_upper_dvt" and cat is not None and cat["catheter_type"] != "picc":
            # a femoral line ends in the IVC: its tip moves with it (no other rule breaks)
            cat["insertion_vein"], cat["tip_position"] = "femoral", "ivc"
            return defect("event-anatomy-inconsistent", "vte_events", event, "site")
    return None


def _outside_critical_sites(row: Rec) -> bool:
    # a bleed at a critical site is major for its site: moved, its ISTH category would break
    return row["site"] != "menstrual" and row["site"] not in MAJOR_SITES


def _bleeding_site(ctx: Context, p: PatientRecords) -> Defect | None:
    """A menstrual bleed in a boy."""
    bleed = first(p["bleeding_events"], _outside_critical_sites)
    if bleed is None or p.patient["sex"] != "male":
        return None
    bleed["site"] = "menstrual"
    return defect("bleeding-site-implausible", "bleeding_events", bleed, "site")


PLAUSIBILITY_DEFECTS: dict[str, Injector] = {
    "date-outside-reference": _date_outside_reference,
    "before-birth": _before_birth,
    "after-last-contact": _after_last_contact,
    "death-record-inconsistent": _death_record,
    "growth-implausible": _growth,
    "catheter-anatomy-inconsistent": _catheter_anatomy,
    "catheter-tip-unusual": _catheter_tip,
    "event-anatomy-inconsistent": _event_anatomy,
    "bleeding-site-implausible": _bleeding_site,
}

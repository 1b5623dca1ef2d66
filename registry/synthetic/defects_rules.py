"""Defects that break one structural rule on one patient's records: identifiers,
references, site, and dates (cutoff, diagnosis, death, phases, catheters, courses)."""

from __future__ import annotations

from registry.models import table_spec
from registry.synthetic.case import Rec, days
from registry.synthetic.defect_context import (
    Context,
    Defect,
    Injector,
    PatientRecords,
    defect,
    first,
)

_LEAVES = (
    "lab_results",
    "bleeding_events",
    "thrombophilia_tests",
    "asparaginase_doses",
    "dose_adjustments",
)


def _id_format(ctx: Context, p: PatientRecords) -> Defect | None:
    for table in _LEAVES:
        row = first(p[table], lambda r: True)
        if row is not None:
            id_field = table_spec(table).id_field
            head, number = row[id_field].rsplit("-", 1)
            row[id_field] = f"{head}-X{number[1:]}"
            return defect("id-format", table, row, id_field)
    return None


def _id_unique(ctx: Context, p: PatientRecords) -> Defect | None:
    for table in _LEAVES:
        rows = p[table]
        if len(rows) >= 2:
            id_field = table_spec(table).id_field
            rows[-1][id_field] = rows[0][id_field]
            return defect("id-unique", table, rows[-1], id_field)
    return None


def _site_mismatch(ctx: Context, p: PatientRecords) -> Defect | None:
    p.patient["site_id"] = "ZZZ99"
    return defect("site-mismatch", "patients", p.patient, "patient_id")


def _lab_without_course(p: PatientRecords) -> Rec | None:
    return first(p["lab_results"], lambda r: r["course_id"] is None and r["test"] != "anti_xa")


def _fk_missing(ctx: Context, p: PatientRecords) -> Defect | None:
    lab = _lab_without_course(p)
    if lab is None:
        return None
    lab["course_id"] = f"{p.pid}-K99"
    return defect("fk-missing", "lab_results", lab, "course_id")


def _fk_other_patient(ctx: Context, p: PatientRecords) -> Defect | None:
    lab = _lab_without_course(p)
    other = next((o for o in ctx.patients if o.pid != p.pid and o["anticoagulation_courses"]), None)
    if lab is None or other is None:
        return None
    lab["course_id"] = other["anticoagulation_courses"][0]["course_id"]
    return defect("fk-other-patient", "lab_results", lab, "course_id")


def _after_cutoff(ctx: Context, p: PatientRecords) -> Defect | None:
    if p.patient["vital_status"] != "alive":
        return None
    lab = _lab_without_course(p)
    if lab is None:
        return None
    lab["date"] = ctx.cutoff + days(10)
    return defect("after-cutoff", "lab_results", lab, "date")


def _before_diagnosis(ctx: Context, p: PatientRecords) -> Defect | None:
    phases = sorted(p["treatment_phases"], key=lambda r: r["start_date"])
    if not phases:
        return None
    phases[0]["start_date"] = p.patient["diagnosis_date"] - days(10)
    return defect("before-diagnosis", "treatment_phases", phases[0], "start_date")


def _end_before_start(ctx: Context, p: PatientRecords) -> Defect | None:
    cat = first(p["catheters"], lambda r: r["removal_date"] is not None)
    if cat is not None:
        cat["removal_date"] = cat["insertion_date"] - days(1)
        return defect("end-before-start", "catheters", cat, "removal_date")
    course = first(p["anticoagulation_courses"], lambda r: r["stop_date"] is not None)
    if course is None:
        return None
    course["stop_date"] = course["start_date"] - days(1)
    return defect("end-before-start", "anticoagulation_courses", course, "stop_date")


def _after_death(ctx: Context, p: PatientRecords) -> Defect | None:
    death = p.patient["death_date"]
    if death is None or death + days(5) > ctx.cutoff:
        return None
    lab = _lab_without_course(p)
    if lab is None:
        return None
    lab["date"] = death + days(5)
    return defect("after-death", "lab_results", lab, "date")


def _phase_overlap(ctx: Context, p: PatientRecords) -> Defect | None:
    phases = sorted(p["treatment_phases"], key=lambda r: r["start_date"])
    if len(phases) < 2 or phases[0]["end_date"] is None:
        return None
    if (phases[0]["end_date"] - phases[0]["start_date"]).days < 5:
        return None
    phases[1]["start_date"] = phases[0]["start_date"] + days(3)
    return defect("phase-overlap", "treatment_phases", phases[1], "start_date")


def _late_enrollment(ctx: Context, p: PatientRecords) -> Defect | None:
    late = p.patient["diagnosis_date"] + days(75)
    if late > p.patient["last_contact_date"] or (p.patient["death_date"] or late) < late:
        return None
    p.patient["enrollment_date"] = late
    return defect("late-enrollment", "patients", p.patient, "enrollment_date")


def _phase_mismatch(ctx: Context, p: PatientRecords) -> Defect | None:
    event = first(p["vte_events"], lambda r: True)
    if event is None:
        return None
    event["phase_at_event"] = "hsct" if event["phase_at_event"] != "hsct" else "induction"
    return defect("phase-mismatch", "vte_events", event, "phase_at_event")


def _dose_outside_phase(ctx: Context, p: PatientRecords) -> Defect | None:
    phases = sorted(p["treatment_phases"], key=lambda r: r["start_date"])
    dose = first(p["asparaginase_doses"], lambda r: True)
    if dose is None or not phases:
        return None
    dose["administration_date"] = phases[0]["start_date"] - days(20)
    return defect("dose-outside-phase", "asparaginase_doses", dose, "administration_date")


def _catheter_not_in_place(ctx: Context, p: PatientRecords) -> Defect | None:
    cats = {c["catheter_id"]: c for c in p["catheters"]}
    for event in p["vte_events"]:
        cat = cats.get(event["catheter_id"])
        if cat is not None and (event["diagnosis_date"] - cat["insertion_date"]).days >= 3:
            cat["removal_date"] = event["diagnosis_date"] - days(2)
            cat["removal_reason"] = cat["removal_reason"] or "malfunction"
            return defect("catheter-not-in-place", "vte_events", event, "catheter_id")
    return None


def _treatment_without_event(ctx: Context, p: PatientRecords) -> Defect | None:
    course = first(p["anticoagulation_courses"], lambda r: r["intent"] == "treatment")
    if course is None:
        return None
    if ctx.flip("treatment-without-event") == 0:
        course["event_id"] = None
    else:
        event = first(p["vte_events"], lambda r: r["event_id"] == course["event_id"])
        assert event is not None
        course["start_date"] = event["diagnosis_date"] - days(5)
    return defect("treatment-without-event", "anticoagulation_courses", course, "event_id")


RULE_DEFECTS: dict[str, Injector] = {
    "id-format": _id_format,
    "id-unique": _id_unique,
    "site-mismatch": _site_mismatch,
    "fk-missing": _fk_missing,
    "fk-other-patient": _fk_other_patient,
    "after-cutoff": _after_cutoff,
    "before-diagnosis": _before_diagnosis,
    "end-before-start": _end_before_start,
    "after-death": _after_death,
    "phase-overlap": _phase_overlap,
    "late-enrollment": _late_enrollment,
    "phase-mismatch": _phase_mismatch,
    "dose-outside-phase": _dose_outside_phase,
    "catheter-not-in-place": _catheter_not_in_place,
    "treatment-without-event": _treatment_without_event,
}

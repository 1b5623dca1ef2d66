"""Defects that break one clinical rule on one patient's records: treatment, risk group,
PTWG, CTCAE, ISTH, imaging, doses, units, genotypes, monitoring, and a planted identifier."""

from __future__ import annotations

import datetime as dt
from functools import partial

from registry.models.vte_events import SUITABLE_IMAGING
from registry.synthetic.case import Rec
from registry.synthetic.defect_context import (
    Context,
    Defect,
    Injector,
    PatientRecords,
    defect,
    first,
)

# --- spec rules ------------------------------------------------------------------------------
_LEAVES = (
    "lab_results",
    "bleeding_events",
    "thrombophilia_tests",
    "asparaginase_doses",
    "dose_adjustments",
)


def _untreated_event(ctx: Context, p: PatientRecords) -> Defect | None:
    treated = {c["event_id"] for c in p["anticoagulation_courses"] if c["intent"] == "treatment"}
    event = first(
        p["vte_events"],
        lambda r: r["detection"] in ("symptomatic", "incidental") and r["event_id"] in treated,
    )
    if event is None:
        return None
    if event["detection"] == "incidental":
        event["ptwg_qualifying"] = False  # an untreated incidental event does not qualify
    courses = [c for c in p["anticoagulation_courses"] if c["event_id"] == event["event_id"]]
    for course in courses:
        course["intent"] = "secondary_prophylaxis"
        if course["agent"] == "enoxaparin":
            course["dose"] = 0.5  # a prophylactic dose: this defect is only the intent
    return defect("untreated-event", "vte_events", event, "event_id")


def _nci_risk(ctx: Context, p: PatientRecords) -> Defect | None:
    row = p.patient
    if row["nci_risk_group"] is None:
        return None
    row["nci_risk_group"] = "high" if row["nci_risk_group"] == "standard" else "standard"
    return defect("nci-risk-inconsistent", "patients", row, "nci_risk_group")


def _detected_as(detection: str, event: Rec) -> bool:
    return bool(event["detection"] == detection)


def _ptwg(ctx: Context, p: PatientRecords) -> Defect | None:
    variant = ctx.flip("ptwg-inconsistent")
    wanted = ("symptomatic", "incidental") if variant == 0 else ("incidental", "symptomatic")
    for detection in wanted:
        event = first(p["vte_events"], partial(_detected_as, detection))
        if event is not None:
            event["ptwg_qualifying"] = not event["ptwg_qualifying"]
            return defect("ptwg-inconsistent", "vte_events", event, "ptwg_qualifying")
    return None


def _ctcae(ctx: Context, p: PatientRecords) -> Defect | None:
    event = first(p["vte_events"], lambda r: r["ctcae_grade"] < 5)
    if event is None or p.patient["cause_of_death"] == "vte":
        return None
    event["ctcae_grade"] = 5
    return defect("ctcae-inconsistent", "vte_events", event, "ctcae_grade")


def _isth(ctx: Context, p: PatientRecords) -> Defect | None:
    bleed = first(p["bleeding_events"], lambda r: True)
    if bleed is None:
        return None
    if bleed["isth_category"] == "major":
        bleed["isth_category"] = "clinically_relevant_non_major"
    else:
        bleed["site"] = "intracranial"
    return defect("isth-inconsistent", "bleeding_events", bleed, "isth_category")


def _imaging_site(ctx: Context, p: PatientRecords) -> Defect | None:
    for event in p["vte_events"]:
        unsuitable = [
            i
            for i in ("doppler_ultrasound", "echocardiography", "vq_scan")
            if i not in SUITABLE_IMAGING[event["site"]]
        ]
        if unsuitable:
            event["imaging"] = unsuitable[0]
            return defect("imaging-site-mismatch", "vte_events", event, "imaging")
    return None


def _dose_implausible(ctx: Context, p: PatientRecords) -> Defect | None:
    dose = first(p["asparaginase_doses"], lambda r: r["product"] == "pegaspargase")
    if dose is not None:
        dose["dose"] = 250.0
        return defect("dose-implausible", "asparaginase_doses", dose, "dose")
    course = first(
        p["anticoagulation_courses"],
        lambda r: r["agent"] == "enoxaparin" and r["intent"] == "treatment",
    )
    if course is None:
        return None
    course["dose"] = 3.0
    return defect("dose-implausible", "anticoagulation_courses", course, "dose")


def _unit_mismatch(ctx: Context, p: PatientRecords) -> Defect | None:
    lab = first(p["lab_results"], lambda r: r["test"] == "hemoglobin")
    if lab is None:
        return None
    lab["unit"] = "g_l"
    return defect("unit-mismatch", "lab_results", lab, "unit")


def _genotype(ctx: Context, p: PatientRecords) -> Defect | None:
    test = first(p["thrombophilia_tests"], lambda r: r["test"] == "factor_v_leiden")
    if test is None:
        return None
    test["result_category"] = "positive"
    return defect("genotype-result-mismatch", "thrombophilia_tests", test, "result_category")


def _anti_xa_without_heparin(ctx: Context, p: PatientRecords) -> Defect | None:
    lab = first(
        p["lab_results"],
        lambda r: (
            r["test"] == "hemoglobin" and not p.courses_on(r["date"], anti_xa_monitored_only=True)
        ),
    )
    if lab is None:
        return None
    lab.update(test="anti_xa", value=0.45, unit="u_ml")
    return defect("anti-xa-without-heparin", "lab_results", lab, "test")


def _platelets_hold(ctx: Context, p: PatientRecords) -> Defect | None:
    for course in p["anticoagulation_courses"]:
        if course["intent"] != "treatment":
            continue
        adjust = [a["date"] for a in p["dose_adjustments"] if a["course_id"] == course["course_id"]]
        for lab in p["lab_results"]:
            if (
                lab["test"] == "platelets"
                and lab["course_id"] == course["course_id"]
                and all(abs((lab["date"] - a).days) > 2 for a in adjust)
            ):
                lab["value"] = 12.0
                return defect("platelets-hold-inconsistent", "lab_results", lab, "value")
    return None


def _phi(ctx: Context, p: PatientRecords) -> Defect | None:
    fake = ctx.cohort.faker
    kind = ctx.toggles.get("phi-kind", 0)
    ctx.toggles["phi-kind"] = kind + 1
    text = [
        lambda: f"{fake.first_name()} {fake.last_name()}",
        lambda: f"MRN {fake.numerify('########')}",
        lambda: fake.numerify("(###) ###-####"),
        lambda: fake.free_email(),
        lambda: fake.ssn(),
        lambda: fake.street_address(),
        lambda: f"DOB {fake.date_of_birth(minimum_age=1, maximum_age=18).isoformat()}",
    ][kind % 7]()
    p.patient["protocol_name"] = text[:40]
    return defect("phi-suspected", "patients", p.patient, "protocol_name")


# --- rules of case report form 1.1 ----------------------------------------------------------
def _death_cause(ctx: Context, p: PatientRecords) -> Defect | None:
    row = p.patient
    if row["vital_status"] != "dead" or row["cause_of_death"] in ("bleeding", "vte"):
        return None
    if any(b["fatal"] for b in p["bleeding_events"]):
        return None
    row["cause_of_death"] = "bleeding"  # with no fatal bleed on record
    return defect("death-cause-inconsistent", "patients", row, "cause_of_death")


def _site_catheter(ctx: Context, p: PatientRecords) -> Defect | None:
    event = first(p["vte_events"], lambda r: r["site"] == "cvc_upper_dvt" and r["catheter_related"])
    if event is None:
        return None
    event["catheter_related"], event["catheter_id"] = False, None
    return defect("site-catheter-inconsistent", "vte_events", event, "catheter_related")


def _adjustment_direction(ctx: Context, p: PatientRecords) -> Defect | None:
    courses = {c["course_id"]: c for c in p["anticoagulation_courses"]}
    adjustment = first(p["dose_adjustments"], lambda r: r["action"] == "reduced")
    if adjustment is None or adjustment["course_id"] not in courses:
        return None
    adjustment["new_dose"] = round(float(courses[adjustment["course_id"]]["dose"]) * 3, 3)
    return defect("adjustment-direction", "dose_adjustments", adjustment, "new_dose")


def _after_major_bleed(ctx: Context, p: PatientRecords) -> Defect | None:
    """A major bleed added on the second day of a treatment course that runs on unchanged."""
    end_of_data = p.patient["death_date"] or p.patient["last_contact_date"]
    for course in p["anticoagulation_courses"]:
        day = course["start_date"] + dt.timedelta(days=1)
        end = course["stop_date"] or end_of_data
        changed = any(
            a["course_id"] == course["course_id"]
            and a["action"] in ("held", "reduced")
            and 0 <= (a["date"] - day).days <= 2
            for a in p["dose_adjustments"]
        )
        if course["intent"] != "treatment" or changed or (end - day).days <= 2:
            continue
        bleed: Rec = {
            "bleed_id": f"{p.pid}-B{len(p['bleeding_events']) + 1}",
            "patient_id": p.pid,
            "date": day,
            "site": "gastrointestinal",
            "isth_category": "major",
            "hemoglobin_drop_g_dl": 3.0,
            "transfusion": True,
            "surgery_in_operating_suite": False,
            "intervention_to_restore_hemostasis": False,
            "sought_care": True,
            "fatal": False,
            "course_id": course["course_id"],
        }
        ctx.cohort.tables["bleeding_events"].append(bleed)
        p.rows.setdefault("bleeding_events", []).append(bleed)
        return defect(
            "anticoagulation-after-major-bleed", "bleeding_events", bleed, "isth_category"
        )
    return None


def _pts_too_early(ctx: Context, p: PatientRecords) -> Defect | None:
    events = {e["event_id"]: e for e in p["vte_events"]}
    assessment = first(p["vte_assessments"], lambda r: r["pts_score"] is not None) or first(
        p["vte_assessments"], lambda r: True
    )
    if assessment is None or assessment["event_id"] not in events:
        return None
    if assessment["pts_score"] is None:  # a PTS score, taken a month after the event
        assessment["pts_instrument"], assessment["pts_score"] = "modified_villalta", 2
    assessment["date"] = events[assessment["event_id"]]["diagnosis_date"] + dt.timedelta(days=30)
    return defect("pts-too-early", "vte_assessments", assessment, "pts_score")


CLINICAL_DEFECTS: dict[str, Injector] = {
    "untreated-event": _untreated_event,
    "nci-risk-inconsistent": _nci_risk,
    "ptwg-inconsistent": _ptwg,
    "ctcae-inconsistent": _ctcae,
    "isth-inconsistent": _isth,
    "imaging-site-mismatch": _imaging_site,
    "dose-implausible": _dose_implausible,
    "unit-mismatch": _unit_mismatch,
    "genotype-result-mismatch": _genotype,
    "anti-xa-without-heparin": _anti_xa_without_heparin,
    "platelets-hold-inconsistent": _platelets_hold,
    "phi-suspected": _phi,
    "death-cause-inconsistent": _death_cause,
    "site-catheter-inconsistent": _site_catheter,
    "adjustment-direction": _adjustment_direction,
    "anticoagulation-after-major-bleed": _after_major_bleed,
    "pts-too-early": _pts_too_early,
}

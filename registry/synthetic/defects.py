"""Known defects, injected on request, so that the validator's recall can be measured.

``inject(cohort, rate)`` corrupts about ``rate`` of all records, one defect per patient at
most (defects on one patient could mask each other), covering every rule ID of the spec
before repeating any, and returns the ground truth ``[{rule, table, record_id, field}]``
that ``synth`` writes to ``defects.json``. File-level defects (unknown or missing column,
a row in another encoding, an unreadable file) and table-level ones (completeness,
incidence) have ``record_id`` null.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

from registry.models.anticoagulation_courses import HEPARINS
from registry.models.vte_events import SUITABLE_IMAGING
from registry.synthetic.case import Rec, days
from registry.synthetic.cohort import Cohort
from registry.synthetic.draw import Draw

__all__ = ["DEFECT_RULES", "Defect", "FileDefects", "inject"]

ID_FIELDS = {
    "patients": "patient_id",
    "treatment_phases": "phase_id",
    "catheters": "catheter_id",
    "asparaginase_doses": "dose_id",
    "thrombophilia_tests": "test_id",
    "vte_events": "event_id",
    "anticoagulation_courses": "course_id",
    "dose_adjustments": "adjustment_id",
    "lab_results": "lab_id",
    "bleeding_events": "bleed_id",
    "vte_assessments": "assessment_id",
}
#: Where an encoding error is planted: this text, in another encoding, replaces a marker.
ENCODING_MARKER = "@@latin-1@@"
LATIN1_TEXT = "Hospital Ni\u00f1o Jes\u00fas".encode("latin-1")
UNREADABLE_TABLE = "vte_assessments"  # nothing references it: losing it hides nothing else
STRAY_TABLE = "vte_events"  # a copy of it, under another name, is left in the folder


@dataclass(frozen=True)
class Defect:
    rule: str
    table: str
    record_id: str | None
    field: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FileDefects:
    """Defects that live in the files rather than in the values."""

    extra_columns: dict[str, list[str]] = field(default_factory=dict)
    dropped_columns: dict[str, list[str]] = field(default_factory=dict)
    latin1_tables: set[str] = field(default_factory=set)
    unreadable: set[str] = field(default_factory=set)
    #: Files the manifest does not list (left over from another export): name -> table copied.
    stray_files: dict[str, str] = field(default_factory=dict)


class _Patient:
    """One patient's records, by table (the same dicts as the cohort's tables)."""

    def __init__(self, pid: str) -> None:
        self.pid = pid
        self.rows: dict[str, list[Rec]] = {}

    def __getitem__(self, table: str) -> list[Rec]:
        return self.rows.get(table, [])

    @property
    def patient(self) -> Rec:
        return self.rows["patients"][0]

    def courses_on(self, day: dt.date, heparin_only: bool = False) -> list[Rec]:
        out = []
        for c in self["anticoagulation_courses"]:
            end = c["stop_date"] or self.patient["last_contact_date"]
            if c["start_date"] <= day <= end and (not heparin_only or c["agent"] in HEPARINS):
                out.append(c)
        return out


@dataclass
class _Ctx:
    cohort: Cohort
    draw: Draw
    files: FileDefects
    patients: list[_Patient]
    fmt: str = "csv"
    toggles: dict[str, int] = field(default_factory=dict)

    @property
    def cutoff(self) -> dt.date:
        return self.cohort.profile.cohort.data_cutoff

    def flip(self, rule: str) -> int:
        """Alternate between the variants of a defect: 0, 1, 0, ..."""
        self.toggles[rule] = self.toggles.get(rule, -1) + 1
        return self.toggles[rule] % 2


Injector = Callable[[_Ctx, _Patient], Defect | None]


def _d(rule: str, table: str, record: Rec | None, fld: str | None) -> Defect:
    return Defect(rule, table, None if record is None else record[ID_FIELDS[table]], fld)


def _first(rows: list[Rec], test: Callable[[Rec], bool]) -> Rec | None:
    return next((r for r in rows if test(r)), None)


# --- generic per-field defects ---------------------------------------------------------------
def _missing_value(ctx: _Ctx, p: _Patient) -> Defect | None:
    choices = [
        ("patients", "cns_status"),
        ("catheters", "side"),
        ("asparaginase_doses", "route"),
        ("lab_results", "unit"),
    ]
    table, fld = choices[ctx.flip("missing-value") % 2 * 2 + ctx.draw.integer(0, 1)]
    row = _first(p[table], lambda r: True)
    if row is None:
        return None
    row[fld] = None
    return _d("missing-value", table, row, fld)


def _unexpected_value(ctx: _Ctx, p: _Patient) -> Defect | None:
    if ctx.flip("unexpected-value") == 0 and p.patient["vital_status"] == "alive":
        p.patient["cause_of_death"] = "other"
        return _d("unexpected-value", "patients", p.patient, "cause_of_death")
    cat = _first(p["catheters"], lambda r: r["removal_date"] is None)
    if cat is None:
        return None
    cat["removal_reason"] = "other"
    return _d("unexpected-value", "catheters", cat, "removal_reason")


def _type_error(ctx: _Ctx, p: _Patient) -> Defect | None:
    if ctx.flip("type-error") == 0:
        p.patient["weight_kg_at_diagnosis"] = f"{p.patient['weight_kg_at_diagnosis']} kg"
        return _d("type-error", "patients", p.patient, "weight_kg_at_diagnosis")
    lab = _first(p["lab_results"], lambda r: True)
    if lab is None:
        return None
    lab["value"] = "pending"
    return _d("type-error", "lab_results", lab, "value")


def _out_of_range(ctx: _Ctx, p: _Patient) -> Defect | None:
    if ctx.flip("out-of-range") == 0:
        p.patient["height_cm_at_diagnosis"] = 310.0
        return _d("out-of-range", "patients", p.patient, "height_cm_at_diagnosis")
    cat = _first(p["catheters"], lambda r: True)
    if cat is None:
        return None
    cat["lumens"] = 5
    return _d("out-of-range", "catheters", cat, "lumens")


def _invalid_code(ctx: _Ctx, p: _Patient) -> Defect | None:
    if ctx.flip("invalid-code") == 0:
        p.patient["sex"] = {"female": "F", "male": "M"}.get(p.patient["sex"], "U")
        return _d("invalid-code", "patients", p.patient, "sex")
    event = _first(p["vte_events"], lambda r: True)
    if event is None:
        return None
    event["site"] = "dvt"
    return _d("invalid-code", "vte_events", event, "site")


def _pattern_mismatch(ctx: _Ctx, p: _Patient) -> Defect | None:
    lab = _first(p["lab_results"], lambda r: isinstance(r["date"], dt.date))
    if lab is None:
        return None
    lab["date"] = lab["date"].strftime("%m/%d/%Y")
    return _d("pattern-mismatch", "lab_results", lab, "date")


def _encoding_error(ctx: _Ctx, p: _Patient) -> Defect | None:
    if ctx.fmt == "parquet":
        return None  # a typed binary file has no text encoding to get wrong
    p.patient["protocol_name"] = ENCODING_MARKER
    ctx.files.latin1_tables.add("patients")
    return _d("encoding-error", "patients", p.patient, "protocol_name")


# --- spec rules ------------------------------------------------------------------------------
_LEAVES = (
    "lab_results",
    "bleeding_events",
    "thrombophilia_tests",
    "asparaginase_doses",
    "dose_adjustments",
)


def _id_format(ctx: _Ctx, p: _Patient) -> Defect | None:
    for table in _LEAVES:
        row = _first(p[table], lambda r: True)
        if row is not None:
            id_field = ID_FIELDS[table]
            head, number = row[id_field].rsplit("-", 1)
            row[id_field] = f"{head}-X{number[1:]}"
            return _d("id-format", table, row, id_field)
    return None


def _id_unique(ctx: _Ctx, p: _Patient) -> Defect | None:
    for table in _LEAVES:
        rows = p[table]
        if len(rows) >= 2:
            id_field = ID_FIELDS[table]
            rows[-1][id_field] = rows[0][id_field]
            return _d("id-unique", table, rows[-1], id_field)
    return None


def _site_mismatch(ctx: _Ctx, p: _Patient) -> Defect | None:
    p.patient["site_id"] = "ZZZ99"
    return _d("site-mismatch", "patients", p.patient, "patient_id")


def _lab_without_course(p: _Patient) -> Rec | None:
    return _first(p["lab_results"], lambda r: r["course_id"] is None and r["test"] != "anti_xa")


def _fk_missing(ctx: _Ctx, p: _Patient) -> Defect | None:
    lab = _lab_without_course(p)
    if lab is None:
        return None
    lab["course_id"] = f"{p.pid}-K99"
    return _d("fk-missing", "lab_results", lab, "course_id")


def _fk_other_patient(ctx: _Ctx, p: _Patient) -> Defect | None:
    lab = _lab_without_course(p)
    other = next((o for o in ctx.patients if o.pid != p.pid and o["anticoagulation_courses"]), None)
    if lab is None or other is None:
        return None
    lab["course_id"] = other["anticoagulation_courses"][0]["course_id"]
    return _d("fk-other-patient", "lab_results", lab, "course_id")


def _after_cutoff(ctx: _Ctx, p: _Patient) -> Defect | None:
    if p.patient["vital_status"] != "alive":
        return None
    lab = _lab_without_course(p)
    if lab is None:
        return None
    lab["date"] = ctx.cutoff + days(10)
    return _d("after-cutoff", "lab_results", lab, "date")


def _before_diagnosis(ctx: _Ctx, p: _Patient) -> Defect | None:
    phases = sorted(p["treatment_phases"], key=lambda r: r["start_date"])
    if not phases:
        return None
    phases[0]["start_date"] = p.patient["diagnosis_date"] - days(10)
    return _d("before-diagnosis", "treatment_phases", phases[0], "start_date")


def _end_before_start(ctx: _Ctx, p: _Patient) -> Defect | None:
    cat = _first(p["catheters"], lambda r: r["removal_date"] is not None)
    if cat is not None:
        cat["removal_date"] = cat["insertion_date"] - days(1)
        return _d("end-before-start", "catheters", cat, "removal_date")
    course = _first(p["anticoagulation_courses"], lambda r: r["stop_date"] is not None)
    if course is None:
        return None
    course["stop_date"] = course["start_date"] - days(1)
    return _d("end-before-start", "anticoagulation_courses", course, "stop_date")


def _after_death(ctx: _Ctx, p: _Patient) -> Defect | None:
    death = p.patient["death_date"]
    if death is None or death + days(5) > ctx.cutoff:
        return None
    lab = _lab_without_course(p)
    if lab is None:
        return None
    lab["date"] = death + days(5)
    return _d("after-death", "lab_results", lab, "date")


def _phase_overlap(ctx: _Ctx, p: _Patient) -> Defect | None:
    phases = sorted(p["treatment_phases"], key=lambda r: r["start_date"])
    if len(phases) < 2 or phases[0]["end_date"] is None:
        return None
    if (phases[0]["end_date"] - phases[0]["start_date"]).days < 5:
        return None
    phases[1]["start_date"] = phases[0]["start_date"] + days(3)
    return _d("phase-overlap", "treatment_phases", phases[1], "start_date")


def _late_enrollment(ctx: _Ctx, p: _Patient) -> Defect | None:
    late = p.patient["diagnosis_date"] + days(75)
    if late > p.patient["last_contact_date"] or (p.patient["death_date"] or late) < late:
        return None
    p.patient["enrollment_date"] = late
    return _d("late-enrollment", "patients", p.patient, "enrollment_date")


def _phase_mismatch(ctx: _Ctx, p: _Patient) -> Defect | None:
    event = _first(p["vte_events"], lambda r: True)
    if event is None:
        return None
    event["phase_at_event"] = "hsct" if event["phase_at_event"] != "hsct" else "induction"
    return _d("phase-mismatch", "vte_events", event, "phase_at_event")


def _dose_outside_phase(ctx: _Ctx, p: _Patient) -> Defect | None:
    phases = sorted(p["treatment_phases"], key=lambda r: r["start_date"])
    dose = _first(p["asparaginase_doses"], lambda r: True)
    if dose is None or not phases:
        return None
    dose["administration_date"] = phases[0]["start_date"] - days(20)
    return _d("dose-outside-phase", "asparaginase_doses", dose, "administration_date")


def _catheter_not_in_place(ctx: _Ctx, p: _Patient) -> Defect | None:
    cats = {c["catheter_id"]: c for c in p["catheters"]}
    for event in p["vte_events"]:
        cat = cats.get(event["catheter_id"])
        if cat is not None and (event["diagnosis_date"] - cat["insertion_date"]).days >= 3:
            cat["removal_date"] = event["diagnosis_date"] - days(2)
            cat["removal_reason"] = cat["removal_reason"] or "malfunction"
            return _d("catheter-not-in-place", "vte_events", event, "catheter_id")
    return None


def _treatment_without_event(ctx: _Ctx, p: _Patient) -> Defect | None:
    course = _first(p["anticoagulation_courses"], lambda r: r["intent"] == "treatment")
    if course is None:
        return None
    if ctx.flip("treatment-without-event") == 0:
        course["event_id"] = None
    else:
        event = _first(p["vte_events"], lambda r: r["event_id"] == course["event_id"])
        assert event is not None
        course["start_date"] = event["diagnosis_date"] - days(5)
    return _d("treatment-without-event", "anticoagulation_courses", course, "event_id")


def _untreated_event(ctx: _Ctx, p: _Patient) -> Defect | None:
    treated = {c["event_id"] for c in p["anticoagulation_courses"] if c["intent"] == "treatment"}
    event = _first(
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
    return _d("untreated-event", "vte_events", event, "event_id")


def _nci_risk(ctx: _Ctx, p: _Patient) -> Defect | None:
    row = p.patient
    if row["nci_risk_group"] is None:
        return None
    row["nci_risk_group"] = "high" if row["nci_risk_group"] == "standard" else "standard"
    return _d("nci-risk-inconsistent", "patients", row, "nci_risk_group")


def _detected_as(detection: str, event: Rec) -> bool:
    return bool(event["detection"] == detection)


def _ptwg(ctx: _Ctx, p: _Patient) -> Defect | None:
    variant = ctx.flip("ptwg-inconsistent")
    wanted = ("symptomatic", "incidental") if variant == 0 else ("incidental", "symptomatic")
    for detection in wanted:
        event = _first(p["vte_events"], partial(_detected_as, detection))
        if event is not None:
            event["ptwg_qualifying"] = not event["ptwg_qualifying"]
            return _d("ptwg-inconsistent", "vte_events", event, "ptwg_qualifying")
    return None


def _ctcae(ctx: _Ctx, p: _Patient) -> Defect | None:
    event = _first(p["vte_events"], lambda r: r["ctcae_grade"] < 5)
    if event is None or p.patient["cause_of_death"] == "vte":
        return None
    event["ctcae_grade"] = 5
    return _d("ctcae-inconsistent", "vte_events", event, "ctcae_grade")


def _isth(ctx: _Ctx, p: _Patient) -> Defect | None:
    bleed = _first(p["bleeding_events"], lambda r: True)
    if bleed is None:
        return None
    if bleed["isth_category"] == "major":
        bleed["isth_category"] = "clinically_relevant_non_major"
    else:
        bleed["site"] = "intracranial"
    return _d("isth-inconsistent", "bleeding_events", bleed, "isth_category")


def _imaging_site(ctx: _Ctx, p: _Patient) -> Defect | None:
    for event in p["vte_events"]:
        unsuitable = [
            i
            for i in ("doppler_ultrasound", "echocardiography", "vq_scan")
            if i not in SUITABLE_IMAGING[event["site"]]
        ]
        if unsuitable:
            event["imaging"] = unsuitable[0]
            return _d("imaging-site-mismatch", "vte_events", event, "imaging")
    return None


def _dose_implausible(ctx: _Ctx, p: _Patient) -> Defect | None:
    dose = _first(p["asparaginase_doses"], lambda r: r["product"] == "pegaspargase")
    if dose is not None:
        dose["dose"] = 250.0
        return _d("dose-implausible", "asparaginase_doses", dose, "dose")
    course = _first(
        p["anticoagulation_courses"],
        lambda r: r["agent"] == "enoxaparin" and r["intent"] == "treatment",
    )
    if course is None:
        return None
    course["dose"] = 3.0
    return _d("dose-implausible", "anticoagulation_courses", course, "dose")


def _unit_mismatch(ctx: _Ctx, p: _Patient) -> Defect | None:
    lab = _first(p["lab_results"], lambda r: r["test"] == "hemoglobin")
    if lab is None:
        return None
    lab["unit"] = "g_l"
    return _d("unit-mismatch", "lab_results", lab, "unit")


def _genotype(ctx: _Ctx, p: _Patient) -> Defect | None:
    test = _first(p["thrombophilia_tests"], lambda r: r["test"] == "factor_v_leiden")
    if test is None:
        return None
    test["result_category"] = "positive"
    return _d("genotype-result-mismatch", "thrombophilia_tests", test, "result_category")


def _anti_xa_without_heparin(ctx: _Ctx, p: _Patient) -> Defect | None:
    lab = _first(
        p["lab_results"],
        lambda r: r["test"] == "hemoglobin" and not p.courses_on(r["date"], heparin_only=True),
    )
    if lab is None:
        return None
    lab.update(test="anti_xa", value=0.45, unit="u_ml")
    return _d("anti-xa-without-heparin", "lab_results", lab, "test")


def _platelets_hold(ctx: _Ctx, p: _Patient) -> Defect | None:
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
                return _d("platelets-hold-inconsistent", "lab_results", lab, "value")
    return None


def _phi(ctx: _Ctx, p: _Patient) -> Defect | None:
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
    return _d("phi-suspected", "patients", p.patient, "protocol_name")


# --- file and table level --------------------------------------------------------------------
def _unknown_column(ctx: _Ctx) -> Defect:
    ctx.files.extra_columns.setdefault("catheters", []).append("comments")
    return Defect("unknown-column", "catheters", None, "comments")


def _missing_column(ctx: _Ctx) -> Defect:
    ctx.files.dropped_columns.setdefault("patients", []).append("off_study_reason")
    return Defect("missing-column", "patients", None, "off_study_reason")


def _unreadable(ctx: _Ctx) -> Defect:
    ctx.files.unreadable.add(UNREADABLE_TABLE)
    return Defect("unreadable-file", UNREADABLE_TABLE, None, None)


def _stray_file(ctx: _Ctx) -> Defect:
    name = f"{STRAY_TABLE}_old.{ctx.fmt}"
    ctx.files.stray_files[name] = STRAY_TABLE
    return Defect("manifest-mismatch", "manifest", None, name)


def _completeness(ctx: _Ctx) -> Defect | None:
    rows = ctx.cohort.tables["patients"]
    if len(rows) < 20:
        return None
    for i, row in enumerate(rows):
        if i % 3 == 0:  # a third of rows: well past the 20% threshold
            row["protocol_name"] = None
    return Defect("completeness-threshold", "patients", None, "protocol_name")


def _incidence(ctx: _Ctx) -> Defect | None:
    followed = [
        p
        for p in ctx.patients
        if (p.patient["last_contact_date"] - p.patient["diagnosis_date"]).days >= 182
    ]
    events = ctx.cohort.tables["vte_events"]
    if len(followed) < 100 or not events:
        return None
    treated = {
        c["event_id"]
        for c in ctx.cohort.tables["anticoagulation_courses"]
        if c["intent"] == "treatment"
    }
    for event in events:  # nothing symptomatic any more: an implausibly low incidence
        if event["detection"] == "symptomatic":
            event["detection"] = "incidental"
            event["ptwg_qualifying"] = event["event_id"] in treated
    return Defect("incidence-implausible", "vte_events", None, "detection")


PATIENT_DEFECTS: dict[str, Injector] = {
    "missing-value": _missing_value,
    "unexpected-value": _unexpected_value,
    "type-error": _type_error,
    "out-of-range": _out_of_range,
    "invalid-code": _invalid_code,
    "pattern-mismatch": _pattern_mismatch,
    "encoding-error": _encoding_error,
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
}
TABLE_DEFECTS: dict[str, Callable[[_Ctx], Defect | None]] = {
    "incidence-implausible": _incidence,
    "completeness-threshold": _completeness,
    "unknown-column": _unknown_column,
    "missing-column": _missing_column,
    "unreadable-file": _unreadable,
    "manifest-mismatch": _stray_file,
}
DEFECT_RULES: tuple[str, ...] = (*TABLE_DEFECTS, *PATIENT_DEFECTS)


def inject(cohort: Cohort, rate: float, fmt: str = "csv") -> tuple[list[Defect], FileDefects]:
    """Corrupt about ``rate`` of the cohort's records in place; return the ground truth."""
    if not 0 <= rate <= 1:
        raise ValueError("the defect rate is a share between 0 and 1")
    total = sum(len(rows) for rows in cohort.tables.values())
    wanted = round(rate * total)
    if wanted == 0:
        return [], FileDefects()
    by_pid: dict[str, _Patient] = {}
    for table, rows in cohort.tables.items():
        if table == UNREADABLE_TABLE:
            continue  # this file may be made unreadable: its records would hide defects
        for row in rows:
            by_pid.setdefault(row["patient_id"], _Patient(row["patient_id"])).rows.setdefault(
                table, []
            ).append(row)
    for p in by_pid.values():
        p.rows.setdefault("patients", [])
    draw = Draw(cohort.seed * 7919 + 17)
    ctx = _Ctx(
        cohort=cohort, draw=draw, files=FileDefects(), patients=list(by_pid.values()), fmt=fmt
    )
    order = list(by_pid)
    for i in range(len(order) - 1, 0, -1):  # seeded Fisher-Yates: which patients are hit
        j = draw.integer(0, i)
        order[i], order[j] = order[j], order[i]

    defects: list[Defect] = []
    for make in TABLE_DEFECTS.values():
        if len(defects) >= wanted:
            break
        if (found := make(ctx)) is not None:
            defects.append(found)
    rules = list(PATIENT_DEFECTS)
    pool = list(rules)  # rules that still find patients they apply to
    available, pos, turn = order, 0, 0
    while len(defects) < wanted and available and pool:
        # Every rule once first, then rules at random.
        rule = rules[turn] if turn < len(rules) else draw.choice(pool)
        turn += 1
        made = None
        for step in range(min(300, len(available))):  # a patient this defect applies to
            k = (pos + step) % len(available)
            made = PATIENT_DEFECTS[rule](ctx, by_pid[available[k]])
            if made is not None:
                available.pop(k)
                pos = k
                break
        if made is None:
            if rule in pool:
                pool.remove(rule)
            continue
        defects.append(made)
    return defects, ctx.files

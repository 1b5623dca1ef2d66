"""A synthetic cohort: every table of the registry for N patients, reproducible from a seed.

Baseline facts are drawn for the whole cohort with a seeded numpy Generator; each patient's
history is then generated in time order with a ``random.Random`` seeded from that Generator
(``Draw``), so the same seed, profile and package version give the same cohort.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from faker import Faker

from registry.models import TABLE_NAMES
from registry.synthetic.anticoagulation_courses import add_courses, add_primary_prophylaxis
from registry.synthetic.asparaginase_doses import add_asparaginase, mark_after_vte
from registry.synthetic.bleeding_events import add_bleeding, add_fatal_bleed, derive_categories
from registry.synthetic.case import Case, Rec, days
from registry.synthetic.catheters import add_catheters
from registry.synthetic.dose_adjustments import add_adjustments, derive_new_doses
from registry.synthetic.draw import Draw
from registry.synthetic.lab_results import (
    add_asparaginase_activity,
    add_baseline_labs,
    add_event_labs,
    add_monitoring,
)
from registry.synthetic.patients import Baseline, draw_baselines
from registry.synthetic.profile import CohortProfile, load_profile
from registry.synthetic.thrombophilia_tests import add_thrombophilia_tests, draw_thrombophilia
from registry.synthetic.treatment_phases import add_phases
from registry.synthetic.vte_assessments import add_assessments
from registry.synthetic.vte_events import (
    add_events,
    add_interventions,
    derive_grades,
    event_hazard_scale,
    relative_risk,
)
from registry.version import __version__

__all__ = ["Cohort", "generate_cohort"]


@dataclass
class Cohort:
    """Generated tables (rows as dicts of typed values, in field order) and the manifest."""

    tables: dict[str, list[Rec]]
    manifest: dict[str, Any]
    seed: int
    profile: CohortProfile
    faker: Faker = field(repr=False)

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.tables.items()}


def _patient_row(case: Case, b: Baseline) -> Rec:
    return {
        "patient_id": b.patient_id,
        "site_id": case.profile.cohort.site_id,
        "sex": b.sex,
        "age_at_diagnosis_months": b.age_months,
        "diagnosis_date": b.dx,
        "enrollment_date": None,
        "immunophenotype": b.immunophenotype,
        "nci_risk_group": b.nci_risk_group,
        "wbc_at_diagnosis": b.wbc,
        "cns_status": b.cns_status,
        "down_syndrome": b.down_syndrome,
        "mediastinal_mass": b.mediastinal_mass,
        "weight_kg_at_diagnosis": b.weight,
        "height_cm_at_diagnosis": b.height,
        "protocol": b.protocol,
        "protocol_name": b.protocol_name,
        "induction_steroid": "prednisone"
        if b.age_months >= case.profile.therapy.steroid_age_cutoff_months
        else "dexamethasone",
        "prior_vte": False,
        "family_history_vte": "unknown",
        "last_contact_date": None,
        "vital_status": "alive",
        "death_date": None,
        "cause_of_death": None,
        "off_study_reason": None,
    }


def _start(b: Baseline, profile: CohortProfile) -> Case:
    d = Draw(b.seed)
    c = profile.cohort
    cutoff = c.data_cutoff
    case = Case(
        patient_id=b.patient_id,
        draw=d,
        profile=profile,
        patient={},
        dx=b.dx,
        horizon=cutoff,
        cutoff=cutoff,
        weight=b.weight,
        risk_high=b.risk_high,
    )
    case.patient = _patient_row(case, b)
    delay = (
        d.integer(61, 120)
        if d.chance(c.late_enrollment_share)
        else d.integer(0, c.enrollment_delay_max_days)
    )
    enrolled = min(b.dx + days(delay), cutoff)
    case.patient["enrollment_date"] = enrolled
    case.patient["prior_vte"] = d.chance(0.004)
    case.patient["family_history_vte"] = d.pick({"yes": 0.05, "no": 0.6, "unknown": 0.35})
    if d.chance(c.lost_to_follow_up_share) and (cutoff - enrolled).days > 90:
        case.horizon = d.date_between(enrolled + days(60), cutoff)
        case.lost_to_follow_up = True
    if d.chance(profile.outcomes.death_share) and (case.horizon - enrolled).days > 1:
        case.death = d.date_between(enrolled + days(1), case.horizon)
        case.cause_of_death = d.pick(profile.outcomes.cause_of_death)
        case.horizon = case.death
    return case


def _finish_patient(case: Case) -> None:
    p = case.patient
    p["last_contact_date"] = case.horizon
    if case.death is not None:
        for cat in case.tables["catheters"]:  # a catheter in place is removed at death
            if cat["removal_date"] is None:
                cat["removal_date"], cat["removal_reason"] = case.death, "death"
        p["vital_status"], p["death_date"] = "dead", case.death
        p["cause_of_death"], p["off_study_reason"] = case.cause_of_death, "death"
    elif case.lost_to_follow_up:
        p["off_study_reason"] = "lost_to_follow_up"


def _one_patient(b: Baseline, profile: CohortProfile, hazard: float) -> dict[str, list[Rec]]:
    case = _start(b, profile)
    truth = draw_thrombophilia(case)
    add_phases(case)
    add_catheters(case)
    add_asparaginase(case)
    add_primary_prophylaxis(case)
    catheter = bool(case.tables["catheters"])
    add_events(case, hazard, relative_risk(b, profile, truth.any, catheter))
    add_courses(case)
    add_interventions(case)  # after the courses: a procedure comes with anticoagulation
    add_bleeding(case)
    add_fatal_bleed(case)
    for course in list(case.tables["anticoagulation_courses"]):
        add_adjustments(case, course)
        add_monitoring(case, course)
    add_baseline_labs(case)
    add_event_labs(case)
    add_asparaginase_activity(case)
    add_thrombophilia_tests(case, truth)
    add_assessments(case)
    mark_after_vte(case)
    derive_new_doses(case)
    derive_grades(case)
    derive_categories(case)
    _finish_patient(case)
    return case.finish()


def iter_patients(profile: CohortProfile, n: int, seed: int) -> Iterator[dict[str, list[Rec]]]:
    baselines = draw_baselines(profile, n, seed)
    hazard = event_hazard_scale(baselines, profile)
    for b in baselines:
        yield _one_patient(b, profile, hazard)


def generate_cohort(
    n: int,
    seed: int = 0,
    profile: CohortProfile | str = "default",
    progress: Callable[[int], None] | None = None,
) -> Cohort:
    """Generate ``n`` patients. ``progress`` is called with the number of patients done."""
    if n < 1:
        raise ValueError("a cohort needs at least one patient")
    prof = load_profile(profile) if isinstance(profile, str) else profile
    tables: dict[str, list[Rec]] = {name: [] for name in TABLE_NAMES}
    for done, patient in enumerate(iter_patients(prof, n, seed), start=1):
        for name, rows in patient.items():
            tables[name].extend(rows)
        if progress is not None and (done % 1000 == 0 or done == n):
            progress(done)
    faker = Faker("en_US")
    faker.seed_instance(seed)
    cutoff = prof.cohort.data_cutoff
    manifest = {
        "site_id": prof.cohort.site_id,
        # per site too: two sites made from one seed are two submissions, not one loaded twice
        "submission_id": str(uuid.uuid5(uuid.UUID(faker.uuid4()), prof.cohort.site_id)),
        "data_cutoff_date": cutoff.isoformat(),
        # A fixed time (the day after the cutoff) keeps the manifest reproducible too.
        "created_at": dt.datetime.combine(
            cutoff + days(1), dt.time(6, 0), tzinfo=dt.UTC
        ).isoformat(),
        "generator": f"all-vte-registry {__version__} synthetic seed={seed} profile={prof.name}",
    }
    return Cohort(tables=tables, manifest=manifest, seed=seed, profile=prof, faker=faker)

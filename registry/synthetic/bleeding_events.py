"""Synthetic bleeding: a few percent of anticoagulated patients bleed, classified by the
ISTH pediatric criteria (site and hemoglobin drop consistent with the category)."""

from __future__ import annotations

import datetime as dt

from registry.models.bleeding_events import MAJOR_SITES, isth_category
from registry.models.codes import BleedingSite
from registry.synthetic.case import Case, Rec, days
from registry.synthetic.dose_adjustments import adjust

__all__ = ["add_bleeding", "add_fatal_bleed", "derive_categories"]

_SITES = {
    "major": {
        "intracranial": 0.2,
        "gastrointestinal": 0.35,
        "pulmonary": 0.1,
        "retroperitoneal": 0.05,
        "genitourinary": 0.1,
        "procedural": 0.1,
        "other": 0.1,
    },
    "clinically_relevant_non_major": {
        "gastrointestinal": 0.2,
        "genitourinary": 0.2,
        "mucocutaneous": 0.35,
        "procedural": 0.15,
        "menstrual": 0.1,
    },
    "patient_important_no_intervention": {
        "mucocutaneous": 0.6,
        "injection_site": 0.3,
        "menstrual": 0.1,
    },
    "minor": {"mucocutaneous": 0.5, "injection_site": 0.35, "procedural": 0.15},
}
_CRITICAL = tuple(site.value for site in MAJOR_SITES)


def _bleed(case: Case, day: dt.date, category: str, course: Rec | None) -> Rec:
    d = case.draw
    sites = dict(_SITES[category])
    if not (case.patient["sex"] == "female" and case.age_months >= 144):
        sites.pop("menstrual", None)
    site = d.pick(sites)
    if category == "major":
        drop = round(d.uniform(0.0, 1.9), 1) if site in _CRITICAL else round(d.uniform(2.0, 5.0), 1)
    elif category == "clinically_relevant_non_major":
        drop = round(d.uniform(0.0, 1.9), 1)
    else:
        drop = round(d.uniform(0.0, 0.8), 1)
    recorded = d.chance(case.profile.bleeding.hb_drop_recorded_share)
    if category == "major" and site not in _CRITICAL:
        recorded = True  # the drop is what makes this bleed major
    # The raw criteria of the intended category (the category itself is derived from them
    # at the end: derive_categories).
    transfusion = (category == "major" and d.chance(0.7)) or (
        category == "clinically_relevant_non_major" and d.chance(0.4)
    )
    restored = category == "clinically_relevant_non_major" and not transfusion
    return case.add(
        "bleeding_events",
        {
            "bleed_id": None,
            "patient_id": None,
            "date": day,
            "site": site,
            "isth_category": category,
            "hemoglobin_drop_g_dl": drop if recorded else None,
            "transfusion": transfusion,
            "surgery_in_operating_suite": category == "major" and d.chance(0.1),
            "intervention_to_restore_hemostasis": restored
            or (category == "major" and d.chance(0.3)),
            "sought_care": category != "minor",
            "fatal": False,
            "course_id": course,
        },
    )


def _hold_after(case: Case, course: Rec, day: dt.date) -> None:
    """After a major bleed anticoagulation is held (then resumed) or stopped, mostly."""
    d = case.draw
    u = d.random()
    if u < 0.5 and (course["stop_date"] is None or course["stop_date"] > day):
        course["stop_date"], course["stop_reason"] = day, "bleeding"
    elif u < 0.9 and day + days(1) <= case.course_end(course):
        held = day + days(d.integer(0, 1))
        for action, when in (("held", held), ("resumed_full", held + days(d.integer(3, 7)))):
            if when <= case.course_end(course):
                adjust(case, course, when, action, "bleeding")


def add_fatal_bleed(case: Case) -> None:
    """A patient who died of bleeding has the fatal bleed on record, on the day of death."""
    if case.death is None or case.cause_of_death != "bleeding":
        return
    active = case.courses_on(case.death)
    bleed = _bleed(case, case.death, "major", active[0] if active else None)
    bleed["fatal"] = True


def derive_categories(case: Case) -> None:
    """The ISTH category of every bleed, derived from its raw fields by the model."""
    for bleed in case.tables["bleeding_events"]:
        bleed["isth_category"] = isth_category(
            site=BleedingSite(bleed["site"]),
            fatal=bleed["fatal"],
            hemoglobin_drop_g_dl=bleed["hemoglobin_drop_g_dl"],
            surgery_in_operating_suite=bleed["surgery_in_operating_suite"],
            transfusion=bleed["transfusion"],
            intervention_to_restore_hemostasis=bleed["intervention_to_restore_hemostasis"],
            sought_care=bleed["sought_care"],
        ).value


def add_bleeding(case: Case) -> None:
    d, prof = case.draw, case.profile.bleeding
    courses = case.tables["anticoagulation_courses"]
    if courses and d.chance(prof.share_on_anticoagulation):
        course = d.choice(courses)
        day = d.date_between(course["start_date"], case.course_end(course))
        category = d.pick(prof.category)
        _bleed(case, day, category, course)
        if category == "major" and course["intent"] == "treatment":
            _hold_after(case, course, day)
    elif d.chance(prof.share_without_anticoagulation):
        induction = case.phase_named("induction")
        if induction is not None:
            day = d.date_between(
                induction["start_date"], min(induction["end_date"] or case.horizon, case.horizon)
            )
            if not case.courses_on(day):
                _bleed(
                    case, day, "minor" if d.chance(0.6) else "clinically_relevant_non_major", None
                )

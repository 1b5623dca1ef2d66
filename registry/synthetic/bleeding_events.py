"""Synthetic bleeding: a few percent of anticoagulated patients bleed, classified by the
ISTH pediatric criteria (site and hemoglobin drop consistent with the category)."""

from __future__ import annotations

import datetime as dt

from registry.synthetic.case import Case, Rec

__all__ = ["add_bleeding"]

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
_CRITICAL = ("intracranial", "pulmonary", "retroperitoneal")


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
    return case.add(
        "bleeding_events",
        {
            "bleed_id": None,
            "patient_id": None,
            "date": day,
            "site": site,
            "isth_category": category,
            "hemoglobin_drop_g_dl": drop if recorded else None,
            "transfusion": category == "major"
            or (category == "clinically_relevant_non_major" and d.chance(0.4)),
            "fatal": False,
            "course_id": course,
        },
    )


def add_bleeding(case: Case) -> None:
    d, prof = case.draw, case.profile.bleeding
    courses = case.tables["anticoagulation_courses"]
    if courses and d.chance(prof.share_on_anticoagulation):
        course = d.choice(courses)
        day = d.date_between(course["start_date"], case.course_end(course))
        category = d.pick(prof.category)
        _bleed(case, day, category, course)
        if (
            category == "major"
            and d.chance(0.5)
            and (course["stop_date"] is None or course["stop_date"] > day)
        ):
            course["stop_date"], course["stop_reason"] = day, "bleeding"
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

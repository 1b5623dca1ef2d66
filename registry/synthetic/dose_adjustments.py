"""Synthetic dose adjustments: platelet-driven reductions and holds, holds around lumbar
punctures, and changes after an anti-Xa level out of range; each with the platelet count
that prompted it, recorded as a lab result too."""

from __future__ import annotations

import datetime as dt

from registry.synthetic.case import Case, Rec, days

__all__ = ["add_adjustments", "adjust", "derive_new_doses", "platelet_lab"]


def derive_new_doses(case: Case) -> None:
    """Each adjustment's new dose from the dose in force before it, walking a course's
    adjustments in date order (the order their record numbers follow): a reduction halves
    it, an increase adds a quarter, a resumption restores the course's dose, a hold keeps
    it (rule adjustment-direction holds by construction)."""
    by_course: dict[int, list[Rec]] = {}
    for adjustment in sorted(case.tables["dose_adjustments"], key=lambda a: a["date"]):
        by_course.setdefault(id(adjustment["course_id"]), []).append(adjustment)
    for adjustments in by_course.values():
        course = adjustments[0]["course_id"]
        in_force = float(course["dose"])
        for adjustment in adjustments:
            action = adjustment["action"]
            if action == "resumed_full":
                in_force = float(course["dose"])
            elif action in ("reduced", "increased"):
                in_force = round(in_force * (0.5 if action == "reduced" else 1.25), 3)
            adjustment["new_dose"] = None if action == "held" else in_force


def platelet_lab(case: Case, day: dt.date, value: float, course: Rec | None) -> None:
    case.add(
        "lab_results",
        {
            "lab_id": None,
            "patient_id": None,
            "date": day,
            "test": "platelets",
            "value": float(value),
            "unit": "10e9_l",
            "course_id": course,
        },
    )


def adjust(
    case: Case,
    course: Rec,
    day: dt.date,
    action: str,
    reason: str,
    platelets: float | None = None,
    transfusion: bool = False,
) -> None:
    case.add(
        "dose_adjustments",
        {
            "adjustment_id": None,
            "course_id": course,
            "patient_id": None,
            "date": day,
            "action": action,
            "reason": reason,
            "platelets": platelets,
            "new_dose": None,  # derive_new_doses
            "platelet_transfusion": transfusion,
        },
    )
    if platelets is not None:
        platelet_lab(case, day, platelets, course)


def add_adjustments(case: Case, course: Rec) -> None:
    d, t = case.draw, case.profile.treatment
    start, end = course["start_date"], case.course_end(course)
    if course["intent"] != "treatment" or end <= start:
        return
    if d.chance(t.thrombocytopenia_episode_share):
        day = start + days(d.integer(1, min(45, (end - start).days)))
        if day <= end:
            adjust(case, course, day, "reduced", "thrombocytopenia", float(d.integer(25, 49)))
            if d.chance(0.4) and day + days(3) <= end:
                day += days(d.integer(2, 3))
                transfused = d.chance(0.2)
                adjust(
                    case,
                    course,
                    day,
                    "held",
                    "thrombocytopenia",
                    float(d.integer(5, 19)),
                    transfused,
                )
            back = day + days(d.integer(3, 10))
            if back <= end:
                adjust(
                    case,
                    course,
                    back,
                    "resumed_full",
                    "thrombocytopenia",
                    float(d.integer(51, 180)),
                )
    for _ in range(d.integer(0, t.lp_holds_max)):
        day = start + days(d.integer(1, max(1, (end - start).days)))
        if day + days(1) <= end:
            adjust(case, course, day, "held", "lumbar_puncture")
            adjust(case, course, day + days(1), "resumed_full", "lumbar_puncture")

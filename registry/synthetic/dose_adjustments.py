"""Synthetic dose adjustments: platelet-driven reductions and holds, holds around lumbar
punctures, and changes after an anti-Xa level out of range; each with the platelet count
that prompted it, recorded as a lab result too."""

from __future__ import annotations

import datetime as dt

from registry.synthetic.case import Case, Rec, days

__all__ = ["add_adjustments", "platelet_lab"]


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


def _adjust(
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
            _adjust(case, course, day, "reduced", "thrombocytopenia", float(d.integer(25, 49)))
            if d.chance(0.4) and day + days(3) <= end:
                day += days(d.integer(2, 3))
                transfused = d.chance(0.2)
                _adjust(
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
                _adjust(
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
            _adjust(case, course, day, "held", "lumbar_puncture")
            _adjust(case, course, day + days(1), "resumed_full", "lumbar_puncture")

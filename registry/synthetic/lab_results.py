"""Synthetic laboratory results: counts and coagulation at diagnosis and in induction,
labs at each event, and the monitoring of every course (anti-Xa around its target, aPTT
for heparin infusions, INR for warfarin)."""

from __future__ import annotations

import datetime as dt

from registry.models.anticoagulation_courses import HEPARINS
from registry.synthetic.case import Case, Rec, days
from registry.synthetic.dose_adjustments import adjust, platelet_lab

__all__ = ["add_asparaginase_activity", "add_baseline_labs", "add_event_labs", "add_monitoring"]


def _lab(
    case: Case, day: dt.date, test: str, value: float, unit: str, course: Rec | None = None
) -> None:
    case.add(
        "lab_results",
        {
            "lab_id": None,
            "patient_id": None,
            "date": day,
            "test": test,
            "value": value,
            "unit": unit,
            "course_id": course,
        },
    )


def _around(case: Case, target: tuple[float, float], spread: float = 0.2) -> float:
    low, high = target
    width = high - low
    return case.draw.uniform(low - spread * width, high + spread * width)


def add_baseline_labs(case: Case) -> None:
    if not case.profile.monitoring.baseline_labs:
        return
    d = case.draw
    dx = case.dx
    if case.courses_on(dx):
        return
    platelet_lab(case, dx, float(round(min(max(d.lognormal(70, 0.9), 3), 900))), None)
    _lab(case, dx, "hemoglobin", round(min(max(d.normal(8.5, 2.0), 3.0), 16.0), 1), "g_dl")
    creat = 20 + case.age_months * 0.25
    _lab(case, dx, "creatinine", float(round(min(max(d.normal(creat, 6), 8), 150))), "umol_l")
    induction = case.tables["asparaginase_doses"][:1]
    if induction:
        day = induction[0]["administration_date"] + days(7)
        if day <= case.horizon:
            _lab(
                case, day, "fibrinogen", round(min(max(d.lognormal(1.3, 0.35), 0.2), 9.0), 1), "g_l"
            )
            _lab(
                case,
                day,
                "antithrombin",
                float(round(min(max(d.normal(68, 14), 10), 160))),
                "percent",
            )


def add_event_labs(case: Case) -> None:
    d = case.draw
    for event in case.tables["vte_events"]:
        day = event["diagnosis_date"]
        course = next(
            (
                c
                for c in case.courses_on(day)
                if c["intent"] == "treatment" and c["event_id"] is event
            ),
            None,
        )
        if event["platelets_at_diagnosis"] >= 20 or course is None:
            platelet_lab(case, day, event["platelets_at_diagnosis"], course)
        _lab(
            case,
            day,
            "d_dimer",
            round(min(max(d.lognormal(2.5, 0.8), 0.1), 60.0), 2),
            "mg_l_feu",
            course,
        )


def add_monitoring(case: Case, course: Rec) -> None:
    d, m = case.draw, case.profile.monitoring
    start, end = course["start_date"], case.course_end(course)
    agent = course["agent"]
    prophylaxis = course["intent"] != "treatment"
    day = start + days(1)
    for n in range(m.anti_xa_samples_max):
        if day > end:
            break
        if agent == "unfractionated_heparin":
            _lab(
                case,
                day,
                "anti_xa",
                round(max(_around(case, m.anti_xa_ufh), 0.05), 2),
                "u_ml",
                course,
            )
            _lab(case, day, "aptt", float(round(_around(case, m.aptt_ufh))), "s", course)
        elif agent in HEPARINS:
            target = m.anti_xa_prophylaxis if prophylaxis else m.anti_xa_treatment
            value = round(max(_around(case, target), 0.05), 2)
            _lab(case, day, "anti_xa", value, "u_ml", course)
            if (
                not prophylaxis
                and (value < target[0] or value > target[1])
                and (day + days(1) <= end)
            ):
                action = "increased" if value < target[0] else "reduced"
                adjust(case, course, day + days(1), action, "anti_xa_out_of_range")
        elif agent == "warfarin":
            _lab(case, day, "inr", round(_around(case, m.inr_warfarin, 0.3), 1), "ratio", course)
        else:
            break  # DOACs are not monitored
        day += days(7 if n < 3 else 28)
    # A routine count during a full-dose course stays above the hold threshold here:
    # lower counts come with their adjustment (dose_adjustments).
    if not prophylaxis and end > start + days(14):
        routine = start + days(d.integer(7, 14))
        platelet_lab(case, routine, float(d.integer(60, 350)), course)


def add_asparaginase_activity(case: Case) -> None:
    """Serum asparaginase activity 7 and 14 days after some pegylated doses: about 1 and
    0.5 IU/mL when the drug works, < 0.1 IU/mL after a reaction or silent inactivation."""
    d, prof = case.draw, case.profile.asparaginase
    for dose in list(case.tables["asparaginase_doses"]):
        if dose["product"] not in ("pegaspargase", "calaspargase_pegol"):
            continue
        if not d.chance(prof.activity_monitored_share):
            continue
        inactive = dose["hypersensitivity"] or d.chance(prof.silent_inactivation_share)
        for after, median in ((7, 1.0), (14, 0.5)):
            day = dose["administration_date"] + days(after)
            if day > case.horizon:
                break
            value = d.uniform(0.0, 0.09) if inactive else min(d.lognormal(median, 0.4), 9.5)
            _lab(case, day, "asparaginase_activity", round(value, 2), "iu_ml")

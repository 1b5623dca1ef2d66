"""Synthetic anticoagulation: treatment of events with the practice variation the survey
found (agent, intended duration), primary prophylaxis in induction, and secondary
prophylaxis during later asparaginase."""

from __future__ import annotations

import datetime as dt

from registry.synthetic.case import Case, Rec, days

__all__ = ["add_courses", "add_primary_prophylaxis", "dosing"]

# Rivaroxaban by body weight: (upper bound kg, mg per dose, frequency) [V EINSTEIN-Jr; GK label]
_RIVAROXABAN = (
    (3, 0.8, "three_times_daily"),
    (4, 0.9, "three_times_daily"),
    (5, 1.4, "three_times_daily"),
    (7, 1.6, "three_times_daily"),
    (8, 1.8, "three_times_daily"),
    (9, 2.4, "three_times_daily"),
    (10, 2.8, "three_times_daily"),
    (12, 3.0, "three_times_daily"),
    (30, 5.0, "twice_daily"),
    (50, 15.0, "once_daily"),
    (1000, 20.0, "once_daily"),
)
# Apixaban twice daily from day 8, by weight: (below kg, mg) [Eliquis EU SmPC, paediatric
# VTE: 4-<5 kg 0.3, 5-<6 0.5, 6-<9 1, 9-<12 1.5, 12-<18 2 mg checked; 18-<25 3, 25-<35 4,
# >= 35 kg 5 mg follow its halving of the day 1-7 dose, not checked].
_APIXABAN = ((5, 0.3), (6, 0.5), (9, 1.0), (12, 1.5), (18, 2.0), (25, 3.0), (35, 4.0), (1000, 5.0))
# Dabigatran twice daily by weight [Pradaxa US label, pediatric VTE]: capsules from 8 years;
# oral pellets from 2 years (used here below 2 years too, where the label's age-by-weight
# table would apply).
_DABIGATRAN_CAPSULES = (
    (16, 75.0),
    (26, 110.0),
    (41, 150.0),
    (61, 185.0),
    (81, 220.0),
    (1000, 260.0),
)
_DABIGATRAN_PELLETS = (
    (9, 70.0),
    (11, 90.0),
    (13, 110.0),
    (16, 140.0),
    (21, 170.0),
    (41, 220.0),
    (1000, 260.0),
)

# Dalteparin: treatment every 12 h, 150 IU/kg under 2 years, 125 IU/kg from 2 to < 8 years,
# 100 IU/kg from 8 years; prophylaxis 100 IU/kg once daily [Fragmin (dalteparin) label,
# pediatric VTE, 2019; Lexicomp pediatric LMWH table].
_DALTEPARIN_TREATMENT = ((24, 150.0), (96, 125.0), (10_000, 100.0))  # (below age months, IU/kg)
_DALTEPARIN_PROPHYLAXIS = 100.0

_DURATION_DAYS = {"6_weeks": 42, "3_months": 91, "6_months": 182, "other": 120}
_HEPARIN_SWITCH = "enoxaparin"


#: Enoxaparin prophylaxis, every 12 h: 0.75 mg/kg below 2 months, 0.5 mg/kg from 2 months
#: [V Children's Mercy CPG; PMC7031103 Table 2, the same table as the treatment doses].
_ENOXAPARIN_PROPHYLAXIS_UNDER_2_MONTHS = 0.75
_ENOXAPARIN_PROPHYLAXIS = 0.5


def dosing(
    case: Case, agent: str, intent: str, weight: float, age_months: int
) -> tuple[float, str, str]:
    """(dose, dose_unit, frequency) for an agent, by intent, weight and the age at the
    course's start (``age_months``; a course months after diagnosis is dosed for that age)."""
    t = case.profile.treatment
    infant = age_months < 12
    young = age_months < 2
    if agent == "enoxaparin":
        if intent != "treatment":
            prophylaxis = (
                _ENOXAPARIN_PROPHYLAXIS_UNDER_2_MONTHS if young else _ENOXAPARIN_PROPHYLAXIS
            )
            return prophylaxis, "mg_per_kg", "twice_daily"
        return (
            t.enoxaparin_mg_per_kg_under_2_months if young else t.enoxaparin_mg_per_kg,
            "mg_per_kg",
            "twice_daily",
        )
    if agent == "dalteparin":
        if intent != "treatment":
            return _DALTEPARIN_PROPHYLAXIS, "iu_per_kg", "once_daily"
        dose = next(iu for below, iu in _DALTEPARIN_TREATMENT if age_months < below)
        return dose, "iu_per_kg", "twice_daily"
    if agent == "unfractionated_heparin":
        rate = t.ufh_units_per_kg_per_hour_under_1_year if infant else t.ufh_units_per_kg_per_hour
        return rate, "units_per_kg_per_hour", "continuous"
    if agent == "warfarin":
        return t.warfarin_mg_per_kg, "mg_per_kg", "once_daily"
    if agent == "rivaroxaban":
        _, mg, freq = next(row for row in _RIVAROXABAN if weight < row[0])
        return mg, "mg", freq
    if agent == "apixaban":
        return next(mg for limit, mg in _APIXABAN if weight < limit), "mg", "twice_daily"
    if agent == "dabigatran":
        table = _DABIGATRAN_CAPSULES if age_months >= 96 else _DABIGATRAN_PELLETS
        return next(mg for limit, mg in table if weight < limit), "mg", "twice_daily"
    raise ValueError(f"no dosing for {agent}")


def _weight_on(case: Case, day: dt.date) -> float:
    months = max((day - case.dx).days, 0) / 30.4
    return round(min(max(case.weight * (1 + 0.004 * months), 1.5), 200.0), 1)


def _course(
    case: Case,
    event: Rec | None,
    intent: str,
    agent: str,
    start: dt.date,
    duration: str,
    planned_stop: dt.date | None,
    reason: str = "completed",
) -> Rec:
    weight = _weight_on(case, start)
    age = case.age_months + max((start - case.dx).days, 0) * 12 // 365
    dose, unit, freq = dosing(case, agent, intent, weight, age)
    stop: dt.date | None = planned_stop
    why: str | None = reason
    if stop is not None and stop > case.horizon:
        stop, why = None, None
    if stop is None and case.death is not None:
        stop, why = case.horizon, "death"
    return case.add(
        "anticoagulation_courses",
        {
            "course_id": None,
            "patient_id": None,
            "event_id": event,
            "intent": intent,
            "agent": agent,
            "dose": float(dose),
            "dose_unit": unit,
            "frequency": freq,
            "weight_kg": weight,
            "start_date": start,
            "intended_duration": duration,
            "stop_date": stop,
            "stop_reason": why if stop is not None else None,
        },
    )


def add_primary_prophylaxis(case: Case) -> None:
    """LMWH prophylaxis through induction for some patients, more often at >= 10 years."""
    share = case.profile.treatment.primary_prophylaxis_share
    share *= 2.5 if case.age_months >= 120 else 0.6
    induction = case.phase_named("induction")
    if induction is None or not case.draw.chance(share):
        return
    start = induction["start_date"] + days(1)
    if start > case.horizon:
        return
    _course(
        case,
        None,
        "primary_prophylaxis",
        "enoxaparin",
        start,
        "until_end_of_asparaginase",
        induction["end_date"],
    )


def _planned_stop(case: Case, event: Rec, duration: str, start: dt.date) -> dt.date | None:
    if duration in _DURATION_DAYS:
        return start + days(_DURATION_DAYS[duration])
    if duration == "until_line_removal":
        catheter = event["catheter_id"]
        return catheter["removal_date"] if isinstance(catheter, dict) else None
    if duration == "until_end_of_asparaginase":
        later = [
            a["administration_date"]
            for a in case.tables["asparaginase_doses"]
            if a["administration_date"] >= start
        ]
        return (max(later) + days(21)) if later else start + days(91)
    if duration == "until_end_of_therapy":
        maintenance = case.phase_named("maintenance")
        return maintenance["end_date"] if maintenance else None
    return None  # indefinite


def _treat(case: Case, event: Rec) -> Rec | None:
    d, t = case.draw, case.profile.treatment
    day = event["diagnosis_date"]
    if not d.chance(t.treated_share.get(event["detection"], 0.0)):
        return None
    for course in case.courses_on(day):  # prophylaxis gives way to treatment
        if course["intent"] != "treatment" and course["start_date"] <= day:
            course["stop_date"], course["stop_reason"] = day, "switched_agent"
    start = day + days(d.integer(0, 1))
    if start > case.horizon:
        start = day
    agent = d.pick(t.agent)
    duration = d.pick(t.duration)
    if duration == "until_line_removal" and not event["catheter_related"]:
        duration = "3_months"
    stop = _planned_stop(case, event, duration, start)
    if stop is not None and stop <= start:
        stop = start + days(42)
    if agent == "unfractionated_heparin" and d.chance(t.ufh_then_lmwh_share):
        switch = start + days(d.integer(2, 6))
        if switch < (stop or case.horizon) and switch <= case.horizon:
            _course(case, event, "treatment", agent, start, duration, switch, "switched_agent")
            return _course(case, event, "treatment", _HEPARIN_SWITCH, switch, duration, stop)
    return _course(case, event, "treatment", agent, start, duration, stop)


def _secondary_prophylaxis(case: Case, event: Rec, last: Rec) -> None:
    end = case.course_end(last)
    for phase in case.phases():
        if not phase["phase"].startswith("delayed_intensification"):
            continue
        if phase["start_date"] > end and phase["start_date"] <= case.horizon:
            if case.draw.chance(case.profile.treatment.secondary_prophylaxis_share):
                _course(
                    case,
                    event,
                    "secondary_prophylaxis",
                    "enoxaparin",
                    phase["start_date"],
                    "until_end_of_asparaginase",
                    phase["end_date"],
                )
            return


def add_courses(case: Case) -> None:
    for event in sorted(case.tables["vte_events"], key=lambda e: e["diagnosis_date"]):
        last = _treat(case, event)
        if event["detection"] == "incidental":
            event["ptwg_qualifying"] = last is not None
        if last is not None:
            _secondary_prophylaxis(case, event, last)

"""Synthetic asparaginase: pegaspargase (or calaspargase) about day 4 of induction and of
each delayed intensification, Capizzi doses in some high-risk IM I; after a
hypersensitivity reaction, recombinant Erwinia 25 mg/m2 IM Mon/Wed/Fri."""

from __future__ import annotations

import datetime as dt

from registry.synthetic.case import Case, days

__all__ = ["add_asparaginase", "mark_after_vte"]

_ERWINIA_STEPS = (2, 2, 3)  # Monday -> Wednesday -> Friday -> Monday


def _planned(case: Case) -> list[dt.date]:
    prof = case.profile.asparaginase
    out = []
    for phase in case.phases():
        code, start = phase["phase"], phase["start_date"]
        if code in ("induction", "delayed_intensification_1", "delayed_intensification_2"):
            out.append(start + days(3))
        elif (
            code == "interim_maintenance_1"
            and case.risk_high
            and case.draw.chance(prof.capizzi_share_high)
        ):
            out += [start + days(1), start + days(21)]
    return out


def add_asparaginase(case: Case) -> None:
    prof, d = case.profile.asparaginase, case.draw
    product = "calaspargase_pegol" if d.chance(prof.calaspargase_share) else "pegaspargase"
    allergic = False
    for n, day in enumerate(_planned(case)):
        if day > case.horizon or case.phase_on(day) is None:
            continue
        if not allergic:
            reaction = n > 0 and d.chance(prof.hypersensitivity_share)
            case.add(
                "asparaginase_doses",
                {
                    "dose_id": None,
                    "patient_id": None,
                    "product": product,
                    "dose": float(prof.dose_iu_per_m2),
                    "dose_unit": "iu_per_m2",
                    "administration_date": day,
                    "route": "iv" if d.chance(prof.iv_share) else "im",
                    "hypersensitivity": reaction,
                    "after_vte": False,
                },
            )
            allergic = reaction
            if not reaction:
                continue
            day += days(2)  # the E. coli course is replaced from two days later
        for step in range(prof.erwinia_doses_per_course):
            if day > case.horizon or case.phase_on(day) is None:
                break
            case.add(
                "asparaginase_doses",
                {
                    "dose_id": None,
                    "patient_id": None,
                    "product": "erwinia_recombinant",
                    "dose": float(prof.erwinia_dose_mg_per_m2),
                    "dose_unit": "mg_per_m2",
                    "administration_date": day,
                    "route": "im",
                    "hypersensitivity": False,
                    "after_vte": False,
                },
            )
            day += days(_ERWINIA_STEPS[step % 3])


def mark_after_vte(case: Case) -> None:
    events = case.tables["vte_events"]
    if not events:
        return
    first = min(e["diagnosis_date"] for e in events)
    for dose in case.tables["asparaginase_doses"]:
        dose["after_vte"] = dose["administration_date"] > first

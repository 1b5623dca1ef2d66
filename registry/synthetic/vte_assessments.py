"""Synthetic follow-up of treated events: repeat imaging at 6 weeks to 3 months with the
thrombus response, and post-thrombotic syndrome scores for limb thromboses."""

from __future__ import annotations

from registry.synthetic.case import Case, days
from registry.synthetic.vte_events import IMAGING_WEIGHTS

__all__ = ["add_assessments"]

_LIMB = ("cvc_upper_dvt", "non_cvc_upper_dvt", "lower_extremity_dvt")


def add_assessments(case: Case) -> None:
    d, f = case.draw, case.profile.follow_up
    treated = case.treated_event_ids()
    for event in list(case.tables["vte_events"]):
        if id(event) not in treated or not d.chance(f.assessment_share):
            continue
        day = event["diagnosis_date"] + days(d.integer(35, 100))
        if day > case.horizon:
            continue
        imaged = d.chance(f.imaging_recorded_share)
        scored = event["site"] in _LIMB and d.chance(f.pts_scored_share)
        if scored:  # PTS is assessed from 3 months on, most often at 6-12 months
            day = event["diagnosis_date"] + days(
                d.integer(180, 365) if d.chance(0.8) else d.integer(90, 179)
            )
            if day > case.horizon:
                continue
        case.add(
            "vte_assessments",
            {
                "assessment_id": None,
                "event_id": event,
                "patient_id": None,
                "date": day,
                "imaging": d.pick(IMAGING_WEIGHTS[event["site"]]) if imaged else None,
                "thrombus_response": d.pick(f.response) if imaged else "not_imaged",
                "pts_instrument": ("modified_villalta" if d.chance(0.6) else "manco_johnson")
                if scored
                else None,
                "pts_score": d.integer(0, 8) if scored else None,  # mostly none or mild
            },
        )

"""Synthetic central venous catheters: inserted around diagnosis, removed at the end of
therapy or earlier (infection, malfunction, accident), sometimes replaced."""

from __future__ import annotations

import datetime as dt

from registry.synthetic.case import Case, Rec, days

__all__ = ["add_catheters", "remove_for_thrombosis"]

_VEINS = {
    "implanted_port": {"internal_jugular": 0.7, "subclavian": 0.25, "other": 0.05},
    "tunneled_cvc": {"internal_jugular": 0.75, "subclavian": 0.2, "femoral": 0.05},
    "picc": {"basilic": 0.6, "brachial": 0.3, "cephalic": 0.1},
    "non_tunneled_cvc": {"internal_jugular": 0.55, "femoral": 0.35, "subclavian": 0.1},
}
_LUMENS = {
    "implanted_port": (1, 1),
    "tunneled_cvc": (1, 2),
    "picc": (1, 2),
    "non_tunneled_cvc": (2, 3),
}
#: Tip on the first chest film [GK: most tips are placed at the cavoatrial junction]; a
#: femoral line ends in the IVC or at its junction with the right atrium.
_TIP = {
    "cavoatrial_junction": 0.6,
    "svc": 0.25,
    "right_atrium": 0.07,
    "other": 0.03,
    "unknown": 0.05,
}
_FEMORAL_TIP = {"ivc": 0.8, "right_atrium": 0.1, "other": 0.05, "unknown": 0.05}
_EARLY_REASONS = {"infection": 0.5, "malfunction": 0.3, "accidental": 0.15, "other": 0.05}


def _new(case: Case, inserted: dt.date) -> Rec:
    d, prof = case.draw, case.profile.catheters
    kind = d.pick(prof.type)
    vein = d.pick(_VEINS[kind])
    tips = _FEMORAL_TIP if vein == "femoral" else _TIP
    low, high = _LUMENS[kind]
    return case.add(
        "catheters",
        {
            "catheter_id": None,
            "patient_id": None,
            "catheter_type": kind,
            "insertion_vein": vein,
            "side": "right" if d.chance(prof.right_side_share) else "left",
            "lumens": d.integer(low, high),
            "insertion_date": inserted,
            "removal_date": None,
            "removal_reason": None,
            "tip_position": d.pick(tips) if d.chance(0.9) else None,
        },
    )


def _remove(case: Case, cat: Rec, day: dt.date, reason: str) -> None:
    if day <= case.horizon:
        cat["removal_date"], cat["removal_reason"] = max(day, cat["insertion_date"]), reason


def add_catheters(case: Case) -> None:
    d, prof = case.draw, case.profile.catheters
    if not d.chance(prof.catheter_share):
        return
    low, high = prof.insertion_offset_days
    inserted = case.dx + days(d.integer(low, high))
    if inserted > case.horizon:
        return
    cat = _new(case, inserted)
    maintenance = case.phase_named("maintenance")
    end_of_therapy = maintenance["end_date"] if maintenance else None
    if d.chance(prof.early_removal_share):
        removed = inserted + days(d.integer(30, 365))
        _remove(case, cat, removed, d.pick(_EARLY_REASONS))
        if cat["removal_date"] is not None and d.chance(prof.replacement_share):
            again = removed + days(d.integer(0, 7))
            if again <= case.horizon:
                cat = _new(case, again)
    if end_of_therapy is not None and cat["removal_date"] is None:
        _remove(case, cat, end_of_therapy + days(d.integer(7, 60)), "end_of_therapy")


def remove_for_thrombosis(case: Case, cat: Rec, day: dt.date) -> None:
    """A catheter removed because of a thrombosis, earlier than planned."""
    if cat["removal_date"] is None or cat["removal_date"] > day:
        _remove(case, cat, day, "thrombosis")

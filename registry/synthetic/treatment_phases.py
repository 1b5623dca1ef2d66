"""Synthetic treatment phases: a COG-like sequence from induction to off therapy."""

from __future__ import annotations

from registry.synthetic.case import Case, days

__all__ = ["add_phases"]


def add_phases(case: Case) -> None:
    """Consecutive, non-overlapping phases up to the horizon; the current one stays open."""
    therapy = case.profile.therapy
    d = case.draw
    plan: list[tuple[str, int | None]] = [
        ("induction", therapy.induction_days),
        (
            "consolidation",
            therapy.consolidation_days_high
            if case.risk_high
            else therapy.consolidation_days_standard,
        ),
        ("interim_maintenance_1", therapy.interim_maintenance_days),
        ("delayed_intensification_1", therapy.delayed_intensification_days),
    ]
    if case.risk_high and d.chance(therapy.second_intensification_share_high):
        plan += [
            ("interim_maintenance_2", therapy.interim_maintenance_days),
            ("delayed_intensification_2", therapy.delayed_intensification_days),
        ]
    plan += [("maintenance", None), ("off_therapy", None)]

    start = case.dx + days(d.integer(0, 2))
    im1_start = None
    for code, length in plan:
        if start > case.horizon:
            break
        if code == "interim_maintenance_1":
            im1_start = start
        if code == "maintenance":
            anchor = im1_start or start
            end = anchor + days(therapy.maintenance_until_days_from_im1)
            end = max(end, start + days(84))
        elif code == "off_therapy":
            end = None
        else:
            end = start + days((length or 1) - 1)
        if end is not None and end >= case.horizon:
            # Current phase at last contact: ongoing, unless the patient died.
            end = case.horizon if case.death is not None else None
        case.add(
            "treatment_phases",
            {
                "phase_id": None,
                "patient_id": None,
                "phase": code,
                "start_date": start,
                "end_date": end,
            },
        )
        if end is None:
            break
        start = end + days(1 + d.integer(0, therapy.gap_days_max))

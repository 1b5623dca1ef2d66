"""Synthetic thrombophilia testing: a subset at diagnosis, more after a VTE; results from
each patient's latent genotype (FVL, prothrombin G20210A) and acquired state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from registry.synthetic.case import Case, days
from registry.synthetic.profile import Thrombophilia as ThrombophiliaProfile

__all__ = ["Thrombophilia", "add_thrombophilia_tests", "any_share", "draw_thrombophilia"]


@dataclass(frozen=True)
class Thrombophilia:
    fvl: str  # normal | heterozygous | homozygous
    prothrombin: str
    lpa_high: bool
    protein_c_low: bool
    protein_s_low: bool
    antithrombin_low: bool
    lupus_anticoagulant: bool

    @property
    def any(self) -> bool:
        return self.fvl != "normal" or self.prothrombin != "normal" or self.lpa_high


def any_share(t: ThrombophiliaProfile) -> float:
    """The share of patients for whom ``Thrombophilia.any`` holds (independent draws)."""
    return 1 - (1 - t.fvl_heterozygous - t.fvl_homozygous) * (1 - t.prothrombin_heterozygous) * (
        1 - t.lpa_high_share
    )


def draw_thrombophilia(case: Case) -> Thrombophilia:
    d, t = case.draw, case.profile.thrombophilia
    u = d.random()
    fvl = (
        "homozygous"
        if u < t.fvl_homozygous
        else "heterozygous"
        if u < t.fvl_homozygous + t.fvl_heterozygous
        else "normal"
    )
    return Thrombophilia(
        fvl=fvl,
        prothrombin="heterozygous" if d.chance(t.prothrombin_heterozygous) else "normal",
        lpa_high=d.chance(t.lpa_high_share),
        protein_c_low=d.chance(t.protein_c_low_share),
        protein_s_low=d.chance(t.protein_s_low_share),
        antithrombin_low=d.chance(t.antithrombin_low_share),
        lupus_anticoagulant=d.chance(t.lupus_anticoagulant_positive),
    )


def _test(
    case: Case, day: dt.date, test: str, category: str, value: float | None, unit: str | None
) -> None:
    if value is not None and not case.draw.chance(case.profile.thrombophilia.value_recorded_share):
        value = unit = None
    case.add(
        "thrombophilia_tests",
        {
            "test_id": None,
            "patient_id": None,
            "test": test,
            "sample_date": day,
            "result_category": category,
            "result_value": value,
            "result_unit": unit,
            "on_anticoagulation": bool(case.courses_on(day)),
        },
    )


def _panel(case: Case, truth: Thrombophilia, day: dt.date) -> None:
    d = case.draw
    _test(case, day, "factor_v_leiden", truth.fvl, None, None)
    _test(case, day, "prothrombin_g20210a", truth.prothrombin, None, None)
    if not d.chance(case.profile.thrombophilia.panel_share):
        return
    for test, low in (
        ("protein_c_activity", truth.protein_c_low),
        ("protein_s_free_antigen", truth.protein_s_low),
        ("antithrombin_activity", truth.antithrombin_low),
    ):
        value = d.uniform(20, 55) if low else d.uniform(70, 140)
        _test(case, day, test, "low" if low else "normal", float(round(value)), "percent")
    lpa = d.uniform(31, 120) if truth.lpa_high else d.uniform(1, 29)
    _test(
        case,
        day,
        "lipoprotein_a",
        "high" if truth.lpa_high else "normal",
        float(round(lpa)),
        "mg_dl",
    )
    ratio = d.uniform(1.3, 2.2) if truth.lupus_anticoagulant else d.uniform(0.8, 1.19)
    _test(
        case,
        day,
        "lupus_anticoagulant",
        "positive" if truth.lupus_anticoagulant else "negative",
        round(ratio, 2),
        "ratio",
    )


def add_thrombophilia_tests(case: Case, truth: Thrombophilia) -> None:
    d, t = case.draw, case.profile.thrombophilia
    if d.chance(t.tested_at_diagnosis_share):
        _panel(case, truth, case.dx + days(d.integer(0, 3)))
        return
    events = case.tables["vte_events"]
    if events and d.chance(t.tested_after_vte_share):
        day = events[0]["diagnosis_date"] + days(d.integer(1, 60))
        if day <= case.horizon:
            _panel(case, truth, day)

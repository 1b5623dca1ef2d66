"""Synthetic VTE: who gets one (hazard ratios), when (induction/consolidation, within 14
days of asparaginase), where (site mix), how it was found and confirmed, and its grade."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import NamedTuple

from registry.models.codes import Detection, VteSite
from registry.models.vte_events import (
    LOWER_BODY_VEINS,
    URGENT_INTERVENTIONS,
    ctcae_grade,
    ptwg_by_detection,
)
from registry.synthetic.case import Case, Rec, days
from registry.synthetic.catheters import remove_for_thrombosis
from registry.synthetic.patients import Baseline
from registry.synthetic.profile import CohortProfile
from registry.synthetic.thrombophilia_tests import any_share

__all__ = [
    "IMAGING_WEIGHTS",
    "add_events",
    "add_interventions",
    "derive_grades",
    "event_hazard_scale",
    "relative_risk",
]

#: How each site is usually confirmed (all within SUITABLE_IMAGING of the model) [GK].
IMAGING_WEIGHTS: dict[str, dict[str, float]] = {
    "cvc_upper_dvt": {"doppler_ultrasound": 0.85, "venography": 0.05, "ct": 0.1},
    "non_cvc_upper_dvt": {"doppler_ultrasound": 0.9, "venography": 0.05, "ct": 0.05},
    "lower_extremity_dvt": {"doppler_ultrasound": 0.95, "venography": 0.05},
    "pulmonary_embolism": {"ct_pulmonary_angiography": 0.9, "vq_scan": 0.1},
    "cerebral_sinovenous": {"mri_mrv": 0.75, "ct": 0.25},
    "right_atrial": {"echocardiography": 1.0},
    "splanchnic": {"doppler_ultrasound": 0.5, "ct": 0.5},
    "renal_vein": {"doppler_ultrasound": 0.7, "ct": 0.3},
    "other": {"ct": 0.5, "doppler_ultrasound": 0.3, "mri_mrv": 0.2},
}
_CATHETER_SITES = ("cvc_upper_dvt",)
_SERIOUS = ("pulmonary_embolism", "cerebral_sinovenous", "right_atrial")
_SCREENABLE = ("cvc_upper_dvt", "right_atrial")


def relative_risk(
    b: Baseline, profile: CohortProfile, thrombophilia: bool, catheter: bool = False
) -> float:
    v = profile.vte
    r = v.hr_catheter if catheter else 1.0
    if b.age_months >= 120:
        r *= v.hr_age_ge_10
    if b.mediastinal_mass:
        r *= v.hr_mediastinal_mass
    if b.immunophenotype == "t_cell":
        r *= v.hr_t_cell
    if thrombophilia:
        r *= v.hr_thrombophilia
    if b.age_months >= profile.therapy.steroid_age_cutoff_months:
        r *= v.hr_prednisone
    return r


def event_hazard_scale(baselines: Sequence[Baseline], profile: CohortProfile) -> float:
    """lambda such that the mean of 1 - exp(-lambda * risk) is the profile's incidence."""
    # The hazard ratio applies to every patient with Thrombophilia.any (Lp(a) included: it
    # was left out here before, and cohorts came out 10% above the profile's incidence).
    carrier = any_share(profile.thrombophilia)
    mean_thromb = 1 - carrier + carrier * profile.vte.hr_thrombophilia
    with_line = profile.catheters.catheter_share
    mean_line = 1 - with_line + with_line * profile.vte.hr_catheter
    risks = [relative_risk(b, profile, False) * mean_thromb * mean_line for b in baselines]
    if not risks or profile.vte.incidence <= 0:
        return 0.0
    low, high = 0.0, 50.0
    for _ in range(60):
        mid = (low + high) / 2
        mean = sum(1 - math.exp(-mid * r) for r in risks) / len(risks)
        low, high = (mid, high) if mean < profile.vte.incidence else (low, mid)
    return (low + high) / 2


def _event_date(case: Case) -> dt.date | None:
    d, v = case.draw, case.profile.vte
    doses = [a["administration_date"] for a in case.tables["asparaginase_doses"]]
    induction = case.phase_named("induction")
    u = d.random()
    if induction is not None and u < v.induction_share:
        day = d.date_between(induction["start_date"], induction["end_date"] or case.horizon)
    elif doses and u < v.induction_share + v.within_14_days_of_asparaginase_share:
        day = d.choice(doses) + days(d.integer(1, 14))
    elif u < (
        v.induction_share + v.within_14_days_of_asparaginase_share + v.consolidation_share
    ) and (phase := case.phase_named("consolidation")):
        day = d.date_between(phase["start_date"], phase["end_date"] or case.horizon)
    else:
        maintenance = case.phase_named("maintenance")
        end = (maintenance["end_date"] if maintenance else None) or case.horizon
        day = d.date_between(case.dx, min(end, case.horizon))
    day = min(day, case.horizon)
    if case.phase_on(day) is None:  # in a gap between phases: the next phase's first day
        later = [p["start_date"] for p in case.phases() if p["start_date"] > day]
        day = later[0] if later else day
    return day if case.phase_on(day) is not None and day <= case.horizon else None


#: In the NOPHO ALL2008 children (1-17 y) every CSVT occurred within the first 5 months of
#: treatment [V Tuckuviene, Br J Haematol 2014 (ASH 2014 abstract): 20 of 20]: a child's
#: event after that is drawn among the other sites.
CSVT_WITHIN_DAYS = 152
_CHILD_BELOW_MONTHS = 216


def _site(case: Case, catheter: Rec | None, day: dt.date) -> str:
    weights = dict(case.profile.vte.site)
    if catheter is None:
        for site in _CATHETER_SITES:
            weights.pop(site, None)
    if _csvt_too_late(case, day):
        weights.pop("cerebral_sinovenous", None)
    return case.draw.pick(weights)


def _csvt_too_late(case: Case, day: dt.date) -> bool:
    return case.age_months < _CHILD_BELOW_MONTHS and (day - case.dx).days > CSVT_WITHIN_DAYS


def _detection(case: Case, site: str) -> str:
    detection = case.draw.pick(case.profile.vte.detection)
    if detection == "screening" and site not in _SCREENABLE:
        return "symptomatic"
    return detection


#: Per site: share of events with an urgent intervention indicated (ICU, thrombolysis,
#: thrombectomy), with life-threatening instability, and with a procedure [GK, few percent
#: overall: mostly PE, CSVT with progression and right-atrial thrombi].
class _Severity(NamedTuple):
    urgent: float
    life_threatening: float
    procedure: float


_SEVERITY = {
    "pulmonary_embolism": _Severity(0.35, 0.06, 0.12),
    "right_atrial": _Severity(0.3, 0.03, 0.12),
    "cerebral_sinovenous": _Severity(0.15, 0.05, 0.06),
}
_OTHER_SEVERITY = _Severity(0.02, 0.0, 0.01)
_PROCEDURES = {
    "pulmonary_embolism": {"systemic_thrombolysis": 0.6, "catheter_directed_thrombolysis": 0.4},
    "right_atrial": {"surgical_thrombectomy": 0.4, "systemic_thrombolysis": 0.6},
    "cerebral_sinovenous": {"mechanical_thrombectomy": 0.5, "catheter_directed_thrombolysis": 0.5},
    "other": {"catheter_directed_thrombolysis": 0.7, "venous_stent": 0.3},
}
_SIDED = ("cvc_upper_dvt", "non_cvc_upper_dvt", "lower_extremity_dvt", "renal_vein")


def _side(case: Case, site: str, catheter: Rec | None) -> str | None:
    if site in _SIDED:
        if catheter is not None and site == "cvc_upper_dvt":
            return str(catheter["side"])
        return (
            "bilateral" if case.draw.chance(0.03) else case.draw.pick({"left": 0.5, "right": 0.5})
        )
    return "midline" if site in ("right_atrial", "splanchnic") else None


def add_interventions(case: Case) -> None:
    """Procedures beyond anticoagulation for a few events; thrombolysis and thrombectomy
    are urgent interventions (the event says so: CTCAE grade 3 at least)."""
    d = case.draw
    treated = case.treated_event_ids()
    for event in list(case.tables["vte_events"]):
        share = _SEVERITY.get(event["site"], _OTHER_SEVERITY).procedure
        if event["ctcae_grade"] == 5 or id(event) not in treated or not d.chance(share):
            continue  # a procedure comes with anticoagulation
        kind = d.pick(_PROCEDURES.get(event["site"], _PROCEDURES["other"]))
        day = event["diagnosis_date"] + days(d.integer(0, 2))
        if day > case.horizon:
            continue
        thrombolysis = kind.endswith("thrombolysis")
        case.add(
            "vte_interventions",
            {
                "intervention_id": None,
                "event_id": event,
                "patient_id": None,
                "date": day,
                "type": kind,
                "agent": d.pick({"alteplase": 0.9, "urokinase": 0.1}) if thrombolysis else None,
                "result": d.pick(
                    {
                        "complete_lysis": 0.35,
                        "partial_lysis": 0.45,
                        "no_lysis": 0.1,
                        "not_assessed": 0.1,
                    }
                ),
            },
        )
        if kind in URGENT_INTERVENTIONS:
            event["urgent_intervention"] = True


def derive_grades(case: Case) -> None:
    """The CTCAE grade of every event, derived from its raw fields with the model's own
    function (grade 5 was set for the event the patient died of)."""
    treated = case.treated_event_ids()
    treated |= {id(i["event_id"]) for i in case.tables["vte_interventions"]}
    for event in case.tables["vte_events"]:
        event["ctcae_grade"] = ctcae_grade(
            died_of_event=event["ctcae_grade"] == 5,
            life_threatening=event["life_threatening"],
            urgent_intervention=event["urgent_intervention"],
            site=VteSite(event["site"]),
            treated=id(event) in treated,
        )


def _platelets(case: Case, phase: str) -> float:
    median = {"induction": 60.0, "maintenance": 210.0, "off_therapy": 260.0}.get(phase, 130.0)
    return float(round(min(max(case.draw.lognormal(median, 0.6), 2.0), 1500.0)))


def _asparaginase_window(case: Case, day: dt.date) -> bool:
    return any(
        0 <= (day - a["administration_date"]).days <= 21 for a in case.tables["asparaginase_doses"]
    )


def _new_event(case: Case, day: dt.date, recurrence_of: Rec | None = None) -> Rec:
    d, v = case.draw, case.profile.vte
    catheter = case.catheter_in_place(day)
    site = (
        recurrence_of["site"]
        if recurrence_of is not None and d.chance(0.7)
        else (_site(case, catheter, day))
    )
    if (site in _CATHETER_SITES and catheter is None) or (
        site == "cerebral_sinovenous" and _csvt_too_late(case, day)
    ):
        site = _site(case, catheter, day)
    femoral = catheter is not None and catheter["insertion_vein"] in LOWER_BODY_VEINS
    if site == "cvc_upper_dvt" and femoral:  # a femoral line thromboses the leg veins
        site = "lower_extremity_dvt"
    related = (
        site in _CATHETER_SITES
        # a femoral line does not reach the atrium (rule event-anatomy-inconsistent)
        or (site == "right_atrial" and catheter is not None and d.chance(0.7) and not femoral)
        or (site == "lower_extremity_dvt" and femoral)
    )
    detection = _detection(case, site)
    phase = case.phase_on(day)
    assert phase is not None
    low_window = _asparaginase_window(case, day)
    fibrinogen = (
        round(min(max(d.lognormal(1.2 if low_window else 2.8, 0.35), 0.2), 9.5), 1)
        if d.chance(v.lab_recorded_share)
        else None
    )
    antithrombin = (
        round(min(max(d.normal(60 if low_window else 95, 15), 10), 180))
        if d.chance(v.lab_recorded_share)
        else None
    )
    on_prophylaxis = any(c["intent"] == "primary_prophylaxis" for c in case.courses_on(day))
    severity = _SEVERITY.get(site, _OTHER_SEVERITY)
    event = case.add(
        "vte_events",
        {
            "event_id": None,
            "patient_id": None,
            "diagnosis_date": day,
            "site": site,
            "catheter_related": related,
            "catheter_id": catheter if related else None,
            "detection": detection,
            "imaging": d.pick(IMAGING_WEIGHTS[site]),
            "occlusive": d.pick(v.occlusive),
            "phase_at_event": phase["phase"],
            "platelets_at_diagnosis": _platelets(case, phase["phase"]),
            "fibrinogen_at_diagnosis": fibrinogen,
            "antithrombin_at_diagnosis": None if antithrombin is None else float(antithrombin),
            "on_prophylaxis": on_prophylaxis,
            "recurrence_of_event_id": recurrence_of,
            "side": _side(case, site, catheter if related else None),
            "urgent_intervention": d.chance(severity.urgent),
            "life_threatening": d.chance(severity.life_threatening),
            "csvt_infarct_or_hemorrhage": d.chance(0.3) if site == "cerebral_sinovenous" else None,
            "ctcae_grade": 1,  # derived at the end (derive_grades)
            "ptwg_qualifying": ptwg_by_detection(Detection(detection)),  # incidental: when treated
        },
    )
    if related and catheter is not None and d.chance(0.25):
        remove_for_thrombosis(case, catheter, day + days(d.integer(3, 10)))
    return event


def add_events(case: Case, hazard_scale: float, risk: float) -> None:
    """Zero, one or (rarely) two events; a fatal event ends the patient's history."""
    d, v = case.draw, case.profile.vte
    if not d.chance(1 - math.exp(-hazard_scale * risk)):
        return
    day = _event_date(case)
    if day is None:
        return
    prophylaxis = any(c["intent"] == "primary_prophylaxis" for c in case.courses_on(day))
    if prophylaxis and not d.chance(v.hr_primary_prophylaxis):
        return  # prevented: the hazard on prophylaxis is hr_primary_prophylaxis times lower
    first = _new_event(case, day)
    if (
        first["site"] in _SERIOUS
        and first["detection"] == "symptomatic"
        and d.chance(v.fatal_share_serious)
    ):
        first["ctcae_grade"] = 5
        enrolled = case.patient["enrollment_date"]  # nobody is enrolled after death
        case.die(min(max(day + days(d.integer(0, 7)), enrolled), case.horizon), "vte")
        return
    if d.chance(v.recurrence_share):
        later = day + days(d.integer(30, 365))
        if later <= case.horizon and case.phase_on(later) is not None:
            _new_event(case, later, recurrence_of=first)

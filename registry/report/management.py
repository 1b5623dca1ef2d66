"""Management: the first agent and intended duration by VTE type, interventions, platelet
counts at holds and reductions, prophylaxis; with ``--survey``, the providers' answers to the
same questions in the same tables and charts (reported practice beside observed practice)."""

from __future__ import annotations

import math

import pandas as pd

from registry.models.anticoagulation_courses import AGENT_CLASS, AGENT_CLASS_LABELS
from registry.models.codes import AnticoagulantAgent, IntendedDuration, InterventionType
from registry.models.survey_codes import PlateletHoldThreshold, PlateletReduceThreshold
from registry.report.context import VTE_TYPES, Context
from registry.report.figures import Cell, Chart, Section, Table, counted
from registry.report.stats import pct, proportion
from registry.report.survey_side import survey_note, survey_percent

__all__ = ["PLATELET_BINS", "PROPHYLAXIS_ALL_SHARE", "SURVEY_ITEMS", "management"]

#: The survey items that ask, per VTE type, what the registry observes (survey.md 12-23).
SURVEY_ITEMS = {
    "catheter_dvt": ("q12_cvc_first_agent", "q13_cvc_duration"),
    "pe": ("q18_pe_first_agent", "q19_pe_duration"),
    "csvt": ("q22_csvt_first_agent", "q23_csvt_duration"),
}
#: Platelet counts (x10^9/L) in the bins the survey's thresholds bound (items 31 and 32): a
#: count in [30, 50) is what a "< 50" threshold acts on.
PLATELET_BINS = (
    (0, 10),
    (10, 20),
    (20, 25),
    (25, 30),
    (30, 50),
    (50, 75),
    (75, 100),
    (100, math.inf),
)
#: A site "gives primary prophylaxis to all patients" when at least this share of its
#: patients had a primary prophylaxis course (survey item 38: none / high-risk only / all).
PROPHYLAXIS_ALL_SHARE = 0.9


def _bin_label(low: float, high: float) -> str:
    if high == math.inf:
        return f">= {low:g}"
    if low == 0:
        return f"< {high:g}"
    return f"{low:g}-{high - 1:g}"


def first_courses(ctx: Context) -> pd.DataFrame:
    """The first treatment course of each treated event (by start date, then course ID),
    with the event's VTE type and the agent's class."""
    c = ctx.courses
    c = c[(c["intent"] == "treatment") & c["event_id"].notna()]
    first = c.sort_values(["start_date", "course_id"]).drop_duplicates("event_id")
    types = ctx.events.set_index("event_id")["vte_type"]
    first = first.assign(
        vte_type=first["event_id"].map(types),
        agent_class=first["agent"].map(lambda a: AGENT_CLASS[AnticoagulantAgent(a)]),
    )
    return first[first["vte_type"].notna()]


def _practice_table(
    ctx: Context,
    key: str,
    title: str,
    values: pd.Series,
    order: list[tuple[str, str]],
    item: str | None,
    label: str,
) -> Table:
    """``values``: the practice of each treated event, indexed by event ID."""
    total = counted("event", values.index)
    columns = [label, "Events", "%", "Lower 95% CI", "Upper 95% CI"]
    survey_item = item if ctx.survey is not None else None
    if survey_item is not None:
        columns.append("Survey: % of providers")
    rows: list[list[Cell]] = []
    for code, name in order:
        k = counted("event", values.index[values == code])
        row: list[Cell] = [name, k, *proportion(k, total)]
        if survey_item is not None:
            row.append(survey_percent(ctx, survey_item, code))
        rows.append(row)
    y = ("%", "Survey: % of providers") if survey_item is not None else ("%",)
    return Table(
        key,
        title,
        columns,
        rows,
        note="{treated} treated events; first treatment course of each; Wilson 95% intervals."
        + (survey_note(ctx, survey_item) if survey_item is not None else ""),
        counts=("Events",),
        derived={"%": "Events", "Lower 95% CI": "Events", "Upper 95% CI": "Events"},
        of=dict.fromkeys(("%", "Lower 95% CI", "Upper 95% CI"), total),
        note_counts={"treated": total},
        chart=Chart("barh", label, y, "%"),
    )


def _interventions(ctx: Context) -> Table:
    e = ctx.events
    i = ctx.frame("vte_interventions", "event_id", "type")
    rows: list[list[Cell]] = []
    kinds = list(InterventionType)
    for code, name in VTE_TYPES.items():
        events = e[e["vte_type"] == code]
        mine = i[i["event_id"].isin(events["event_id"])]
        n_with = counted("event", mine["event_id"])
        rows.append(
            [
                name,
                counted("event", events["event_id"]),
                n_with,
                pct(n_with, len(events)),
                *(counted("event", mine.loc[mine["type"] == k.value, "event_id"]) for k in kinds),
            ]
        )
    return Table(
        "interventions",
        "Interventions (thrombolysis, thrombectomy, filters) by VTE type",
        ["VTE type", "Events", "With an intervention", "%", *(k.label for k in kinds)],
        rows,
        note="Events with at least one intervention recorded (vte_interventions, schema 1.1).",
        counts=("Events", "With an intervention", *(k.label for k in kinds)),
        derived={"%": "With an intervention"},
        of={"%": "Events"},
        chart=Chart("barh", "VTE type", ("%",), "% of events with an intervention"),
    )


def _platelets(ctx: Context) -> Table:
    a = ctx.frame("dose_adjustments", "adjustment_id", "action", "reason", "platelets")
    a = a[(a["reason"] == "thrombocytopenia") & a["platelets"].notna()].set_index("adjustment_id")
    holds = a.loc[a["action"] == "held", "platelets"].astype(float)
    reductions = a.loc[a["action"] == "reduced", "platelets"].astype(float)
    all_holds, all_reductions = (
        counted("adjustment", holds.index),
        counted("adjustment", reductions.index),
    )
    with_survey = ctx.survey is not None
    rows: list[list[Cell]] = []
    for low, high in PLATELET_BINS:
        n_hold = counted("adjustment", holds.index[(holds >= low) & (holds < high)])
        n_reduce = counted(
            "adjustment", reductions.index[(reductions >= low) & (reductions < high)]
        )
        row: list[Cell] = [
            _bin_label(low, high),
            n_hold,
            pct(n_hold, holds.size),
            n_reduce,
            pct(n_reduce, reductions.size),
        ]
        if with_survey:
            code = f"lt_{high:g}"
            row += [
                survey_percent(ctx, "q32_plt_hold_threshold", code)
                if code in PlateletHoldThreshold.codes()
                else None,
                survey_percent(ctx, "q31_plt_reduce_threshold", code)
                if code in PlateletReduceThreshold.codes()
                else None,
            ]
        rows.append(row)
    columns = ["Platelets (x10^9/L)", "Holds", "% of holds", "Reductions", "% of reductions"]
    y: tuple[str, ...] = ("% of holds", "% of reductions")
    if with_survey:
        extra = ["Survey: hold threshold %", "Survey: reduction threshold %"]
        columns += extra
        y += tuple(extra)
    return Table(
        "platelets",
        "Platelet counts at anticoagulant holds and dose reductions for thrombocytopenia",
        columns,
        rows,
        note="{holds} holds and {reductions} reductions with a platelet count. "
        "The survey's threshold '< X' is shown in the bin just below X (the counts it acts on)."
        + survey_note(ctx, "q31_plt_reduce_threshold", "q32_plt_hold_threshold"),
        counts=("Holds", "Reductions"),
        derived={"% of holds": "Holds", "% of reductions": "Reductions"},
        of={"% of holds": all_holds, "% of reductions": all_reductions},
        note_counts={"holds": all_holds, "reductions": all_reductions},
        chart=Chart("bar", "Platelets (x10^9/L)", y, "%"),
    )


def _prophylaxis(ctx: Context) -> list[Table]:
    p, c = ctx.patients, ctx.courses
    on = set(c.loc[c["intent"] == "primary_prophylaxis", "patient_id"])
    rows: list[list[Cell]] = []
    practice: dict[str, int] = {"none": 0, "high_risk_only": 0, "all_patients": 0}
    for site, g in p.groupby("site_id"):
        k = counted("patient", g.loc[g["patient_id"].isin(on), "patient_id"])
        share = k / len(g)
        kind = (
            "none"
            if k == 0
            else "all_patients"
            if share >= PROPHYLAXIS_ALL_SHARE
            else ("high_risk_only")
        )
        practice[kind] += 1
        rows.append(
            [
                str(site),
                counted("patient", g["patient_id"]),
                k,
                pct(k, len(g)),
                kind.replace("_", " "),
            ]
        )
    per_site = Table(
        "prophylaxis_sites",
        "Primary prophylaxis by site",
        ["Site", "Patients", "With primary prophylaxis", "%", "Site practice"],
        rows,
        note="Patients with at least one primary prophylaxis course. Site practice: none, "
        f"all patients (>= {PROPHYLAXIS_ALL_SHARE:.0%} of them) or some (survey item 38's "
        "'high-risk only').",
        counts=("Patients", "With primary prophylaxis"),
        derived={"%": "With primary prophylaxis"},
        of={"%": "Patients"},
        per_site=True,
        chart=Chart("barh", "Site", ("%",), "% of patients"),
    )
    sites = sum(practice.values())
    labels = {"none": "None", "high_risk_only": "Some (high-risk only)", "all_patients": "All"}
    columns = ["Primary prophylaxis", "Sites", "% of sites"]
    if ctx.survey is not None:
        columns.append("Survey: % of providers")
    practice_rows: list[list[Cell]] = []
    for code, n in practice.items():
        row: list[Cell] = [labels[code], n, pct(n, sites)]
        if ctx.survey is not None:
            row.append(survey_percent(ctx, "q38_primary_prophylaxis", code))
        practice_rows.append(row)
    y = tuple(columns[2:])
    compared = Table(
        "prophylaxis_practice",
        "Primary prophylaxis practice: sites in the registry"
        + (" and providers in the survey" if ctx.survey is not None else ""),
        columns,
        practice_rows,
        note=survey_note(ctx, "q38_primary_prophylaxis").strip(),
        chart=Chart("barh", "Primary prophylaxis", y, "%"),
    )
    return [per_site, compared]


def management(ctx: Context) -> Section:
    first = first_courses(ctx)
    classes = list(AGENT_CLASS_LABELS.items())
    durations = [(m.value, m.label) for m in IntendedDuration]
    tables: list[Table] = []
    for code, name in VTE_TYPES.items():
        mine = first[first["vte_type"] == code]
        agent_item, duration_item = SURVEY_ITEMS.get(code, (None, None))
        tables.append(
            _practice_table(
                ctx,
                f"agent_{code}",
                f"{name}: first anticoagulant",
                mine.set_index("event_id")["agent_class"],
                classes,
                agent_item,
                "First agent",
            )
        )
        tables.append(
            _practice_table(
                ctx,
                f"duration_{code}",
                f"{name}: intended duration",
                mine.set_index("event_id")["intended_duration"],
                durations,
                duration_item,
                "Intended duration",
            )
        )
    tables.append(_interventions(ctx))
    tables.append(_platelets(ctx))
    tables.extend(_prophylaxis(ctx))
    return Section(
        "management",
        "Management",
        tables,
        text="VTE type: catheter-related DVT (any catheter-related event other than PE or "
        "CSVT, and every event recorded as catheter-related upper DVT), pulmonary embolism, "
        "cerebral sinovenous thrombosis, other.",
    )

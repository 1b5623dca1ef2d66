"""Outcomes: recurrence, bleeding on anticoagulation per 100 patient-years of anticoagulation,
thrombus response, post-thrombotic syndrome, deaths by cause, CTCAE grades."""

from __future__ import annotations

from typing import Any

import pandas as pd

from registry.models.codes import CauseOfDeath, IsthCategory, PtsInstrument, ThrombusResponse
from registry.report.context import Context
from registry.report.figures import Cell, Chart, Section, Table
from registry.report.stats import pct, poisson_rate, proportion

__all__ = ["anticoagulated_intervals", "outcomes"]


def anticoagulated_intervals(ctx: Context) -> pd.DataFrame:
    """Per patient, the days on anticoagulation as merged intervals [start, end] (inclusive):
    overlapping courses (a switch, prophylaxis then treatment) count once. An open course
    runs to death or last contact."""
    c = ctx.courses.merge(ctx.patients[["patient_id", "end_date"]], on="patient_id", how="left")
    end = c["stop_date"].fillna(c["end_date"])
    c = c.assign(end=end.where(end >= c["start_date"], c["start_date"]))
    out: list[tuple[Any, pd.Timestamp, pd.Timestamp]] = []
    day = pd.Timedelta(days=1)
    for pid, g in c.sort_values(["patient_id", "start_date"]).groupby("patient_id"):
        spans = list(zip(g["start_date"], g["end"], strict=True))
        start, stop = spans[0]
        for s, e in spans[1:]:
            if s <= stop + day:  # overlapping or back to back: one span
                stop = max(stop, e)
            else:
                out.append((pid, start, stop))
                start, stop = s, e
        out.append((pid, start, stop))
    return pd.DataFrame(out, columns=["patient_id", "start", "end"])


def _bleeding(ctx: Context) -> Table:
    spans = anticoagulated_intervals(ctx)
    years = (
        float(((spans["end"] - spans["start"]).dt.days + 1).sum() / 365.25) if len(spans) else 0.0
    )
    b = ctx.frame(
        "bleeding_events",
        "bleed_id",
        "patient_id",
        "date",
        "isth_category",
        "fatal",
        dates=("date",),
    )
    joined = b.merge(spans, on="patient_id", how="inner")
    on = joined[(joined["date"] >= joined["start"]) & (joined["date"] <= joined["end"])]
    on = on.drop_duplicates("bleed_id")
    patients = int(spans["patient_id"].nunique())
    rows: list[list[Cell]] = []
    for code in (IsthCategory.MAJOR, IsthCategory.CLINICALLY_RELEVANT_NON_MAJOR):
        k = int((on["isth_category"] == code.value).sum())
        rows.append([code.label, k, round(years, 2), *poisson_rate(k, years)])
    fatal = int(on["fatal"].astype(bool).sum())
    rows.append(["Fatal", fatal, round(years, 2), *poisson_rate(fatal, years)])
    return Table(
        "bleeding",
        "Bleeding on anticoagulation",
        [
            "ISTH category",
            "Bleeds",
            "Patient-years on anticoagulation",
            "Per 100 patient-years",
            "Lower 95% CI",
            "Upper 95% CI",
        ],
        rows,
        note=f"{patients} anticoagulated patients, {years:.1f} patient-years on "
        "anticoagulation (any intent; overlapping courses counted once; an open course "
        "runs to death or last contact). Bleeds dated within a span of anticoagulation; exact "
        "Poisson intervals.",
        counts=("Bleeds",),
        derived={
            "Per 100 patient-years": "Bleeds",
            "Lower 95% CI": "Bleeds",
            "Upper 95% CI": "Bleeds",
        },
        chart=Chart("barh", "ISTH category", ("Per 100 patient-years",), "per 100 patient-years"),
    )


def _recurrence(ctx: Context) -> Table:
    e = ctx.events
    with_vte = int(e["patient_id"].nunique())
    recurrent = e[e["recurrence_of_event_id"].notna()]
    n_pat = int(recurrent["patient_id"].nunique())
    return Table(
        "recurrence",
        "Recurrent VTE",
        ["Measure", "n", "Of", "%", "Lower 95% CI", "Upper 95% CI"],
        [
            ["Recurrent events", len(recurrent), len(e), *proportion(len(recurrent), len(e))],
            ["Patients with a recurrence", n_pat, with_vte, *proportion(n_pat, with_vte)],
        ],
        note="A recurrence is an event recorded with recurrence_of_event_id.",
        counts=("n", "Of"),
        derived={"%": "n", "Lower 95% CI": "n", "Upper 95% CI": "n"},
    )


def _assessments(ctx: Context) -> pd.DataFrame:
    """The follow-up assessments, read once for the response and the PTS tables."""
    return ctx.frame(
        "vte_assessments",
        "event_id",
        "date",
        "thrombus_response",
        "pts_instrument",
        "pts_score",
        dates=("date",),
    )


def _response(ctx: Context) -> Table:
    a = _assessments(ctx)
    last = a.sort_values("date").drop_duplicates("event_id", keep="last")
    counts = last["thrombus_response"].value_counts()
    total = len(last)
    rows: list[list[Cell]] = [
        [m.label, int(counts.get(m.value, 0)), *proportion(int(counts.get(m.value, 0)), total)]
        for m in ThrombusResponse
    ]
    return Table(
        "thrombus_response",
        "Thrombus response at the last assessment",
        ["Response", "Events", "%", "Lower 95% CI", "Upper 95% CI"],
        rows,
        note=f"{total} of {len(ctx.events)} events have a follow-up assessment.",
        counts=("Events",),
        derived={"%": "Events", "Lower 95% CI": "Events", "Upper 95% CI": "Events"},
        chart=Chart("barh", "Response", ("%",), "% of assessed events"),
    )


def _pts(ctx: Context) -> Table:
    a = _assessments(ctx)
    a = a[a["pts_instrument"].notna()]
    rows: list[list[Cell]] = []
    for m in PtsInstrument:
        scores = a.loc[a["pts_instrument"] == m.value, "pts_score"].astype(float)
        events = int(a.loc[a["pts_instrument"] == m.value, "event_id"].nunique())
        rows.append(
            [
                m.label,
                int(scores.size),
                events,
                float(scores.median()) if scores.size else None,
                float(scores.quantile(0.25)) if scores.size else None,
                float(scores.quantile(0.75)) if scores.size else None,
            ]
        )
    return Table(
        "pts",
        "Post-thrombotic syndrome scores",
        ["Instrument", "Assessments", "Events", "Median score", "Lower quartile", "Upper quartile"],
        rows,
        note="No PTS cut-off is applied: the instruments differ and the spec records scores.",
        counts=("Assessments", "Events"),
        derived={
            "Median score": "Assessments",
            "Lower quartile": "Assessments",
            "Upper quartile": "Assessments",
        },
    )


def _deaths(ctx: Context) -> Table:
    p = ctx.patients
    dead = p[p["vital_status"] == "dead"]
    counts = dead["cause_of_death"].value_counts()
    rows: list[list[Cell]] = [
        [m.label, int(counts.get(m.value, 0)), pct(int(counts.get(m.value, 0)), len(dead))]
        for m in CauseOfDeath
    ]
    return Table(
        "deaths",
        "Deaths by cause",
        ["Cause of death", "Deaths", "% of deaths"],
        rows,
        note=f"{len(dead)} deaths among {len(p)} patients.",
        counts=("Deaths",),
        derived={"% of deaths": "Deaths"},
        chart=Chart("barh", "Cause of death", ("Deaths",), "deaths"),
    )


def _ctcae(ctx: Context) -> Table:
    e = ctx.events
    counts = e["ctcae_grade"].value_counts()
    rows: list[list[Cell]] = [
        [f"Grade {g}", int(counts.get(g, 0)), *proportion(int(counts.get(g, 0)), len(e))]
        for g in range(1, 6)
    ]
    return Table(
        "ctcae",
        "CTCAE v5 grade of the VTE events",
        ["Grade", "Events", "%", "Lower 95% CI", "Upper 95% CI"],
        rows,
        note="Grades as recorded (checked against their definition at validation).",
        counts=("Events",),
        derived={"%": "Events", "Lower 95% CI": "Events", "Upper 95% CI": "Events"},
        chart=Chart("bar", "Grade", ("Events",), "events"),
    )


def outcomes(ctx: Context) -> Section:
    return Section(
        "outcomes",
        "Outcomes",
        [_recurrence(ctx), _bleeding(ctx), _response(ctx), _pts(ctx), _deaths(ctx), _ctcae(ctx)],
    )

"""Outcomes: recurrence, bleeding on anticoagulation per 100 patient-years of anticoagulation,
thrombus response, post-thrombotic syndrome, deaths by cause, CTCAE grades."""

from __future__ import annotations

from typing import Any

import pandas as pd

from registry.models.codes import CauseOfDeath, IsthCategory, PtsInstrument, ThrombusResponse
from registry.report.context import Context
from registry.report.figures import Cell, Chart, Section, Table, counted
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
    patients = counted("patient", spans["patient_id"])
    rows: list[list[Cell]] = []
    for code in (IsthCategory.MAJOR, IsthCategory.CLINICALLY_RELEVANT_NON_MAJOR):
        k = counted("bleed", on.loc[on["isth_category"] == code.value, "bleed_id"])
        rows.append([code.label, k, round(years, 2), *poisson_rate(k, years)])
    fatal = counted("bleed", on.loc[on["fatal"].astype(bool), "bleed_id"])
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
        note="{patients} anticoagulated patients, " + f"{years:.1f} patient-years on "
        "anticoagulation (any intent; overlapping courses counted once; an open course "
        "runs to death or last contact). Bleeds dated within a span of anticoagulation; exact "
        "Poisson intervals.",
        counts=("Bleeds",),
        note_counts={"patients": patients},
        derived={
            "Per 100 patient-years": "Bleeds",
            "Lower 95% CI": "Bleeds",
            "Upper 95% CI": "Bleeds",
        },
        chart=Chart("barh", "ISTH category", ("Per 100 patient-years",), "per 100 patient-years"),
    )


def _recurrence(ctx: Context) -> Table:
    e = ctx.events
    with_vte = counted("patient", e["patient_id"])
    recurrent = e[e["recurrence_of_event_id"].notna()]
    n_pat = counted("patient", recurrent["patient_id"])
    n_rec, n_events = counted("event", recurrent["event_id"]), counted("event", e["event_id"])
    return Table(
        "recurrence",
        "Recurrent VTE",
        ["Measure", "n", "Of", "%", "Lower 95% CI", "Upper 95% CI"],
        [
            ["Recurrent events", n_rec, n_events, *proportion(n_rec, n_events)],
            ["Patients with a recurrence", n_pat, with_vte, *proportion(n_pat, with_vte)],
        ],
        note="A recurrence is an event recorded with recurrence_of_event_id.",
        counts=("n", "Of"),
        derived={"%": "n", "Lower 95% CI": "n", "Upper 95% CI": "n"},
        of=dict.fromkeys(("%", "Lower 95% CI", "Upper 95% CI"), "Of"),
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
    total = counted("event", last["event_id"])
    rows: list[list[Cell]] = []
    for m in ThrombusResponse:
        k = counted("event", last.loc[last["thrombus_response"] == m.value, "event_id"])
        rows.append([m.label, k, *proportion(k, total)])
    return Table(
        "thrombus_response",
        "Thrombus response at the last assessment",
        ["Response", "Events", "%", "Lower 95% CI", "Upper 95% CI"],
        rows,
        note="{assessed} of {events} events have a follow-up assessment.",
        note_counts={"assessed": total, "events": counted("event", ctx.events["event_id"])},
        counts=("Events",),
        derived={"%": "Events", "Lower 95% CI": "Events", "Upper 95% CI": "Events"},
        of=dict.fromkeys(("%", "Lower 95% CI", "Upper 95% CI"), total),
        chart=Chart("barh", "Response", ("%",), "% of assessed events"),
    )


def _pts(ctx: Context) -> Table:
    a = _assessments(ctx)
    a = a[a["pts_instrument"].notna()]
    a = a.assign(
        assessment=a["event_id"].astype(str)
        + "@"
        + a["date"].astype(str)
        + "#"
        + a.index.astype(str)
    )
    rows: list[list[Cell]] = []
    for m in PtsInstrument:
        mine = a[a["pts_instrument"] == m.value]
        scores = mine["pts_score"].astype(float)
        rows.append(
            [
                m.label,
                counted("assessment", mine["assessment"]),
                counted("event", mine["event_id"]),
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
    deaths = counted("patient", dead["patient_id"])
    rows: list[list[Cell]] = []
    for m in CauseOfDeath:
        k = counted("patient", dead.loc[dead["cause_of_death"] == m.value, "patient_id"])
        rows.append([m.label, k, pct(k, len(dead))])
    return Table(
        "deaths",
        "Deaths by cause",
        ["Cause of death", "Deaths", "% of deaths"],
        rows,
        note="{deaths} deaths among {patients} patients.",
        note_counts={"deaths": deaths, "patients": counted("patient", p["patient_id"])},
        counts=("Deaths",),
        derived={"% of deaths": "Deaths"},
        of={"% of deaths": deaths},
        chart=Chart("barh", "Cause of death", ("Deaths",), "deaths"),
    )


def _ctcae(ctx: Context) -> Table:
    e = ctx.events
    events = counted("event", e["event_id"])
    rows: list[list[Cell]] = []
    for g in range(1, 6):
        k = counted("event", e.loc[e["ctcae_grade"] == g, "event_id"])
        rows.append([f"Grade {g}", k, *proportion(k, events)])
    return Table(
        "ctcae",
        "CTCAE v5 grade of the VTE events",
        ["Grade", "Events", "%", "Lower 95% CI", "Upper 95% CI"],
        rows,
        note="Grades as recorded (checked against their definition at validation).",
        counts=("Events",),
        derived={"%": "Events", "Lower 95% CI": "Events", "Upper 95% CI": "Events"},
        of=dict.fromkeys(("%", "Lower 95% CI", "Upper 95% CI"), events),
        chart=Chart("bar", "Grade", ("Events",), "events"),
    )


def outcomes(ctx: Context) -> Section:
    return Section(
        "outcomes",
        "Outcomes",
        [_recurrence(ctx), _bleeding(ctx), _response(ctx), _pts(ctx), _deaths(ctx), _ctcae(ctx)],
    )

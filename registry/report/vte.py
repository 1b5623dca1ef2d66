"""VTE: how many, how often (per 100 person-years, and the cumulative incidence since ALL
diagnosis with death as a competing risk), where, and when (phase, asparaginase)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from registry.models.codes import Detection, Immunophenotype, Phase, VteSite
from registry.report.context import DAYS_PER_MONTH, Context
from registry.report.figures import Cell, Chart, Section, Table, counted
from registry.report.stats import cumulative_incidence, poisson_rate, proportion

__all__ = ["ASPARAGINASE_WINDOWS", "CIF_MONTHS", "vte"]

#: The times the cumulative incidence is tabulated at (months since ALL diagnosis).
CIF_MONTHS = (6, 12, 24)
#: Days from the last asparaginase dose to the event ([V Caruso 2006]: most events within
#: 14 days of a dose; the spec's phase-mismatch and asparaginase rules use the same 14 days).
ASPARAGINASE_WINDOWS = ((0, 14, "0-14 days"), (15, 30, "15-30 days"), (31, 90, "31-90 days"))
_NO_DOSE = "no dose before the event"


def _outcome(p: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Months to first VTE (1), death without VTE (2) or last contact (0)."""
    first = p["first_vte_date"]
    has = first.notna() & (first <= p["end_date"])
    end = first.where(has, p["end_date"])
    months = ((end - p["diagnosis_date"]).dt.days.clip(lower=0) / DAYS_PER_MONTH).to_numpy()
    outcome = np.where(has, 1, np.where(p["death_date"].notna(), 2, 0))
    return months, outcome


def _person_years(p: pd.DataFrame) -> pd.Series:
    """Years at risk of a first VTE: diagnosis to first VTE or end of follow-up."""
    end = p["first_vte_date"].where(p["first_vte_date"].notna(), p["end_date"])
    end = end.where(end <= p["end_date"], p["end_date"])
    return (end - p["diagnosis_date"]).dt.days.clip(lower=0) / 365.25


def _incidence_by_site(ctx: Context) -> Table:
    p, e = ctx.patients, ctx.events
    p = p.assign(py=_person_years(p), vte=p["first_vte_date"].notna())
    rows: list[list[Cell]] = []
    groups = [(s, g) for s, g in p.groupby("site_id")]
    if len(groups) > 1:
        groups.append(("All sites", p))
    for site, g in groups:
        ev = e[e["patient_id"].isin(g["patient_id"])]
        n_vte = counted("patient", g.loc[g["vte"], "patient_id"])
        rate, low, high = poisson_rate(n_vte, float(g["py"].sum()))
        symptomatic = ev.loc[ev["detection"] == Detection.SYMPTOMATIC.value, "event_id"]
        rows.append(
            [
                str(site),
                counted("patient", g["patient_id"]),
                n_vte,
                round(float(g["py"].sum()), 1),
                rate,
                low,
                high,
                counted("event", ev["event_id"]),
                counted("event", symptomatic),
            ]
        )
    return Table(
        "incidence",
        "First VTE per 100 person-years, by site",
        [
            "Site",
            "Patients",
            "Patients with VTE",
            "Person-years at risk",
            "Per 100 person-years",
            "Lower 95% CI",
            "Upper 95% CI",
            "VTE events",
            "Symptomatic events",
        ],
        rows,
        note="Time at risk from ALL diagnosis to the first VTE or end of follow-up; exact "
        "Poisson intervals. Events count every VTE, recurrences included.",
        counts=("Patients", "Patients with VTE", "VTE events", "Symptomatic events"),
        derived={
            "Per 100 person-years": "Patients with VTE",
            "Lower 95% CI": "Patients with VTE",
            "Upper 95% CI": "Patients with VTE",
        },
        per_site=True,
        chart=Chart("barh", "Site", ("Per 100 person-years",), "first VTE per 100 person-years"),
        total_row="All sites",
    )


def _cif_table(
    ctx: Context,
    key: str,
    title: str,
    groups: dict[str, pd.Series],
    follow_up: tuple[np.ndarray, np.ndarray],
) -> Table:
    months, outcome = follow_up
    horizon = int(min(60, max(12, np.floor(months.max() if len(months) else 12))))
    grid = list(range(0, horizon + 1))
    times = sorted({*map(float, CIF_MONTHS), *map(float, grid)})  # one fit for both
    columns = ["Group", "Patients", "Patients with VTE"]
    for m in CIF_MONTHS:
        columns += [f"{m} months (%)", f"{m} months lower", f"{m} months upper"]
    rows: list[list[Cell]] = []
    series: dict[str, list[tuple[float, float, float, float]]] = {}
    ids = ctx.patients["patient_id"].to_numpy()
    for name, mask in groups.items():
        member = mask.to_numpy(dtype=bool)
        n_vte = counted("patient", ids[member & (outcome == 1)])
        fitted = dict(
            zip(times, cumulative_incidence(months[member], outcome[member], times), strict=True)
        )
        cells: list[Cell] = [name, counted("patient", ids[member]), n_vte]
        for m in CIF_MONTHS:
            cells += list(fitted[float(m)])
        rows.append(cells)
        if member.any() and (n_vte >= ctx.min_cell or not ctx.one_site):
            series[name] = [(float(t), *fitted[float(t)]) for t in grid]
    return Table(
        key,
        title,
        columns,
        rows,
        note="Aalen-Johansen estimate (lifelines) of the first VTE since ALL diagnosis, "
        "death without VTE as a competing risk, censored at last contact; 95% CI.",
        counts=("Patients", "Patients with VTE"),
        derived=dict.fromkeys(columns[3:], "Patients with VTE"),
        of=dict.fromkeys(columns[3:], "Patients"),
        chart=Chart(
            "step", "months since ALL diagnosis", (), "cumulative incidence (%)", series=series
        ),
    )


def _share_table(
    key: str, title: str, label: str, units: pd.Series, order: list[tuple[str, str]], note: str
) -> Table:
    """``units``: the code of each event, indexed by event ID."""
    total = counted("event", units.index)
    rows: list[list[Cell]] = []
    for code, name in order:
        k = counted("event", units.index[units == code])
        rows.append([name, k, *proportion(k, total)])
    return Table(
        key,
        title,
        [label, "Events", "%", "Lower 95% CI", "Upper 95% CI"],
        rows,
        note=note,
        counts=("Events",),
        derived={"%": "Events", "Lower 95% CI": "Events", "Upper 95% CI": "Events"},
        of=dict.fromkeys(("%", "Lower 95% CI", "Upper 95% CI"), total),
        chart=Chart("barh", label, ("%",), "% of events"),
    )


def _asparaginase_timing(ctx: Context) -> pd.Series:
    e = ctx.events[["event_id", "patient_id", "diagnosis_date"]]
    doses = ctx.frame(
        "asparaginase_doses", "patient_id", "administration_date", dates=("administration_date",)
    )
    if e.empty:
        return pd.Series(dtype="object")
    joined = pd.merge_asof(
        e.sort_values("diagnosis_date"),
        doses.sort_values("administration_date")[["patient_id", "administration_date"]],
        left_on="diagnosis_date",
        right_on="administration_date",
        by="patient_id",
        direction="backward",
    )
    days = (joined["diagnosis_date"] - joined["administration_date"]).dt.days
    window = pd.Series(_NO_DOSE, index=joined.index)
    window[days > ASPARAGINASE_WINDOWS[-1][1]] = f"> {ASPARAGINASE_WINDOWS[-1][1]} days"
    for low, high, name in ASPARAGINASE_WINDOWS:
        window[(days >= low) & (days <= high)] = name
    return pd.Series(window.to_numpy(), index=joined["event_id"].to_numpy())


def vte(ctx: Context) -> Section:
    p, e = ctx.patients, ctx.events
    tables = [_incidence_by_site(ctx)]
    yes_no = {"Yes": p["mediastinal_mass"].astype(bool), "No": ~p["mediastinal_mass"].astype(bool)}
    cif = "Cumulative incidence of VTE"
    groupings = {
        "cif_overall": (f"{cif}: all patients", {"All patients": p["site_id"].notna()}),
        "cif_age": (
            f"{cif} by age at diagnosis",
            {g: p["age_group"] == g for g in ("< 1 year", "1-9 years", ">= 10 years")},
        ),
        "cif_immunophenotype": (
            f"{cif} by immunophenotype",
            {m.label: p["immunophenotype"] == m.value for m in Immunophenotype},
        ),
        "cif_mediastinal": (
            f"{cif} by mediastinal mass",
            {f"Mediastinal mass: {k}": v for k, v in yes_no.items()},
        ),
    }
    follow_up = _outcome(p)  # the same months and outcomes for every grouping
    for key, (title, groups) in groupings.items():
        tables.append(_cif_table(ctx, key, title, groups, follow_up))
    tables.append(
        _share_table(
            "site_mix",
            "Where: site of the VTE",
            "Site of VTE",
            e.set_index("event_id")["location"],
            [(m.value, m.label) for m in VteSite],
            "All events; Wilson 95% intervals.",
        )
    )
    tables.append(
        _share_table(
            "phase",
            "When: treatment phase at the event",
            "Phase",
            e.set_index("event_id")["phase_at_event"],
            [(m.value, m.label) for m in Phase],
            "Phase as recorded with the event.",
        )
    )
    windows = [(name, name) for _, _, name in ASPARAGINASE_WINDOWS]
    windows += [(f"> {ASPARAGINASE_WINDOWS[-1][1]} days",) * 2, (_NO_DOSE, _NO_DOSE)]
    tables.append(
        _share_table(
            "asparaginase",
            "When: days from the last asparaginase dose to the event",
            "Days since asparaginase",
            _asparaginase_timing(ctx),
            windows,
            "Last dose on or before the day of the event.",
        )
    )
    n = counted("event", e["event_id"])
    qualifying = counted("event", e.loc[e["ptwg_qualifying"].astype(bool), "event_id"])
    symptomatic = counted("event", e.loc[e["detection"] == Detection.SYMPTOMATIC.value, "event_id"])
    with_vte = counted("patient", p.loc[p["first_vte_date"].notna(), "patient_id"])
    everyone = counted("patient", p["patient_id"])
    tables.append(
        Table(
            "ptwg",
            "Patients with VTE, and events meeting the Ponte di Legno (PTWG) definition",
            ["Measure", "n", "Of", "%", "Lower 95% CI", "Upper 95% CI"],
            [
                ["Patients with VTE", with_vte, everyone, *proportion(with_vte, everyone)],
                ["PTWG-qualifying events", qualifying, n, *proportion(qualifying, n)],
                ["Symptomatic events", symptomatic, n, *proportion(symptomatic, n)],
            ],
            note="Patients with at least one VTE during follow-up (crude share, not adjusted "
            "for follow-up time); PTWG-qualifying as recorded (ptwg_qualifying); Wilson 95% "
            "intervals.",
            counts=("n", "Of"),
            derived={"%": "n", "Lower 95% CI": "n", "Upper 95% CI": "n"},
            of=dict.fromkeys(("%", "Lower 95% CI", "Upper 95% CI"), "Of"),
        )
    )
    return Section("vte", "VTE", tables)

"""Enrollment and follow-up: patients by site and month of diagnosis, person-years, the latest
submission and data cutoff of each site (aggregated in the database)."""

from __future__ import annotations

import pandas as pd

from registry.report.context import Context
from registry.report.figures import Cell, Chart, Counted, Section, Table, counted

__all__ = ["enrollment"]


def _latest(ctx: Context) -> dict[str, tuple[str, str, int]]:
    """site -> (latest submission's created_at date, its data cutoff, submissions loaded)."""
    audit = ctx.data.submissions()
    out: dict[str, tuple[str, str, int]] = {}
    for site, rows in audit.groupby("site_id"):
        last = rows.sort_values("created_at").iloc[-1]
        created = str(last["created_at"])[:10]
        out[str(site)] = (created, str(last["data_cutoff_date"])[:10], len(rows))
    return out


def enrollment(ctx: Context) -> Section:
    follow = ctx.data.follow_up()
    latest = _latest(ctx)
    p = ctx.patients
    ids = p.groupby("site_id")["patient_id"]
    with_vte = ctx.events.groupby("site_id")["patient_id"]
    rows: list[list[Cell]] = []
    for r in follow.to_dict("records"):
        site = r["site_id"]
        created, cutoff, loads = latest.get(str(site), ("", "", 0))
        patients = counted("patient", ids.get_group(site) if site in ids.groups else ())
        assert patients == int(r["patients"])  # the follow-up query and the frame agree
        rows.append(
            [
                str(site),
                patients,
                round(float(r["person_years"]), 1),
                counted("patient", with_vte.get_group(site) if site in with_vte.groups else ()),
                loads,
                created,
                cutoff,
            ]
        )
    if len(rows) > 1:
        rows.append(
            [
                "All sites",
                counted("patient", p["patient_id"]),
                round(float(follow["person_years"].sum()), 1),
                counted("patient", ctx.events["patient_id"]),
                sum(v[2] for v in latest.values()),
                max(v[0] for v in latest.values()) if latest else "",
                "",
            ]
        )
    sites = Table(
        "sites",
        "Patients and follow-up by site",
        [
            "Site",
            "Patients",
            "Person-years",
            "Patients with VTE",
            "Submissions loaded",
            "Latest submission",
            "Data cutoff",
        ],
        rows,
        note="Follow-up runs from ALL diagnosis to death or last contact.",
        counts=("Patients", "Patients with VTE"),
        derived={"Person-years": "Patients"},
        per_site=True,
        chart=Chart("barh", "Site", ("Patients",), "patients"),
        total_row="All sites",
    )
    # every month from the first diagnosis to the last, so that no month is missing
    month = p["diagnosis_date"].dt.to_period("M")
    site_ids = sorted(p["site_id"].unique().tolist())
    month_rows: list[list[Cell]] = []
    if len(p):
        members = p.groupby([month, p["site_id"]])["patient_id"]
        for period in pd.period_range(month.min(), month.max(), freq="M"):
            cells = [
                counted("patient", members.get_group((period, site)))
                if (period, site) in members.groups
                else counted("patient", ())
                for site in site_ids
            ]
            month_rows.append(
                [str(period), *cells, Counted(frozenset().union(*(c.members for c in cells)))]
            )
    by_month = Table(
        "by_month",
        "Patients by month of ALL diagnosis",
        ["Month", *site_ids, "All sites"],
        month_rows,
        counts=(*site_ids, "All sites"),
        per_site=True,
        chart=Chart("bar", "Month", tuple(site_ids), "patients", stacked=True),
        total_column="All sites",
    )
    return Section("enrollment", "Enrollment and follow-up", [sites, by_month])

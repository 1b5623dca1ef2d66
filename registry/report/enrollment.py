"""Enrollment and follow-up: patients by site and month of diagnosis, person-years, the latest
submission and data cutoff of each site (aggregated in the database)."""

from __future__ import annotations

from registry.report.context import Context
from registry.report.figures import Cell, Chart, Section, Table

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
    with_vte = ctx.events.groupby("site_id")["patient_id"].nunique()
    rows: list[list[Cell]] = []
    for r in follow.to_dict("records"):
        created, cutoff, loads = latest.get(str(r["site_id"]), ("", "", 0))
        rows.append(
            [
                str(r["site_id"]),
                int(r["patients"]),
                round(float(r["person_years"]), 1),
                int(with_vte.get(r["site_id"], 0)),
                loads,
                created,
                cutoff,
            ]
        )
    if len(rows) > 1:
        rows.append(
            [
                "All sites",
                int(follow["patients"].sum()),
                round(float(follow["person_years"].sum()), 1),
                int(with_vte.sum()),
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
    months = ctx.data.by_month()
    site_ids = sorted(months["site_id"].unique().tolist())
    grid = months.pivot_table(
        index="month", columns="site_id", values="patients", aggfunc="sum", fill_value=0
    )
    month_rows: list[list[Cell]] = [
        [str(month), *(int(n) for n in counts[site_ids]), int(counts.sum())]
        for month, counts in grid.iterrows()
    ]
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

"""Data quality by site: the findings of each loaded submission's validation (kept with its
load in the audit trail) by Kahn category and rule per 100 records, the trend across a site's
submissions, and the completeness of the fields whose absence means "not recorded"."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from registry.models import TABLES
from registry.report.context import Context
from registry.report.figures import Cell, Chart, Counted, Section, Table
from registry.rules import rule

__all__ = ["KAHN", "quality"]

#: The Kahn et al. 2016 categories (the first part of a rule's category), in report order.
KAHN = ("conformance", "completeness", "plausibility")
_NOT_KEPT = "not kept (loaded before schema 0005)"


def _loads(ctx: Context) -> list[dict[str, Any]]:
    out = []
    for r in ctx.data.submissions().to_dict("records"):
        counts = json.loads(r["row_counts"] or "{}")
        findings = None if r["findings"] is None else json.loads(r["findings"])
        out.append(
            {
                "site": str(r["site_id"]),
                "created": str(r["created_at"])[:10],
                "submission": str(r["submission_id"]),
                "records": int(sum(counts.values())),
                "findings": findings,
            }
        )
    return out


def _findings(load: dict[str, Any], rules: list[str] | None = None) -> Counted:
    """The findings of a load (of ``rules`` only, if given), one unit per finding: the audit
    needs to know that a site's total is the sum of its rules."""
    kept = load["findings"] or {}
    return Counted(
        f"finding:{load['submission']}:{rule_id}:{i}"
        for rule_id, n in kept.items()
        if rules is None or rule_id in rules
        for i in range(int(n))
    )


def _per100(n: int, records: int) -> float | None:
    return round(100 * n / records, 2) if records else None


def _category(rule_id: str) -> str:
    try:
        return rule(rule_id).category.split(".")[0]
    except KeyError:
        return "unknown"


def quality(ctx: Context) -> Section:
    loads = _loads(ctx)
    latest: dict[str, dict[str, Any]] = {}
    for load in loads:  # ordered by site, then created_at
        latest[load["site"]] = load
    rule_rows: list[list[Cell]] = []
    category_rows: list[list[Cell]] = []
    category_members: dict[tuple[int, str], frozenset[str]] = {}
    for site, load in latest.items():
        findings = load["findings"]
        if findings is None:
            category_rows.append([site, load["records"], _NOT_KEPT, None, None, None])
            continue
        per_category = dict.fromkeys(KAHN, 0)
        for rule_id, n in sorted(findings.items()):
            cat = _category(rule_id)
            per_category[cat] = per_category.get(cat, 0) + n
            rule_rows.append(
                [
                    site,
                    rule_id,
                    cat,
                    rule(rule_id).severity if cat != "unknown" else "",
                    _findings(load, [rule_id]),
                    _per100(n, load["records"]),
                ]
            )
        for c in KAHN:  # a rate per 100 records (shown) gives its findings back
            category_members[(len(category_rows), c.capitalize())] = _findings(
                load, [r for r in findings if _category(r) == c]
            ).members
        category_rows.append(
            [
                site,
                load["records"],
                _findings(load),
                *(_per100(per_category[c], load["records"]) for c in KAHN),
            ]
        )
    by_rule = Table(
        "quality_rules",
        "Findings of each site's latest submission, by rule",
        ["Site", "Rule", "Kahn category", "Severity", "Findings", "Per 100 records"],
        rule_rows,
        note="Warnings only: a submission with an error finding is never loaded.",
        counts=("Findings",),
        derived={"Per 100 records": "Findings"},
        per_site=True,
    )
    by_category = Table(
        "quality_categories",
        "Findings per 100 records by Kahn category (latest submission)",
        ["Site", "Records", "Findings", *(c.capitalize() for c in KAHN)],
        category_rows,
        note="Kahn et al. 2016 categories; per 100 records of the submission.",
        counts=("Findings",),
        members=category_members,
        per_site=True,
        chart=Chart("barh", "Site", tuple(c.capitalize() for c in KAHN), "per 100 records"),
    )
    trend_rows: list[list[Cell]] = []
    for load in loads:
        f = load["findings"]
        total = None if f is None else sum(f.values())
        trend_rows.append(
            [
                f"{load['site']} {load['created']}",
                load["site"],
                load["submission"][:8],
                load["records"],
                _findings(load) if total is not None else _NOT_KEPT,
                None if total is None else _per100(total, load["records"]),
            ]
        )
    trend = Table(
        "quality_trend",
        "Findings across each site's submissions",
        ["Submission", "Site", "Submission ID", "Records", "Findings", "Per 100 records"],
        trend_rows,
        note="Every load in the audit trail, oldest first; 'Submission' is the site and the "
        "date the submission was created.",
        counts=("Findings",),
        derived={"Per 100 records": "Findings"},
        per_site=True,
        chart=Chart("bar", "Submission", ("Per 100 records",), "findings per 100 records"),
    )
    return Section(
        "quality",
        "Data quality by site",
        [by_category, by_rule, trend, _completeness(ctx)],
    )


def _completeness(ctx: Context) -> Table:
    rows: list[list[Cell]] = []
    sites: list[str] = ctx.sites
    for spec in TABLES:
        monitored = [f for f in spec.facts if f.completeness_monitored]
        if not monitored:
            continue
        newer = {f.name for f in monitored if f.since is not None}
        filled = ctx.data.filled(spec.name, [f.name for f in monitored], newer).set_index("site_id")
        for f in monitored:
            cells: list[Cell] = []
            for site in sites:
                if site not in filled.index:
                    cells.append(None)
                    continue
                rows_: Any = filled.at[site, "_rows_1_1" if f.name in newer else "_rows"]
                got: Any = filled.at[site, f.name]
                n = int(got or 0)
                cells.append(
                    round(100 * n / int(rows_), 1) if rows_ and not pd.isna(rows_) else None
                )
            rows.append([f"{spec.name}.{f.name}", *cells])
    return Table(
        "completeness",
        "Completeness of monitored optional fields (% of records filled)",
        ["Field", *sites],
        rows,
        note="Fields whose absence means 'not recorded' (rule completeness-threshold); fields "
        "added in schema 1.1 over the records submitted as 1.1.",
        per_site=True,
    )

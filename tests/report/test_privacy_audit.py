"""The privacy audit: a count suppressed in one table does not come back by arithmetic on the
rest of the report (issue 26, part 3). Literal leaks first, then a search over registries by
an attacker written independently of the audit (differences of published sets)."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.report.figures import Counted, Table, counted
from registry.report.privacy import WITHHELD, _count, _facts, audit, suppress

K = 11


def _units(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def test_table_1_and_the_age_table_do_not_give_the_infants_back() -> None:
    """The demo's leak: Table 1 hides the under-one count (9); the age table prints 201 and
    90 of 300, so it is 9."""
    infants, middle, older = _units("a", 9), _units("b", 201), _units("c", 90)
    everyone = infants + middle + older
    table1 = Table(
        "table1",
        "Table 1",
        ["Characteristic", "Overall"],
        [
            ["Patients, n", counted("patient", everyone)],
            ["Age: < 1 year", counted("patient", infants)],
            ["Age: 1-9 years", counted("patient", middle)],
            ["Age: >= 10 years", counted("patient", older)],
        ],
        counts=("Overall",),
        per_site=True,
        row_groups=[(1, 2, 3)],
    )
    by_age = Table(
        "cif_age",
        "By age",
        ["Group", "Patients"],
        [
            ["< 1 year", counted("patient", infants)],
            ["1-9 years", counted("patient", middle)],
            [">= 10 years", counted("patient", older)],
        ],
        counts=("Patients",),
        per_site=True,
    )
    for t in (table1, by_age):
        suppress(t, K)
    assert table1.row("Age: < 1 year")["Overall"] == f"<{K}"
    # before the audit: 300 - 201 - 90 = 9 from what is shown
    shown = [_count(v) for v in (*table1.column("Overall"), *by_age.column("Patients"))]
    assert {300, 201, 90} <= set(shown)
    withheld = audit([table1, by_age], K)
    assert withheld and all("< 1 year" in w.protects for w in withheld)
    left = [_count(v) for v in (*table1.column("Overall"), *by_age.column("Patients"))]
    assert not {300, 201, 90} <= set(left)


def test_a_wilson_interval_of_zero_events_does_not_give_its_denominator_back() -> None:
    """0 of n with an upper bound of 29.9% means n = 9: the interval of a shown 0 gives back
    its suppressed denominator."""
    from registry.report.stats import proportion

    nine = counted("patient", _units("p", 9))
    none = counted("patient", [])
    table = Table(
        "ptwg",
        "PTWG",
        ["Measure", "n", "Of", "%", "Lower 95% CI", "Upper 95% CI"],
        [["Patients with VTE", none, nine, *proportion(0, 9)]],
        counts=("n", "Of"),
        derived={"%": "n", "Lower 95% CI": "n", "Upper 95% CI": "n"},
        of=dict.fromkeys(("%", "Lower 95% CI", "Upper 95% CI"), "Of"),
        per_site=True,
    )
    suppress(table, K)
    assert table.rows[0][2] == f"<{K}" and table.rows[0][5] not in (WITHHELD, None)
    audit([table], K)
    assert table.rows[0][3:] == [WITHHELD] * 3


def test_rates_per_100_records_do_not_give_a_suppressed_count_back() -> None:
    """Findings shown as "<11" beside per-category rates per 100 records (records shown)."""
    findings = Counted(_units("finding:x:", 7))
    table = Table(
        "quality_categories",
        "Findings per 100 records",
        ["Site", "Records", "Findings", "Conformance", "Plausibility"],
        [["SITE1", 500, findings, 0.8, 0.6]],
        counts=("Findings",),
        members={
            (0, "Conformance"): frozenset(_units("finding:x:", 4)),
            (0, "Plausibility"): frozenset(_units("finding:x:", 7)[4:]),
        },
        per_site=True,
    )
    suppress(table, K)
    assert table.rows[0][2] == f"<{K}"
    audit([table], K)
    assert WITHHELD in table.rows[0][3:]


def test_a_note_does_not_give_a_count_back() -> None:
    """A note states the total of a column whose one small cell is suppressed."""
    big, small = counted("patient", _units("b", 40)), counted("patient", _units("s", 3))
    total = counted("patient", _units("b", 40) + _units("s", 3))
    table = Table(
        "deaths",
        "Deaths by cause",
        ["Cause", "Deaths"],
        [["Leukemia", big], ["Other", small]],
        note="{deaths} deaths.",
        note_counts={"deaths": total},
        counts=("Deaths",),
        per_site=True,
    )
    suppress(table, K)
    audit([table], K)
    assert table.note == "a withheld number of deaths." or table.rows[0][1] == WITHHELD


# --- an attacker who knows nothing of the audit --------------------------------------------


def _differences(tables: list[Table]) -> list[str]:
    """Suppressed cells a difference of published figures gives back exactly, as a reader
    can form it: within one table (its cells and the totals of its columns), where every
    count shown anywhere for the same units is known (a site's patients in Table 1 are the
    site's patients in the sites table). A shown set minus shown sets inside it, disjoint,
    leaving exactly the suppressed cell's units."""
    published, hidden = _facts(tables, K)
    known = {f.members for f in published}
    leaks = []
    for table in tables:
        sets = set(table.members.values())
        for column in table.counts:
            sets.add(frozenset().union(*(m for (_, c), m in table.members.items() if c == column)))
        shown = sorted((m for m in sets if m in known), key=len, reverse=True)
        for cell in hidden:
            if cell.members not in sets:
                continue
            if cell.members in known:
                leaks.append(f"{cell.table.key}: shown elsewhere")
                continue
            for whole in shown:
                if not cell.members < whole:
                    continue
                rest = whole - cell.members
                cover: set[str] = set()
                for part in shown:  # largest first: a greedy tiling of the rest
                    if part <= rest and not part & cover:
                        cover |= part
                if cover == rest:
                    assert isinstance(cell.row, int)  # a suppressed cell is a table's
                    leaks.append(
                        f"{table.key} gives back {cell.table.key}: "
                        f"{cell.table.rows[cell.row][0]} / {cell.column}"
                    )
                    break
    return leaks


@pytest.fixture(scope="module")
def registries(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    from registry.database.loading import load_submission
    from registry.synthetic import synthesize

    urls = []
    plans = [
        (("SITEA", 60, 101),),
        (("SITEA", 90, 102), ("SITEB", 25, 103)),
        (("SITEA", 40, 104), ("SITEB", 30, 105), ("SITEC", 20, 106)),
    ]
    for k, plan in enumerate(plans):
        root = tmp_path_factory.mktemp(f"audit{k}")
        url = f"sqlite:///{root / 'registry.sqlite'}"
        for site, n, seed in plan:
            folder = synthesize(root / site, patients=n, seed=seed, site=site).folder
            assert load_submission(folder, url).outcome == "loaded"
        urls.append(url)
    return urls


def test_every_count_knows_what_it_counts(registries: list[str]) -> None:
    """Unsuppressed (threshold 1), each count cell shows the number of its units: the
    audit's equations are the report's figures."""
    from registry.report import build_center_report

    report = build_center_report(registries[1], min_cell=1)
    checked = 0
    for section in report.sections:
        for table in section.tables:
            for (i, column), members in table.members.items():
                if column in table.counts:
                    assert _count(table.rows[i][table.columns.index(column)]) == len(members)
                    checked += 1
            for column in table.counts:  # no count is left out of the audit
                for i, row in enumerate(table.rows):
                    if isinstance(row[table.columns.index(column)], int):
                        assert (i, column) in table.members, (table.key, row[0], column)
    assert checked > 500


@pytest.mark.parametrize("one_site", [False, True], ids=["pooled", "one site"])
def test_no_difference_of_published_figures_gives_a_suppressed_count_back(
    registries: list[str], one_site: bool
) -> None:
    """The search: in each registry, the report before the audit leaks (the attacker finds
    something in at least one), after it the attacker finds nothing."""
    from unittest import mock

    import registry.report.build as build

    found_before = 0
    for url in registries:
        site = "SITEA" if one_site else None
        with mock.patch.object(build, "audit", lambda tables, k: []):
            raw = build.build_center_report(url, site=site)
        found_before += len(_differences([t for s in raw.sections for t in s.tables]))
        report = build.build_center_report(url, site=site)
        tables = [t for s in report.sections for t in s.tables]
        assert _differences(tables) == [], url
    assert found_before > 0  # the attacker is able to find a leak


def test_the_report_lists_what_the_audit_withheld(registries: list[str], tmp_path: Path) -> None:
    from registry.report import build_center_report, render_html, render_text

    report = build_center_report(registries[0], site="SITEA")
    assert report.withheld
    assert "Withheld by the privacy audit" in render_text(report)
    assert 'id="withheld"' in render_html(report)
    assert report.to_dict()["withheld_by_audit"] == report.withheld


def test_a_suppressed_bar_is_marked_not_drawn_as_zero() -> None:
    from registry.report.charts import render_chart
    from registry.report.figures import Chart

    table = Table(
        "t",
        "t",
        ["Group", "Events"],
        [["A", 40], ["B", f"<{K}"], ["C", 25]],
        chart=Chart("barh", "Group", ("Events",), "events"),
    )
    svg = render_chart(table)
    assert svg is not None and f"&lt;{K}" in svg
    only = Table("u", "u", ["Group", "Events"], [["A", f"<{K}"]], chart=table.chart)
    assert render_chart(only) is not None  # all suppressed is not "nothing to draw"


def test_the_monthly_chart_has_every_month(registries: list[str]) -> None:
    from registry.report import build_center_report

    months = build_center_report(registries[1]).table("by_month").column("Month")
    import pandas as pd

    periods = [pd.Period(m, freq="M") for m in months]
    assert periods == list(pd.period_range(periods[0], periods[-1], freq="M"))

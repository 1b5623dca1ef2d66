"""Small-cell suppression, literally: which cells are hidden, and what they show."""

from __future__ import annotations

import pytest

from registry.report.figures import Table
from registry.report.privacy import WITHHELD, suppress


def _table(rows: list[list[object]], **kwargs: object) -> Table:
    return Table(
        "t",
        "t",
        ["Site", "Patients", "%", "Events"],
        [list(r) for r in rows],
        counts=("Patients", "Events"),
        derived={"%": "Patients"},
        per_site=True,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("patients", "shown"),
    [(0, 0), (1, "<11"), (10, "<11"), (11, 11), (250, 250)],
    ids=["zero-shown", "one", "ten", "eleven-shown", "large"],
)
def test_counts_from_one_to_ten_are_suppressed(patients: int, shown: object) -> None:
    t = suppress(_table([["A", patients, 50.0, 40]]), 11)
    assert t.rows[0][1] == shown
    assert t.rows[0][2] == (WITHHELD if shown == "<11" else 50.0)  # its percent goes with it


def test_the_threshold_is_an_option() -> None:
    t = suppress(_table([["A", 12, 5.0, 40]]), 20)
    assert t.rows[0][1:] == ["<20", WITHHELD, 40]


def test_pooled_tables_are_left_unless_the_report_is_on_one_site() -> None:
    pooled = _table([["A", 3, 1.0, 4]])
    pooled.per_site = False
    assert suppress(pooled, 11).rows[0] == ["A", 3, 1.0, 4]
    assert suppress(pooled, 11, everywhere=True).rows[0] == ["A", "<11", WITHHELD, "<11"]


def test_n_percent_strings_are_counts() -> None:
    t = Table(
        "t",
        "t",
        ["x", "A"],
        [["Sex: male", "7 (3.5)"], ["Sex: female", "193 (96.5)"]],
        counts=("A",),
        per_site=True,
    )
    assert suppress(t, 11).rows[0][1] == "<11"


def test_a_total_row_cannot_give_a_suppressed_count_back() -> None:
    """Total 60 - 45 would reveal the 5: the smallest other count is withheld with it."""
    t = _table(
        [["A", 45, 75.0, 30], ["B", 5, 8.3, 20], ["C", 10, 16.7, 12], ["All sites", 60, 100.0, 62]],
        total_row="All sites",
    )
    suppress(t, 11)
    patients = t.column("Patients")
    assert patients == [45, "<11", "<11", 60]  # 10 is small itself
    t = _table(
        [["A", 45, 75.0, 30], ["B", 5, 8.3, 20], ["C", 30, 16.7, 12], ["All sites", 80, 100.0, 62]],
        total_row="All sites",
    )
    suppress(t, 11)
    assert t.column("Patients") == [45, "<11", WITHHELD, 80]  # 30 withheld, not called small
    assert t.column("%") == [75.0, WITHHELD, WITHHELD, 100.0]


def test_a_total_column_cannot_give_a_suppressed_count_back() -> None:
    t = Table(
        "m",
        "m",
        ["Month", "A", "B", "C", "All"],
        [["2021-01", 40, 3, 25, 68], ["2021-02", 40, 30, 25, 95]],
        counts=("A", "B", "C", "All"),
        per_site=True,
        total_column="All",
    )
    suppress(t, 11)
    assert t.rows == [["2021-01", 40, "<11", WITHHELD, 68], ["2021-02", 40, 30, 25, 95]]


def test_levels_of_one_characteristic_add_up() -> None:
    t = Table(
        "t1",
        "t1",
        ["Characteristic", "A"],
        [["Patients, n", "100"], ["Sex: female", "4 (4.0)"], ["Sex: male", "96 (96.0)"]],
        counts=("A",),
        per_site=True,
        row_groups=[(1, 2)],
    )
    suppress(t, 11)
    assert t.column("A") == ["100", "<11", WITHHELD]


def test_a_chart_of_suppressed_counts_only_marks_them() -> None:
    """Issue 26: a suppressed count is never drawn as zero or an empty bar; a chart whose
    counts are all suppressed still shows where they are, each marked "<k"."""
    from registry.report.charts import render_chart
    from registry.report.figures import Chart

    t = Table(
        "m",
        "m",
        ["Month", "A"],
        [["2021-01", 3], ["2021-02", 40]],
        counts=("A",),
        per_site=True,
        chart=Chart("bar", "Month", ("A",)),
    )
    assert render_chart(t) is not None
    suppress(t, 50)
    svg = render_chart(t)
    assert svg is not None and svg.count("&lt;50") == 2

"""The shape of the center report: sections of tables, each table with the chart drawn from it.

A table is the figure: the HTML page draws its chart from the same rows it prints beside it,
the JSON carries the rows, and small-cell suppression (``privacy``) is applied to the rows
before any renderer sees them, so no renderer can show a suppressed count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Cell", "CenterReport", "Chart", "Section", "Table"]

#: A cell: a count, a rate, a label; None is "not applicable / no data"; the string "<11"
#: (or "<k") is a suppressed count.
Cell = int | float | str | None


@dataclass(frozen=True)
class Chart:
    """How to draw a table: ``kind`` bar (grouped bars of ``y`` per ``x``), barh, or step
    (cumulative incidence curves in ``series``, which holds the points of each curve)."""

    kind: Literal["bar", "barh", "step"]
    x: str
    y: tuple[str, ...]
    ylabel: str = ""
    stacked: bool = False
    #: For kind "step": curve name -> list of (month, estimate, lower, upper).
    series: dict[str, list[tuple[float, float, float, float]]] = field(default_factory=dict)


@dataclass
class Table:
    """One figure: rows of cells under named columns."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""
    #: Columns holding counts of patients, events or records (suppressed when small).
    counts: tuple[str, ...] = ()
    #: Columns derived from a count (a percent, a rate, a CI): column -> its count column;
    #: suppressed with it, so that the count cannot be worked back.
    derived: dict[str, str] = field(default_factory=dict)
    #: Per-site tables: counts below the threshold are shown as "<k".
    per_site: bool = False
    chart: Chart | None = None
    #: A column holding each row's total of the other count columns, and the label of a row
    #: holding each column's total: a single suppressed cell could be worked back from them,
    #: so a second one is suppressed with it (complementary suppression).
    total_column: str | None = None
    total_row: str | None = None
    #: Further sets of rows (by index) whose counts add up to a shown number in every count
    #: column, e.g. the levels of one characteristic in Table 1.
    row_groups: list[tuple[int, ...]] = field(default_factory=list)

    def column(self, name: str) -> list[Cell]:
        i = self.columns.index(name)
        return [row[i] for row in self.rows]

    def row(self, first: Cell) -> dict[str, Cell]:
        """The row whose first cell is ``first``, by column name (KeyError if none)."""
        for row in self.rows:
            if row[0] == first:
                return dict(zip(self.columns, row, strict=True))
        raise KeyError(first)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "columns": self.columns,
            "rows": self.rows,
            "note": self.note,
            "per_site": self.per_site,
        }


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table]
    text: str = ""

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "text": self.text,
            "tables": {t.key: t.to_dict() for t in self.tables},
        }


@dataclass
class CenterReport:
    """The coordinating center's report on the registry database."""

    source: str
    site: str | None
    generated_at: dt.datetime
    package_version: str
    min_cell: int
    sections: list[Section]
    survey_source: str | None = None
    seconds: float = 0.0

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    def table(self, key: str) -> Table:
        for s in self.sections:
            for t in s.tables:
                if t.key == key:
                    return t
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": "registry",
            "package_version": self.package_version,
            "source": self.source,
            "site": self.site,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "small_cell_threshold": self.min_cell,
            "survey": self.survey_source,
            "sections": {s.key: s.to_dict() for s in self.sections},
        }

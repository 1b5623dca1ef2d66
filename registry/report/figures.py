"""The shape of the center report: sections of tables, each table with the chart drawn from it.

A table is the figure: the HTML page draws its chart from the same rows it prints beside it,
the JSON carries the rows, and small-cell suppression (``privacy``) is applied to the rows
before any renderer sees them, so no renderer can show a suppressed count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Cell", "CenterReport", "Chart", "Counted", "Section", "Table", "counted"]


class Counted(int):
    """A count that knows what it counts: the units (patients, events, findings, as IDs
    prefixed by their kind) whose number it is. The privacy audit works out from them what
    the report's figures, taken together, reveal of a suppressed count; renderers see an int."""

    members: frozenset[str]

    def __new__(cls, members: Iterable[str]) -> Counted:
        units = frozenset(members)
        count = super().__new__(cls, len(units))
        count.members = units
        return count


#: A cell: a count, a rate, a label; None is "not applicable / no data"; the string "<11"
#: (or "<k") is a suppressed count.
Cell = int | float | str | None


def counted(kind: str, ids: Iterable[object]) -> Counted:
    """The count of the units ``ids`` of one kind ("patient", "event", "bleed", ...)."""
    return Counted(f"{kind}:{i}" for i in ids)


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
    #: What each count cell counts, by (row, column): taken from its Counted value, or given
    #: where the cell is text ("12 (4.0%)"). Kept when the cell is suppressed.
    members: dict[tuple[int, str], frozenset[str]] = field(default_factory=dict)
    #: The denominator of a derived column (its percent, rate or interval gives it back): a
    #: count column of the same row, or one count for the whole column.
    of: dict[str, str | Counted] = field(default_factory=dict)
    #: Counts the note states, by name: the note is ``note`` with each ``{name}`` filled in,
    #: or "a withheld number of" once the audit withholds it.
    note_counts: dict[str, Counted] = field(default_factory=dict)
    #: Cells the privacy audit withheld (row, column, why), and note counts ("note", name).
    withheld: list[tuple[int | str, str]] = field(default_factory=list)
    _note: str = field(init=False, default="", repr=False)

    def __post_init__(self) -> None:
        for i, row in enumerate(self.rows):
            for column in self.counts:
                value = row[self.columns.index(column)]
                if isinstance(value, Counted):
                    self.members.setdefault((i, column), value.members)
        self._note = self.note
        self.render_note()

    def render_note(self) -> None:
        hidden = {name for i, name in self.withheld if i == "note"}
        if self.note_counts:
            self.note = self._note.format(
                **{
                    name: "a withheld number of" if name in hidden else f"{int(n):,}"
                    for name, n in self.note_counts.items()
                }
            )

    def revealed(self, i: int, column: str) -> list[frozenset[str]]:
        """The unit sets whose size the cell (row ``i``, ``column``) gives away when shown:
        a count its own; a derived figure its count's and its denominator's."""
        out = []
        if (own := self.members.get((i, column))) is not None:
            out.append(own)
        if (source := self.derived.get(column)) is not None:
            if (counted := self.members.get((i, source))) is not None:
                out.append(counted)
            base = self.of.get(column)
            if isinstance(base, Counted):
                out.append(base.members)
            elif base is not None and (counted := self.members.get((i, base))) is not None:
                out.append(counted)
        return out

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
    #: Figures the privacy audit withheld, each with the suppressed count it gave back.
    withheld: list[str] = field(default_factory=list)
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
            "withheld_by_audit": self.withheld,
            "survey": self.survey_source,
            "sections": {s.key: s.to_dict() for s in self.sections},
        }

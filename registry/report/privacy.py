"""Small-cell suppression: no count of 1 to k-1 in a per-site table leaves the report.

Counts below the threshold (11 by default, the usual rule for registry and claims data, e.g.
the CMS cell-size suppression policy) are shown as "<11"; the cells derived from a
suppressed count in the same row (its percent, rate or interval) are withheld with it.
Zero is shown: it identifies no one. Where a total (a total row or column, the levels of one
characteristic) would give a single suppressed count back, the smallest other count that adds
up to it is withheld too (complementary suppression). Suppression is applied to the tables
once, before any renderer sees them.
"""

from __future__ import annotations

import re

from registry.report.figures import Cell, Table

__all__ = ["DEFAULT_MIN_CELL", "WITHHELD", "suppress"]

DEFAULT_MIN_CELL = 11
#: What a cell derived from a suppressed count shows.
WITHHELD = "suppressed"
_LEADING_COUNT = re.compile(r"^\s*(\d+)(?:\s|$)")


def _count(value: Cell) -> int | None:
    """The count in a cell: an int, or the leading integer of "n (pct)"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and (m := _LEADING_COUNT.match(value)):
        return int(m.group(1))
    return None


def _hide(table: Table, row: list[Cell], column: str, mark: str) -> None:
    index = table.columns.index
    row[index(column)] = mark
    for derived, source in table.derived.items():
        if source == column:
            row[index(derived)] = WITHHELD


def _complement(table: Table, cells: list[tuple[list[Cell], str]], mark: str) -> bool:
    """If exactly one of ``cells`` (which add up to a shown total) is suppressed, withhold
    the smallest other positive one too (shown as "suppressed", not as a small count: it may
    be large); True if a cell was withheld."""
    index = table.columns.index
    hidden = [c for c in cells if c[0][index(c[1])] in (mark, WITHHELD)]
    shown = [(n, c) for c in cells if (n := _count(c[0][index(c[1])])) is not None and n > 0]
    if len(hidden) != 1 or not shown:
        return False
    _, (row, column) = min(shown, key=lambda x: x[0])
    _hide(table, row, column, WITHHELD)
    return True


def suppress(table: Table, min_cell: int, everywhere: bool = False) -> Table:
    """Suppress the small counts of ``table`` in place (per-site tables, or every table when
    ``everywhere``: a report on one site), then the complementary cells that a total would
    reveal them by. Returns the table."""
    if min_cell <= 1 or not (table.per_site or everywhere):
        return table
    index = table.columns.index
    small = f"<{min_cell}"
    for row in table.rows:
        for column in table.counts:
            n = _count(row[index(column)])
            if n is not None and 0 < n < min_cell:
                _hide(table, row, column, small)
    parts = [c for c in table.counts if c != table.total_column]
    body = [r for r in table.rows if table.total_row is None or r[0] != table.total_row]
    groups = [[table.rows[i] for i in g] for g in table.row_groups]
    if table.total_row is not None:
        groups.append(body)
    changed = True
    while changed:  # a cell hidden for its row may expose its column, and the other way round
        changed = False
        if table.total_column is not None:
            for row in body:
                changed |= _complement(table, [(row, c) for c in parts], small)
        for rows in groups:
            for column in table.counts:
                changed |= _complement(table, [(row, column) for row in rows], small)
    return table

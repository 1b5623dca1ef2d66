"""Every CSV this package writes goes through ``writer``: safe to open in a spreadsheet.

- A cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return) is written with a leading apostrophe, as OWASP's "CSV
  injection" advice says; plain numbers (``-0.5``) are left as they are.
- A row with a carriage return inside a value is written fully quoted: Python's csv module
  quotes only the characters of its line terminator (``\\n`` here), and a bare CR would end
  the line in some readers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

__all__ = ["FORMULA_START", "DictWriter", "neutralize", "writer"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def neutralize(cell: str) -> str:
    """``cell`` as a spreadsheet shows it as text, never as a formula."""
    if cell.startswith(FORMULA_START) and not _NUMBER.match(cell):
        return "'" + cell
    return cell


class _Writer:
    def __init__(self, handle: TextIO) -> None:
        self._plain = csv.writer(handle, lineterminator="\n")
        self._quoted = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable[Any]) -> None:
        cells = [neutralize("" if c is None else str(c)) for c in row]
        target = self._quoted if any("\r" in c for c in cells) else self._plain
        target.writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(handle: TextIO) -> _Writer:
    """A CSV writer (``\\n`` line ends, minimal quoting) that neutralizes formulas."""
    return _Writer(handle)


class DictWriter:
    """``csv.DictWriter``'s interface over ``writer``: missing keys are empty cells."""

    def __init__(self, handle: TextIO, fieldnames: Sequence[str]) -> None:
        self.fieldnames = list(fieldnames)
        self._writer = _Writer(handle)

    def writeheader(self) -> None:
        self._writer.writerow(self.fieldnames)

    def writerow(self, row: Mapping[str, Any]) -> None:
        self._writer.writerow(row.get(f, "") for f in self.fieldnames)

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)

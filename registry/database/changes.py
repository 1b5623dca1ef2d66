"""What loading a submission would change for its site: records added, changed, unchanged
and removed, per table, and the values it would empty, per field (the load guard). Records
are compared by ID and by their values.

Fields the submission does not collect (a 1.0 submission, of the fields 1.1 added) are left
out of the comparison: the load keeps their values (``copying``), and a table it does not
submit keeps its records (``kept``)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from registry.models import TableSpec

__all__ = ["Changes", "TableChanges", "table_changes"]


@dataclass
class TableChanges:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    #: Records of a table the submission does not submit: kept as they are.
    kept: int = 0
    #: field -> values the registry holds that the submission leaves empty.
    emptied: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }
        if self.kept:
            out["kept"] = self.kept
        if self.emptied:
            out["emptied"] = dict(sorted(self.emptied.items()))
        return out


@dataclass
class Changes:
    """Per table, what replacing a site's records with a submission's would do."""

    tables: dict[str, TableChanges] = field(default_factory=dict)

    def total(self, kind: str) -> int:
        return sum(getattr(t, kind) for t in self.tables.values())

    @property
    def removes(self) -> bool:
        """Records would be removed, or values emptied: the guard asks for it explicitly."""
        return self.total("removed") > 0 or self.emptied > 0

    @property
    def emptied(self) -> int:
        return sum(sum(t.emptied.values()) for t in self.tables.values())

    def emptied_by_field(self) -> list[str]:
        """``table.field count`` of every value that would be emptied."""
        return [
            f"{name}.{column} {count:,}"
            for name, t in self.tables.items()
            for column, count in sorted(t.emptied.items())
        ]

    def to_dict(self) -> dict[str, dict[str, int]]:
        return {name: t.to_dict() for name, t in self.tables.items()}

    def summary(
        self,
        kinds: Sequence[str] = ("added", "changed", "unchanged", "removed"),
    ) -> str:
        """``added 10, changed 2, ... (lab_results: removed 5, ...)`` in one line."""
        totals = ", ".join(f"{k} {self.total(k):,}" for k in kinds)
        removed = [f"{name} {t.removed:,}" for name, t in self.tables.items() if t.removed]
        kept = [f"{name} {t.kept:,}" for name, t in self.tables.items() if t.kept]
        out = totals + (f"; removed by table: {', '.join(removed)}" if removed else "")
        if emptied := self.emptied_by_field():
            out += f"; values emptied: {', '.join(emptied)}"
        if kept:
            out += f"; kept, not submitted: {', '.join(kept)}"
        return out


def _canonical(value: Any) -> str:
    # The staging database (SQLite) and the registry (SQLite or PostgreSQL) hand back the
    # same values in different Python types: compare their text.
    if value is None:
        return "\x00"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | Decimal):
        return repr(float(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(getattr(value, "value", value))


def _digests(rows: Iterable[Sequence[Any]], compared: list[int]) -> dict[str, tuple[bytes, int]]:
    """record ID (first column) -> digest of the ``compared`` columns of the row, and the
    mask of those that are empty (bit i: ``compared[i]``)."""
    out = {}
    for row in rows:
        values = [row[i] for i in compared]
        text = "\x1f".join(_canonical(v) for v in values)
        empty = sum(1 << i for i, v in enumerate(values) if v is None)
        out[str(row[0])] = (hashlib.blake2b(text.encode(), digest_size=16).digest(), empty)
    return out


def table_changes(
    spec: TableSpec,
    new_rows: Callable[[], Iterable[Sequence[Any]]],
    new_count: int,
    registry: Connection,
    site_id: str,
    not_collected: frozenset[str] = frozenset(),
) -> tuple[TableChanges, list[str]]:
    """Compare a table's conformant submitted rows (``new_rows``: values of
    ``spec.id_first``) with the site's records of that table in the registry, on every
    field but ``not_collected``. Returns the counts (and the values emptied, per field) and
    the IDs of the records the submission no longer has."""
    target = spec.sql_table
    of_site = target.c.patient_id.like(f"{site_id}-%")
    existing = registry.execute(select(func.count()).select_from(target).where(of_site))
    if not existing.scalar_one():  # nothing to compare with (a site's first load)
        return TableChanges(added=new_count), []
    names = spec.id_first
    compared = [i for i, name in enumerate(names) if name not in not_collected]
    new = _digests(new_rows(), compared)
    old = _digests(registry.execute(select(*[target.c[c] for c in names]).where(of_site)), compared)
    counts = TableChanges()
    emptied = [0] * len(compared)
    for record_id, (digest, empty) in new.items():
        before = old.pop(record_id, None)
        if before is None:
            counts.added += 1
        elif before[0] == digest:
            counts.unchanged += 1
        else:
            counts.changed += 1
            lost = empty & ~before[1]  # given before, empty now
            while lost:
                bit = lost & -lost
                emptied[bit.bit_length() - 1] += 1
                lost ^= bit
    counts.removed = len(old)
    counts.emptied = {names[compared[i]]: n for i, n in enumerate(emptied) if n}
    return counts, sorted(old)

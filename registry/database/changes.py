"""What loading a submission would change for its site: records added, changed, unchanged
and removed, per table (the load guard). Records are compared by ID and by their values."""

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

    def to_dict(self) -> dict[str, int]:
        return {
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }


@dataclass
class Changes:
    """Per table, what replacing a site's records with a submission's would do."""

    tables: dict[str, TableChanges] = field(default_factory=dict)

    def total(self, kind: str) -> int:
        return sum(getattr(t, kind) for t in self.tables.values())

    @property
    def removes(self) -> bool:
        return self.total("removed") > 0

    def to_dict(self) -> dict[str, dict[str, int]]:
        return {name: t.to_dict() for name, t in self.tables.items()}

    def summary(
        self,
        kinds: Sequence[str] = ("added", "changed", "unchanged", "removed"),
    ) -> str:
        """``added 10, changed 2, ... (lab_results: removed 5, ...)`` in one line."""
        totals = ", ".join(f"{k} {self.total(k):,}" for k in kinds)
        removed = [f"{name} {t.removed:,}" for name, t in self.tables.items() if t.removed]
        return totals + (f"; removed by table: {', '.join(removed)}" if removed else "")


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


def _digests(rows: Iterable[Sequence[Any]]) -> dict[str, bytes]:
    """record ID (first column) -> digest of the whole row."""
    out = {}
    for row in rows:
        text = "\x1f".join(_canonical(v) for v in row)
        out[str(row[0])] = hashlib.blake2b(text.encode(), digest_size=16).digest()
    return out


def table_changes(
    spec: TableSpec,
    new_rows: Callable[[], Iterable[Sequence[Any]]],
    new_count: int,
    registry: Connection,
    site_id: str,
) -> tuple[TableChanges, list[str]]:
    """Compare a table's conformant submitted rows (``new_rows``: values of
    ``spec.id_first``) with the site's records of that table in the registry.
    Returns the counts and the IDs of the records the submission no longer has."""
    target = spec.sql_table
    of_site = target.c.patient_id.like(f"{site_id}-%")
    existing = registry.execute(select(func.count()).select_from(target).where(of_site))
    if not existing.scalar_one():  # nothing to compare with (a site's first load)
        return TableChanges(added=new_count), []
    new = _digests(new_rows())
    old = _digests(registry.execute(select(*[target.c[c] for c in spec.id_first]).where(of_site)))
    counts = TableChanges()
    for record_id, digest in new.items():
        before = old.pop(record_id, None)
        if before is None:
            counts.added += 1
        elif before == digest:
            counts.unchanged += 1
        else:
            counts.changed += 1
    counts.removed = len(old)
    return counts, sorted(old)

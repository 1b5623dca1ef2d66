"""What loading a submission would change for its site: records added, changed, unchanged
and removed, per table (the load guard). Records are compared by ID and by their values."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, func, select

from registry.models import TABLES

__all__ = ["Changes", "TableChanges", "site_changes"]


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


def site_changes(
    staged: Connection, staged_tables: Mapping[str, Table], registry: Connection, site_id: str
) -> Changes:
    """Compare the conformant staged rows with the site's records in the registry, one
    table at a time (memory follows the largest table)."""
    changes = Changes()
    for spec in TABLES:
        columns = [spec.id_field, *(f for f in spec.fields if f != spec.id_field)]
        source = staged_tables[spec.name]
        target = spec.sql_table
        existing = registry.execute(
            select(func.count()).select_from(target).where(target.c.patient_id.like(f"{site_id}-%"))
        ).scalar_one()
        if not existing:  # nothing to compare with (a site's first load): every row is new
            valid = source.c._valid.is_(True)
            added = staged.execute(select(func.count()).select_from(source).where(valid))
            changes.tables[spec.name] = TableChanges(added=added.scalar_one())
            continue
        new = _digests(
            staged.execute(select(*[source.c[c] for c in columns]).where(source.c._valid.is_(True)))
        )
        old = _digests(
            registry.execute(
                select(*[target.c[c] for c in columns]).where(
                    target.c.patient_id.like(f"{site_id}-%")
                )
            )
        )
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
        changes.tables[spec.name] = counts
    return changes

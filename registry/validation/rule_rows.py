"""What both engines that run the rule catalogue agree on (``rules_engine.py``, the default,
runs its SQL directly; ``gx_engine.py`` runs the published Great Expectations suites): how a
query is rendered for a dialect, and how its rows become findings, in which order.

A check's query returns the offending rows as ``tbl, row_no, record_id, field_name,
value_text[, message]``; ``DAYS(x)`` stands for a date as a day number: SQLite's
``julianday(x)``, or in PostgreSQL and DuckDB (where a date minus a date is a number of
days) ``(x - DATE '1970-01-01')``; ``MONTHS(x)`` for year * 12 + month. A completeness
check counts instead (``share_finding``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from registry.validation.findings import EngineError, Finding
from registry.validation.staging import MANIFEST_TABLE

__all__ = [
    "MANIFEST_TABLE",
    "Flags",
    "RuleError",
    "flag_fields",
    "needs_manifest",
    "render",
    "rows_to_findings",
    "share_finding",
]

_DAYS = re.compile(r"DAYS\(([^()]*(?:\([^()]*\))?[^()]*)\)")
_MONTHS = re.compile(r"MONTHS\(([^()]*(?:\([^()]*\))?[^()]*)\)")


class RuleError(EngineError):
    """A check could not run (a broken query or database): a bug, not a finding."""


def render(query: str, dialect: str) -> str:
    """The query for a SQL dialect ("sqlite", "postgresql" or "duckdb"): ``DAYS(x)`` a day
    number, ``MONTHS(x)`` a month number (year * 12 + month)."""
    if dialect == "sqlite":
        query = _MONTHS.sub(
            r"(CAST(strftime('%Y', \1) AS INTEGER) * 12 + CAST(strftime('%m', \1) AS INTEGER))",
            query,
        )
        return _DAYS.sub(r"julianday(\1)", query)
    if dialect in ("postgresql", "duckdb"):
        query = _MONTHS.sub(
            r"(CAST(EXTRACT(YEAR FROM \1) AS INTEGER) * 12"
            r" + CAST(EXTRACT(MONTH FROM \1) AS INTEGER))",
            query,
        )
        return _DAYS.sub(r"(\1 - DATE '1970-01-01')", query)
    raise ValueError(f"unsupported SQL dialect {dialect!r}")


def needs_manifest(query: str) -> bool:
    """True for a query that reads the manifest (site and cutoff checks): without a usable
    manifest it is not run, so that one cause gives one finding, not one per record."""
    return MANIFEST_TABLE in query


Flags = frozenset[tuple[str, str]]


@cache
def flag_fields() -> Flags:
    """(table, field) of every true/false field of the models."""
    from registry.models import TABLES
    from registry.models.facts import field_facts

    return frozenset(
        (spec.name, name)
        for spec in TABLES
        for name, info in spec.record.model_fields.items()
        if field_facts(name, info).kind == "bool"
    )


def _row_order(row: Mapping[str, Any]) -> tuple[str, int, tuple[str, ...]]:
    """Table, file row, then record, field, value, message: the order of a report."""
    row_no = row.get("row_no")
    rest = tuple(
        str(row.get(k) or "") for k in ("record_id", "field_name", "value_text", "message")
    )
    return str(row.get("tbl") or ""), -1 if row_no is None else int(row_no), rest


def _value_text(row: Mapping[str, Any], flags: Flags) -> str | None:
    """The offending value as text; a flag reads true/false on every engine (SQLite, which
    stores flags as 1/0, would say 1)."""
    value = row.get("value_text")
    if value is None:
        return None
    text = str(value)
    if text in ("0", "1") and (row.get("tbl"), row.get("field_name")) in flags:
        return "true" if text == "1" else "false"
    return text


def rows_to_findings(
    rows: Iterable[Mapping[str, Any]],
    rule: str,
    severity: str,
    category: str,
    description: str,
) -> list[Finding]:
    """The findings of a check's offending rows, in file order (DuckDB scans in parallel:
    its rows come in no fixed order, and a report must not change from one run to the
    next)."""
    flags = flag_fields()
    out = []
    for row in sorted(rows, key=_row_order):
        row_no = row.get("row_no")
        out.append(
            Finding(
                rule=rule,
                severity=severity,
                category=category,
                table=row.get("tbl"),
                row=None if row_no is None else int(row_no),
                record_id=row.get("record_id"),
                field=row.get("field_name"),
                value=_value_text(row, flags),
                message=str(row.get("message") or description),
            )
        )
    return out


def share_finding(
    rule: str,
    severity: str,
    category: str,
    table: str,
    column: str,
    total: int,
    missing: int,
    params: Mapping[str, Any],
) -> Finding | None:
    """completeness-threshold: one finding for a column empty in more than ``threshold`` of
    the rows, counted from ``min_rows`` rows (GX's not-null expectation with ``mostly``:
    the share given must be at least ``1 - threshold``)."""
    threshold, min_rows = params["threshold"], params["min_rows"]
    if total < min_rows or (total - missing) / total >= round(1 - threshold, 10):
        return None
    share = f"{round(100.0 * missing / total, 1):.1f}"
    return Finding(
        rule=rule,
        severity=severity,
        category=category,
        table=table,
        row=None,
        record_id=None,
        field=column,
        value=share,
        message=f"{share}% of {total} rows have no {column} (threshold {threshold:.0%})",
    )

"""A finding: one broken rule at one place of a submission."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from registry.rules import rule as lookup_rule

__all__ = ["EngineError", "Finding", "finding"]


class EngineError(RuntimeError):
    """The validation itself could not run (a check is broken, the disk is full): not a
    finding about the data. The command line says so in one line (exit code 2)."""


@dataclass(frozen=True)
class Finding:
    """One problem, located: the JSON report contract of shared/design.md."""

    rule: str
    severity: str
    category: str
    table: str | None
    row: int | None
    record_id: str | None
    field: str | None
    value: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: A report shows at most this much of a value (a cell may hold megabytes).
MAX_SHOWN_CHARS = 200


def _shown(text: str) -> str:
    if len(text) <= MAX_SHOWN_CHARS:
        return text
    return f"{text[:MAX_SHOWN_CHARS]}… ({len(text):,} characters)"


def finding(
    rule: str,
    message: str,
    *,
    table: str | None = None,
    row: int | None = None,
    record_id: str | None = None,
    field: str | None = None,
    value: Any = None,
) -> Finding:
    """A finding whose severity and category come from the rule catalogue."""
    known = lookup_rule(rule)
    return Finding(
        rule=rule,
        severity=known.severity,
        category=known.category,
        table=table,
        row=row,
        record_id=record_id,
        field=field,
        value=None if value is None else _shown(str(value)),
        message=message,
    )

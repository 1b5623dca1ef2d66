"""Record conformance and staging of one chunk of a table.

A chunk is rows ``offset:offset+len(rows)`` of a table. Its rows go through the column-wise
prefilter (``vector.py``) first; those it cannot pass, wrong or merely unusual, through
pydantic (``conformance.parse_rows``), which gives the findings. The stager then takes the
passed rows as Arrow columns and the others row by row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from registry.models import table_spec
from registry.validation.arrow_rows import pick
from registry.validation.conformance import parse_rows
from registry.validation.findings import Finding, finding
from registry.validation.staging import Stager
from registry.validation.vector import prefilter

__all__ = ["CheckedChunk", "check_and_stage", "check_chunk"]


@dataclass
class CheckedChunk:
    """A chunk after conformance, as the stager takes it: the typed columns of the rows the
    prefilter passed (``vector.Prefilter.passed``, rows of the chunk; or None), and the
    other rows as (0-based table row, row as read) with the typed values of those that are
    valid."""

    offset: int
    passed: Any
    others: list[tuple[int, dict[str, str]]]
    valid: dict[int, tuple[Any, ...]]


def check_chunk(
    name: str,
    rows: Sequence[dict[str, str]],
    offset: int,
    excluded: set[int],
    missing_columns: list[str],
    version: str,
    columnar: bool = True,
) -> tuple[list[Finding], CheckedChunk]:
    """Conformance of a chunk (rows ``offset:offset+len(rows)`` of a table): its findings
    and its rows for staging. Rows the column-wise prefilter passes skip pydantic."""
    spec = table_spec(name)
    record_class = spec.record_in(version)
    skip = {i - offset for i in excluded if offset <= i < offset + len(rows)}
    pre = prefilter(record_class, rows, skip) if columnar else None
    # the chunk's rows that pydantic parses, by their position in the chunk
    positions = list(range(len(rows))) if pre is None else pre.flagged
    others = pick(rows, positions)
    parsed = parse_rows(record_class, others, cleaned=True)
    findings = []
    for local, err in parsed.errors:
        index = offset + positions[local]
        if index in excluded:
            continue  # already reported (encoding, cell count) and not read
        if err.rule == "missing-value" and err.field in missing_columns:
            continue  # the missing column is reported once, not on every row
        findings.append(
            finding(
                err.rule,
                err.message,
                table=name,
                row=index + 1,
                record_id=others[local].get(spec.id_field) or None,
                field=err.field,
                value=err.value,
            )
        )
    valid = {
        offset + positions[i]: spec.values(r)
        for i, r in parsed.records
        if offset + positions[i] not in excluded
    }
    return findings, CheckedChunk(
        offset,
        None if pre is None else pre.passed,
        [(offset + p, row) for p, row in zip(positions, others, strict=True)],
        valid,
    )


def check_and_stage(
    stager: Stager,
    name: str,
    rows: Sequence[dict[str, str]],
    offset: int,
    excluded: set[int],
    missing_columns: list[str],
    columnar: bool = True,
) -> list[Finding]:
    findings, checked = check_chunk(
        name, rows, offset, excluded, missing_columns, stager.schema_version, columnar
    )
    if checked.passed is not None and checked.passed.num_rows:
        stager.add_columns(name, checked.passed, checked.offset)
    stager.add_rows(name, checked.others, checked.valid)
    return findings

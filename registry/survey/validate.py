"""``survey validate``: codes, ranges, branching, exclusive options, threshold consistency,
duplicate response IDs and the PHI scan; the same findings and reports as the registry."""

from __future__ import annotations

import re
import time
from pathlib import Path

from registry.models import SurveyResponseRecord
from registry.models.survey import RESPONSE_ID_PATTERN, SurveyResponse, threshold_inconsistent
from registry.survey.reading import TABLE, SurveyExport, read_survey
from registry.validation.conformance import parse_rows
from registry.validation.findings import Finding, finding
from registry.validation.phi import (
    FREE_TEXT_FIELDS,
    mask_free_text,
    mask_identifiers,
    phi_findings,
)
from registry.validation.report import Report

__all__ = ["TABLE", "check_survey", "validate_survey"]

_REQUIRED_COLUMNS = ("response_id", "started_at", "complete")


def _columns(export: SurveyExport) -> tuple[list[Finding], dict[str, list[str]]]:
    """Unknown columns are reported once and set aside (their values only get the PHI scan)."""
    known = set(SurveyResponseRecord.model_fields)
    seen = set().union(*(row.keys() for row in export.rows)) if export.rows else set()
    findings = []
    unknown: dict[str, list[str]] = {}
    for column in sorted(seen - known):
        findings.append(
            finding(
                "unknown-column",
                f"column {column!r} is not a survey field; it was not read",
                table=TABLE,
                field=column,
            )
        )
        unknown[column] = [row.pop(column, "") for row in export.rows]
    for column in _REQUIRED_COLUMNS:
        if export.rows and column not in seen:
            findings.append(
                finding(
                    "missing-column",
                    f"the export has no column {column!r}",
                    table=TABLE,
                    field=column,
                )
            )
    return findings, unknown


def check_survey(path: Path) -> tuple[Report, list[SurveyResponse]]:
    """Validate an export; returns the report and the responses that passed."""
    started = time.perf_counter()
    export = read_survey(path)
    findings = list(export.findings)
    column_findings, unknown = _columns(export)
    findings += column_findings
    parsed = parse_rows(SurveyResponseRecord, export.rows)
    rows = export.rows
    for index, err in parsed.errors:
        if (
            err.rule == "missing-value"
            and err.field in _REQUIRED_COLUMNS
            and any(f.rule == "missing-column" and f.field == err.field for f in column_findings)
        ):
            continue
        findings.append(
            finding(
                err.rule,
                err.message,
                table=TABLE,
                row=index + 1,
                record_id=rows[index].get("response_id") or None,
                field=err.field,
                value=err.value,
            )
        )
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        rid = (row.get("response_id") or "").strip()
        if rid and rid in seen:
            findings.append(
                finding(
                    "id-unique",
                    f"response_id also used at row {seen[rid]}",
                    table=TABLE,
                    row=index + 1,
                    record_id=rid,
                    field="response_id",
                    value=rid,
                )
            )
        seen.setdefault(rid, index + 1)
    responses: list[tuple[int, SurveyResponse]] = parsed.records
    for index, record in responses:
        if threshold_inconsistent(record):
            findings.append(
                finding(
                    "threshold-inconsistent",
                    "the platelet count to hold at is above the count to reduce at",
                    table=TABLE,
                    row=index + 1,
                    record_id=record.response_id,
                    field="q32_plt_hold_threshold",
                    value=record.q32_plt_hold_threshold,
                )
            )
    columns = {f: [row.get(f, "") for row in rows] for f in FREE_TEXT_FIELDS[TABLE]}
    columns.update(unknown)
    findings += phi_findings(TABLE, columns, [row.get("response_id") or None for row in rows])
    free = mask_free_text(findings, {(TABLE, column) for column in columns})
    # the survey's own response IDs (and REDCap's record numbers) name the response: kept
    findings = mask_identifiers(free, re.compile(RESPONSE_ID_PATTERN), "response_id")
    report = Report(
        source=str(path),
        site_id=None,
        submission_id=None,
        tables={TABLE: len(rows)},
        findings=findings,
        seconds=round(time.perf_counter() - started, 2),
        kind="survey export",
    )
    valid = [record for _, record in parsed.records]
    return report, valid


def validate_survey(path: Path | str) -> Report:
    return check_survey(Path(path))[0]

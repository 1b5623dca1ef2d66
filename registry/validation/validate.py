"""``validate_submission(path) -> Report``: read, conformance, PHI scan, expectations."""

from __future__ import annotations

import dataclasses
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from registry.models import RegistryRecord, table_spec
from registry.validation.conformance import parse_rows
from registry.validation.findings import Finding, finding
from registry.validation.phi import FREE_TEXT_FIELDS, mask, scan_text
from registry.validation.reading import RawTable, Submission, read_submission
from registry.validation.report import Report
from registry.validation.staging import stage
from registry.validation.worker import SuiteWorker

__all__ = ["ValidatedSubmission", "check_submission", "validate_submission"]

Progress = Callable[[str], None]


@dataclasses.dataclass
class ValidatedSubmission:
    """A submission with its report and the records that passed conformance (for loading)."""

    submission: Submission
    report: Report
    records: dict[str, list[tuple[int, RegistryRecord]]]


def _conformance(raw: RawTable) -> tuple[list[Finding], list[tuple[int, RegistryRecord]]]:
    spec = table_spec(raw.name)
    parsed = parse_rows(raw.name, raw.rows, cleaned=True)
    findings = []
    for index, err in parsed.errors:
        if index in raw.excluded:
            continue  # already reported (encoding, cell count) and not read
        if err.rule == "missing-value" and err.field in raw.missing_columns:
            continue  # the missing column is reported once, not on every row
        findings.append(finding(
            err.rule, err.message, table=raw.name, row=index + 1,
            record_id=raw.rows[index].get(spec.id_field) or None, field=err.field,
            value=err.value))
    valid = ([(i, r) for i, r in parsed.records if i not in raw.excluded]
             if raw.excluded else parsed.records)
    return findings, valid


def _phi(sub: Submission) -> list[Finding]:
    out = []
    for name, raw in sub.tables.items():
        id_field = table_spec(name).id_field
        columns = {f: [row.get(f, "") for row in raw.rows] for f in FREE_TEXT_FIELDS.get(name, ())}
        columns.update(raw.unknown_values)
        for column, values in columns.items():
            for index, value in enumerate(values):
                if kinds := scan_text(value):
                    out.append(finding(
                        "phi-suspected",
                        f"looks like a direct identifier ({', '.join(kinds)}): remove it",
                        table=name, row=index + 1,
                        record_id=raw.rows[index].get(id_field) or None, field=column,
                        value=mask(value)))
    if sub.manifest_raw:
        for column in FREE_TEXT_FIELDS["manifest"]:
            value = sub.manifest_raw.get(column)
            if isinstance(value, str) and (kinds := scan_text(value)):
                out.append(finding("phi-suspected", f"looks like a direct identifier "
                                   f"({', '.join(kinds)}): remove it", table="manifest",
                                   field=column, value=mask(value)))
    return out


def _masked(findings: list[Finding], sub: Submission) -> list[Finding]:
    """No finding repeats free text or an unknown column's value in clear."""
    free = {(t, f) for t, fs in FREE_TEXT_FIELDS.items() for f in fs}
    free |= {(name, c) for name, raw in sub.tables.items() for c in raw.unknown_values}
    return [dataclasses.replace(f, value=mask(f.value))
            if (f.table, f.field) in free and f.rule != "phi-suspected" else f
            for f in findings]


def check_submission(path: Path, progress: Progress | None = None) -> ValidatedSubmission:
    """Validate and keep the conformant records. Raises UnusableInput for a non-submission."""
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    with SuiteWorker() as worker:
        return _check(path, say, worker, started)


def _check(path: Path, say: Progress, worker: SuiteWorker, started: float) -> ValidatedSubmission:
    say("reading")
    sub = read_submission(path)
    findings = list(sub.findings)
    records: dict[str, list[tuple[int, RegistryRecord]]] = {}
    say("checking records")
    for name, raw in sub.tables.items():
        table_findings, valid = _conformance(raw)
        findings.extend(table_findings)
        records[name] = valid
    findings.extend(_phi(sub))
    say("running expectation suites")
    with tempfile.TemporaryDirectory(prefix="vte-registry-stage-") as tmp:
        db = Path(tmp) / "staging.sqlite"
        raw_rows = {name: raw.rows for name, raw in sub.tables.items()}
        engine = stage(db, records, raw_rows, sub.manifest)
        engine.dispose()
        run = worker.run(f"sqlite:///{db}", "sqlite")
    findings.extend(run.findings)
    findings = _masked(findings, sub)
    manifest = sub.manifest
    report = Report(
        source=str(path),
        site_id=manifest.site_id if manifest else (sub.manifest_raw or {}).get("site_id"),
        submission_id=str(manifest.submission_id) if manifest else None,
        tables={name: len(raw.rows) for name, raw in sub.tables.items()},
        findings=findings,
        seconds=round(time.perf_counter() - started, 2),
    )
    return ValidatedSubmission(sub, report, records)


def validate_submission(path: Path | str, progress: Progress | None = None) -> Report:
    """Validate a submission folder or .zip and return its report."""
    return check_submission(Path(path), progress).report

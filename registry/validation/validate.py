"""``validate_submission(path) -> Report``: read, conformance, PHI scan, expectations.

Tables are handled one at a time (read, checked, scanned, staged, then dropped), so memory
follows the largest table rather than the submission. The staging database outlives the
report for the loader (``checked_submission``).
"""

from __future__ import annotations

import dataclasses
import gc
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from registry.models import Manifest, RegistryRecord, table_spec
from registry.validation.conformance import parse_rows
from registry.validation.findings import Finding, finding
from registry.validation.phi import (
    FREE_TEXT_FIELDS,
    mask_free_text,
    mask_identifiers,
    phi_findings,
)
from registry.validation.reading import RawTable, SubmissionReader, open_submission
from registry.validation.report import Report
from registry.validation.staging import Stager
from registry.validation.worker import SuiteWorker

__all__ = ["CheckedSubmission", "checked_submission", "validate_submission"]

Progress = Callable[[str], None]


@dataclasses.dataclass
class CheckedSubmission:
    """A validated submission: its report, manifest, file hashes and staging database (the
    rows that passed conformance are those with ``_valid`` true)."""

    report: Report
    manifest: Manifest | None
    file_sha256: dict[str, str]
    staging: Path


#: Rows validated and staged at a time: the typed records of one chunk are in memory, not
#: those of a whole table (lab_results has a million rows at 100,000 patients).
CHUNK_ROWS = 50_000


def _conformance(
    raw: RawTable, version: str, start: int, stop: int
) -> tuple[list[Finding], list[tuple[int, RegistryRecord]]]:
    """Conformance of rows ``start:stop`` (0-based indices into the whole table)."""
    spec = table_spec(raw.name)
    parsed = parse_rows(spec.record_in(version), raw.rows[start:stop], cleaned=True)
    parsed.errors = [(start + i, err) for i, err in parsed.errors]
    parsed.records = [(start + i, record) for i, record in parsed.records]
    findings = []
    for index, err in parsed.errors:
        if index in raw.excluded:
            continue  # already reported (encoding, cell count) and not read
        if err.rule == "missing-value" and err.field in raw.missing_columns:
            continue  # the missing column is reported once, not on every row
        findings.append(
            finding(
                err.rule,
                err.message,
                table=raw.name,
                row=index + 1,
                record_id=raw.rows[index].get(spec.id_field) or None,
                field=err.field,
                value=err.value,
            )
        )
    valid = (
        [(i, r) for i, r in parsed.records if i not in raw.excluded]
        if raw.excluded
        else parsed.records
    )
    return findings, valid


def _phi_table(raw: RawTable) -> list[Finding]:
    id_field = table_spec(raw.name).id_field
    columns = {f: [row.get(f, "") for row in raw.rows] for f in FREE_TEXT_FIELDS.get(raw.name, ())}
    columns.update(raw.unknown_values)
    return phi_findings(raw.name, columns, [row.get(id_field) or None for row in raw.rows])


def _phi_manifest(manifest_raw: dict[str, Any] | None) -> list[Finding]:
    columns = {
        column: [value]
        for column in FREE_TEXT_FIELDS["manifest"]
        if isinstance(value := (manifest_raw or {}).get(column), str)
    }
    return phi_findings("manifest", columns)


@contextmanager
def _no_gc() -> Iterator[None]:
    # Millions of short-lived, acyclic records: the cyclic collector only costs time here.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def checked_submission(
    path: Path | str,
    progress: Progress | None = None,
) -> Iterator[CheckedSubmission]:
    """Validate a submission; the staging database lives until the block ends.

    Raises UnusableInput when ``path`` is not a submission at all."""
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    path = Path(path)
    with (
        SuiteWorker() as worker,
        open_submission(path) as folder,
        tempfile.TemporaryDirectory(prefix="vte-registry-stage-") as tmp,
    ):
        reader = SubmissionReader(folder, path)
        stager = Stager(Path(tmp) / "staging.sqlite", reader.version)
        findings: list[Finding] = []
        counts: dict[str, int] = {}
        free: set[tuple[str | None, str]] = {
            (t, f) for t, fs in FREE_TEXT_FIELDS.items() for f in fs
        }
        with _no_gc():
            for raw in reader.tables():
                say(f"checking {raw.name}")
                for start in range(0, len(raw.rows), CHUNK_ROWS):
                    stop = start + CHUNK_ROWS
                    table_findings, valid = _conformance(raw, reader.version, start, stop)
                    findings += table_findings
                    stager.add_table(raw.name, raw.rows, valid, start, stop)
                    del valid  # the chunk's records leave memory
                findings += _phi_table(raw)
                free |= {(raw.name, column) for column in raw.unknown_values}
                counts[raw.name] = len(raw.rows)
                del raw  # the table leaves memory; the staging database keeps it
        findings = reader.findings + findings + _phi_manifest(reader.manifest_raw)
        stager.set_manifest(reader.manifest)
        engine = stager.finish()
        engine.dispose()
        say("running expectation suites")
        run = worker.run(
            f"sqlite:///{stager.path}", "sqlite", with_manifest=reader.manifest is not None
        )
        findings = mask_identifiers(mask_free_text(findings + run.findings, free))
        manifest = reader.manifest
        report = Report(
            source=str(path),
            site_id=manifest.site_id if manifest else (reader.manifest_raw or {}).get("site_id"),
            submission_id=str(manifest.submission_id) if manifest else None,
            tables=counts,
            findings=findings,
            seconds=round(time.perf_counter() - started, 2),
            schema_version=manifest.schema_version if manifest else None,
            not_submitted=reader.not_submitted,
        )
        yield CheckedSubmission(report, manifest, reader.file_sha256, stager.path)


def validate_submission(path: Path | str, progress: Progress | None = None) -> Report:
    """Validate a submission folder or .zip and return its report."""
    with checked_submission(path, progress) as checked:
        return checked.report

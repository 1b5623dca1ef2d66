"""``validate_submission(path) -> Report``: read, conformance, PHI scan, expectations.

Tables are handled one at a time (read, checked, scanned, staged, then dropped), so memory
follows the largest table rather than the submission. The staging database outlives the
report for the loader (``checked_submission``).
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from registry.models import Manifest, table_spec
from registry.validation.arrow_rows import column
from registry.validation.chunks import check_and_stage
from registry.validation.findings import Finding
from registry.validation.phi import (
    FREE_TEXT_FIELDS,
    mask_free_text,
    mask_identifiers,
    phi_findings,
)
from registry.validation.reading import RawTable, SubmissionReader, open_submission
from registry.validation.report import Report
from registry.validation.staging_engines import new_stager
from registry.validation.worker import SuiteWorker

__all__ = ["CheckedSubmission", "StagingListener", "checked_submission", "validate_submission"]

Progress = Callable[[str], None]


@dataclasses.dataclass
class CheckedSubmission:
    """A validated submission: its report, manifest, file hashes and staging database (the
    rows that passed conformance are those with ``_valid`` true)."""

    report: Report
    manifest: Manifest | None
    file_sha256: dict[str, str]
    staging: Path


#: Rows validated and staged at a time: the typed values of one chunk are in memory, not
#: those of a whole table (lab_results has 780,000 rows at 100,000 patients).
CHUNK_ROWS = 25_000


#: Bytes of CSV per row, to size a submission whose manifest has no inventory (1.0).
_BYTES_PER_ROW = 80


def _expected_rows(reader: SubmissionReader) -> int:
    """The submission's rows, as its manifest states them (or estimated from file sizes):
    they choose the staging engine, nothing else."""
    manifest = reader.manifest
    if manifest is not None and manifest.tables:
        return sum(t.rows for t in manifest.tables.values())
    return sum(p.stat().st_size for p in reader.listing.tables.values()) // _BYTES_PER_ROW


def _phi_table(raw: RawTable) -> list[Finding]:
    columns: dict[str, Sequence[str | None]] = {
        f: column(raw.rows, f) for f in FREE_TEXT_FIELDS.get(raw.name, ())
    }
    columns.update(raw.unknown_values)
    if not columns:
        return []
    return phi_findings(raw.name, columns, column(raw.rows, table_spec(raw.name).id_field))


def _phi_manifest(manifest_raw: dict[str, Any] | None) -> list[Finding]:
    columns = {
        column: [value]
        for column in FREE_TEXT_FIELDS["manifest"]
        if isinstance(value := (manifest_raw or {}).get(column), str)
    }
    return phi_findings("manifest", columns)


def _give_back_memory() -> None:
    """Return what reading and staging freed to the system (glibc and Arrow keep freed
    memory for reuse otherwise; measured: about 150 MB at 100,000 patients)."""
    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


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


class StagingListener(Protocol):
    """Told how the staging of a submission goes, so that a load can write while it is
    validated (uncommitted until the report is final)."""

    def begin(self, manifest: Manifest | None) -> None:
        """The manifest is read; the tables come next."""

    def table_staged(self, name: str, fetch: Callable[[Any], Any]) -> None:
        """A table is staged (DuckDB staging only): ``fetch(query)`` gives the rows of a
        SQLAlchemy query over the staged tables as Arrow, during this call only."""

    def staged(self, checked: CheckedSubmission) -> None:
        """Staging is finished; the suites run while this runs. ``checked`` is the
        submission as checked so far (its report without the suites' findings); the
        staging database may be read."""


@contextmanager
def checked_submission(
    path: Path | str,
    progress: Progress | None = None,
    listener: StagingListener | None = None,
) -> Iterator[CheckedSubmission]:
    """Validate a submission; the staging database lives until the block ends.

    ``listener`` is told of each step of the staging (``StagingListener``).
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
        size = _expected_rows(reader)
        stager = new_stager(Path(tmp), size, reader.version)
        if listener is not None:
            listener.begin(reader.manifest)
        fetch = getattr(stager, "arrow", None)
        counts: dict[str, int] = {}
        free: set[tuple[str | None, str]] = {
            (t, f) for t, fs in FREE_TEXT_FIELDS.items() for f in fs
        }
        findings: list[Finding] = []
        with _no_gc():
            for raw in reader.tables():
                say(f"checking {raw.name}")
                for start in range(0, len(raw.rows), CHUNK_ROWS):
                    rows = raw.rows[start : start + CHUNK_ROWS]
                    excluded = {i for i in raw.excluded if start <= i < start + len(rows)}
                    findings += check_and_stage(
                        stager, raw.name, rows, start, excluded, raw.missing_columns
                    )
                    del rows  # the chunk's values leave memory
                if listener is not None and fetch is not None:
                    listener.table_staged(raw.name, fetch)
                findings += _phi_table(raw)
                free |= {(raw.name, unknown) for unknown in raw.unknown_values}
                counts[raw.name] = len(raw.rows)
                del raw  # the table leaves memory; the staging database keeps it
        findings = reader.findings + findings + _phi_manifest(reader.manifest_raw)
        stager.set_manifest(reader.manifest)
        url = stager.finish()
        _give_back_memory()  # the worker's suites need it now, on the same machine
        say("running expectation suites")
        worker.start(url, stager.dialect, with_manifest=reader.manifest is not None)
        manifest = reader.manifest

        def checked(found: list[Finding]) -> CheckedSubmission:
            report = Report(
                source=str(path),
                site_id=manifest.site_id
                if manifest
                else (reader.manifest_raw or {}).get("site_id"),
                submission_id=str(manifest.submission_id) if manifest else None,
                tables=counts,
                findings=mask_identifiers(mask_free_text(found, free)),
                seconds=round(time.perf_counter() - started, 2),
                schema_version=manifest.schema_version if manifest else None,
                not_submitted=reader.not_submitted,
            )
            return CheckedSubmission(report, manifest, reader.file_sha256, stager.path)

        if listener is not None:
            listener.staged(checked(findings))
        yield checked(findings + worker.result().findings)


def validate_submission(path: Path | str, progress: Progress | None = None) -> Report:
    """Validate a submission folder or .zip and return its report."""
    with checked_submission(path, progress) as checked:
        return checked.report

"""``validate_submission(path) -> Report``: read, conformance, PHI scan, the rule catalogue.

Two steps, which a load takes one after the other: ``stage_submission`` reads the files,
checks every record and stages the conformant rows in a temporary database (tables one at a
time: read, checked, scanned, staged, then dropped, so memory follows the largest table
rather than the submission); ``check_staged`` runs the rule catalogue on it and gives the
report. The staging database lives until the ``stage_submission`` block ends.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from registry.models import Manifest, table_spec
from registry.models.ids import SITE_ID_PATTERN
from registry.validation.arrow_rows import column
from registry.validation.chunks import check_and_stage
from registry.validation.findings import Finding, finding
from registry.validation.phi import (
    FREE_TEXT_FIELDS,
    mask,
    mask_free_text,
    mask_identifiers,
    phi_findings,
)
from registry.validation.reading import RawTable, SubmissionReader, open_submission
from registry.validation.report import SEVERITY_ORDER, Report
from registry.validation.rules_engine import RuleRun, run_rules, runnable
from registry.validation.staging import copy_query, staging_url
from registry.validation.staging_engines import new_stager

__all__ = [
    "CheckedSubmission",
    "Engine",
    "StagedSubmission",
    "Staging",
    "SubmissionHasErrors",
    "check_staged",
    "checked_submission",
    "run_engine",
    "stage_submission",
    "staging",
    "valid_submission",
    "validate_submission",
]

Progress = Callable[[str], None]

#: The engine that runs the rule catalogue: its SQL directly, or its GX suites.
Engine = Literal["sql", "gx"]


def run_engine(
    url: str, engine: Engine, with_manifest: bool = True, unread: frozenset[str] = frozenset()
) -> RuleRun:
    """The rule catalogue on the database at ``url``, by ``engine`` (``runnable`` says which
    checks ``with_manifest`` and ``unread`` leave out)."""
    if engine == "gx":
        from registry.validation.gx_engine import run_suites

        dialect = url.split(":", 1)[0].split("+", 1)[0]
        return run_suites(url, dialect, None, with_manifest, unread)
    return run_rules(url, with_manifest, unread)


def _claimed_site(raw: dict[str, Any] | None) -> str | None:
    """The site_id an invalid manifest claims, for the report's header: as it is when it
    has the form of a site ID, else masked (it might be anything, a name or an MRN)."""
    claimed = (raw or {}).get("site_id")
    if not isinstance(claimed, str):
        return None
    return claimed if re.fullmatch(SITE_ID_PATTERN, claimed) else mask(claimed)


def _skipped(unread: list[str]) -> list[Finding]:
    """One finding per table that could not be read: which checks were not run for it."""
    out = []
    for table in unread:
        _, skipped = runnable(True, frozenset({table}))
        rules = sorted({c.rule for c in skipped})
        if rules:
            out.append(
                finding(
                    "unreadable-file",
                    f"{table} could not be read (see the finding above), so the checks that "
                    f"need it were not run: {', '.join(rules)}",
                    table=table,
                )
            )
    return out


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


#: From this many rows, plain CSV files are read by Arrow and checked column by column
#: (``arrow_rows.py``, ``vector.py``); below, by Python's csv module and pydantic alone, which
#: never import Arrow and pandas (0.5 s). Measured at 1,000 patients (23,000 rows), whole
#: command: 1.6-2.0 s without Arrow against 2.2-2.6 s with it; at 3,000 (66,000 rows, staged
#: in DuckDB, which imports Arrow anyway) 3.3-3.5 s against 2.7-3.2 s.
COLUMNAR_MIN_ROWS = 40_000

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


#: From this many rows, memory that reading freed is given back before the checks run (150
#: MB at 100,000 patients; a full garbage collection costs 0.07 s even at 10,000, where
#: there is little to give back).
GIVE_BACK_ROWS = 1_000_000


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


@dataclasses.dataclass
class StagedSubmission:
    """A submission read, checked record by record and staged: what the rule catalogue runs
    on next (``check_staged``), and what a load copies from (``staging``: the rows that
    passed conformance are those with ``_valid`` true)."""

    source: Path
    manifest: Manifest | None
    manifest_raw: dict[str, Any] | None
    file_sha256: dict[str, str]
    staging: Path
    tables: dict[str, int]
    #: Reading, conformance and the PHI scan's findings.
    findings: list[Finding]
    #: (table, column) of free text, whose values reports mask.
    free_text: set[tuple[str | None, str]]
    not_submitted: list[str]
    started: float
    #: Tables that could not be read: the checks that need them are not run.
    unread: list[str] = dataclasses.field(default_factory=list)

    @property
    def url(self) -> str:
        return staging_url(self.staging)


class Staging:
    """A submission being staged, table by table, as its caller drives it: ``tables()``
    stages one table per step and yields its name (a load copies the staged tables while the
    next are staged: ``arrow``), ``finish()`` closes the staging database and gives the
    ``StagedSubmission``. Made by ``staging``."""

    def __init__(
        self,
        path: Path,
        folder: Path,
        tmp: Path,
        progress: Progress | None,
        problems: list[Finding] | None = None,
    ) -> None:
        self.started = time.perf_counter()
        self.source = path
        self._say = progress or (lambda _msg: None)
        self._reader = SubmissionReader(folder, path, problems)
        rows = _expected_rows(self._reader)
        self._reader.columnar = rows >= COLUMNAR_MIN_ROWS
        self._stager = new_stager(tmp, rows, self._reader.version)
        self.counts: dict[str, int] = {}
        #: Record conformance's findings, and the PHI scan's.
        self.findings: list[Finding] = []
        self.identifiers: list[Finding] = []
        self._free: set[tuple[str | None, str]] = {
            (t, f) for t, fs in FREE_TEXT_FIELDS.items() for f in fs
        }

    @property
    def manifest(self) -> Manifest | None:
        return self._reader.manifest

    @property
    def hands_over(self) -> bool:
        """Whether ``arrow`` gives staged tables before the staging is finished."""
        return self._stager.hands_over

    def tables(self) -> Iterator[str]:
        """Stage the tables one by one (read, checked, scanned, staged, then dropped: memory
        follows the largest table rather than the submission), yielding each name once it
        is staged."""
        reader, stager = self._reader, self._stager
        with _no_gc():
            for raw in reader.tables():
                self._say(f"checking {raw.name}")
                for start in range(0, len(raw.rows), CHUNK_ROWS):
                    rows = raw.rows[start : start + CHUNK_ROWS]
                    excluded = {i for i in raw.excluded if start <= i < start + len(rows)}
                    self.findings += check_and_stage(
                        stager,
                        raw.name,
                        rows,
                        start,
                        excluded,
                        raw.missing_columns,
                        reader.columnar,
                    )
                    del rows  # the chunk's values leave memory
                self.identifiers += _phi_table(raw)
                self._free |= {(raw.name, unknown) for unknown in raw.unknown_values}
                self.counts[raw.name] = len(raw.rows)
                name = raw.name
                del raw  # the table leaves memory; the staging database keeps it
                yield name

    def arrow(self, name: str) -> Any | None:
        """A staged table's conformant rows as Arrow, in the order a load writes them
        (``copy_query``), while the next tables are staged; None where the staging engine
        cannot give them before it is finished (SQLite)."""
        return self._stager.arrow(copy_query(name, self._stager.tables))

    def finish(self) -> StagedSubmission:
        """Close the staging database: the submission, staged (call once ``tables()`` is
        done)."""
        reader, stager = self._reader, self._stager
        stager.set_manifest(reader.manifest)
        stager.finish()
        if sum(self.counts.values()) >= GIVE_BACK_ROWS:
            _give_back_memory()  # the checks need it now
        return StagedSubmission(
            source=self.source,
            manifest=reader.manifest,
            manifest_raw=reader.manifest_raw,
            file_sha256=reader.file_sha256,
            staging=stager.path,
            tables=self.counts,
            # files and manifest, identifiers, records: the order a person fixes them in
            findings=reader.findings
            + _phi_manifest(reader.manifest_raw)
            + self.identifiers
            + self.findings,
            free_text=self._free,
            not_submitted=reader.not_submitted,
            started=self.started,
            unread=reader.unread,
        )


@contextmanager
def staging(path: Path | str, progress: Progress | None = None) -> Iterator[Staging]:
    """A submission to stage (``Staging``); the staging database lives until the block ends.
    Raises UnusableInput when ``path`` is not a submission at all."""
    path = Path(path)
    problems: list[Finding] = []  # entries of a .zip that could not be extracted
    with (
        open_submission(path, problems) as folder,
        tempfile.TemporaryDirectory(prefix="vte-registry-stage-") as tmp,
    ):
        yield Staging(path, folder, Path(tmp), progress, problems)


@contextmanager
def stage_submission(
    path: Path | str, progress: Progress | None = None
) -> Iterator[StagedSubmission]:
    """Read a submission, check every record and stage it; the staging database lives until
    the block ends. Raises UnusableInput when ``path`` is not a submission at all."""
    with staging(path, progress) as stage:
        for _ in stage.tables():
            pass
        yield stage.finish()


def check_staged(
    staged: StagedSubmission, engine: Engine = "sql", progress: Progress | None = None
) -> Report:
    """Run the rule catalogue on a staged submission: its report (``engine``: "sql" runs the
    catalogue directly, "gx" its Great Expectations suites)."""
    (progress or (lambda _msg: None))("running the rule catalogue")
    with_manifest = staged.manifest is not None
    unread = frozenset(staged.unread)
    run = run_engine(staged.url, engine, with_manifest, unread)
    # in the order a person fixes them: files and manifest (and the checks they kept from
    # running), identifiers, records, then the checks across records, errors first
    checks = sorted(run.findings, key=lambda f: SEVERITY_ORDER[f.severity])
    found = staged.findings + _skipped(staged.unread) + checks
    manifest = staged.manifest
    return Report(
        source=str(staged.source),
        site_id=manifest.site_id if manifest else _claimed_site(staged.manifest_raw),
        submission_id=str(manifest.submission_id) if manifest else None,
        tables=staged.tables,
        findings=mask_identifiers(mask_free_text(found, staged.free_text)),
        seconds=round(time.perf_counter() - staged.started, 2),
        schema_version=manifest.schema_version if manifest else None,
        not_submitted=staged.not_submitted,
    )


@contextmanager
def checked_submission(
    path: Path | str, progress: Progress | None = None, engine: Engine = "sql"
) -> Iterator[CheckedSubmission]:
    """Validate a submission; the staging database lives until the block ends.
    Raises UnusableInput when ``path`` is not a submission at all."""
    with stage_submission(path, progress) as staged:
        report = check_staged(staged, engine, progress)
        yield CheckedSubmission(report, staged.manifest, staged.file_sha256, staged.staging)


class SubmissionHasErrors(Exception):
    """A submission with error findings was given to be exported: nothing is written (the
    one rule of every export of a submission; exit code 1)."""

    def __init__(self, path: Path | str, report: Report) -> None:
        super().__init__(
            f"{path} has {report.errors:,} error findings: fix them first "
            f"(`vte-registry validate {path}`); nothing was exported"
        )
        self.report = report


@contextmanager
def valid_submission(path: Path | str) -> Iterator[CheckedSubmission]:
    """A submission to export: validated, and refused (``SubmissionHasErrors``) when it has
    error findings; the staging database lives until the block ends."""
    with checked_submission(path) as checked:
        if not checked.report.ok:
            raise SubmissionHasErrors(path, checked.report)
        yield checked


def validate_submission(
    path: Path | str, progress: Progress | None = None, engine: Engine = "sql"
) -> Report:
    """Validate a submission folder or .zip and return its report (``engine``: "sql", the
    rule catalogue run directly, or "gx", its Great Expectations suites)."""
    with checked_submission(path, progress, engine) as checked:
        return checked.report

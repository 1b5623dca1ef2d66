"""Loading a validated submission into the registry database: all or nothing, audited.

Before a submission replaces a site's records, the load guard compares it with what is
loaded (``registry.changes``): removing any record needs ``allow_removal``; ``dry_run``
reports the comparison and writes nothing. Submissions of a site are ordered by their
manifest's ``created_at`` in UTC: an older one is refused. The writing itself, in one
transaction, is ``registry.writing``. It runs in a thread of its own while the submission
is validated: a table staged in DuckDB is handed over as soon as it is staged (up to
``BACKLOG_ROWS`` rows waiting), the others are read from the staging database while the
suites run; the transaction commits once the final report has no errors.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from registry.copying import ArrowRows, StagedRows, copy_query
from registry.models import TABLES, Manifest
from registry.store import make_engine
from registry.writing import LoadError, LoadRefused, LoadResult, Writer

__all__ = ["BACKLOG_ROWS", "LoadError", "LoadRefused", "LoadResult", "load_submission"]

#: Rows handed over and not yet written beyond which the next tables are left in the
#: staging database (read after staging instead): about 100 MB of Arrow.
BACKLOG_ROWS = 1_000_000


def load_submission(
    path: Path | str,
    url: str | None = None,
    engine: Engine | None = None,
    progress: Any = None,
    *,
    allow_removal: bool = False,
    dry_run: bool = False,
) -> LoadResult:
    """Validate, then write everything in one transaction, or nothing.

    A submission with error findings is rejected (nothing written). The same submission_id
    again changes nothing. A newer submission of a site replaces all of that site's records
    (other sites are untouched), but one that would remove records is refused
    (``LoadRefused``) unless ``allow_removal``. ``dry_run`` computes what would change and
    writes nothing. Every load is recorded in ``submissions``, with what it changed.
    """
    from registry.validation.validate import checked_submission

    own_engine = engine is None
    engine = engine or make_engine(url)
    try:
        with engine.connect():  # a database that is down should say so now, not later
            pass
        pending = _PendingLoad(engine, allow_removal, dry_run)
        try:
            with checked_submission(Path(path), progress, pending) as checked:
                try:
                    report = checked.report
                    if not report.ok:
                        return LoadResult(
                            "rejected", report, f"{report.errors} errors: nothing was loaded"
                        )
                    return pending.finish(report)
                finally:
                    pending.abandon()  # while the staging database is still there
        finally:
            pending.abandon()
    finally:
        if own_engine:
            engine.dispose()


class _PendingLoad:
    """A load written while its submission is validated (a ``StagingListener``): the
    ``Writer``'s steps, in order, in one thread of their own."""

    def __init__(self, engine: Engine, allow_removal: bool, dry_run: bool) -> None:
        self.engine = engine
        self.allow_removal = allow_removal
        self.dry_run = dry_run
        self._writer: Writer | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="vte-registry-load")
        self._next = 0  # the index in TABLES of the next table to hand over
        self._handing = True  # until a table is left in the staging database
        self._backlog = 0  # rows handed over and not yet written
        self._lock = threading.Lock()

    def begin(self, manifest: Manifest | None) -> None:
        if manifest is None:
            return  # a missing or unusable manifest is an error finding: nothing is written
        writer = self._writer = Writer(self.engine, manifest, self.allow_removal, self.dry_run)
        self._thread.submit(writer.open)

    def table_staged(self, name: str, fetch: Any) -> None:
        """Hand a staged table over, in TABLES order (parents before children) while the
        backlog allows; once one is left, the rest wait for the staging database."""
        from registry.validation.staging import staging_metadata

        writer = self._writer
        if not self._handing or writer is None:
            return
        with self._lock:
            backlog = self._backlog
        if self._next >= len(TABLES) or TABLES[self._next].name != name or backlog > BACKLOG_ROWS:
            self._handing = False  # a table missing, or too much waiting: no more handovers
            return
        rows = ArrowRows(name, fetch(copy_query(name, staging_metadata()[1])))
        self._next += 1
        with self._lock:
            self._backlog += rows.count

        def write() -> None:
            writer.table(rows)
            with self._lock:
                self._backlog -= rows.count

        self._thread.submit(write)

    def staged(self, checked: Any) -> None:
        """Staging is finished: the tables not handed over come from the staging database,
        then the load guard decides (while the suites run)."""
        writer = self._writer
        if writer is None or not checked.report.ok:
            return  # rejected: its report says why once the suites have run
        first = self._next

        def from_staging() -> None:
            from registry.validation.staging import staging_engine, staging_metadata

            _, staged = staging_metadata()
            staging = staging_engine(checked.staging)
            try:
                with staging.connect() as source:
                    for spec in TABLES[first:]:
                        writer.table(StagedRows(source, staged, spec.name))
            finally:
                staging.dispose()

        self._thread.submit(writer.step, from_staging)
        self._thread.submit(writer.close_tables, checked.file_sha256, checked.report)

    def finish(self, report: Any) -> LoadResult:
        """Commit (the report has no errors) and say what the load did; raises the
        LoadError that refused it."""
        writer = self._writer
        assert writer is not None  # a report without errors had a manifest
        return self._thread.submit(writer.commit, report).result()

    def abandon(self) -> None:
        """Roll back a load that was written but not finished; let the thread go.
        Idempotent."""
        writer, self._writer = self._writer, None
        if writer is not None:
            self._thread.submit(writer.rollback)
        self._thread.shutdown(wait=True)

"""Loading a validated submission into the registry database: all or nothing, audited.

Before a submission replaces a site's records, the load guard compares it with what is
loaded (``registry.changes``): removing any record needs ``allow_removal``; ``dry_run``
reports the comparison and writes nothing. Submissions of a site are ordered by their
manifest's ``created_at`` in UTC: an older one is refused. The writing itself, in one
transaction, is ``registry.writing``; its rows are copied while the suites run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from registry.models import TABLES
from registry.store import make_engine
from registry.writing import LoadError, LoadRefused, LoadResult, write

__all__ = ["LoadError", "LoadRefused", "LoadResult", "load_submission"]


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
            # The rows are written while the suites run, uncommitted until the report is
            # final; then the load commits, or (errors) rolls back.
            with checked_submission(Path(path), progress, pending.start) as checked:
                report = checked.report
                if not report.ok:
                    return LoadResult(
                        "rejected", report, f"{report.errors} errors: nothing was loaded"
                    )
                return pending.finish(report)
        finally:
            pending.abandon()
    finally:
        if own_engine:
            engine.dispose()


class _PendingLoad:
    """A load written up to the copy of its rows, its transaction open (``_write``), until
    the final report says commit (``finish``) or not (``abandon`` rolls back)."""

    def __init__(self, engine: Engine, allow_removal: bool, dry_run: bool) -> None:
        self.engine = engine
        self.allow_removal = allow_removal
        self.dry_run = dry_run
        self._writing: Generator[None, Any, LoadResult] | None = None
        self._decided: LoadResult | None = None
        self._refused: LoadError | None = None

    def start(self, checked: Any) -> None:
        """Write the rows of a submission that has no errors so far (else nothing)."""
        from registry.validation.staging import staging_engine, staging_metadata

        if not checked.report.ok:
            return  # rejected: its report says why once the suites have run
        manifest = checked.manifest
        assert manifest is not None  # a missing manifest is an error finding
        site = manifest.site_id
        _, staged = staging_metadata()
        staging = staging_engine(checked.staging)
        try:
            with staging.connect() as source:
                for spec in TABLES:  # site isolation, whatever the rules say
                    table = staged[spec.name]
                    foreign = source.execute(
                        select(func.count())
                        .select_from(table)
                        .where(~table.c.patient_id.like(f"{site}-%"))
                    ).scalar()
                    if foreign:
                        raise LoadError(
                            f"{spec.name} holds {foreign} records of another site "
                            f"than {site}; nothing was loaded"
                        )
                writing = write(
                    source,
                    self.engine,
                    manifest,
                    checked.file_sha256,
                    checked.report,
                    staged,
                    self.allow_removal,
                    self.dry_run,
                )
                try:
                    next(writing)
                    self._writing = writing
                except StopIteration as done:
                    self._decided = done.value
        except LoadError as exc:  # raised once the report is final: errors come first
            self._refused = exc
        finally:
            staging.dispose()

    def finish(self, report: Any) -> LoadResult:
        """Commit (the report has no errors) and say what the load did."""
        if self._refused is not None:
            raise self._refused
        if self._decided is not None:
            return dataclasses.replace(self._decided, report=report)
        writing, self._writing = self._writing, None
        assert writing is not None
        try:
            writing.send(report)
        except StopIteration as done:
            result: LoadResult = done.value
            return result
        raise AssertionError("_write yields once")

    def abandon(self) -> None:
        """Roll back a load that was written but not finished."""
        writing, self._writing = self._writing, None
        if writing is not None:
            writing.close()

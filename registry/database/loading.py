"""Loading a validated submission into the registry database: all or nothing, audited.

The flow runs forward: the loader drives the validation's staging table by table
(``validate.staging``) and hands each staged table to the writer (``load_writer``: a process
of its own for large submissions, a thread for small ones), which copies it into the
registry in one transaction (``writing.Writer``) while the next tables are staged (DuckDB
staging hands them over as Arrow; SQLite staging, for small submissions, gives them once
finished); then the rule catalogue runs on the staging database (``check_staged``) while the
last tables are written. The transaction commits only once the report is final and has no
errors, else it rolls back. A load killed at any moment leaves the database as it was or,
after its commit, fully updated. Nothing calls back from the validation into the load.

Before a submission replaces a site's records, the load guard compares it with what is
loaded (``registry.database.changes``): removing any record needs ``allow_removal``;
``dry_run`` reports the comparison and writes nothing. Submissions of a site are ordered by
their manifest's ``created_at`` in UTC: an older one is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from registry.database.load_writer import Writing, start_writing
from registry.database.store import (
    DatabaseUnusable,
    explain_database_error,
    make_engine,
    sqlite_file_missing,
)
from registry.database.writing import LoadError, LoadRefused, LoadResult
from registry.models import TABLES

__all__ = ["DatabaseUnusable", "LoadError", "LoadRefused", "LoadResult", "load_submission"]


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
    from registry.validation.validate import check_staged, staging

    own_engine = engine is None
    engine = engine or make_engine(url)
    try:
        if not (dry_run and sqlite_file_missing(engine)):  # a dry run creates no file
            try:
                with engine.connect():  # a database that is down should say so now
                    pass
            except DBAPIError as exc:
                where = engine.url.render_as_string(hide_password=False)
                raise DatabaseUnusable(explain_database_error(exc, where) or str(exc)) from None
        with staging(Path(path), progress) as stage:
            writing: Writing | None = None
            if stage.manifest is not None:  # else nothing will be written
                writing = start_writing(
                    engine, stage.manifest, allow_removal, dry_run, stage.hands_over
                )
            try:
                for name in stage.tables():
                    if writing is None:
                        continue
                    if _has_errors(stage.findings):  # it will be rejected: stop writing
                        writing.stop()
                        writing = None
                    elif writing.handed < len(TABLES) and TABLES[writing.handed].name == name:
                        table = stage.arrow(name)
                        if table is not None:
                            writing.hand(name, table)
                staged = stage.finish()
                if writing is not None:
                    writing.rest(staged.staging, staged.file_sha256, staged.not_submitted)
                report = check_staged(staged, progress=progress)
                if writing is None or not report.ok:
                    return LoadResult(
                        "rejected", report, f"{report.errors} errors: nothing was loaded"
                    )
                return writing.commit(report)
            finally:  # a rejection, an interrupt, the checks could not run: nothing written
                if writing is not None:
                    writing.stop()
    finally:
        if own_engine:
            engine.dispose()


def _has_errors(findings: list[Any]) -> bool:
    return any(f.severity == "error" for f in findings)

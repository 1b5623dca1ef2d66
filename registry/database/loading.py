"""Loading a validated submission into the registry database: all or nothing, audited.

The flow runs forward: the validation stages the submission (``stage_submission``), then,
while the rule catalogue runs on the staging database (``check_staged``, its queries mostly
in DuckDB's or SQLite's own code), a thread copies the staged rows into the registry in one
transaction (``writing.Writer``); the transaction commits only once the report is final and
has no errors, else it rolls back. One process: a load killed at any moment leaves the
database as it was or, after its commit, fully updated.

Before a submission replaces a site's records, the load guard compares it with what is
loaded (``registry.database.changes``): removing any record needs ``allow_removal``; ``dry_run``
reports the comparison and writes nothing. Submissions of a site are ordered by their
manifest's ``created_at`` in UTC: an older one is refused.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from registry.database.store import make_engine
from registry.database.writing import LoadError, LoadRefused, LoadResult, Writer

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
    from registry.validation.validate import check_staged, stage_submission

    own_engine = engine is None
    engine = engine or make_engine(url)
    try:
        with engine.connect():  # a database that is down should say so now, not later
            pass
        with stage_submission(Path(path), progress) as staged:
            writer: Writer | None = None
            copying: threading.Thread | None = None
            conformant = not any(f.severity == "error" for f in staged.findings)
            if staged.manifest is not None and conformant:  # else nothing will be written
                writer = Writer(engine, staged.manifest, allow_removal, dry_run)
                copying = threading.Thread(
                    target=writer.write_staged,
                    args=(staged.staging, staged.file_sha256),
                    name="vte-registry-load",
                )
                copying.start()
            try:
                report = check_staged(staged, progress=progress)
            except BaseException:  # an interrupt, or the checks could not run
                if writer is not None and copying is not None:
                    writer.cancel()
                    copying.join()
                    writer.rollback()
                raise
            if copying is not None:
                copying.join()
            if writer is None or not report.ok:
                if writer is not None:
                    writer.rollback()
                return LoadResult("rejected", report, f"{report.errors} errors: nothing was loaded")
            return writer.commit(report)
    finally:
        if own_engine:
            engine.dispose()

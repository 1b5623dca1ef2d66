"""Loading a validated submission into the registry database: all or nothing, audited.

Before a submission replaces a site's records, the load guard compares it with what is
loaded (``registry.changes``): removing any record needs ``allow_removal``; ``dry_run``
reports the comparison and writes nothing. Submissions of a site are ordered by their
manifest's ``created_at`` in UTC: an older one is refused. The writing itself, in one
transaction, is ``registry.writing``. It runs in a process of its own (``load_writer``)
while the submission is validated: a table staged in DuckDB is handed over as an Arrow file
as soon as it is staged, the others are read from the staging database while the suites
run; the transaction commits once the final report has no errors.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from registry.copying import copy_query
from registry.load_writer import start_writer
from registry.models import TABLES, Manifest
from registry.store import make_engine
from registry.writing import LoadError, LoadRefused, LoadResult

__all__ = ["HAND_OVER", "LoadError", "LoadRefused", "LoadResult", "load_submission"]

#: Tables staged in DuckDB are handed over as they are staged (False: all are read from the
#: staging database once it is finished; the tests compare both).
HAND_OVER = True


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
    ``Writer``'s steps, in order, where ``load_writer`` runs them."""

    def __init__(self, engine: Engine, allow_removal: bool, dry_run: bool) -> None:
        self.engine = engine
        self.allow_removal = allow_removal
        self.dry_run = dry_run
        self._writer = start_writer()
        self._opened = False
        self._next = 0  # the index in TABLES of the next table to hand over
        self._handing = HAND_OVER  # until a table comes out of order
        self._folder = Path(tempfile.mkdtemp(prefix="vte-registry-load-"))
        self._staged: dict[str, Any] | None = None  # the staging tables, built once (6 ms)

    def begin(self, manifest: Manifest | None) -> None:
        if manifest is None:
            return  # a missing or unusable manifest is an error finding: nothing is written
        database: Any = self.engine
        if self._writer.in_process:  # another process: its own engine, from the URL
            database = self.engine.url.render_as_string(hide_password=False)
        self._writer.send("open", database, manifest, self.allow_removal, self.dry_run)
        self._opened = True

    def table_staged(self, name: str, fetch: Any) -> None:
        """Hand a staged table over as an Arrow file, in TABLES order (parents before
        children); after a table out of order, the rest come from the staging database."""
        import pyarrow as pa

        from registry.validation.staging import staging_metadata

        if not (self._handing and self._opened):
            return
        if self._next >= len(TABLES) or TABLES[self._next].name != name:
            self._handing = False  # a table missing: the rest after staging, in order
            return
        if self._staged is None:
            self._staged = staging_metadata()[1]
        table = fetch(copy_query(name, self._staged))
        path = self._folder / f"{name}.arrow"
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
            out.write_table(table)
        del table
        self._next += 1
        self._writer.send("table", name, str(path))

    def staged(self, checked: Any) -> None:
        """Staging is finished: the tables not handed over come from the staging database,
        then the load guard decides (while the suites run)."""
        if self._opened and checked.report.ok:
            self._writer.send("staging", checked.staging, self._next, checked.file_sha256)

    def finish(self, report: Any) -> LoadResult:
        """Commit (the report has no errors) and say what the load did; raises the
        LoadError that refused it."""
        assert self._opened  # a report without errors had a manifest
        result: LoadResult = self._writer.call("commit", report)
        return dataclasses.replace(result, report=report)

    def abandon(self) -> None:
        """Roll back a load that was written but not finished. Idempotent."""
        self._writer.close()
        shutil.rmtree(self._folder, ignore_errors=True)

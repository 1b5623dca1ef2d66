"""Writing a staged submission into the registry in one transaction: the load guard's
checks (the order of submissions: ``submission_order.py``; records that would be removed),
the new records in (``copying.py``) table by table from the staging database, the site's
removed records out, the audit row, the commit."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import json
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select

from registry.database.changes import Changes, TableChanges, table_changes
from registry.database.copying import ArrowRows, StagedRows
from registry.database.store import AUDIT, migrate, sqlite_file_missing
from registry.database.submission_order import (
    LoadError,
    LoadRefused,
    LoadResult,
    check_newer,
    lock_site,
    previous,
)
from registry.models import TABLES, Manifest, table_spec
from registry.version import __version__

__all__ = ["LoadError", "LoadRefused", "LoadResult", "Writer"]

#: Record IDs per DELETE on SQLite (under its limit of 32,766 bound values).
_DELETE_BATCH = 10_000


class Writer:
    """One load's transaction, written step by step: ``open``, ``table`` for each staged
    table (parents before children), ``close_tables`` (the load guard's decisions, the
    site's removed records out), then ``commit`` with the final report, or ``rollback``.
    ``write_staged`` takes the steps after the handed-over tables up to the commit. After a
    step fails the next ones do nothing, and ``commit`` raises that failure; ``cancel``
    (from another thread) stops the running statement and fails the step."""

    def __init__(
        self, engine: Engine, manifest: Manifest, allow_removal: bool, dry_run: bool
    ) -> None:
        self.engine = engine
        self.manifest = manifest
        self.site = manifest.site_id
        self.allow_removal = allow_removal
        self.dry_run = dry_run
        self.changes = Changes()
        self.counts: dict[str, int] = {}
        self.error: BaseException | None = None
        self.decided: LoadResult | None = None  # unchanged, dry run: known before the report
        self._removed: dict[str, list[str]] = {}
        self._hashes = ""  # the files' SHA-256 as the audit row keeps them (close_tables)
        self._again = False  # this submission_id was loaded before: decided by its files
        self._new_database = False  # a dry run on a database with no schema yet
        self._replacing = False
        self._connection: Connection | None = None
        self._transaction: Any = None
        self._cancelled = False

    def step(self, work: Callable[[], None]) -> None:
        """Run ``work`` unless a step failed or the outcome is decided; a failure is kept
        (``commit`` raises it) and rolls back."""
        if self.error is not None or self.decided is not None:
            return
        try:
            if self._cancelled:
                raise LoadError("the load was interrupted; nothing was loaded")
            work()
        except BaseException as exc:
            self.error = exc
            self.rollback()

    def open(self) -> None:
        """Begin the transaction; the checks that need only the manifest."""
        self.step(self._open)

    def write_staged(
        self,
        staging: Path,
        file_sha256: dict[str, str],
        first: int = 0,
        not_submitted: Sequence[str] = (),
    ) -> None:
        """The tables from ``first`` on (in TABLES order) read from a finished staging
        database, then ``close_tables``; a failure is kept for ``commit``. The site's records
        of a table ``not_submitted`` (a 1.0 submission without a table 1.1 added, or any
        table a manifest without inventory does not bring) are kept as they are."""
        from registry.validation.staging import staging_engine, staging_metadata

        if self.error is None and self.decided is None:
            _, staged = staging_metadata()
            source = staging_engine(staging)
            try:
                with source.connect() as reading:
                    for spec in TABLES[first:]:
                        if spec.name in not_submitted:
                            self.step(functools.partial(self._keep, spec.name))
                        else:
                            self.table(StagedRows(reading, staged, spec.name))
            except BaseException as exc:  # the staging could not be read: nothing is written
                self.error = self.error or exc
                self.rollback()
            finally:
                source.dispose()
        self.close_tables(file_sha256, None)

    def cancel(self) -> None:
        """Stop the load from another thread: the running statement is interrupted, the
        step fails and rolls back (the main thread was interrupted)."""
        self._cancelled = True
        connection = self._connection
        if connection is None:
            return
        driver: Any = getattr(connection.connection, "driver_connection", None)
        with contextlib.suppress(Exception):  # it may just have finished
            if hasattr(driver, "interrupt"):  # sqlite3
                driver.interrupt()
            elif hasattr(driver, "cancel_safe"):  # psycopg 3
                driver.cancel_safe()

    def _open(self) -> None:
        if self.dry_run and sqlite_file_missing(self.engine):
            self._new_database = True  # and no file: a dry run writes nothing, not even that
            return
        connection = self._connection = self.engine.connect()
        self._transaction = connection.begin()
        if self.dry_run and not self.engine.dialect.has_table(connection, "submissions"):
            self._new_database = True
            return
        if not self.dry_run:
            migrate(connection)  # in this transaction: a rejected load leaves no schema
        if connection.dialect.name == "sqlite":
            # the registry's indexes in memory while a submission goes in: 2 MB by default,
            # which made a load of 100,000 patients a third slower (issue 11)
            connection.exec_driver_sql("PRAGMA cache_size=-131072")
        lock_site(connection, self.site)
        audit = AUDIT
        self._again = (
            connection.execute(
                select(func.count())
                .select_from(audit)
                .where(audit.c.submission_id == str(self.manifest.submission_id))
            ).scalar_one()
            > 0
        )
        if not self._again:
            self._replacing = check_newer(connection, self.manifest)

    def _keep(self, name: str) -> None:
        """A table the submission does not submit: the site's records of it stay."""
        connection = self._connection
        if self._again or self._new_database or connection is None:
            return
        target = table_spec(name).sql_table
        kept = connection.execute(
            select(func.count())
            .select_from(target)
            .where(target.c.patient_id.like(f"{self.site}-%"))
        ).scalar_one()
        self.changes.tables[name] = TableChanges(kept=kept)

    def table(self, rows: ArrowRows | StagedRows) -> None:
        """Compare a staged table with the site's records of it, and write it (unless the
        load is a dry run, or already to be refused because it removes records)."""
        self.step(lambda: self._table(rows))

    def _table(self, rows: ArrowRows | StagedRows) -> None:
        if self._again:
            return
        name = rows.name
        if foreign := rows.foreign(self.site):  # site isolation, whatever the rules say
            raise LoadError(
                f"{name} holds {foreign} records of another site than {self.site}; "
                "nothing was loaded"
            )
        if self._new_database:
            self.changes.tables[name] = TableChanges(added=rows.count)
            return
        connection = self._connection
        assert connection is not None
        spec = table_spec(name)
        # fields the submission's schema version does not collect keep their values
        not_collected = frozenset(spec.fields) - set(spec.fields_in(self.manifest.schema_version))
        counts, removed = table_changes(
            spec, rows.rows, rows.count, connection, self.site, not_collected
        )
        self.changes.tables[name] = counts
        if removed:
            self._removed[name] = removed
        if self.dry_run or (self.changes.removes and not self.allow_removal):
            return  # the rest is compared, for the whole count; nothing more is written
        upsert = counts.changed + counts.unchanged > 0
        self.counts[name] = rows.copy(
            connection, self.manifest.schema_version, upsert, not_collected
        )

    def close_tables(self, file_sha256: dict[str, str], report: Any) -> None:
        """Every table is written: what the load guard decides; the removed records out."""
        self.step(lambda: self._close_tables(file_sha256, report))

    def _close_tables(self, file_sha256: dict[str, str], report: Any) -> None:
        self._hashes = json.dumps(file_sha256, sort_keys=True)
        if self._new_database:
            self.decided = _dry_run(report, self.changes, f"load {self.site} into a new database")
            self.rollback()
            return
        connection = self._connection
        assert connection is not None
        if self._again:
            self.decided = previous(connection, self.manifest, self._hashes, report)
        elif self.dry_run:
            verb = "replace" if self._replacing else "load"
            self.decided = _dry_run(report, self.changes, f"{verb} {self.site}")
        elif self.changes.removes and not self.allow_removal:
            what = [f"remove {self.changes.total('removed'):,} records"]
            if self.changes.emptied:
                what.append(f"empty {self.changes.emptied:,} values")
            effect = (
                f"loading would {' and '.join(what)} of {self.site} "
                f"({self.changes.summary(('added', 'changed', 'removed'))})"
            )
            raise LoadRefused(
                f"{effect}; nothing was loaded. If the site really deleted them, load again "
                "with --allow-removal (allow_removal=True); --dry-run shows the comparison",
                self.changes,
                effect,
            )
        else:
            _delete_removed(connection, self._removed)
        if self.decided is not None:
            self.rollback()

    def commit(self, report: Any) -> LoadResult:
        """Record the load and commit (the final report has no errors); the result."""
        if self.error is not None:
            raise self.error
        if self.decided is not None:
            return dataclasses.replace(self.decided, report=report)
        connection = self._connection
        assert connection is not None
        outcome = "replaced" if self._replacing else "loaded"
        try:
            connection.execute(
                AUDIT.insert().values(
                    submission_id=str(self.manifest.submission_id),
                    site_id=self.site,
                    data_cutoff_date=self.manifest.data_cutoff_date,
                    created_at=self.manifest.created_at_utc,
                    loaded_at=dt.datetime.now(dt.UTC),
                    package_version=__version__,
                    outcome=outcome,
                    file_sha256=self._hashes,
                    row_counts=json.dumps(self.counts),
                    schema_version=self.manifest.schema_version,
                    changes=json.dumps(self.changes.to_dict()),
                    findings=json.dumps(
                        dict(sorted(Counter(f.rule for f in report.findings).items()))
                    ),
                )
            )
            self._transaction.commit()
        finally:
            self.rollback()
        return LoadResult(
            outcome,
            report,
            f"{outcome} {sum(self.counts.values())} records of "
            f"{self.site} (submission {self.manifest.submission_id}; "
            f"{self.changes.summary()})",
            self.counts,
            self.changes,
        )

    def rollback(self) -> None:
        """Roll back what is not committed and let go of the connection; idempotent."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if self._transaction is not None and self._transaction.is_active:
                self._transaction.rollback()
        finally:
            connection.close()


def _delete_removed(connection: Connection, removed: dict[str, list[str]]) -> None:
    """The site's records that the submission no longer has, children first. On SQLite
    the foreign keys are checked at the commit, so that batches need no order."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")  # until the commit
    for spec in reversed(TABLES):
        ids = removed.get(spec.name)
        if not ids:
            continue
        column = spec.sql_table.c[spec.id_field]
        if connection.dialect.name == "postgresql":  # one statement, whatever the number
            connection.execute(delete(spec.sql_table).where(column == func.any(ids)))
            continue
        for start in range(0, len(ids), _DELETE_BATCH):
            batch = ids[start : start + _DELETE_BATCH]
            connection.execute(delete(spec.sql_table).where(column.in_(batch)))


def _dry_run(report: Any, changes: Changes, what: str) -> LoadResult:
    return LoadResult(
        "dry-run",
        report,
        f"dry run, nothing written: would {what}: {changes.summary()}",
        changes=changes,
    )

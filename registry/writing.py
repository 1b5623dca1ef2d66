"""Writing a validated submission into the registry in one transaction: the load guard's
checks (the same submission again, an older one, records that would be removed), the
site's old records out, the new ones in (``copying.py``), the audit row, the commit."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, text

from registry.changes import Changes, TableChanges, site_changes
from registry.copying import copy_table
from registry.models import TABLES, Manifest
from registry.store import AUDIT, migrate
from registry.version import __version__

__all__ = ["LoadError", "LoadRefused", "LoadResult", "write"]


class LoadError(Exception):
    """A load that was refused; nothing was written. The message says why."""


class LoadRefused(LoadError):
    """The load would remove records and that was not allowed; ``changes`` says which."""

    def __init__(self, message: str, changes: Changes) -> None:
        super().__init__(message)
        self.changes = changes


@dataclass
class LoadResult:
    outcome: str  # loaded | replaced | unchanged | rejected | dry-run
    report: Any
    message: str
    counts: dict[str, int] = field(default_factory=dict)
    changes: Changes | None = None


def _utc(value: dt.datetime) -> dt.datetime:
    # Timestamps are written in UTC; SQLite hands them back without a zone.
    return value.astimezone(dt.UTC) if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _delete_site(connection: Connection, site_id: str) -> None:
    for spec in reversed(TABLES):  # children first
        table = spec.sql_table
        connection.execute(delete(table).where(table.c.patient_id.like(f"{site_id}-%")))


def _lock_site(connection: Connection, site_id: str) -> None:
    """Serialize loads of one site (PostgreSQL); SQLite locks the whole database anyway."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:site))"),
            {"site": f"vte-registry:{site_id}"},
        )


def _previous(
    connection: Connection,
    manifest: Manifest,
    hashes: str,
    report: Any,
) -> LoadResult | None:
    """The answer when this submission_id was loaded before (None when it was not)."""
    audit = AUDIT
    previous = (
        connection.execute(
            select(audit).where(audit.c.submission_id == str(manifest.submission_id))
        )
        .mappings()
        .first()
    )
    if previous is None:
        return None
    if previous["file_sha256"] != hashes:
        raise LoadError(
            f"submission_id {manifest.submission_id} was already loaded "
            "with other files; give a new submission a new submission_id"
        )
    newer = connection.execute(
        select(audit.c.submission_id, audit.c.created_at)
        .where(audit.c.site_id == manifest.site_id, audit.c.loaded_at > previous["loaded_at"])
        .order_by(audit.c.loaded_at.desc())
        .limit(1)
    ).first()
    if newer is not None:
        raise LoadError(
            f"submission {manifest.submission_id} was loaded on "
            f"{_utc(previous['loaded_at']):%Y-%m-%d %H:%M} UTC and has since been replaced "
            f"by submission {newer.submission_id} (created {_utc(newer.created_at).isoformat()})"
            "; nothing changed (an older submission cannot replace a newer one)"
        )
    return LoadResult(
        "unchanged",
        report,
        f"submission {manifest.submission_id} is already "
        "loaded and is the site's latest; nothing changed",
    )


def _check_newer(connection: Connection, manifest: Manifest) -> bool:
    """True when the site has loaded submissions; LoadError when one of them is newer."""
    audit = AUDIT
    latest = connection.execute(
        select(audit.c.submission_id, audit.c.created_at)
        .where(audit.c.site_id == manifest.site_id)
        .order_by(audit.c.created_at.desc())
        .limit(1)
    ).first()
    if latest is None:
        return False
    if _utc(latest.created_at) > manifest.created_at_utc:
        raise LoadError(
            f"submission {manifest.submission_id} was created "
            f"{manifest.created_at_utc.isoformat()}, before submission {latest.submission_id} "
            f"of {manifest.site_id} already loaded (created "
            f"{_utc(latest.created_at).isoformat()}): an older submission cannot replace a "
            "newer one"
        )
    return True


def write(
    source: Connection,
    engine: Engine,
    manifest: Manifest,
    file_sha256: dict[str, str],
    report: Any,
    staged: Any,
    allow_removal: bool,
    dry_run: bool,
) -> Generator[None, Any, LoadResult]:
    """Write a submission in one transaction: up to the copy of its rows, then (``yield``)
    wait for the final report, then record the load and commit. An outcome decided before
    the copy (unchanged, dry run) is returned at once, with the report given here; closing
    the generator at the ``yield`` rolls everything back."""
    site = manifest.site_id
    connection = engine.connect()
    transaction = connection.begin()
    try:
        if dry_run and not engine.dialect.has_table(connection, "submissions"):
            transaction.rollback()
            return _dry_run_empty(source, staged, report, site)
        if not dry_run:
            migrate(connection)  # in this transaction: a rejected load leaves no schema
        if connection.dialect.name == "sqlite":
            # the registry's indexes in memory while a submission goes in: 2 MB by default,
            # which made a load of 100,000 patients a third slower (issue 11)
            connection.exec_driver_sql("PRAGMA cache_size=-131072")
        _lock_site(connection, site)
        hashes = json.dumps(file_sha256, sort_keys=True)
        if (again := _previous(connection, manifest, hashes, report)) is not None:
            transaction.rollback()
            return again
        replacing = _check_newer(connection, manifest)
        changes = site_changes(source, staged, connection, site)
        if dry_run:
            transaction.rollback()
            return LoadResult(
                "dry-run",
                report,
                f"dry run, nothing written: would "
                f"{'replace' if replacing else 'load'} {site}: "
                f"{changes.summary()}",
                changes=changes,
            )
        if changes.removes and not allow_removal:
            raise LoadRefused(
                f"loading would remove {changes.total('removed'):,} records of {site} "
                f"({changes.summary(('added', 'changed', 'removed'))}); nothing was loaded. "
                "If the site really deleted them, load again with --allow-removal "
                "(allow_removal=True); --dry-run shows the comparison",
                changes,
            )
        _delete_site(connection, site)
        counts = {
            spec.name: copy_table(source, connection, spec.name, staged, manifest.schema_version)
            for spec in TABLES
        }
        report = yield  # the final report (the suites ran meanwhile); it has no errors
        outcome = "replaced" if replacing else "loaded"
        audit = AUDIT
        connection.execute(
            audit.insert().values(
                submission_id=str(manifest.submission_id),
                site_id=site,
                data_cutoff_date=manifest.data_cutoff_date,
                created_at=manifest.created_at_utc,
                loaded_at=dt.datetime.now(dt.UTC),
                package_version=__version__,
                outcome=outcome,
                file_sha256=hashes,
                row_counts=json.dumps(counts),
                schema_version=manifest.schema_version,
                changes=json.dumps(changes.to_dict()),
                findings=json.dumps(dict(sorted(Counter(f.rule for f in report.findings).items()))),
            )
        )
        transaction.commit()
    except BaseException:
        if transaction.is_active:
            transaction.rollback()
        raise
    finally:
        connection.close()
    return LoadResult(
        outcome,
        report,
        f"{outcome} {sum(counts.values())} records of "
        f"{site} (submission {manifest.submission_id}; "
        f"{changes.summary()})",
        counts,
        changes,
    )


def _dry_run_empty(source: Connection, staged: Any, report: Any, site: str) -> LoadResult:
    """A dry run on a database with no schema yet: every conformant record is new."""
    changes = Changes()
    for spec in TABLES:
        table = staged[spec.name]
        added = (
            source.execute(
                select(func.count()).select_from(table).where(table.c._valid.is_(True))
            ).scalar()
            or 0
        )
        changes.tables[spec.name] = TableChanges(added=added)
    return LoadResult(
        "dry-run",
        report,
        f"dry run, nothing written: would load {site} into a new database: {changes.summary()}",
        changes=changes,
    )

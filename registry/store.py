"""Persistence: engines for the embedded SQLite default and PostgreSQL, schema, read/write.

The database URL comes from ``--db``, else the ``VTE_REGISTRY_DB`` environment variable,
else a SQLite file ``vte_registry.sqlite`` in the working folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, Text, delete, event, func, select, text
from sqlmodel import Field, SQLModel, create_engine

from registry.models import TABLES, RegistryRecord, table_spec
from registry.version import __version__

__all__ = [
    "DB_ENV_VAR",
    "DEFAULT_DB_FILE",
    "LoadError",
    "LoadResult",
    "SubmissionAudit",
    "create_schema",
    "database_url",
    "load_submission",
    "make_engine",
    "read_table",
    "write_records",
]

DB_ENV_VAR = "VTE_REGISTRY_DB"
DEFAULT_DB_FILE = "vte_registry.sqlite"


def database_url(url: str | None = None) -> str:
    """The database to use: ``url``, else $VTE_REGISTRY_DB, else the default SQLite file."""
    if url:
        return url
    if env := os.environ.get(DB_ENV_VAR):
        return env
    return f"sqlite:///{Path.cwd() / DEFAULT_DB_FILE}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite enforces foreign keys only when asked, on every connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (see ``database_url``), foreign keys enforced on SQLite too."""
    resolved = database_url(url)
    engine = create_engine(resolved, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(url: str | None = None) -> Any:
    """The Alembic configuration of the registry's migrations (shipped in the package)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


_UPGRADE_LOCK = threading.Lock()  # Alembic keeps its context in module globals


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` (the newest by default).

    Safe to call from several threads and, on PostgreSQL, several processes at once: the
    first creates the schema, the others find it in place."""
    from alembic import command

    with _UPGRADE_LOCK, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtext('vte-registry:schema'))"))
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def create_schema(engine: Engine) -> None:
    """Create or migrate the registry tables: the migrations are the one way to a schema."""
    upgrade(engine)


def write_records(connection: Connection, name: str, records: Iterable[RegistryRecord]) -> int:
    """Insert validated records of one table in bulk; the caller owns the transaction."""
    rows = [{k: _plain(v) for k, v in r.__dict__.items()} for r in records]
    if rows:
        connection.execute(table_spec(name).table.__table__.insert(), rows)  # type: ignore[attr-defined]
    return len(rows)


def _plain(value: Any) -> Any:
    # Codes are stored as their text (StrEnum is a str, but drivers may not know that).
    return value.value if isinstance(value, Enum) else value


def read_table(engine: Engine, name: str) -> Sequence[RegistryRecord]:
    """All rows of a table, as validated record objects, in primary-key order."""
    spec = table_spec(name)
    table = spec.table.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        rows = connection.execute(select(table).order_by(table.c[spec.id_field])).mappings()
        return [spec.record.model_validate(dict(row)) for row in rows]




# --- loading ---------------------------------------------------------------------------------
class SubmissionAudit(SQLModel, table=True):
    """The audit trail of loads: one row per submission written to the database."""

    __tablename__ = "submissions"

    submission_id: str = Field(primary_key=True, max_length=36,
                               description="manifest submission_id")
    site_id: str = Field(index=True, max_length=8, description="manifest site_id")
    data_cutoff_date: dt.date = Field(description="manifest data_cutoff_date")
    created_at: dt.datetime = Field(sa_type=DateTime(timezone=True),
                                    description="manifest created_at")
    loaded_at: dt.datetime = Field(sa_type=DateTime(timezone=True),
                                   description="when this load committed")
    package_version: str = Field(max_length=40)
    outcome: str = Field(max_length=20, description="loaded (first for the site) or replaced")
    file_sha256: str = Field(sa_type=Text, description="JSON: file name -> SHA-256")
    row_counts: str = Field(sa_type=Text, description="JSON: table -> rows written")


class LoadError(Exception):
    """A load that was refused; nothing was written. The message says why."""


@dataclass
class LoadResult:
    outcome: str  # loaded | replaced | unchanged | rejected
    report: Any
    message: str
    counts: dict[str, int] = field(default_factory=dict)


def _delete_site(connection: Connection, site_id: str) -> None:
    for spec in reversed(TABLES):  # children first
        table = spec.table.__table__  # type: ignore[attr-defined]
        column = table.c.patient_id
        connection.execute(delete(table).where(column.like(f"{site_id}-%")))


def _lock_site(connection: Connection, site_id: str) -> None:
    """Serialize loads of one site (PostgreSQL); SQLite locks the whole database anyway."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:site))"),
                           {"site": f"vte-registry:{site_id}"})


def _copy_table(source: Connection, target: Connection, name: str, staged: Any) -> int:
    """Insert the conformant rows of a staged table into the registry table, in chunks."""
    spec = table_spec(name)
    table = staged[name]
    order = [table.c._row]
    if name == "vte_events":  # an event before the events that recur from it (FK per row)
        order = [table.c.recurrence_of_event_id.isnot(None), table.c.diagnosis_date,
                 table.c._row]
    query = (select(*[table.c[f] for f in spec.fields])
             .where(table.c._valid.is_(True)).order_by(*order))
    target_table = spec.table.__table__  # type: ignore[attr-defined]
    written = 0
    for chunk in source.execute(query).mappings().partitions(10_000):
        rows = [dict(row) for row in chunk]
        target.execute(target_table.insert(), rows)
        written += len(rows)
    return written


def load_submission(path: Path, url: str | None = None, engine: Engine | None = None,
                    progress: Any = None) -> LoadResult:
    """Validate, then write everything in one transaction, or nothing.

    A submission with error findings is rejected (nothing written). The same submission_id
    again changes nothing. A newer submission of a site replaces all of that site's
    records; other sites are untouched. Every load is recorded in ``submissions``.
    """
    from registry.validation.staging import staging_metadata
    from registry.validation.validate import checked_submission

    probe = engine or make_engine(url)
    try:  # a database that is down should say so now, not after the validation
        with probe.connect():
            pass
    finally:
        if engine is None:
            probe.dispose()
    with checked_submission(Path(path), progress) as checked:
        report = checked.report
        if not report.ok:
            return LoadResult("rejected", report, f"{report.errors} errors: nothing was loaded")
        manifest = checked.manifest
        assert manifest is not None  # a missing manifest is an error finding
        site = manifest.site_id
        _, staged = staging_metadata()
        staging = create_engine(f"sqlite:///{checked.staging}")
        own_engine = engine is None
        engine = engine or make_engine(url)
        try:
            with staging.connect() as source:
                for spec in TABLES:  # site isolation, whatever the rules say
                    table = staged[spec.name]
                    foreign = source.execute(
                        select(func.count()).select_from(table).where(
                            ~table.c.patient_id.like(f"{site}-%"))).scalar()
                    if foreign:
                        raise LoadError(f"{spec.name} holds {foreign} records of another site "
                                        f"than {site}; nothing was loaded")
                return _write(source, engine, manifest, checked.file_sha256, report, staged)
        finally:
            staging.dispose()
            if own_engine:
                engine.dispose()


def _write(source: Connection, engine: Engine, manifest: Any, file_sha256: dict[str, str],
           report: Any, staged: Any) -> LoadResult:
    site = manifest.site_id
    create_schema(engine)
    with engine.begin() as connection:
        _lock_site(connection, site)
        audit = SubmissionAudit.__table__  # type: ignore[attr-defined]
        hashes = json.dumps(file_sha256, sort_keys=True)
        previous = connection.execute(
            select(audit).where(audit.c.submission_id == str(manifest.submission_id))
        ).mappings().first()
        if previous is not None:
            if previous["file_sha256"] == hashes:
                return LoadResult("unchanged", report, f"submission {manifest.submission_id}"
                                  " is already loaded; nothing changed")
            raise LoadError(f"submission_id {manifest.submission_id} was already loaded "
                            "with other files; give a new submission a new submission_id")
        latest = connection.execute(
            select(audit.c.created_at).where(audit.c.site_id == site)
            .order_by(audit.c.created_at.desc()).limit(1)
        ).scalar()
        if latest is not None and _aware(latest) > manifest.created_at:
            raise LoadError(f"a newer submission of {site} (created {latest}) is already "
                            "loaded; an older one cannot replace it")
        _delete_site(connection, site)
        counts = {spec.name: _copy_table(source, connection, spec.name, staged)
                  for spec in TABLES}
        outcome = "replaced" if latest is not None else "loaded"
        connection.execute(audit.insert().values(
            submission_id=str(manifest.submission_id), site_id=site,
            data_cutoff_date=manifest.data_cutoff_date, created_at=manifest.created_at,
            loaded_at=dt.datetime.now(dt.UTC), package_version=__version__,
            outcome=outcome, file_sha256=hashes, row_counts=json.dumps(counts)))
    return LoadResult(outcome, report, f"{outcome} {sum(counts.values())} records of "
                      f"{site} (submission {manifest.submission_id})", counts)


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite returns naive timestamps for timezone-aware columns: they were stored in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)

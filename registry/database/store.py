"""Persistence: engines for the embedded SQLite default and PostgreSQL, schema, read/write.

The database URL comes from ``--db``, else the ``VTE_REGISTRY_DB`` environment variable,
else a SQLite file ``vte_registry.sqlite`` in the working folder.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, Table, Text, event, text
from sqlmodel import Field, SQLModel, create_engine

__all__ = [
    "AUDIT",
    "DB_ENV_VAR",
    "DEFAULT_DB_FILE",
    "DatabaseUnusable",
    "SubmissionAudit",
    "as_utc",
    "create_schema",
    "database_url",
    "explain_database_error",
    "make_engine",
    "migrate",
    "reading",
    "require_current",
    "require_registry",
    "safe_url",
    "write_ahead_log",
]

DB_ENV_VAR = "VTE_REGISTRY_DB"
DEFAULT_DB_FILE = "vte_registry.sqlite"


class DatabaseUnusable(Exception):
    """The database cannot be used as it is (the message says why and what to do)."""


def safe_url(url: str) -> str:
    """A database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the database"


def explain_database_error(exc: BaseException, url: str) -> str | None:
    """One line that says what is wrong with the database and what to do; None when
    ``exc`` is not about the database."""
    from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError

    where = safe_url(url)
    if isinstance(exc, NoSuchModuleError | ModuleNotFoundError):
        return (
            f"no database driver for {where} ({exc}): use sqlite:///FILE or "
            "postgresql+psycopg://USER@HOST:PORT/DB (psycopg comes with the package)"
        )
    if isinstance(exc, ArgumentError):
        return (
            f"{url!r} is not a database URL; e.g. sqlite:///vte_registry.sqlite or "
            "postgresql+psycopg://USER@HOST:5432/registry"
        )
    if not isinstance(exc, DatabaseError):
        return None
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    lowered = reason.lower()
    if "database is locked" in lowered:
        return (
            f"the database {where} is locked by another program (a load still "
            "running?): wait for it to finish, then try again"
        )
    if "not a database" in lowered or "malformed" in lowered:
        return f"{where} is not a registry database (not a SQLite file): give another --db"
    if "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered):
        return (
            f"{where} holds no registry yet: run `vte-registry db upgrade` or load a "
            "submission first"
        )
    if "unable to open database file" in lowered:
        return f"cannot open {where}: does its folder exist, and may it be written?"
    return f"cannot reach the database {where}: {reason}"


def require_registry(engine: Engine) -> None:
    """DatabaseUnusable unless ``engine``'s database holds the registry schema (reading an
    empty or missing database would otherwise report "no rows", or create a file)."""
    where = safe_url(engine.url.render_as_string(hide_password=False))
    database = engine.url.database
    if (
        engine.dialect.name == "sqlite"
        and database
        and database != ":memory:"
        and not (Path(database).is_file())
    ):
        raise DatabaseUnusable(
            f"there is no database at {where}: run `vte-registry db "
            "upgrade` or load a submission first"
        )
    with engine.connect() as connection:
        if not engine.dialect.has_table(connection, "submissions"):
            raise DatabaseUnusable(
                f"{where} holds no registry yet: run `vte-registry db "
                "upgrade` or load a submission first"
            )


def database_url(url: str | None = None) -> str:
    """The database to use: ``url``, else $VTE_REGISTRY_DB, else the default SQLite file."""
    if url:
        return url
    if env := os.environ.get(DB_ENV_VAR):
        return env
    return f"sqlite:///{Path.cwd() / DEFAULT_DB_FILE}"


#: How long a writer waits for another to finish on SQLite (a load of 100,000 patients
#: writes for about half a minute) before it gives up with "database is locked".
SQLITE_BUSY_SECONDS = 300


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLite enforces foreign keys only when asked, on every connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    # The driver would commit before every CREATE/ALTER: take transactions over, so that
    # schema creation and migration are one transaction (SQLAlchemy's "pysqlite
    # serializable isolation / savepoints / transactional DDL" recipe).
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE: take the write lock at the start, so that two writers queue (busy timeout)
    # instead of both reading and then failing to upgrade their locks. A reader (``reading``)
    # begins DEFERRED: it does not queue behind a writer.
    if connection.get_execution_options().get("registry_read_only"):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def as_utc(value: dt.datetime) -> dt.datetime:
    """A timestamp read back from the database, in UTC: they are written in UTC, and SQLite
    hands them back without a zone."""
    return value.astimezone(dt.UTC) if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def reading(engine: Engine) -> Engine:
    """``engine`` for reads only: on SQLite its transactions do not take the write lock, so
    that a page is not kept waiting by a load (with WAL, it reads the last commit meanwhile).
    Whatever writes through it fails on SQLite as soon as another writer holds the lock."""
    return engine.execution_options(registry_read_only=True)


def write_ahead_log(engine: Engine) -> None:
    """SQLite in WAL mode (kept in the file): readers read the last commit while a writer
    writes, instead of waiting for it (the intake service's pages during a load)."""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
    finally:
        raw.close()


def sqlite_file_missing(engine: Engine) -> bool:
    """True for a SQLite database whose file does not exist yet (connecting creates it)."""
    name = engine.url.database
    if engine.dialect.name != "sqlite" or not name or name == ":memory:":
        return False
    return not Path(name).exists()


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (see ``database_url``): on SQLite with foreign keys enforced,
    transactional schema changes and writers that wait for each other."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    resolved = database_url(url)
    if resolved.startswith("sqlite"):
        kwargs.setdefault("connect_args", {}).setdefault("timeout", SQLITE_BUSY_SECONDS)
    try:
        engine = create_engine(resolved, **kwargs)
    except (ArgumentError, NoSuchModuleError, ModuleNotFoundError) as exc:
        # the package's error, with the command line's one line (never SQLAlchemy's own)
        raise DatabaseUnusable(explain_database_error(exc, resolved) or str(exc)) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
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
    with engine.begin() as connection:
        migrate(connection, revision)


def migrate(connection: Connection, revision: str = "head") -> None:
    """``upgrade`` within the caller's transaction: a load that is rejected after it takes
    the schema it created back with its rows. Nothing is locked when the schema is current."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = alembic_config()
    if revision == "head":
        head = ScriptDirectory.from_config(config).get_current_head()
        if MigrationContext.configure(connection).get_current_revision() == head:
            return
    with _UPGRADE_LOCK:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtext('vte-registry:schema'))")
            )
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def create_schema(engine: Engine) -> None:
    """Create or migrate the registry tables: the migrations are the one way to a schema."""
    upgrade(engine)


# --- the audit trail of loads (written by registry.database.loading) -----------------------------
class SubmissionAudit(SQLModel, table=True):
    """The audit trail of loads: one row per submission written to the database."""

    __tablename__ = "submissions"

    submission_id: str = Field(
        primary_key=True, max_length=36, description="manifest submission_id"
    )
    site_id: str = Field(index=True, max_length=8, description="manifest site_id")
    data_cutoff_date: dt.date = Field(description="manifest data_cutoff_date")
    created_at: dt.datetime = Field(
        sa_type=DateTime(timezone=True), description="manifest created_at, in UTC"
    )
    loaded_at: dt.datetime = Field(
        sa_type=DateTime(timezone=True), description="when this load committed (UTC)"
    )
    package_version: str = Field(max_length=40)
    outcome: str = Field(max_length=20, description="loaded (first for the site) or replaced")
    file_sha256: str = Field(sa_type=Text, description="JSON: file name -> SHA-256")
    row_counts: str = Field(sa_type=Text, description="JSON: table -> rows written")
    schema_version: str | None = Field(
        default=None, max_length=8, description="manifest schema_version"
    )
    changes: str | None = Field(
        default=None,
        sa_type=Text,
        description="JSON: table -> added, changed, unchanged, removed records",
    )
    findings: str | None = Field(
        default=None,
        sa_type=Text,
        description="JSON: rule ID -> findings of the load's validation (warnings: a "
        "submission with errors is never loaded); null when loaded before schema 0005",
    )


#: The SQLAlchemy table of the audit trail (SQLModel sets __table__ when it builds the class;
#: its type stubs do not declare it).
AUDIT: Table = SubmissionAudit.__table__  # type: ignore[attr-defined]


def require_current(engine: Engine) -> None:
    """DatabaseUnusable unless the registry schema is at the newest revision (a reader of an
    older schema would miss columns, or misread them)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    require_registry(engine)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        raise DatabaseUnusable(
            f"{safe_url(engine.url.render_as_string(hide_password=False))} has registry "
            f"schema {current}, this release reads {head}: run `vte-registry db upgrade "
            "--db URL` first (it keeps every record)"
        )

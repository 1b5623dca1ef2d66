"""Persistence: engines for the embedded SQLite default and PostgreSQL, schema, read/write.

The database URL comes from ``--db``, else the ``VTE_REGISTRY_DB`` environment variable,
else a SQLite file ``vte_registry.sqlite`` in the working folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, select
from sqlmodel import SQLModel, create_engine

from registry.models import RegistryRecord, table_spec

__all__ = [
    "DB_ENV_VAR",
    "DEFAULT_DB_FILE",
    "create_schema",
    "database_url",
    "make_engine",
    "read_table",
    "to_table_row",
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


def create_schema(engine: Engine) -> None:
    """Create the registry tables (and indexes) that do not exist yet."""
    import registry.models  # noqa: F401  (registers every table on the metadata)

    SQLModel.metadata.create_all(engine)


def to_table_row(record: RegistryRecord) -> SQLModel:
    """The ORM object for one validated record (table classes do not validate again)."""
    return table_spec(record.table_name).table(**record.__dict__)


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



"""Staging: the submission in a temporary database, for the expectation suites.

Large submissions go to DuckDB, an embedded columnar engine: a chunk of rows is one Arrow
insert, and the suites' joins and aggregates run several times faster than on SQLite (at
100,000 patients, row inserts into SQLite were a fifth of the validation time and the suites
on SQLite another third). Small ones stay in SQLite, whose queries start faster (see
``DUCKDB_MIN_ROWS``). The suites are written once for both (``expectations.render``).

Staging tables mirror the registry tables (same names and columns, built from the SQLModel
tables) without keys or constraints, so that duplicates and orphans can be seen, plus:
``_row`` (1-based data row of the file) and ``_valid`` (the row passed record conformance).
Rows that failed conformance keep only their well-formed IDs and references (so reference
checks do not cascade); their other columns are NULL. ``_manifest`` holds the manifest.
The same suites run at the coordinating center on copies with these names (central.py, in
SQLite, from ``staging_metadata``, whose indexes serve SQLite there).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
)

from registry.models import TABLES, Manifest, RegistryRecord
from registry.models.base import VERSION_COLUMN
from registry.models.ids import PATIENT_ID_PATTERN, RECORD_ID_PATTERN
from registry.version import SCHEMA_VERSION

__all__ = [
    "MANIFEST_TABLE",
    "DuckdbStager",
    "SqliteStager",
    "Stager",
    "new_stager",
    "stage",
    "staging_engine",
    "staging_metadata",
    "staging_url",
]

MANIFEST_TABLE = "_manifest"
_ID_RE = re.compile(f"{PATIENT_ID_PATTERN}|{RECORD_ID_PATTERN}")


def staging_metadata() -> tuple[MetaData, dict[str, Table]]:
    metadata = MetaData()
    tables: dict[str, Table] = {}
    for spec in TABLES:
        source = spec.sql_table
        columns: list[Column[Any]] = [Column("_row", Integer), Column("_valid", Boolean)]
        columns += [Column(c.name, c.type, nullable=True) for c in source.columns]
        table = Table(spec.name, metadata, *columns)
        # Every ID and reference column: the suites join and probe on them.
        for name in _identity_fields(spec.record):
            Index(f"ix_{spec.name}_{name}", table.c[name])
        tables[spec.name] = table
    # Phases in time order per patient: overlap and phase-on-a-date rules walk them.
    phases = tables["treatment_phases"]
    Index("ix_treatment_phases_timeline", phases.c.patient_id, phases.c.start_date, phases.c._row)
    tables[MANIFEST_TABLE] = Table(
        MANIFEST_TABLE, metadata, Column("site_id", String(8)), Column("data_cutoff_date", Date)
    )
    return metadata, tables


def _identity_fields(record_class: type[RegistryRecord]) -> list[str]:
    """The ID and reference fields: kept for rows that failed conformance."""
    return [name for name in record_class.model_fields if name.endswith("_id")]


#: Column types in DuckDB and Arrow, by SQLAlchemy type (anything else is text). Written
#: out rather than compiled by duckdb_engine, which makes ``Float`` a 32-bit FLOAT (REAL):
#: 40.1 would come back as 40.099998 (a test loads the same cohort through both engines).
_COLUMN_TYPES: tuple[tuple[type[Any], str, str], ...] = (
    (Boolean, "BOOLEAN", "bool_"),
    (Integer, "BIGINT", "int64"),
    (Date, "DATE", "date32"),
    (Float, "DOUBLE", "float64"),
    (DateTime, "TIMESTAMP", "timestamp"),
)


def _column_type(column: Column[Any]) -> tuple[str, str]:
    """(DuckDB type, pyarrow type factory) of a staging column."""
    for sql_type, duckdb_type, arrow_type in _COLUMN_TYPES:
        if isinstance(column.type, sql_type):
            return duckdb_type, arrow_type
    return "VARCHAR", "string"


def _arrow_type(column: Column[Any]) -> Any:
    import pyarrow as pa

    factory = getattr(pa, _column_type(column)[1])
    return factory("us") if factory is pa.timestamp else factory()


def _iso(value: dt.date) -> str:
    return value.isoformat()


#: Submissions of at least this many rows are staged in DuckDB, smaller ones in SQLite.
#: Measured on 2 cores (whole validation, issue 11): 1,000 patients (21,000 rows): SQLite's
#: suites 0.7 s, DuckDB's 1.4 s (a DuckDB query costs 1-3 ms however small); 10,000 (200,000
#: rows): the same within noise; 30,000 (660,000 rows): 12.3 s in DuckDB against 16.5-20 s
#: in SQLite; 100,000 (2.2 million rows): suites 5.4 s against 18.7 s, and no indexes to build.
DUCKDB_MIN_ROWS = 300_000


#: Every connection to a staging DuckDB file: one process may hold only connections of one
#: configuration to a file. DuckDB's buffer pool would otherwise take up to 80% of memory;
#: the suites' joins spill to disk beyond this.
DUCKDB_CONFIG: dict[str, str | bool | int | float | list[str]] = {"memory_limit": "256MB"}


def staging_url(path: Path) -> str:
    """The SQLAlchemy URL of a staging database (its engine is told by its suffix)."""
    return f"duckdb:///{path}" if path.suffix == ".duckdb" else f"sqlite:///{path}"


def staging_engine(path: Path) -> Engine:
    if path.suffix == ".duckdb":
        return create_engine(staging_url(path), connect_args={"config": DUCKDB_CONFIG})
    return create_engine(staging_url(path))


class Stager:
    """Builds a staging database one table, or one chunk of a table, at a time.

    ``new_stager`` picks the engine by size: ``DuckdbStager`` or ``SqliteStager``."""

    #: The SQL dialect the suites are rendered for (``expectations.render``).
    dialect: ClassVar[str] = ""
    suffix: ClassVar[str] = ""

    def __init__(self, path: Path, schema_version: str = SCHEMA_VERSION) -> None:
        self.path = path
        #: Every staged row carries it, as the registry's rows do (versioned rules read it).
        self.schema_version = schema_version
        _, self._tables = staging_metadata()

    def add_chunk(
        self,
        name: str,
        rows: list[dict[str, str]],
        valid: list[tuple[int, RegistryRecord]],
        offset: int = 0,
    ) -> None:
        """Stage rows ``offset:offset+len(rows)`` of a table (all of it, or a chunk).

        ``valid``: (0-based table row, record) of the rows that passed conformance; ``rows``:
        the chunk's rows as read, for the IDs of the rows that did not."""
        spec = next(s for s in TABLES if s.name == name)
        columns = ["_row", "_valid", *spec.fields, VERSION_COLUMN]
        width = len(columns)
        ok = dict(valid)
        identity = {n: columns.index(n) for n in _identity_fields(spec.record)}
        values_of = operator.itemgetter(*spec.fields)
        staged: list[Any] = []
        for local, raw in enumerate(rows):
            index = offset + local
            record = ok.get(index)
            if record is not None:
                staged.append((index + 1, True, *values_of(record.__dict__), self.schema_version))
                continue
            row: list[Any] = [index + 1, False, *([None] * (width - 3)), self.schema_version]
            for field_name, position in identity.items():
                text = raw.get(field_name) or ""
                if _ID_RE.match(text):
                    row[position] = text
            staged.append(row)
        if staged:
            self._insert(name, columns, staged)

    def _insert(self, name: str, columns: list[str], rows: list[Any]) -> None:
        raise NotImplementedError

    def set_manifest(self, manifest: Manifest | None) -> None:
        raise NotImplementedError

    def absorb(self, other: Path) -> None:
        """Copy in every row of another staging database of the same engine (a helper
        process's chunks)."""
        quoted = str(other).replace("'", "''")
        self._execute(f"ATTACH '{quoted}' AS helper")
        for name in self._tables:
            if name != MANIFEST_TABLE:
                self._execute(f'INSERT INTO "{name}" SELECT * FROM helper."{name}"')
        self._execute("DETACH helper")

    def _execute(self, sql: str) -> None:
        raise NotImplementedError

    def finish(self) -> str:
        """Close the database (the suites open it in another process); returns its URL."""
        raise NotImplementedError


class DuckdbStager(Stager):
    """DuckDB, an embedded columnar engine: a chunk goes in as Arrow arrays in one insert;
    no indexes (the suites' joins are hash joins)."""

    dialect = "duckdb"
    suffix = ".duckdb"

    def __init__(self, path: Path, schema_version: str = SCHEMA_VERSION) -> None:
        import duckdb

        super().__init__(path, schema_version)
        self._db = duckdb.connect(str(path), config=DUCKDB_CONFIG)
        for name, table in self._tables.items():
            columns = ", ".join(f'"{c.name}" {_column_type(c)[0]}' for c in table.columns)
            self._db.execute(f'CREATE TABLE "{name}" ({columns})')

    def _insert(self, name: str, columns: list[str], rows: list[Any]) -> None:
        import pyarrow as pa

        table = self._tables[name]
        chunk = pa.table(
            {
                column: pa.array(values, type=_arrow_type(table.c[column]))
                for column, values in zip(columns, zip(*rows, strict=True), strict=True)
            }
        )
        names = ", ".join(f'"{c}"' for c in columns)
        self._db.register("_chunk", chunk)
        self._db.execute(f'INSERT INTO "{name}" ({names}) SELECT {names} FROM _chunk')
        self._db.unregister("_chunk")

    def set_manifest(self, manifest: Manifest | None) -> None:
        if manifest is not None:
            self._db.execute(
                f'INSERT INTO "{MANIFEST_TABLE}" VALUES (?, ?)',
                (manifest.site_id, manifest.data_cutoff_date),
            )

    def _execute(self, sql: str) -> None:
        self._db.execute(sql)

    def finish(self) -> str:
        self._db.close()
        return staging_url(self.path)


class SqliteStager(Stager):
    """SQLite: rows by ``executemany``; indexes on every ID and reference, built at the end."""

    dialect = "sqlite"
    suffix = ".sqlite"

    def __init__(self, path: Path, schema_version: str = SCHEMA_VERSION) -> None:
        super().__init__(path, schema_version)
        metadata = next(iter(self._tables.values())).metadata
        self._indexes = [ix for table in metadata.tables.values() for ix in table.indexes]
        engine = create_engine(staging_url(path))
        for table in metadata.tables.values():
            table.indexes.clear()  # built after the rows are in: much faster than row by row
        metadata.create_all(engine)
        engine.dispose()
        # Plain sqlite3 executemany, several times faster than SQLAlchemy Core for bulk rows.
        # Dates go in as ISO text (what SQLAlchemy's Date stores on SQLite), codes as their
        # text (StrEnum is a str), booleans as 0/1.
        sqlite3.register_adapter(dt.date, _iso)
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=OFF")  # a throwaway database
        self._db.execute("PRAGMA synchronous=OFF")

    def _insert(self, name: str, columns: list[str], rows: list[Any]) -> None:
        marks = ", ".join("?" * len(columns))
        names = ", ".join(f'"{c}"' for c in columns)
        self._db.executemany(f'INSERT INTO "{name}" ({names}) VALUES ({marks})', rows)
        self._db.commit()

    def set_manifest(self, manifest: Manifest | None) -> None:
        if manifest is not None:
            self._db.execute(
                f'INSERT INTO "{MANIFEST_TABLE}" VALUES (?, ?)',
                (manifest.site_id, manifest.data_cutoff_date.isoformat()),
            )
            self._db.commit()

    def _execute(self, sql: str) -> None:
        self._db.execute(sql)
        self._db.commit()

    def finish(self) -> str:
        self._db.close()
        engine = create_engine(staging_url(self.path))
        with engine.begin() as conn:
            for ix in self._indexes:
                ix.create(conn)
        engine.dispose()
        return staging_url(self.path)


def new_stager(folder: Path, rows: int, schema_version: str = SCHEMA_VERSION) -> Stager:
    """A stager for a submission of about ``rows`` rows, in ``folder`` (see DUCKDB_MIN_ROWS)."""
    kind: type[Stager] = DuckdbStager if rows >= DUCKDB_MIN_ROWS else SqliteStager
    return kind(folder / f"staging{kind.suffix}", schema_version)


def stage(
    path: Path,
    valid: Mapping[str, list[tuple[int, RegistryRecord]]],
    raw_rows: Mapping[str, list[dict[str, str]]],
    manifest: Manifest | None,
) -> str:
    """Write a whole staging database at once; its engine is told by the suffix of
    ``path`` (``.duckdb`` or ``.sqlite``). Returns its URL."""
    stager = (DuckdbStager if path.suffix == ".duckdb" else SqliteStager)(path)
    for spec in TABLES:
        stager.add_chunk(
            spec.name, list(raw_rows.get(spec.name, [])), list(valid.get(spec.name, []))
        )
    stager.set_manifest(manifest)
    return stager.finish()

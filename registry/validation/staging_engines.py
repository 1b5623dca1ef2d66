"""The two staging engines, and the choice between them by the size of a submission.

``DuckdbStager``: DuckDB, an embedded columnar engine; a chunk goes in as Arrow arrays in one
insert; no indexes (the checks' joins are hash joins). ``SqliteStager``: rows by
``executemany``, indexes on every ID and reference built at the end.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Column, Date, DateTime, Float, Integer

from registry.models import TABLES, Manifest, RegistryRecord
from registry.models.base import VERSION_COLUMN
from registry.validation.staging import (
    DUCKDB_CONFIG,
    MANIFEST_TABLE,
    Stager,
    staging_url,
)
from registry.version import SCHEMA_VERSION

__all__ = ["DUCKDB_MIN_ROWS", "DuckdbStager", "SqliteStager", "new_stager", "stage"]

#: Submissions of at least this many rows are staged in DuckDB, smaller ones in SQLite.
#: Measured on 2 cores with the rule catalogue run directly (issue 23), staging + checks,
#: DuckDB against SQLite: 1,000 patients (23,000 rows) 1.3 s against 1.0 s (a DuckDB query
#: costs 10-20 ms however small: its first connection, its threads); 3,000 (66,000 rows)
#: 1.7-1.8 s against 1.8-2.1 s; 5,000 (110,000 rows) 1.6-2.0 s against 2.6-3.1 s; 10,000
#: (221,000 rows) 2.1-2.5 s against 3.8-4.8 s: DuckDB stages a chunk in one Arrow insert
#: where SQLite inserts row by row, and its joins are hash joins.
DUCKDB_MIN_ROWS = 50_000

#: Rows staged in DuckDB per transaction (measured at 100,000 patients: a commit per
#: 25,000-row chunk cost a third of the inserts; one transaction for all kept 200 MB of rows
#: in memory until the end).
COMMIT_ROWS = 200_000

#: DuckDB column types, by SQLAlchemy type (anything else is text). Written out rather than
#: compiled by duckdb_engine, which makes ``Float`` a 32-bit FLOAT (REAL): 40.1 would come
#: back as 40.099998 (a test loads the same cohort through both engines).
_COLUMN_TYPES: tuple[tuple[type[Any], str], ...] = (
    (Boolean, "BOOLEAN"),
    (Integer, "BIGINT"),
    (Date, "DATE"),
    (Float, "DOUBLE"),
    (DateTime, "TIMESTAMP"),
)


def _column_type(column: Column[Any]) -> str:
    """The DuckDB type of a staging column."""
    return next(
        (t for sql_type, t in _COLUMN_TYPES if isinstance(column.type, sql_type)), "VARCHAR"
    )


def _arrow_type(duckdb_type: str) -> Any:
    """The Arrow type a chunk's column is built as, for its DuckDB column."""
    import pyarrow as pa

    return {
        "BOOLEAN": pa.bool_(),
        "BIGINT": pa.int64(),
        "DATE": pa.date32(),
        "DOUBLE": pa.float64(),
        "TIMESTAMP": pa.timestamp("us"),
        "VARCHAR": pa.string(),
    }[duckdb_type]


def _iso(value: dt.date) -> str:
    return value.isoformat()


class DuckdbStager(Stager):
    """DuckDB, an embedded columnar engine: a chunk goes in as Arrow arrays in one insert;
    no indexes (the checks' joins are hash joins)."""

    suffix = ".duckdb"
    hands_over = True

    def __init__(self, path: Path, schema_version: str = SCHEMA_VERSION) -> None:
        import duckdb

        super().__init__(path, schema_version)
        self._db = duckdb.connect(str(path), config=DUCKDB_CONFIG)
        for name, table in self._tables.items():
            columns = ", ".join(f'"{c.name}" {_column_type(c)}' for c in table.columns)
            self._db.execute(f'CREATE TABLE "{name}" ({columns})')
        # Chunks are committed in batches: a commit per chunk costs a third of an insert,
        # and one transaction for everything would hold the whole submission in memory.
        self._uncommitted = 0
        self._db.execute("BEGIN")

    def _inserted(self, rows: int) -> None:
        self._uncommitted += rows
        if self._uncommitted >= COMMIT_ROWS:
            self._db.execute("COMMIT")
            self._db.execute("BEGIN")
            self._uncommitted = 0

    def _insert(self, name: str, columns: list[str], rows: list[Any]) -> None:
        import pyarrow as pa

        table = self._tables[name]
        chunk = pa.table(
            {
                column: pa.array(values, type=_arrow_type(_column_type(table.c[column])))
                for column, values in zip(columns, zip(*rows, strict=True), strict=True)
            }
        )
        self._insert_arrow(name, columns, chunk)

    def add_columns(self, name: str, passed: Any, offset: int) -> None:
        fields = [c for c in passed.column_names if c != "_row"]
        chosen = ", ".join(f'"{c}"' for c in fields)
        values = f'"_row" + ?, TRUE, {chosen}, ?'
        columns = ["_row", "_valid", *fields, VERSION_COLUMN]
        self._insert_arrow(name, columns, passed, values, (offset + 1, self.schema_version))

    def _insert_arrow(
        self,
        name: str,
        columns: list[str],
        chunk: Any,
        values: str | None = None,
        params: tuple[Any, ...] = (),
    ) -> None:
        """INSERT ``values`` (SQL over the Arrow table ``chunk``; by default its columns of
        the same names) into ``columns``."""
        names = ", ".join(f'"{c}"' for c in columns)
        select = names if values is None else values
        self._db.register("_chunk", chunk)
        self._db.execute(f'INSERT INTO "{name}" ({names}) SELECT {select} FROM _chunk', params)
        self._db.unregister("_chunk")
        self._inserted(chunk.num_rows)

    def arrow(self, query: Any) -> Any:
        # on the stager's own connection, which sees its rows before they are committed
        from duckdb_engine import Dialect

        sql = str(query.compile(dialect=Dialect(), compile_kwargs={"literal_binds": True}))
        return self._db.sql(sql).to_arrow_table()

    def set_manifest(self, manifest: Manifest | None) -> None:
        if manifest is not None:
            self._db.execute(
                f'INSERT INTO "{MANIFEST_TABLE}" VALUES (?, ?)',
                (manifest.site_id, manifest.data_cutoff_date),
            )

    def finish(self) -> str:
        self._db.execute("COMMIT")
        self._db.close()
        return staging_url(self.path)


class SqliteStager(Stager):
    """SQLite: rows by ``executemany``; indexes on every ID and reference, built at the end."""

    suffix = ".sqlite"

    def __init__(self, path: Path, schema_version: str = SCHEMA_VERSION) -> None:
        from sqlalchemy.dialects import sqlite
        from sqlalchemy.schema import CreateIndex, CreateTable

        super().__init__(path, schema_version)
        dialect = sqlite.dialect()
        tables = self._metadata.tables.values()
        # built after the rows are in: much faster than row by row
        self._indexes = [
            str(CreateIndex(ix).compile(dialect=dialect)) for t in tables for ix in t.indexes
        ]
        # Plain sqlite3, several times faster than SQLAlchemy Core for bulk rows, and the
        # schema on the same connection: a throwaway database, written without a journal or
        # a sync (through an engine, each statement of the schema waited for the disk).
        # Dates go in as ISO text (what SQLAlchemy's Date stores on SQLite), codes as their
        # text (StrEnum is a str), booleans as 0/1.
        sqlite3.register_adapter(dt.date, _iso)
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        for table in tables:
            self._db.execute(
                str(CreateTable(table, include_foreign_key_constraints=[]).compile(dialect=dialect))
            )
        self._db.commit()

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

    def finish(self) -> str:
        for index in self._indexes:
            self._db.execute(index)
        self._db.commit()
        self._db.close()
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
        records = [(i, spec.values(r)) for i, r in valid.get(spec.name, [])]
        stager.add_chunk(spec.name, list(raw_rows.get(spec.name, [])), records)
    stager.set_manifest(manifest)
    return stager.finish()

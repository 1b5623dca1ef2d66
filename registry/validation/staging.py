"""Staging: the submission in a temporary DuckDB database, for the expectation suites.

DuckDB, an embedded columnar engine, takes a chunk of rows as one Arrow insert and runs the
suites' joins and aggregates several times faster than SQLite did (issue 11: staging by row
inserts into SQLite was a fifth of the validation time, the suites on SQLite another third).

Staging tables mirror the registry tables (same names and columns, built from the SQLModel
tables) without keys or constraints, so that duplicates and orphans can be seen, plus:
``_row`` (1-based data row of the file) and ``_valid`` (the row passed record conformance).
Rows that failed conformance keep only their well-formed IDs and references (so reference
checks do not cascade); their other columns are NULL. ``_manifest`` holds the manifest.
The same suites run at the coordinating center on copies with these names (central.py, in
SQLite, from ``staging_metadata``, whose indexes serve SQLite there).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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
    "Stager",
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


def _arrow_type(column: Column[Any]) -> Any:
    import pyarrow as pa

    for sql_type, arrow_type in (
        (Boolean, pa.bool_()),
        (Integer, pa.int64()),
        (Date, pa.date32()),
        (Float, pa.float64()),
        (DateTime, pa.timestamp("us")),
    ):
        if isinstance(column.type, sql_type):
            return arrow_type
    return pa.string()


def staging_url(path: Path) -> str:
    """The SQLAlchemy URL of a staging database (DuckDB, through duckdb_engine)."""
    return f"duckdb:///{path}"


def staging_engine(path: Path) -> Engine:
    return create_engine(staging_url(path))


class Stager:
    """Builds the staging database (DuckDB) one table, or one chunk of a table, at a time.

    Rows go in column by column as Arrow arrays (one vectorised insert per chunk, not one
    statement per row); DuckDB needs no indexes for the suites' joins (hash joins)."""

    def __init__(self, path: Path, schema_version: str = SCHEMA_VERSION) -> None:
        import duckdb
        from duckdb_engine import Dialect
        from sqlalchemy.schema import CreateTable

        self.path = path
        #: Every staged row carries it, as the registry's rows do (versioned rules read it).
        self.schema_version = schema_version
        _, self._tables = staging_metadata()
        self._db = duckdb.connect(str(path))
        dialect = Dialect()
        for table in self._tables.values():
            self._db.execute(str(CreateTable(table).compile(dialect=dialect)))

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
        import pyarrow as pa

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
        if not staged:
            return
        table = self._tables[spec.name]
        chunk = pa.table(
            {
                column: pa.array(values, type=_arrow_type(table.c[column]))
                for column, values in zip(columns, zip(*staged, strict=True), strict=True)
            }
        )
        names = ", ".join(f'"{c}"' for c in columns)
        self._db.register("_chunk", chunk)
        self._db.execute(f'INSERT INTO "{spec.name}" ({names}) SELECT {names} FROM _chunk')
        self._db.unregister("_chunk")

    def set_manifest(self, manifest: Manifest | None) -> None:
        if manifest is not None:
            self._db.execute(
                f'INSERT INTO "{MANIFEST_TABLE}" VALUES (?, ?)',
                (manifest.site_id, manifest.data_cutoff_date),
            )

    def absorb(self, other: Path) -> None:
        """Copy in every row of another staging database (a helper process's chunks)."""
        quoted = str(other).replace("'", "''")
        self._db.execute(f"ATTACH '{quoted}' AS helper (READ_ONLY)")
        for name in self._tables:
            if name != MANIFEST_TABLE:
                self._db.execute(f'INSERT INTO "{name}" SELECT * FROM helper."{name}"')
        self._db.execute("DETACH helper")

    def finish(self) -> str:
        """Close the database (the suites open it in another process); returns its URL."""
        self._db.close()
        return staging_url(self.path)


def stage(
    path: Path,
    valid: Mapping[str, list[tuple[int, RegistryRecord]]],
    raw_rows: Mapping[str, list[dict[str, str]]],
    manifest: Manifest | None,
) -> str:
    """Write a whole staging database at once (see ``Stager``); returns its URL."""
    stager = Stager(path)
    for spec in TABLES:
        stager.add_chunk(
            spec.name, list(raw_rows.get(spec.name, [])), list(valid.get(spec.name, []))
        )
    stager.set_manifest(manifest)
    return stager.finish()

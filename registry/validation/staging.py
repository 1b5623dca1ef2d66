"""Staging: the submission in a temporary SQLite database, for the expectation suites.

Staging tables mirror the registry tables (same names and columns, built from the SQLModel
tables) without keys or constraints, so that duplicates and orphans can be seen, plus:
``_row`` (1-based data row of the file) and ``_valid`` (the row passed record conformance).
Rows that failed conformance keep only their well-formed IDs and references (so reference
checks do not cascade); their other columns are NULL. ``_manifest`` holds the manifest.
The same suites run at the coordinating center on views with these names (store.py).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Engine,
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

__all__ = ["MANIFEST_TABLE", "Stager", "stage", "staging_metadata"]

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


def _iso(value: dt.date) -> str:
    return value.isoformat()


class Stager:
    """Builds the staging database one table at a time (then indexes it in ``finish``)."""

    def __init__(self, path: Path, schema_version: str = SCHEMA_VERSION) -> None:
        self.path = path
        #: Every staged row carries it, as the registry's rows do (versioned rules read it).
        self.schema_version = schema_version
        self.engine = create_engine(f"sqlite:///{path}")
        metadata, _ = staging_metadata()
        self._indexes = [ix for table in metadata.tables.values() for ix in table.indexes]
        for table in metadata.tables.values():
            table.indexes.clear()  # built after the rows are in: much faster than row by row
        metadata.create_all(self.engine)
        # Plain sqlite3 executemany, several times faster than SQLAlchemy Core for bulk rows.
        # Dates go in as ISO text (what SQLAlchemy's Date stores on SQLite), codes as their
        # text (StrEnum is a str), booleans as 0/1.
        sqlite3.register_adapter(dt.date, _iso)
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=OFF")  # a throwaway database
        self._db.execute("PRAGMA synchronous=OFF")

    def add_table(
        self,
        name: str,
        raw_rows: list[dict[str, str]],
        valid: list[tuple[int, RegistryRecord]],
        start: int = 0,
        stop: int | None = None,
    ) -> None:
        """``valid``: (0-based row index, record) of the rows that passed conformance;
        ``raw_rows``: every row as read, for the IDs of the rows that did not; rows
        ``start:stop`` of them are staged (a table can come in chunks)."""
        spec = next(s for s in TABLES if s.name == name)
        columns = ["_row", "_valid", *spec.fields, VERSION_COLUMN]
        width = len(columns)
        ok = dict(valid)
        identity = {n: columns.index(n) for n in _identity_fields(spec.record)}
        values_of = operator.itemgetter(*spec.fields)
        rows: list[Any] = []
        for index in range(start, len(raw_rows) if stop is None else min(stop, len(raw_rows))):
            raw = raw_rows[index]
            record = ok.get(index)
            if record is not None:
                rows.append((index + 1, 1, *values_of(record.__dict__), self.schema_version))
                continue
            row: list[Any] = [index + 1, 0, *([None] * (width - 3)), self.schema_version]
            for field_name, position in identity.items():
                text = raw.get(field_name) or ""
                if _ID_RE.match(text):
                    row[position] = text
            rows.append(row)
        if rows:
            marks = ", ".join("?" * width)
            names = ", ".join(f'"{c}"' for c in columns)
            self._db.executemany(f'INSERT INTO "{spec.name}" ({names}) VALUES ({marks})', rows)
            self._db.commit()

    def set_manifest(self, manifest: Manifest | None) -> None:
        if manifest is not None:
            self._db.execute(
                f'INSERT INTO "{MANIFEST_TABLE}" VALUES (?, ?)',
                (manifest.site_id, manifest.data_cutoff_date.isoformat()),
            )
            self._db.commit()

    def finish(self) -> Engine:
        self._db.close()
        with self.engine.begin() as conn:
            for ix in self._indexes:
                ix.create(conn)
        return self.engine


def stage(
    path: Path,
    valid: Mapping[str, list[tuple[int, RegistryRecord]]],
    raw_rows: Mapping[str, list[dict[str, str]]],
    manifest: Manifest | None,
) -> Engine:
    """Write a whole staging database at once (see ``Stager``); returns an engine on it."""
    stager = Stager(path)
    for spec in TABLES:
        stager.add_table(
            spec.name, list(raw_rows.get(spec.name, [])), list(valid.get(spec.name, []))
        )
    stager.set_manifest(manifest)
    return stager.finish()

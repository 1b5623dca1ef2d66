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
from registry.models.ids import PATIENT_ID_PATTERN, RECORD_ID_PATTERN

__all__ = ["MANIFEST_TABLE", "stage", "staging_metadata"]

MANIFEST_TABLE = "_manifest"
_ID_RE = re.compile(f"{PATIENT_ID_PATTERN}|{RECORD_ID_PATTERN}")


def staging_metadata() -> tuple[MetaData, dict[str, Table]]:
    metadata = MetaData()
    tables: dict[str, Table] = {}
    for spec in TABLES:
        source = spec.table.__table__  # type: ignore[attr-defined]
        columns = [Column("_row", Integer), Column("_valid", Boolean)]
        columns += [Column(c.name, c.type, nullable=True) for c in source.columns]
        table = Table(spec.name, metadata, *columns)
        Index(f"ix_{spec.name}_id", table.c[spec.id_field])
        if spec.name != "patients":
            Index(f"ix_{spec.name}_patient", table.c.patient_id)
        tables[spec.name] = table
    tables[MANIFEST_TABLE] = Table(
        MANIFEST_TABLE, metadata, Column("site_id", String(8)), Column("data_cutoff_date", Date)
    )
    return metadata, tables


def _identity_fields(record_class: type[RegistryRecord]) -> list[str]:
    """The ID and reference fields: kept for rows that failed conformance."""
    return [name for name in record_class.model_fields if name.endswith("_id")]


def _iso(value: dt.date) -> str:
    return value.isoformat()


def stage(
    path: Path,
    valid: Mapping[str, list[tuple[int, RegistryRecord]]],
    raw_rows: Mapping[str, list[dict[str, str]]],
    manifest: Manifest | None,
) -> Engine:
    """Write the staging database at ``path``; returns an engine on it.

    ``valid``: per table, (0-based row index, record) of the rows that passed conformance.
    ``raw_rows``: per table, every row as read (text), for the IDs of the failed ones.
    """
    engine = create_engine(f"sqlite:///{path}")
    metadata, _ = staging_metadata()
    indexes = [ix for table in metadata.tables.values() for ix in table.indexes]
    for table in metadata.tables.values():
        table.indexes.clear()  # built after the rows are in: much faster than row by row
    metadata.create_all(engine)
    # Plain sqlite3 executemany, several times faster than SQLAlchemy Core for bulk rows.
    # Dates go in as ISO text (what SQLAlchemy's Date stores on SQLite), codes as their text
    # (StrEnum is a str), booleans as 0/1.
    sqlite3.register_adapter(dt.date, _iso)
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=OFF")  # a throwaway database
        connection.execute("PRAGMA synchronous=OFF")
        for spec in TABLES:
            columns = ["_row", "_valid", *spec.fields]
            width = len(columns)
            ok = dict(valid.get(spec.name, []))
            identity = {name: columns.index(name) for name in _identity_fields(spec.record)}
            values_of = operator.itemgetter(*spec.fields)
            rows: list[Any] = []
            for index, raw in enumerate(raw_rows.get(spec.name, [])):
                record = ok.get(index)
                if record is not None:
                    rows.append((index + 1, 1, *values_of(record.__dict__)))
                    continue
                row: list[Any] = [index + 1, 0, *([None] * (width - 2))]
                for name, position in identity.items():
                    text = raw.get(name) or ""
                    if _ID_RE.match(text):
                        row[position] = text
                rows.append(row)
            if rows:
                marks = ", ".join("?" * width)
                names = ", ".join(f'"{c}"' for c in columns)
                connection.executemany(
                    f'INSERT INTO "{spec.name}" ({names}) VALUES ({marks})', rows)
        if manifest is not None:
            connection.execute(f'INSERT INTO "{MANIFEST_TABLE}" VALUES (?, ?)',
                               (manifest.site_id, manifest.data_cutoff_date.isoformat()))
        connection.commit()
    finally:
        connection.close()
    with engine.begin() as conn:
        for ix in indexes:
            ix.create(conn)
    return engine

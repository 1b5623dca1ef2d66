"""Staging: the submission in a temporary database, for the rule catalogue's checks and the
load's copy (the two engines and the choice between them: ``staging_engines.py``).

Large submissions go to DuckDB, an embedded columnar engine: a chunk of rows is one Arrow
insert, and the checks' joins and aggregates run several times faster than on SQLite. Small
ones stay in SQLite, whose queries start faster (``staging_engines.DUCKDB_MIN_ROWS``). The
checks are written once for both (``rule_rows.render``).

Staging tables mirror the registry tables (same names and columns, built from the SQLModel
tables) without keys or constraints, so that duplicates and orphans can be seen, plus:
``_row`` (1-based data row of the file) and ``_valid`` (the row passed record conformance).
Rows that failed conformance keep only their well-formed IDs and references (so reference
checks do not cascade); their other columns are NULL. ``_manifest`` holds the manifest.
The same checks run at the coordinating center on copies with these names (central.py, in
SQLite, from ``staging_metadata``, whose indexes serve SQLite there).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

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
    select,
)

from registry.models import TABLES, Manifest, RegistryRecord, table_spec
from registry.models.base import VERSION_COLUMN
from registry.models.ids import PATIENT_ID_PATTERN, RECORD_ID_PATTERN
from registry.validation.vector import passed_values
from registry.version import SCHEMA_VERSION

__all__ = [
    "DUCKDB_CONFIG",
    "DUCKDB_READ_CONFIG",
    "MANIFEST_TABLE",
    "Stager",
    "copy_query",
    "staging_engine",
    "staging_metadata",
    "staging_url",
]

#: The staging table that holds the manifest (site and data cutoff).
MANIFEST_TABLE = "_manifest"

#: The stager's connection to a staging DuckDB file. DuckDB's buffer pool would otherwise
#: take up to 80% of memory; the checks' joins spill to disk beyond this.
DUCKDB_CONFIG: dict[str, str | bool | int | float | list[str]] = {"memory_limit": "256MB"}
#: Every connection that reads a finished staging file (the checks, the loader): read-only,
#: so that both may read it at once; one process may hold connections of only one
#: configuration to a file.
DUCKDB_READ_CONFIG = {**DUCKDB_CONFIG, "access_mode": "READ_ONLY"}

_ID_RE = re.compile(f"{PATIENT_ID_PATTERN}|{RECORD_ID_PATTERN}")


def staging_metadata() -> tuple[MetaData, dict[str, Table]]:
    metadata = MetaData()
    tables: dict[str, Table] = {}
    for spec in TABLES:
        source = spec.sql_table
        columns: list[Column[Any]] = [Column("_row", Integer), Column("_valid", Boolean)]
        columns += [Column(c.name, c.type, nullable=True) for c in source.columns]
        table = Table(spec.name, metadata, *columns)
        # Every ID and reference column: the checks join and probe on them.
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


def copy_query(name: str, staged: dict[str, Table]) -> Any:
    """The conformant rows of a staged table, in the order a load writes them (primary-key
    order, where a B-tree takes them fastest)."""
    spec = table_spec(name)
    table = staged[name]
    order: list[Any] = [table.c[spec.id_field]]
    if name == "vte_events":  # an event before the events that recur from it (FK per row)
        order = [table.c.recurrence_of_event_id.isnot(None), table.c.diagnosis_date, table.c._row]
    return (
        select(*[table.c[f] for f in spec.fields]).where(table.c._valid.is_(True)).order_by(*order)
    )


def staging_url(path: Path) -> str:
    """The SQLAlchemy URL of a staging database (its engine is told by its suffix)."""
    return f"duckdb:///{path}" if path.suffix == ".duckdb" else f"sqlite:///{path}"


def staging_engine(path: Path) -> Engine:
    """An engine that reads a finished staging database."""
    if path.suffix == ".duckdb":
        return create_engine(staging_url(path), connect_args={"config": DUCKDB_READ_CONFIG})
    return create_engine(staging_url(path))


class Stager:
    """Builds a staging database one table, or one chunk of a table, at a time.

    ``staging_engines.new_stager`` picks the engine by size."""

    suffix: ClassVar[str] = ""
    #: Whether ``arrow`` gives a staged table before the staging is finished.
    hands_over: ClassVar[bool] = False

    def __init__(self, path: Path, schema_version: str = SCHEMA_VERSION) -> None:
        self.path = path
        #: Every staged row carries it, as the registry's rows do (versioned rules read it).
        self.schema_version = schema_version
        self._metadata, self._tables = staging_metadata()

    def add_chunk(
        self,
        name: str,
        rows: Sequence[dict[str, str]],
        valid: list[tuple[int, tuple[Any, ...]]],
        offset: int = 0,
    ) -> None:
        """Stage rows ``offset:offset+len(rows)`` of a table (all of it, or a chunk), as
        read; ``valid``: (0-based table row, typed values in field order) of the rows that
        passed conformance."""
        self.add_rows(name, [(offset + i, row) for i, row in enumerate(rows)], dict(valid))

    def add_rows(
        self,
        name: str,
        rows: list[tuple[int, dict[str, str]]],
        valid: dict[int, tuple[Any, ...]],
    ) -> None:
        """Stage rows given as (0-based table row, row as read); ``valid``: the typed
        values (in field order) of those that passed conformance. The others keep only
        their well-formed IDs and references."""
        spec = table_spec(name)
        columns = ["_row", "_valid", *spec.fields, VERSION_COLUMN]
        width = len(columns)
        identity = {n: columns.index(n) for n in _identity_fields(spec.record)}
        staged: list[Any] = []
        for index, raw in rows:
            values = valid.get(index)
            if values is not None:
                staged.append((index + 1, True, *values, self.schema_version))
                continue
            row: list[Any] = [index + 1, False, *([None] * (width - 3)), self.schema_version]
            for field_name, position in identity.items():
                text = raw.get(field_name) or ""
                if _ID_RE.match(text):
                    row[position] = text
            staged.append(row)
        if staged:
            self._insert(name, columns, staged)

    def add_columns(self, name: str, passed: Any, offset: int) -> None:
        """Stage valid rows given as typed Arrow columns (``vector.Prefilter.passed``: the
        chunk that starts at table row ``offset``); here row by row, DuckDB takes them as
        they are."""
        valid = {offset + i: values for i, values in passed_values(passed)}
        self.add_rows(name, [(index, {}) for index in valid], valid)

    @property
    def tables(self) -> dict[str, Table]:
        return self._tables

    def arrow(self, query: Any) -> Any | None:
        """The rows of a SQLAlchemy ``query`` over what is staged so far, as an Arrow table,
        where the engine can give them before it is finished (else None)."""
        return None

    def _insert(self, name: str, columns: list[str], rows: list[Any]) -> None:
        raise NotImplementedError

    def set_manifest(self, manifest: Manifest | None) -> None:
        raise NotImplementedError

    def finish(self) -> str:
        """Close the database (the checks and the load open it anew); returns its URL."""
        raise NotImplementedError

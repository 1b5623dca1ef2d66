"""The one workaround GX needs to run the suites on DuckDB (staging), for ``--engine gx``.

GX 1.x has no DuckDB data source; its generic SQL source works through duckdb_engine, except
that GX runs each query in ``with engine.connect() as connection: result = ...`` and reads
``result`` after the connection has closed. SQLite, SQL Server, BigQuery and Databricks are
listed in ``_PERSISTED_CONNECTION_DIALECTS`` (one connection kept open); for any other
dialect the rows are read from a closed connection, and duckdb_engine then hands back *no
rows*, silently: every ``unexpected_rows_expectation`` would pass. Adding DuckDB to that list
keeps one connection open, as for SQLite.

``tests/validation/test_engine.py`` fails when a GX release renames the list or no longer
needs this (then this module can go), and checks that a violating row is found on DuckDB.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DUCKDB", "persist_duckdb_connection"]


class _Dialect(str):
    """Compares equal to the dialect name (GX tests ``name in list``) and, like GX's own
    ``GXSqlDialect`` members, has a ``value`` (GX tests ``url.startswith(d.value)``)."""

    @property
    def value(self) -> str:
        return str(self)


DUCKDB = _Dialect("duckdb")


def persist_duckdb_connection() -> None:
    """Have GX keep one connection open for DuckDB; idempotent. Raises RuntimeError when
    this GX release no longer has the list to extend (a loud failure, not missing rows)."""
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

    current: Any = getattr(engine, "_PERSISTED_CONNECTION_DIALECTS", None)
    if not isinstance(current, tuple):
        raise RuntimeError(
            "great_expectations changed: sqlalchemy_execution_engine."
            "_PERSISTED_CONNECTION_DIALECTS is gone; the DuckDB workaround "
            "(registry/validation/gx_duckdb.py) must be revisited"
        )
    if DUCKDB not in current:
        engine._PERSISTED_CONNECTION_DIALECTS = (*current, DUCKDB)

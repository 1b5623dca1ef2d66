"""What the staging's writers and its readers agree on, with nothing to import: the name of
the manifest's table and DuckDB's connection settings. The suites' worker reads them without
importing the models (issue 11: 0.4 s of the worker's start at 1,000 patients)."""

from __future__ import annotations

__all__ = ["DUCKDB_CONFIG", "DUCKDB_READ_CONFIG", "MANIFEST_TABLE"]

MANIFEST_TABLE = "_manifest"

#: The stager's connection to a staging DuckDB file. DuckDB's buffer pool would otherwise
#: take up to 80% of memory; the suites' joins spill to disk beyond this.
DUCKDB_CONFIG: dict[str, str | bool | int | float | list[str]] = {"memory_limit": "256MB"}
#: Every connection that reads a finished staging file (the suites, the loader): read-only,
#: so that the suites' worker and a load's copy read it at the same time from two processes
#: (DuckDB lets several processes read a file, but only one write it); one process may hold
#: connections of only one configuration to a file.
DUCKDB_READ_CONFIG = {**DUCKDB_CONFIG, "access_mode": "READ_ONLY"}

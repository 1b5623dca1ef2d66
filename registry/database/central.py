"""Validation of the registry database itself (``vte-registry validate --db URL``): the same
rule catalogue, across all sites, on what has been loaded.

On PostgreSQL the checks run in the database: views in a schema ``vte_validation`` give each
registry table the staging columns (``_row`` null, ``_valid`` true) and ``_manifest`` lists each
site with the data cutoff of its latest submission. A SQLite database is copied into a
staging file first (SQLite views cannot span the two files). Findings name their site.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Select, func, select, text
from sqlalchemy.engine import make_url

from registry.database.store import AUDIT, make_engine, require_registry
from registry.models import TABLES
from registry.validation.findings import Finding
from registry.validation.report import Report
from registry.validation.staging import MANIFEST_TABLE, staging_metadata
from registry.validation.validate import Engine as RuleEngine
from registry.validation.validate import run_engine

__all__ = ["VIEW_SCHEMA", "validate_database"]

VIEW_SCHEMA = "vte_validation"


def _latest_cutoffs() -> Select[Any]:
    """Each site with the data cutoff of its latest loaded submission (the manifest of the
    database), as one query for the PostgreSQL view and the SQLite copy alike."""
    audit = AUDIT
    newer = audit.alias("newer")
    latest = (
        select(func.max(newer.c.created_at))
        .where(newer.c.site_id == audit.c.site_id)
        .scalar_subquery()
    )
    return (
        select(audit.c.site_id, audit.c.data_cutoff_date)
        .distinct()
        .where(audit.c.created_at == latest)
        .order_by(audit.c.site_id)
    )


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            spec.name: connection.execute(select(func.count()).select_from(spec.sql_table)).scalar()
            or 0
            for spec in TABLES
        }


def _postgres_views(engine: Engine) -> str:
    """Create the views; returns the connection string that sees them first."""
    with engine.begin() as connection:
        base = connection.execute(text("SELECT current_schema()")).scalar()
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{VIEW_SCHEMA}"'))
        for spec in TABLES:
            connection.execute(
                text(
                    f'CREATE OR REPLACE VIEW "{VIEW_SCHEMA}"."{spec.name}" AS SELECT t.*, '
                    f'CAST(NULL AS INTEGER) AS _row, TRUE AS _valid FROM "{base}"."{spec.name}" t'
                )
            )
        query = _latest_cutoffs().compile(connection, compile_kwargs={"literal_binds": True})
        connection.execute(
            text(  # names resolve in the registry's schema (search path)
                f'CREATE OR REPLACE VIEW "{VIEW_SCHEMA}"."{MANIFEST_TABLE}" AS {query}'
            )
        )
    url = make_url(engine.url).update_query_dict({"options": f"-csearch_path={VIEW_SCHEMA},{base}"})
    return url.render_as_string(hide_password=False)


def _sqlite_copy(engine: Engine, target: Path) -> str:
    """Copy the registry tables into a staging database; returns its connection string."""
    metadata, tables = staging_metadata()
    staging = make_engine(f"sqlite:///{target}")
    metadata.create_all(staging)
    with engine.connect() as source, staging.begin() as dest:
        for spec in TABLES:
            rows = [
                dict(r, _row=None, _valid=True)
                for r in source.execute(select(spec.sql_table)).mappings()
            ]
            if rows:
                dest.execute(tables[spec.name].insert(), rows)
        manifest = [dict(r) for r in source.execute(_latest_cutoffs()).mappings()]
        if manifest:
            dest.execute(tables[MANIFEST_TABLE].insert(), manifest)
    staging.dispose()
    return f"sqlite:///{target}"


def _with_site(f: Finding) -> Finding:
    site = (f.record_id or "").split("-", 1)[0]
    return dataclasses.replace(f, message=f"site {site}: {f.message}") if site else f


def validate_database(url: str | None = None, engine: RuleEngine = "sql") -> Report:
    """Run the rule catalogue on the registry database at ``url`` (all sites); ``engine``
    as for a submission ("sql" or "gx")."""
    started = time.perf_counter()
    database = make_engine(url)
    try:
        require_registry(database)
        counts = _counts(database)
        if database.dialect.name == "postgresql":
            run = run_engine(_postgres_views(database), engine)
        else:
            with tempfile.TemporaryDirectory(prefix="vte-registry-db-") as tmp:
                copy = _sqlite_copy(database, Path(tmp) / "copy.sqlite")
                run = run_engine(copy, engine)
        source = make_url(database.url).render_as_string(hide_password=True)
    finally:
        database.dispose()
    return Report(
        source=source,
        site_id=None,
        submission_id=None,
        tables=counts,
        findings=[_with_site(f) for f in run.findings],
        seconds=round(time.perf_counter() - started, 2),
        kind="registry database",
    )

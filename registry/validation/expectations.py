"""Stage 2: the Great Expectations suites of ``expectations/``, run in an ephemeral context.

Each suite is a GX 1.x ExpectationSuite stored as JSON; ``meta.batch`` names the table its
``{batch}`` stands for. Every expectation is an ``UnexpectedRowsExpectation`` whose query
returns the offending rows as ``tbl, row_no, record_id, field_name, value_text[, message]``
and whose ``meta`` carries the rule ID, severity and Kahn category. The query text is
written once for every dialect: ``DAYS(x)`` is rendered as SQLite's ``julianday(x)`` or, in
PostgreSQL and DuckDB (where a date minus a date is a number of days),
``(x - DATE '1970-01-01')``. Submissions are checked on DuckDB (staging), the registry
database on SQLite or PostgreSQL (``validate --db``).

The context is ephemeral: no ``gx/`` folder, no Data Docs, so no patient data is copied to
disk, and usage analytics are off.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from registry.paths import data_dir
from registry.validation.findings import EngineError, Finding
from registry.validation.gx_duckdb import persist_duckdb_connection
from registry.validation.gx_import import import_gx
from registry.validation.staging_settings import DUCKDB_READ_CONFIG, MANIFEST_TABLE

__all__ = [
    "SuiteError",
    "SuiteRun",
    "flag_fields",
    "load_suites",
    "needs_manifest",
    "render",
    "run_suites",
]

_DAYS = re.compile(r"DAYS\(([^()]*(?:\([^()]*\))?[^()]*)\)")


class SuiteError(EngineError):
    """An expectation could not run (a broken suite or database): a bug, not a finding."""


@dataclass
class SuiteRun:
    findings: list[Finding] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    expectations: int = 0


def suites_dir() -> Path:
    return data_dir("expectations")


@cache
def load_suites() -> tuple[dict[str, Any], ...]:
    """Every suite in ``expectations/`` as stored (JSON), in name order."""
    out = []
    for path in sorted(suites_dir().glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        suite["_file"] = path.name
        out.append(suite)
    return tuple(out)


def render(query: str, dialect: str) -> str:
    """The query for a SQL dialect ("sqlite", "postgresql" or "duckdb")."""
    if dialect == "sqlite":
        return _DAYS.sub(r"julianday(\1)", query)
    if dialect in ("postgresql", "duckdb"):
        return _DAYS.sub(r"(\1 - DATE '1970-01-01')", query)
    raise ValueError(f"unsupported SQL dialect {dialect!r}")


def _gx() -> Any:
    return import_gx()  # imported on first use: it takes seconds


def _context(gx: Any) -> Any:
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def _row_order(row: dict[str, Any]) -> tuple[str, int, tuple[str, ...]]:
    """Table, file row, then record, field, value, message: the order of a report."""
    row_no = row.get("row_no")
    rest = tuple(
        str(row.get(k) or "") for k in ("record_id", "field_name", "value_text", "message")
    )
    return str(row.get("tbl") or ""), -1 if row_no is None else int(row_no), rest


Flags = frozenset[tuple[str, str]]


@cache
def flag_fields() -> Flags:
    """(table, field) of every true/false field of the models. The suites' worker is sent
    them: it does not import the models (0.4 s of its start)."""
    from registry.models import TABLES
    from registry.models.facts import field_facts

    return frozenset(
        (spec.name, name)
        for spec in TABLES
        for name, info in spec.record.model_fields.items()
        if field_facts(name, info).kind == "bool"
    )


def _value_text(row: dict[str, Any], flags: Flags) -> str | None:
    """The offending value as text; a flag reads true/false on every engine (SQLite, which
    stores flags as 1/0, would say 1)."""
    value = row.get("value_text")
    if value is None:
        return None
    text = str(value)
    if text in ("0", "1") and (row.get("tbl"), row.get("field_name")) in flags:
        return "true" if text == "1" else "false"
    return text


def _rows_to_findings(
    rows: list[dict[str, Any]], meta: dict[str, Any], description: str, flags: Flags
) -> list[Finding]:
    out = []
    for row in rows:
        row_no = row.get("row_no")
        out.append(
            Finding(
                rule=meta["rule"],
                severity=meta["severity"],
                category=meta["category"],
                table=row.get("tbl"),
                row=None if row_no is None else int(row_no),
                record_id=row.get("record_id"),
                field=row.get("field_name"),
                value=_value_text(row, flags),
                message=str(row.get("message") or description),
            )
        )
    return out


_ROWS = "unexpected_rows_expectation"
# On SQL, GX fetches the rows of a built-in expectation with LIMIT partial_unexpected_count
# (20 by default), even in COMPLETE format: every row is wanted here.
_RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["_row"],
    "partial_unexpected_count": 2**62,
}


def _builtin_findings(item: Any, table: str) -> list[Finding]:
    """Findings of a GX built-in: every repeat of a key after its first row (uniqueness),
    or one finding for a column too often empty, counted from ``min_rows`` rows (not-null
    with ``mostly``)."""
    config, result = item.expectation_config, item.result
    meta, column = config.meta, config.kwargs["column"]
    if item.success:
        return []
    if config.type == "expect_column_values_to_be_unique":
        rows = sorted(result.get("unexpected_index_list") or [], key=lambda r: r["_row"] or 0)
        if len(rows) != (result.get("unexpected_count") or 0):  # never lose a row silently
            raise SuiteError(
                f"GX listed {len(rows)} of {result.get('unexpected_count')} "
                f"repeated {column} values of {table}"
            )
        first: dict[Any, Any] = {}
        out = []
        for row in rows:
            value = row[column]
            if value in first:
                where = first[value]  # None in the registry database: no file rows there
                message = config.description if where is None else f"also used at row {where}"
                out.append(_finding(meta, table, row["_row"], value, column, value, message))
            else:
                first[value] = row["_row"]
        return out
    if config.type == "expect_column_values_to_not_be_null":
        total = result.get("element_count") or 0
        if total < meta["min_rows"]:
            return []
        share = f"{round(100.0 * (result.get('unexpected_count') or 0) / total, 1):.1f}"
        message = f"{share}% of {total} rows have no {column} (threshold {meta['threshold']:.0%})"
        return [_finding(meta, table, None, None, column, share, message)]
    raise SuiteError(f"no findings are defined for GX expectation {config.type}")


def _finding(
    meta: dict[str, Any], table: str, row: Any, record_id: Any, field: str, value: Any, message: str
) -> Finding:
    return Finding(
        rule=meta["rule"],
        severity=meta["severity"],
        category=meta["category"],
        table=table,
        row=None if row is None else int(row),
        record_id=None if record_id is None else str(record_id),
        field=field,
        value=None if value is None else str(value),
        message=message,
    )


def _exception(item: Any) -> str | None:
    """The error of an expectation that did not run (GX nests it by metric)."""
    info = item.exception_info or {}
    details = (
        [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    )
    for detail in details:
        if detail.get("raised_exception"):
            return str(detail.get("exception_message", "unknown error")).splitlines()[0]
    no_result = (item.result or {}).get("observed_value") is None
    if item.expectation_config.type == _ROWS and not item.success and no_result:
        return "the expectation produced no result"
    return None


def _all_rows(batch: Any, query: str) -> list[dict[str, Any]]:
    """Every row of a failing expectation (a run keeps the first 200)."""
    from great_expectations.metrics.metric_results import MetricErrorResult
    from great_expectations.metrics.query.batch_table import QueryBatchTable

    with contextlib.redirect_stderr(io.StringIO()):  # GX draws a progress bar here regardless
        result = batch.compute_metrics(QueryBatchTable(query=query, fetch_all=True))
    if isinstance(result, MetricErrorResult):
        raise SuiteError(str(result.value.exception_message))
    return list(result.value)


def needs_manifest(expectation: dict[str, Any]) -> bool:
    """True for an expectation that reads the manifest (site and cutoff checks)."""
    return MANIFEST_TABLE in expectation["kwargs"].get("unexpected_rows_query", "")


def run_suites(
    connection_string: str,
    dialect: str,
    suites: tuple[dict[str, Any], ...] | None = None,
    with_manifest: bool = True,
    flags: Flags | None = None,
) -> SuiteRun:
    """Run the suites against a database holding the (staged) tables; rows become findings.
    ``flags``: ``flag_fields()``, given by a caller that has the models imported.

    Without a usable manifest (``with_manifest`` false) the expectations that read it are
    not run: one finding about the manifest, not one per record.
    Suites are validated batch by batch (``Batch.validate``): nothing is saved to the
    context's stores, which an ephemeral context would only keep in memory anyway."""
    gx = _gx()
    flagged = flag_fields() if flags is None else flags
    context = _context(gx)
    if dialect == "sqlite":
        source = context.data_sources.add_sqlite("registry", connection_string=connection_string)
    elif dialect == "duckdb":
        persist_duckdb_connection()  # GX has no DuckDB source; see gx_duckdb
        source = context.data_sources.add_sql(
            "registry",
            connection_string=connection_string,
            kwargs={"connect_args": {"config": DUCKDB_READ_CONFIG}},
        )
    else:
        source = context.data_sources.add_postgres("registry", connection_string=connection_string)
    batches: dict[str, Any] = {}
    run = SuiteRun()
    for stored in suites if suites is not None else load_suites():
        started = time.perf_counter()
        batch_table = stored["meta"]["batch"]
        if batch_table not in batches:
            asset = source.add_table_asset(name=batch_table, table_name=batch_table)
            batches[batch_table] = asset.add_batch_definition_whole_table("whole table").get_batch()
        batch = batches[batch_table]
        expectations = []
        for exp in stored["expectations"]:
            if not with_manifest and needs_manifest(exp):
                continue
            rendered = json.loads(json.dumps(exp))
            if (query := rendered["kwargs"].get("unexpected_rows_query")) is not None:
                rendered["kwargs"]["unexpected_rows_query"] = render(query, dialect)
            expectations.append(rendered)
        suite = gx.ExpectationSuite(
            name=stored["name"], expectations=expectations, meta=stored.get("meta")
        )
        if len(suite.expectations) != len(expectations):  # GX drops invalid ones silently
            raise SuiteError(
                f"{stored['_file']}: {len(expectations) - len(suite.expectations)} "
                "expectation(s) are not valid GX configurations"
            )
        # _row names the rows a built-in expectation finds (the file's data row)
        result = batch.validate(suite, result_format=_RESULT_FORMAT)
        for item in result.results:
            config = item.expectation_config
            if problem := _exception(item):
                raise SuiteError(f"{stored['_file']}: rule {config.meta.get('rule')}: {problem}")
            run.expectations += 1
            if config.type != _ROWS:
                run.findings.extend(_builtin_findings(item, batch_table))
                continue
            if item.success:
                continue
            rows = item.result.get("details", {}).get("unexpected_rows") or []
            if item.result.get("observed_value", 0) > len(rows):  # GX keeps 200: fetch all
                rows = _all_rows(batch, config.kwargs["unexpected_rows_query"])
            rows = [dict(r) if not isinstance(r, dict) else r for r in rows]
            # DuckDB scans in parallel: rows come in no fixed order; a report must not change
            # from one run to the next, so they are put in file order.
            rows.sort(key=_row_order)
            run.findings.extend(
                _rows_to_findings(rows, config.meta, config.description or "", flagged)
            )
        run.seconds[stored["name"]] = time.perf_counter() - started
    # GX keeps one connection open for SQLite and DuckDB: let go of the staging file now
    source.get_execution_engine().close()
    return run
